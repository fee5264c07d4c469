/* truth: dtrace-providers.md 5.5: printa with a format joins the keys of its aggregations,
 * sorted by the first one's value, a key missing from one printing 0; printa(@b) without a
 * format starts with "\n"; printed aggregations are not printed again at exit. */
#pragma D option quiet
BEGIN
{
	@a["x"] = sum(5); @a["y"] = sum(1);
	@b["y"] = sum(7);
	printa("%s %@d %@d\n", @a, @b);
	printa(@b);
	exit(0);
}
