/* truth: dtrace-providers.md 5.4: -x aggsortkey sorts rows by key instead of value. */
#pragma D option quiet
BEGIN
{
	@[3] = sum(1); @[1] = sum(3); @[2] = sum(2);
	exit(0);
}
