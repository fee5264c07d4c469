/* truth: dt_cook_clause cooks the actions first and, when they name a variable the
 * predicate creates, the predicate first (corpus clauses.tst.predfirst): x exists, the
 * predicate is true, exit(x - 1) is exit(0). */
BEGIN
/x++ == 0/
{
	exit(x - 1);
}
