/* truth: dtrace-providers.md 5.1: power-of-two buckets (3 in 2, 1000 in 512), rows from one
 * below the lowest used bucket to one above the highest, bars of round(count * 40 / 5);
 * keyless, the block follows the exit "\n" with its own "\n", then the entry's "\n". */
#pragma D option quiet
BEGIN
{
	@q = quantize(0); @q = quantize(1); @q = quantize(3); @q = quantize(3);
	@q = quantize(1000);
	exit(0);
}
