/* truth: d-language.md 1.2: a description matching no probe is D_PDESC_ZERO (kernel-only
 * providers such as fbt do not exist offline). */
fbt::tcp_usr_attach:entry
{
	trace(1);
}
