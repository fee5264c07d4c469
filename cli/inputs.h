/* cli/inputs.h: the input options the commands share, and what to say about a run's inputs.
 *
 * The commands build an nta_source (source/source.h) from these options, run it into their
 * sink, and turn its nta_run_info into messages on stderr and an exit status (cli.h). */
#ifndef NTA_CLI_INPUTS_H
#define NTA_CLI_INPUTS_H

#include "cli/cli.h"
#include "reports/event_writer.h"
#include "source/source.h"

/* The analyzer options shared by commands (--local, --msl, --idle-timeout, --max-flows) into
 * o. Returns 1 when opt was one of them, 0 when not, -1 on a bad value (message printed). */
int cli_source_option(nta_source_opts *o, const char *cmd, const char *opt, const char *val);

/* How a command runs its source: quiet (no progress line, no traced-hosts notice). */
typedef struct cli_run {
    const char *cmd;    /* "report", ... for usage messages */
    int quiet;
    cli_progress prog;
    int run_failed;     /* set by the runs below: the run itself stopped (bad filter, no
                           memory, failed output), not just some input */
    int interrupted;    /* set by the runs below: a signal stopped reading (its number) */
    int locals_given;   /* traced hosts given (not all): say so when none of them shows up */
} cli_run;

/* Opens the inputs with o (observers for the traced-hosts notice and the progress line are
 * added). NULL after saying why on stderr, with *status set. r must outlive the source. */
nta_source *cli_source_open(cli_run *r, char *const *paths, int npaths, nta_source_opts *o,
                            int *status);
/* The same with inputs the command opened already (streams may be NULL), taken over. */
nta_source *cli_source_open_streams(cli_run *r, char *const *paths, struct nta_stream **streams,
                                    int npaths, nta_source_opts *o, int *status);

/* Runs src into sink and says what happened to the inputs: errors and skipped records per
 * file, malformed dtrace lines, evicted connections, a failed output. Returns the exit status
 * (0, 1, 2 or 3). */
int cli_source_run(cli_run *r, nta_source *src, const nta_sink *sink);
/* A merge of shards (nta merge) says what the run over the plan's inputs would have said:
 * the traced hosts first (unless quiet), then, after the merge, the inputs' errors and skipped
 * records, evictions, an empty result; the status is that run's (0, 1 or 3). */
void cli_announce(cli_run *r, const nta_run_info *info);
int cli_merged_status(cli_run *r, const nta_run_info *info);
/* Every capture input's error and skipped records on stderr, and the status they imply (0, 1,
 * or 3 when nothing at all could be read). */
int cli_inputs_status(const nta_run_info *info);
/* The same for the packets of captures (nta_source_packets). */
int cli_source_packets(cli_run *r, nta_source *src, int (*fn)(void *ctx, const struct nta_packet *pkt),
                       void *ctx);

/* The options that make report or events one shard of a planned run (issue 17; the run is
 * cli/shards.h's). */
typedef struct cli_shard_args {
    const char *plan_path;   /**< --plan */
    long shard;              /**< --shard K; -1 when not given */
    const char *emit;        /**< --emit-shard FILE */
    int analysis_given;      /**< an analysis option (--local, --msl, ...) was given too */
    const char *analysis_opt;
} cli_shard_args;

void cli_shard_args_init(cli_shard_args *s);
/* --plan, --shard, --emit-shard: 1 taken, 0 not one of them, -1 bad value (message printed). */
int cli_shard_option(cli_shard_args *s, const char *cmd, const char *name, const char *val);
/* --jobs N: N (1 to NTA_JOBS_MAX), or -1 after a usage message. */
int cli_jobs_option(const char *cmd, const char *val);
/* Whether the command runs as a shard (any of the three given). */
int cli_shard_wanted(const cli_shard_args *s);

/* `nta events` (and `nta convert --to jsonl|csv|dtrace|text`): the options and the run. */
typedef struct cli_events_opts {
    const char *cmd;               /**< "events" or "convert", for usage messages */
    nta_source_opts src;
    nta_probe_set set;
    uint32_t probes;               /**< 0 = every probe */
    nta_evfmt fmt;
    const char *output;
    int quiet;
    struct nta_stream **streams;   /**< inputs the command opened already, or NULL */
    cli_shard_args shard;          /**< nta events as a shard */
    int jobs;                      /**< --jobs N: N shards as threads */
    int format_given;
} cli_events_opts;

void cli_events_opts_init(cli_events_opts *eo);
/* An option events shares with convert (c as in cmd_events.c's getopt table, name the long
 * name): 1 taken, 0 not one of them, -1 bad value (message printed). */
int cli_events_option(cli_events_opts *eo, const char *cmd, int c, const char *name, const char *val);
/* "jsonl" -> NTA_EVFMT_JSONL ...; -1 for no such format. */
int cli_events_format(const char *name, nta_evfmt *fmt);
/* Writes the events of paths; returns the exit status. */
int cli_events_write(cli_events_opts *eo, char *const *paths, int npaths);

#endif
