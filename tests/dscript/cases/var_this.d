/* truth: this-> is shared by every clause of one firing (Solaris Dynamic Tracing Guide,
 * "Clause-Local Variables"); nta starts each firing with it zeroed (DTrace leaves it
 * undefined; man page). */
#pragma D option quiet
BEGIN { this->x = 5; }
BEGIN { printf("%d\n", this->x); }
tick-1s { printf("%d\n", this->x); this->x = 7; }
tick-1s /i++ == 1/ { exit(0); }
