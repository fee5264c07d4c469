/* cli/cli.h: what the sub-commands share: exit statuses, option helpers, messages, progress.
 *
 * Exit statuses (DESIGN.md): 0 success; 1 input partly unreadable (results for what was read
 * are still written); 2 usage error; 3 input unreadable; 4 a CI threshold failed. */
#ifndef NTA_CLI_H
#define NTA_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_PARTIAL = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_UNREADABLE = 3,
       CLI_EXIT_THRESHOLD = 4 };

extern const char *cli_prog;   /* "nta", for messages */

/* The graver of two exit statuses: interrupted (128 + signal) > unreadable (3) > usage (2) >
 * a --fail-if held (4) > partly unreadable (1) > ok. */
int cli_status_worse(int a, int b);

/* "nta: <msg>" on stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print an nta_err as "nta: FILE: offset N: message". */
void cli_report_err(const nta_err *e);

/* A usage error for cmd: message, a pointer to --help, and CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress line on stderr, only when stderr is a terminal and not quiet. */
typedef struct cli_progress {
    int on;
    uint64_t start_ns, last_ns;
    int drawn;
} cli_progress;

void cli_progress_init(cli_progress *p, int quiet);
struct nta_progress;
/* Redraws at most four times a second (the source calls it every 8192 packets). */
void cli_progress_tick(cli_progress *p, const struct nta_progress *pr);
void cli_progress_done(cli_progress *p);

int cli_cmd_info(int argc, char **argv);
int cli_cmd_events(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_convert(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
int cli_cmd_plan(int argc, char **argv);
int cli_cmd_split(int argc, char **argv);
int cli_cmd_merge(int argc, char **argv);

/* nta merge's options, for the kind of shards merged (cli/cmd_merge.c hands them on). */
typedef struct cli_merge_opts {
    const char *format, *output, *outdir;
    const char *gates[32];
    int ngates;
    int quiet;
    char *const *shards;
    int nshards;
} cli_merge_opts;
struct nta_merge;
int cli_report_merge(struct nta_merge *m, const cli_merge_opts *mo);
int cli_events_merge(struct nta_merge *m, const cli_merge_opts *mo);
int cli_run_merge(struct nta_merge *m, const cli_merge_opts *mo);

/* fopen(path, "w"), compressing with zstd when path ends in ".zst". */
FILE *cli_fopen_out(const char *path);
/* The same without emptying the file yet: *truncate says whether it holds bytes that must go
 * before anything is written (freeing a large file's pages takes tens of ms, which another
 * thread can spend; see nta_logw_truncate()). A ".zst" path is opened as cli_fopen_out does. */
FILE *cli_fopen_out_later(const char *path, int *truncate);

#endif
