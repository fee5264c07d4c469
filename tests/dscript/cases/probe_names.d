/* truth: the profile provider's probes have empty module and function (corpus
 * providers.tst.probattrs); BEGIN is dtrace:::BEGIN, ID 1; nta's profile probes have IDs
 * from 57700 (man page). */
#pragma D option quiet
BEGIN { printf("[%s][%s][%s][%s] %d\n", probeprov, probemod, probefunc, probename, id); }
tick-1sec { printf("[%s][%s][%s][%s] %d\n", probeprov, probemod, probefunc, probename, id >= 57700); exit(0); }
