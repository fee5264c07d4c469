/* truth: dt_parser.c: "%s is not a member of %s" (D_TYPE_MEMBER; FreeBSD's tcpstate script's
 * args[1]->pid fails so). */
tcp:::state-change
{
	trace(args[1]->pid);
}
