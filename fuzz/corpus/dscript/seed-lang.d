/* a seed for fuzz_dscript: the expression grammar, strings, inlines, casts */
#!/usr/sbin/dtrace -s
#pragma D option strsize=32
inline int twice[int x] = x * 2;
enum e { A, B = 5 };
int a[4];
string s;
BEGIN
{
	i = 'ab' + 010 + 0x1f + twice[B] ^^ 1 ? (uint8_t)-1 : (int64_t)2 << 3;
	s = strjoin(substr("hello", -2, 1), lltostr(i));
	a[1] = index(s, "l") > 0 ? sizeof(s) : -1;
	self->t = timestamp;
	x[s, i] += i++ * --i / 3 % 2;
	if (i > 2) { printf("%-5s|%5.2s|%#x|%?d|%*d\n", s, s, i, i, 3, i); } else trace(s);
	exit($1);
}
ERROR { trace(arg4); }
