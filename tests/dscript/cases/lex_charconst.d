/* truth: d-language.md 1.1: a character constant packs its characters big-endian into an
 * int ('\"\ba' = 0x220861 = 2230369, 'ab' = 0x6162), an unknown escape keeps the backslash
 * ('\'' = 0x5c27), and sizeof('a') is 4 (section 3.6). */
#pragma D option quiet
BEGIN
{
	printf("%d %d %d %d %d\n", 'a', '\"\ba', 'ab', '\'', sizeof('a'));
	exit(0);
}
