/* truth: d-language.md 3.6: a global takes the type of its first assignment (i = 0: int), so
 * ~i of 0xdeadbeef prints 32 bits (corpus arithmetic.tst.basics); strings are copied into
 * the variable. */
#pragma D option quiet
BEGIN
{
	i = 0;
	i = 0xdeadbeef;
	printf("%x %x\n", i, ~i);
	s = "abc";
	s = strjoin(s, "def");
	printf("%s %d\n", s, strlen(s));
	exit(0);
}
