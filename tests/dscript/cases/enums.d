/* truth: C's enumerator values: A 0, B 5, C 6, D -2, E -1 (corpus enum.tst.EnumValAssign). */
#pragma D option quiet
enum e { A, B = 5, C, D = -2, E };
BEGIN
{
	printf("%d %d %d %d %d\n", A, B, C, D, E);
	exit(0);
}
