/* truth: C's truncating signed division and remainder in 64 bits; the type's signedness
 * chooses signed or unsigned division (d-language.md 2.3). */
#pragma D option quiet
BEGIN
{
	printf("%d %d %d %d\n", 7 / 2, -7 / 2, -7 % 3, 7 % -3);
	printf("%u\n", 0xffffffff / 2);
	exit(0);
}
