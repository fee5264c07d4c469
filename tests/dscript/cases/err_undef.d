/* truth: a plain read of an unknown name is D_IDENT_UNDEF (d-language.md 3.8). */
BEGIN
{
	trace(y);
}
