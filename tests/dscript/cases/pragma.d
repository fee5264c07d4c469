#!/usr/sbin/dtrace -s
/* truth: a #! first line is skipped (dt_lex.l RGX_INTERP); "#pragma D option quiet" drops the
 * header, prefixes and record newlines (dtrace-providers.md 5.0); switchrate is accepted. */
#pragma D option quiet
#pragma D option switchrate=10Hz
BEGIN { printf("q"); exit(0); }
