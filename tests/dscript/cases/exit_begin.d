/* truth: d-language.md 3.4: exit() ends the BEGIN clauses after its own (dtrace.c skips later
 * BEGIN enablings), the actions after it in its clause still run, no other probe fires,
 * END runs, and the status is exit()'s. */
#pragma D option quiet
BEGIN { printf("1\n"); }
BEGIN { exit(3); printf("2\n"); }
BEGIN { printf("3\n"); }
tick-1ms { printf("tick\n"); }
END { printf("end\n"); }
