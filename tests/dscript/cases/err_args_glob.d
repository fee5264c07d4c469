/* truth: d-language.md 2.1: FreeBSD's SDT arguments are Private, so a description matching
 * several probes (tcp:::) cannot use args[] (D_ARGS_MULTI). */
tcp:::
{
	trace(args[3]->tcps_state);
}
