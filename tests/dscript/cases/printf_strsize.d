/* truth: strsize bounds string values, not printf()'s format: dt_printf_create() parses the
 * format node's whole string (libdtrace dt_cc.c dt_action_printflike). A string value holds
 * up to strsize characters, as dtrace-utils keeps them (man page, "D PROGRAMS";
 * d-language.md 4, item 20), so "klmnopqrs" prints as "klmnop" with strsize=6. */
#pragma D option quiet
#pragma D option strsize=6
BEGIN
{
	printf("a format longer than strsize: %s|\n", "klmnopqrs");
	exit(0);
}
