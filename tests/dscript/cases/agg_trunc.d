/* truth: dtrace-providers.md 5.7 and d-language.md: trunc(@, 2) keeps the two largest values,
 * clear() zeroes values and keeps keys, normalize(@, 10) divides when printing and
 * denormalize() undoes it, trunc(@) removes every key. */
#pragma D option quiet
BEGIN
{
	@s[1] = sum(10); @s[2] = sum(20); @s[3] = sum(30);
	trunc(@s, 2);
	printa("%d %@d\n", @s);
	clear(@s);
	printa("%d %@d\n", @s);
	@n[1] = sum(100);
	normalize(@n, 10);
	printa("%d %@d\n", @n);
	denormalize(@n);
	printa("%d %@d\n", @n);
	trunc(@n);
	printa("%d %@d\n", @n);
	exit(0);
}
