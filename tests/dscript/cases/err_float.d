/* truth: D has no floating point: "floating-point constants are not permitted". */
BEGIN
{
	x = 1.5;
}
