/* truth: d-language.md 3.8: associative arrays keyed by tuples; a missing element reads 0;
 * storing 0 deletes (corpus assocs.tst.store_zero_deletes); += on a missing element starts
 * from 0. */
#pragma D option quiet
BEGIN
{
	a["x", 1] = 5;
	a["x", 2] = 0;
	a["y", 1] += 3;
	printf("%d %d %d %d\n", a["x", 1], a["x", 2], a["y", 1], a["z", 9]);
	a["x", 1] = 0;
	printf("%d\n", a["x", 1]);
	exit(0);
}
