/* truth: d-language.md 1.4.4: $1 that reads as an integer is an integer token, $$2 is always
 * a string, $0 is the script's name. */
#pragma D option quiet
BEGIN
{
	printf("%d %s %s\n", $1 + 1, $$2, $$0 == "macros.d" ? "yes" : "no");
	exit(0);
}
