/* cli/signals.h: SIGINT, SIGTERM and SIGHUP while nta runs (issue 14).
 *
 * The first asks the run to stop: the source ends reading as if the input had ended, the
 * results cover what was read (printed on standard output, as dtrace prints its aggregations on
 * ^C; kept as NAME.partial for a file), stderr says so, and nta exits 128 + the signal's number
 * (130 for SIGINT), as a shell reports a process ended by it. A second signal ends nta at once,
 * removing its temporary files first. SIGPIPE keeps its default: a reader that went away ends
 * the writer quietly, as with every Unix filter. The handler state is the only mutable global
 * state of nta, and it lives here, in cli/ (DESIGN.md). */
#ifndef NTA_CLI_SIGNALS_H
#define NTA_CLI_SIGNALS_H

#include <signal.h>

/* The signal that asked to stop, 0 while none did. The source reads it between packets. */
extern volatile sig_atomic_t cli_stop;

void cli_signals_init(void);

/* Temporary files to remove if a second signal ends nta (at most a few dozen). */
void cli_tmp_register(const char *path);
void cli_tmp_unregister(const char *path);

#endif
