/* truth: dt_cg_typecast (d-language.md 3.6): narrowing sign- or zero-extends by the target,
 * widening from a signed type sign-extends, from an unsigned one changes nothing, and a
 * cast that only changes signedness keeps the register's bits. */
#pragma D option quiet
BEGIN
{
	printf("%d %d %d\n", (int8_t)255, (uint16_t)-1, (int)4294967295);
	printf("%u %d\n", (uint32_t)(int32_t)-1, (int64_t)(int32_t)-1);
	printf("%x\n", (uint64_t)(int32_t)-2);
	printf("%x\n", (uint64_t)(uint32_t)0xfffffffe);
	printf("%d\n", (char)321);
	exit(0);
}
