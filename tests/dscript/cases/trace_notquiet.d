/* truth: d-language.md 3.2 and 3.3: not quiet, each recording firing starts "%3d %6d %32s "
 * (CPU 0, ID 1, ":BEGIN") and ends with "\n"; trace() widths " %3d", " %5d" (unsigned),
 * " %8d", " %16lld", strings "  %-33s"; the header "%3s %6s %32s" comes once. */
BEGIN
{
	trace((uint8_t)200);
	trace((short)-2);
	trace(7);
	trace(8ll);
	trace("hi");
}
BEGIN
{
	exit(0);
}
