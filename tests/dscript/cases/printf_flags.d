/* truth: d-language.md 3.1: C's flags, width and precision; %? is a width of 16; a negative
 * '*' width left-aligns; %d of an unsigned type prints unsigned and %x of an int prints 32
 * bits (the argument's size decides); length modifiers change nothing; a precision of 0 is
 * ignored (%.0s prints the whole string). */
#pragma D option quiet
BEGIN
{
	printf("[%5d][%-5d][%05d][%+d][% d]\n", 42, 42, 42, 42, 42);
	printf("[%x][%X][%#x][%o][%#o]\n", 255, 255, 255, 8, 8);
	printf("[%c][%5s][%-5s][%.2s][%.0s]\n", 65, "ab", "ab", "abc", "abc");
	printf("[%?d]\n", 1);
	printf("[%*d][%*d]\n", 4, 7, -4, 7);
	printf("[%u][%d]\n", -1, (uint32_t)4294967295);
	printf("[%d][%x]\n", 0xffffffffffffffff, -1);
	printf("[%ld][%lld][%hd]\n", 1, 2, 3);
	printf("[100%%]\n");
	exit(0);
}
