/* truth: dt_grammar.y names the offending token (corpus lexer.err.D_SYNTAX.brace1);
 * line numbers count every line, comments included. */
BEGIN
{
	trace(1);
}
}
