/* truth: d-language.md 3.6: shift counts are taken modulo 64 (the DIF emulator), values are
 * cut only when recorded (4-byte %x of 0xffff << 100 = 0xffff << 36 is 0); >> of a signed
 * type is arithmetic; (unsigned)-16 keeps its 64 sign bits, so >> 28 leaves 0xfffffffff
 * whose 4-byte unsigned record is 4294967295. */
#pragma D option quiet
BEGIN
{
	printf("%d %d\n", 1 << 65, 1 << 1);
	x = 0xffff;
	printf("%x %x\n", x << 100, x >> 1);
	printf("%d\n", -16 >> 2);
	printf("%d\n", (unsigned)-16 >> 28);
	exit(0);
}
