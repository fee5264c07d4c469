/* truth: dt_lex.l refuses a newline inside a string literal (D_STR_NL). */
BEGIN
{
	x = "ab
cd";
}
