/* truth: outside nta run's subset (the issue): a compile error naming the feature. */
BEGIN
{
	x = speculation();
}
