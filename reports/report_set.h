/* reports/report_set.h: the reports asked for in one run, as one sink.
 *
 * The set makes each report, fans every event out to the reports that read its probe, writes
 * the JSON and CSV envelopes around the rows (inputs, traced hosts, skipped input: DESIGN.md,
 * "Machine formats"), runs the log-writer thread for the per-event logs, and answers --fail-if
 * metrics, its own (probe counts, connections picked up mid-stream) and the reports'. Where the
 * output goes is the command's choice (standard output, -o FILE, or a file per report): the set
 * writes and flushes there; opening, closing and naming the files is the command's. */
#ifndef NTA_REPORTS_REPORT_SET_H
#define NTA_REPORTS_REPORT_SET_H

#include <stdio.h>

#include "common/err.h"
#include "event/run_info.h"
#include "reports/report.h"

typedef struct nta_report_set nta_report_set;

/* One report of the set and where it goes. */
typedef struct nta_report_dest {
    const nta_report_kind *kind;
    int output;            /**< written out; 0: computed only for a --fail-if metric */
    FILE *file;            /**< a file of its own (the caller's: flushed at the end, never
                                closed by the set); NULL: the shared output */
} nta_report_dest;

typedef struct nta_report_set_opts {
    nta_rfmt fmt;
    FILE *out;             /**< the shared output (not closed by the set) */
    uint64_t interval_ns;  /**< --bytes --interval; 0 = one block */
    uint32_t known;        /**< NTA_F_* the input shows */
    const char *tmpdir;    /**< where reports sharing the output buffer; NULL: /tmp */
    uint32_t max_flows;    /**< --max-flows, 0 = none (bounds --bytes' memory too) */
    /* shards (issue 17) */
    const nta_report_saver *saver;   /**< a shard run: every report's records and state go
                                          here; nothing is printed and no file is written */
    const uint64_t *origin_ns;   /**< a shard or a merge: --bytes blocks start at *origin_ns
                                      (reports/report.h) */
} nta_report_set_opts;

/* Makes the reports of dests (in the order given, which is the order they are printed; at most
 * NTA_NREPORTS). Returns 0, or NTA_ENOMEM / NTA_EIO (no temporary file for a report sharing
 * the output) with err set. */
int nta_report_set_new(nta_report_set **out, const nta_report_set_opts *o,
                       const nta_report_dest *dests, int ndests, nta_err *err);
/* NULL does nothing. */
void nta_report_set_free(nta_report_set *rs);

/* The sink to run: it reads the probes and structures its reports need and renders every
 * report at on_finish; a write that fails there is kept for nta_report_set_write_status (the
 * command says so), while one failing during the run stops it (NTA_EIO from on_event). */
const nta_sink *nta_report_set_sink(nta_report_set *rs);

/* For nta_source_opts.on_wait (ctx = the set): before the input blocks, log lines held by the
 * writer thread go out. */
void nta_report_set_on_wait(void *rs);

/* ---- merging shards (issue 17; shard/merge.c drives these) ----
 * A merge makes the set as the run would have (same reports and destinations), runs its
 * sink's on_start with the merged run info, folds in every shard's state chunks (each report's
 * in key order), replays the records in the order one run emits them, and runs on_finish. The
 * channel of a report is its index in nta_report_kinds; NTA_NREPORTS is the set's own. */

/* One state chunk of channel chan (key: its order key). 0, or a negative NTA_E* with err set
 * (NTA_ECORRUPT for a chunk that does not parse). A chunk of a report the set lacks is an
 * error: the shards were made for other reports. */
int nta_report_set_load(nta_report_set *rs, uint8_t chan, uint64_t key, const uint8_t *p, size_t n,
                        nta_err *err);
/* Every chunk is in: the reports check what only the whole can show. 0 or as above. */
int nta_report_set_loaded(nta_report_set *rs, nta_err *err);
/* One record of channel chan: its line is written. 0, NTA_ECORRUPT (a damaged record) or
 * NTA_EIO. */
int nta_report_set_replay(nta_report_set *rs, uint8_t chan, const uint8_t *p, size_t n);

/* After the run: 0 and *v for a metric of the registry (nta_metric_known), -1 when the set
 * does not compute it. */
int nta_report_set_metric(nta_report_set *rs, const char *name, double *v);

/* 0, or -1 with errno set when writing a report (or flushing its file) failed. */
int nta_report_set_write_status(nta_report_set *rs);
/* The name of the report that stopped the run (its on_event failed: a write, or a temporary
 * file of its own), with errno then in *errnum; NULL when none did. */
const char *nta_report_set_failed(const nta_report_set *rs, int *errnum);

/* ---- the metric registry (--fail-if) ---- */

/* 1 when name is a metric exactly as spelled; *owner: the report that computes it, NULL for
 * the set's own (probe counts, midstream). */
int nta_metric_known(const char *name, const nta_report_kind **owner);
/* Whether input described by info (before the run) can give metric name: 1, or 0 with *why
 * ("the probes it counts never fire in it", ...). */
int nta_metric_available(const char *name, const nta_run_info *info, const char **why);
/* Every metric, a line per report and one for the set's own, each line indented by two spaces:
 * --help and the message for an unknown name. */
const char *nta_metrics_help(void);

#endif
