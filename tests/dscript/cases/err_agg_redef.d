/* truth: an aggregation keeps its first function (D_AGG_REDEF). */
BEGIN
{
	@a = count();
	@a = sum(1);
}
