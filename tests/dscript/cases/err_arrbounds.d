/* truth: a constant index outside a declared array is a compile error (D_ARR_BOUNDS). */
int a[3];
BEGIN
{
	a[3] = 1;
}
