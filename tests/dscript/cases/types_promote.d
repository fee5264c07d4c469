/* truth: dt_type_promote (d-language.md 2.1): no promotion to int first, so uint8_t + uint8_t
 * is uint8_t and its 1-byte record prints 256 as 0; int vs unsigned int compares unsigned
 * (-1 < 0u is false); int64_t vs unsigned int is int64_t; uint32_t - uint8_t is uint32_t
 * and the 4-byte record of 1 - 2 prints 4294967295. */
#pragma D option quiet
BEGIN
{
	a = (uint8_t)255;
	b = (uint8_t)1;
	printf("%d %d\n", sizeof(a + b), a + b);
	printf("%d\n", sizeof((uint8_t)1 & (uint8_t)3));
	printf("%d\n", -1 < 0u);
	printf("%d\n", (int64_t)-1 < 0u);
	printf("%u\n", (uint32_t)1 - (uint8_t)2);
	exit(0);
}
