/* truth: dt_printf.c pfcheck_str: %s wants "char [] or string". */
BEGIN
{
	printf("%s", 1);
}
