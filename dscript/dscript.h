/* dscript/dscript.h: nta run's D programs: compiling them, listing their probes, running them
 * as a sink over probe events.
 *
 * The language is the subset of shared/reference/d-language.md section 1.1 with DTrace's
 * semantics; output is what dtrace(1) would print on FreeBSD 14 (section 3), to the byte.
 * Compiling reads every source (dtrace -s files and -P/-m/-f/-n/-i descriptions, in order,
 * sharing identifiers as one dtrace handle does) after a built-in prelude of tcp.d/ip.d/udp.d
 * names. Running is single-threaded: BEGIN before the first event, ticks on the events'
 * clock, END after the last event or exit(). Nothing is allocated per event once a program's
 * variables and aggregations have seen their keys. Nothing here prints to the terminal:
 * banners, listings and run-time errors go to the FILE or callback the caller gives. */
#ifndef NTA_DSCRIPT_DSCRIPT_H
#define NTA_DSCRIPT_DSCRIPT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "event/probes.h"
#include "event/run_info.h"

typedef struct nta_dscript nta_dscript;

/* What a source is: a program file (-s) or a description option's text (-P provider, -m
 * module, -f function, -n name or full description, -i probe ID), each optionally followed by
 * a predicate and actions as dtrace(1) allows. */
typedef enum nta_dsrc_kind {
    NTA_DSRC_FILE, NTA_DSRC_PROVIDER, NTA_DSRC_MODULE, NTA_DSRC_FUNC, NTA_DSRC_NAME, NTA_DSRC_ID,
} nta_dsrc_kind;

typedef struct nta_dscript_src {
    nta_dsrc_kind kind;
    const char *label;       /**< the path as given (-s), or the option's argument */
    const char *text;        /**< the program text (a file's bytes) */
    size_t len;
} nta_dscript_src;

typedef struct nta_dscript_opts {
    const char *const *xopts;   /**< -x "name" or "name=value", in command-line order */
    int nxopts;
    int quiet;                  /**< -q */
    int zdefs;                  /**< -Z: descriptions may match no probe */
    int argc;                   /**< macro arguments: argv[0] is $0 */
    char *const *argv;
    int testing;                /**< dtrace-utils' test-suite layout: no CPU/ID columns,
                                     dtrace-utils' trace() widths (man page) */
} nta_dscript_opts;

/* Compile. 0, or NTA_EUSAGE (a bad -x option) / NTA_EFORMAT (the program does not compile)
 * with err->msg the message dtrace(1) prints after its "dtrace: " prefix, e.g.
 * "failed to compile script x.d: line 3: syntax error near "}"" (the [D_TAG] only under
 * -xerrtags), and NTA_ENOMEM. */
int nta_dscript_compile(nta_dscript **out, const nta_dscript_src *srcs, int nsrcs,
                        const nta_dscript_opts *o, nta_err *err);
void nta_dscript_free(nta_dscript *d);

/* After compiling: quiet (-q or the program's pragma), the banner of source i
 * ("script 'x.d' matched 3 probes"), the probes and argument groups the program reads. */
int nta_dscript_quiet(const nta_dscript *d);
void nta_dscript_banner(const nta_dscript *d, int i, char *buf, size_t n);
uint32_t nta_dscript_probes(const nta_dscript *d);
uint32_t nta_dscript_fields(const nta_dscript *d);
/* dtrace -l: the probes the sources match (every probe when there are none), in dtrace's
 * "%5s %10s %17s %33s %s" layout. 0 or NTA_EIO. */
int nta_dscript_list(const nta_dscript *d, int nsrcs, FILE *o);

typedef struct nta_dscript_run {
    FILE *out;                  /**< trace output (stdout or -o FILE) */
    void (*msg)(void *ctx, const char *m);   /**< run-time errors and notes, for stderr */
    void *msg_ctx;
    uint64_t max_ticks;         /**< no input: stop after this many tick firings (0: 10000000) */
    uint64_t tick_gap;          /**< most firings of one tick probe between two events (0: 1000) */
    const volatile sig_atomic_t *stop;   /**< set (by a signal handler) to stop as on ^C */
    uint64_t walltime0;         /**< no input: walltimestamp at the virtual clock's 0 */
    int as_interrupted;         /**< print the "\n" dtrace prints on ^C before END's output */
    int inline_output;          /**< format printf() in the caller's thread, not a consumer
                                     thread (the same bytes) */
} nta_dscript_run;

/* Prepare the run: 0, or NTA_ENOMEM. */
int nta_dscript_start(nta_dscript *d, const nta_dscript_run *r, nta_err *err);
/* One event (BEGIN runs before the first). 0, or NTA_EIO when output failed. Once the run's
 * stop flag is set (^C), nothing more fires and END follows dtrace's extra "\n". */
int nta_dscript_event(nta_dscript *d, const nta_event *ev);
/* End of input: the ticks due, END, then "\n" and the aggregations not yet printed. */
int nta_dscript_finish(nta_dscript *d);
/* No input: BEGIN, ticks on a virtual clock from 0 until exit() (or max_ticks), END. */
int nta_dscript_run_noinput(nta_dscript *d);
/* A sink over nta_dscript_event/finish (ctx is d), reading only the probes and structures the
 * program reads. Once exit() has run its on_event returns NTA_EUSAGE to stop the source: the
 * caller checks nta_dscript_exited() before taking that for a failure. */
void nta_dscript_sink(nta_dscript *d, nta_sink *s);
/* Whether exit() ran, and its status (0 when not). */
int nta_dscript_exited(const nta_dscript *d);
int nta_dscript_status(const nta_dscript *d);
/* The errno of the write that failed (after a function returned NTA_EIO), 0 if none. */
int nta_dscript_write_errno(const nta_dscript *d);

/* ---- Shards (issue 17; shardable.c, shard.c; man/nta.1 "SHARDS") ----
 * Whether the program can run as shards: NULL, or why not ("x.d line 9: tcp:::send assigns the
 * global 'in' ..."). nta_dscript_shard_narrow: a connection-keyed array whose key type is
 * narrower than 64 bits (its name; NULL: none): ids then collide 2^20 packets apart. */
const char *nta_dscript_shard_refusal(const nta_dscript *d);
const char *nta_dscript_shard_narrow(const nta_dscript *d);
/* The shard side: shard_mode before nta_dscript_start (with inline_output); then BEGIN at the
 * shard's first event (its output, messages and aggregating are the merge's: dropped), and
 * each event: its formatted output (valid until the next call) and whether it printed the
 * header line of a not-quiet program. No END. shard_save hands each aggregation's table, raw
 * (agg_serial.h), to fn with its id; last_ts is the run's clock (the latest event time). */
void nta_dscript_shard_mode(nta_dscript *d);
int nta_dscript_shard_begin(nta_dscript *d, uint64_t ts);
int nta_dscript_shard_event(nta_dscript *d, const nta_event *ev, const char **out, size_t *n,
                            int *header);
int nta_dscript_shard_save(nta_dscript *d,
                           int (*fn)(void *ctx, uint64_t id, const void *p, size_t n), void *ctx);
uint64_t nta_dscript_last_ts(const nta_dscript *d);
/* The merge side, after nta_dscript_start: BEGIN at the run's first event; an event's output
 * (with the header line first if it printed one and none was printed yet); a saved table
 * merged into aggregation id; the latest clock of a shard. Then nta_dscript_finish. */
void nta_dscript_merge_begin(nta_dscript *d, uint64_t ts);
int nta_dscript_merge_text(nta_dscript *d, int header, const void *p, size_t n);
int nta_dscript_merge_agg(nta_dscript *d, uint64_t id, const uint8_t *p, size_t n, nta_err *err);
void nta_dscript_merge_clock(nta_dscript *d, uint64_t last_ts);

#endif
