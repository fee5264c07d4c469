/* truth: d-language.md 3.7: a NULL string compares equal to "" (dtrace_strncmp); a global
 * string variable holds its own copy, "" for NULL. */
#pragma D option quiet
BEGIN
{
	x = strchr("abc", 'z');
	printf("[%s] %d\n", x, x == "");
	a[1] = "v";
	printf("%d %d\n", a[2] == "", a[2] == NULL);
	exit(0);
}
