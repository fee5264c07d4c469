/* truth: an argument no $n references is D_MACRO_UNUSED. */
BEGIN
{
	trace($1);
	exit(0);
}
