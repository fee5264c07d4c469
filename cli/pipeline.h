/* cli/pipeline.h: reading a trace through the analyzer into a sink, shared by the commands.
 *
 * When the traced endpoints are not given, the first packets (up to 20000, or 16 MiB of
 * packet data) are held in a lookahead buffer allocated once, the choice is inferred from
 * them, and they are replayed: output still streams, starting after the lookahead. */
#ifndef NTA_CLI_PIPELINE_H
#define NTA_CLI_PIPELINE_H

#include "dtext/dtrace_in.h"
#include "analyzer/local.h"
#include "analyzer/synth.h"
#include "cli/cli.h"

typedef struct cli_pipeline {
    nta_locals locals;
    int locals_given;
    uint32_t probes;
    uint32_t skip;         /* NTA_SKIP_* translators the consumers never read */
    uint32_t tcps_probes;  /* with NTA_SKIP_TCPSINFO: the probes whose consumers read it */
    uint64_t msl_ns, idle_ns;
    uint32_t max_flows;
    int quiet;
    int announce;          /* print the traced endpoints on stderr */
    /* called once the traced endpoints are decided, before the first event */
    void (*on_decided)(void *ctx, const nta_locals *locals);
    void *decided_ctx;
    nta_analyzer_stats stats;
    uint64_t skipped[NTA_SKIP__COUNT];
} cli_pipeline;

void cli_pipeline_defaults(cli_pipeline *p);

/* Parse the analyzer options shared by commands (--local, --msl, --idle-timeout, --max-flows).
 * Returns 1 when opt was one of them, 0 when not, -1 on a bad value (message printed). */
int cli_pipeline_option(cli_pipeline *p, const char *cmd, const char *opt, const char *val);

/* Runs everything; returns an exit status (cli.h) after reporting problems on stderr. */
int cli_pipeline_run(cli_pipeline *p, nta_trace *t, const nta_sink *sink);

/* Inputs that are dtrace text instead of captures (dtext/dtrace_in.h): 1 when the first
 * named file is (standard input, FIFOs and other non-regular files are always read as
 * captures: telling them apart would consume what the capture reader needs), else 0. */
int cli_input_is_dtext(char *const *paths, int npaths);
/* Nonzero when the first bytes (up to 4 KiB) are printable text, as dtrace writes. */
int cli_looks_like_text(const uint8_t *p, size_t n);
/* After a capture reader refused e->file as no capture: if it is text, say which dtrace outputs
 * nta would have read. */
void cli_hint_dtext(const nta_err *e);
/* Opens them; on failure reports on stderr and returns NULL with *status set. */
nta_dtext *cli_dtext_open(char *const *paths, int npaths, int *status);
/* Reads the events of d into sink (p's probes, locals and on_decided apply); reports malformed
 * lines on stderr (exit status 1) and returns an exit status. */
int cli_pipeline_run_dtext(cli_pipeline *p, nta_dtext *d, const nta_sink *sink);

#endif
