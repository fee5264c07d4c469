/* truth: a missing element of a string array is a NULL string; printing it copies from
 * address 0, which faults (d-language.md 3.7; dtrace.c dtrace_store_by_ref). */
#pragma D option quiet
BEGIN
{
	a[2] = "x";
}
BEGIN
{
	printf("[%s]\n", a[1]);
}
BEGIN
{
	exit(0);
}
