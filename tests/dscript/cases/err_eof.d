/* truth: yacc's message at the end of the text: "syntax error near end of input". */
BEGIN
{
	trace(1)
