/* truth: d-language.md 1.1 (dt_string.c stresc2chr): \a \b \f \n \r \t \v \" \\, octal and
 * \x escapes resolve; any other \c keeps its backslash, so "\?" is two characters. */
#pragma D option quiet
BEGIN
{
	printf("[\a\b\f\r\t\v\"\\]\n");
	printf("[\101\x42\103]\n");
	printf("[\?\q]\n");
	printf("%d\n", strlen("\?"));
	exit(0);
}
