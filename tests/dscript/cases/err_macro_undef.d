/* truth: an undefined $n is D_MACRO_UNDEF. */
BEGIN
{
	trace($3);
}
