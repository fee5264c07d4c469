/* truth: d-language.md 1.2: with -Z the description is accepted but args[] cannot be typed
 * (D_ARGS_MULTI at the first args[]). */
fbt::tcp_usr_attach:entry
{
	self->so = args[0];
}
