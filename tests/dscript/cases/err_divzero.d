/* truth: a constant zero divisor is a compile error (D_DIV_ZERO, corpus
 * arithmetic.err.D_DIV_ZERO.divby0). */
BEGIN
{
	x = 1;
	y = x / 0;
}
