/* truth: DTrace's subroutines (dtrace.c DIF_SUBR_*): strings compare with strcmp; substr with
 * a negative index counts from the end; index/rindex return positions or -1; strstr,
 * strchr and strrchr return the rest of the string; basename/dirname/cleanpath as POSIX;
 * htons/htonl swap bytes on this little-endian host. */
#pragma D option quiet
BEGIN
{
	printf("%d %d %d\n", "abc" < "abd", "b" > "abc", "x" == "x");
	printf("%s|%s|%s\n", strjoin("ab", "cd"), substr("hello", 1, 3), substr("hello", -2));
	printf("%d %d %d %d\n", strlen("hello"), index("hello", "l"), rindex("hello", "l"),
	    index("hello", "z"));
	printf("%s|%s|%s\n", strstr("hello", "ll"), strchr("hello", 'l'), strrchr("hello", 'l'));
	printf("%s|%s|%s\n", basename("/a/b/c"), dirname("/a/b/c"), cleanpath("/a/./b/../c"));
	printf("%s|%s|%s\n", lltostr(-42), toupper("aB"), tolower("aB"));
	printf("%x %x %x\n", htons(0x1234), htonl(0x12345678), ntohs(0x3412));
	exit(0);
}
