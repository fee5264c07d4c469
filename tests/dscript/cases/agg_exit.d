/* truth: dtrace-providers.md 5.4: at exit "\n", then each aggregation in order of first
 * reference, its rows by value then key; string keys "  %-50s", int keys " %8d", values
 * " %16lld"; avg is the truncated mean ((3 + 4) / 2 = 3). */
#pragma D option quiet
BEGIN
{
	@c["b"] = count(); @c["a"] = count(); @c["b"] = count();
	@s[2] = sum(-5); @s[1] = sum(10);
	@a = avg(3); @a = avg(4);
	@mn = min(5); @mn = min(-2);
	@mx = max(5); @mx = max(-2);
	exit(0);
}
