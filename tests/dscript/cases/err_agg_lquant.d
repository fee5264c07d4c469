/* truth: dt_cc.c's lquantize check: the base must be below the limit (D_LQUANT_MISMATCH). */
BEGIN
{
	@l = lquantize(1, 10, 0);
}
