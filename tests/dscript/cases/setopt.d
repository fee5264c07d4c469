/* truth: setopt() of an unknown option is reported on stderr in dt_setopt's words and the
 * clause goes on (corpus actions-setopt.tst.badopt). */
#pragma D option quiet
BEGIN
{
	setopt("nonesuch");
	setopt("quiet", "yes");
	printf("ok\n");
	exit(0);
}
