/* truth: printf's arguments are evaluated left to right (i++ 5, i 6, ++i 7); a compound
 * assignment loads its left side before running the right side, as DIF does (corpus
 * arithmetic.tst.complex: 4 += (4 + 4 + 5 - 6 * 6) is -19); ++ on an unknown name creates a
 * 64-bit variable (corpus codegen.tst.pre_inc_gvar_val prints it 8 bytes wide). */
#pragma D option quiet
BEGIN
{
	i = 5;
	printf("%d %d %d\n", i++, i, ++i);
	i = 4;
	i += i++ + --i + ++i - ++i * i;
	printf("%d\n", i);
	x++;
	printf("%d %d\n", x, sizeof(x));
	exit(0);
}
