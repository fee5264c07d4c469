/* truth: a variable keeps its first assignment's type; a string into an int is D_OP_INCOMPAT. */
BEGIN
{
	x = 1;
	x = "s";
}
