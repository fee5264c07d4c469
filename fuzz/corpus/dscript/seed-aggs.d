/* a seed for fuzz_dscript: every aggregating function and action */
tick-1ms
/i++ < 20/
{
	@c[i % 3, "k"] = count(); @s = sum(i); @a = avg(-i); @m = min(i); @x = max(i);
	@d = stddev(i); @q = quantize(i); @l = lquantize(i, 0, 10, 2); @ll = llquantize(i, 10, 0, 2, 5);
}
tick-1ms /i == 21/ { normalize(@s, 2); trunc(@c, 1); clear(@q); denormalize(@s); printa(@c); setopt("aggsortkey"); exit(0); }
