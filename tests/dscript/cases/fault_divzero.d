/* truth: d-language.md 3.10: a run-time fault drops the faulting clause's output for this
 * firing, keeps its earlier stores (x), prints dt_handle_err's message, and fires ERROR with
 * arg1 the EPID (1: the first enabling), arg2 the action (#4) and arg4 the fault (4,
 * divide-by-zero); the firing's later clauses run and the exit status is not changed. */
#pragma D option quiet
BEGIN
{
	x = 1;
	printf("lost\n");
	y = 0;
	z = x / y;
	printf("lost too\n");
}
BEGIN
{
	printf("x=%d\n", x);
}
ERROR
{
	printf("error: epid %d action %d fault %d\n", arg1, arg2, arg4);
}
BEGIN
{
	exit(0);
}
