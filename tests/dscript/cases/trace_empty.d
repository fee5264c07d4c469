/* truth: dt_print_bytes: a record whose first byte is NUL is not a string and prints as hex
 * rows (d-language.md 3.7). nta's string records are strsize + 1 bytes (strings hold up to
 * strsize characters; man page), here 9. */
#pragma D option quiet
#pragma D option strsize=8
BEGIN
{
	trace("");
	exit(0);
}
