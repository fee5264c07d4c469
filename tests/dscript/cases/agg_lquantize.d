/* truth: dtrace-providers.md 5.2: lquantize(x, 0, 10, 5) has an underflow row "< 0", rows 0
 * and 5, an overflow row ">= 10"; with all four used no zero row is added; a string key
 * prints "  %-50s" before the block. */
#pragma D option quiet
BEGIN
{
	@l["k"] = lquantize(-1, 0, 10, 5); @l["k"] = lquantize(3, 0, 10, 5);
	@l["k"] = lquantize(7, 0, 10, 5); @l["k"] = lquantize(12, 0, 10, 5);
	exit(0);
}
