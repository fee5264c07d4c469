/* truth: a declared scalar array stores each element at its width (fixed-layout memory,
 * d-language.md 2.3: 0x1ffffffff in an int is -1); sizeof is 3 x 4; an index out of range
 * at run time is a fault (corpus arrays.tst.declared-bounds.runtime_out): the clause prints
 * nothing and ERROR's message names the action. */
#pragma D option quiet
int a[3];
BEGIN
{
	a[1] = 5;
	a[2] = 0x1ffffffff;
	printf("%d %d %d %d\n", a[0], a[1], a[2], sizeof(a));
}
BEGIN
{
	i = 5;
	a[i] = 1;
	printf("not printed\n");
}
BEGIN
{
	exit(0);
}
