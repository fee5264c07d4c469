/* truth: d-language.md 3.6: a decimal constant is int, else long; hex and octal take the
 * first of int, unsigned int, long, unsigned long that holds them; u, l, ll suffixes. */
#pragma D option quiet
BEGIN
{
	printf("%d %d %d %d %d %d\n", sizeof(1), sizeof(2147483648), sizeof(0x80000000),
	    sizeof(1u), sizeof(1ul), sizeof(1LL));
	printf("%d %d %d\n", 010, 0x10, 10);
	printf("%d\n", 0xffffffff > 0);
	exit(0);
}
