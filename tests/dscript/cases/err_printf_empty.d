/* truth: corpus actions-printf.err.D_PRINTF_FMT_EMPTY. */
BEGIN
{
	printf("");
}
