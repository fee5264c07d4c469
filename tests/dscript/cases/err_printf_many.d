/* truth: corpus printf.err.D_PRINTF_ARG_EXTRA.toomany's wording. */
BEGIN
{
	printf("%d", 1, 2);
}
