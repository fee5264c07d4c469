/* truth: dt_printf_validate (d-language.md 3.1, corpus actions-printf.err.D_PRINTF_ARG_PROTO). */
BEGIN
{
	printf("%d %d", 1);
}
