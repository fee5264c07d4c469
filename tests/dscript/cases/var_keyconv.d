/* truth: d-language.md 4 (pitfall 3): keys are converted to the declared key types
 * (dt_cg_arglist -> dt_cg_typecast), so int last[int] cuts 0x100000001 to 1; a scalar
 * dynamic variable stores the whole register (DIF_OP_STGAA), so an int value keeps 64 bits. */
#pragma D option quiet
int last[int];
BEGIN
{
	last[0x100000001] = 7;
	last[2] = 0x100000000 + 5;
	printf("%d %d\n", last[1], last[2] == 0x100000005);
	exit(0);
}
