/* reports/report.h: one report of the article (shared/seeds/dtrace-network-providers-article.txt)
 * computed from probe events, and written as DTrace-exact text, JSON or CSV.
 *
 * A report is an event consumer with writers; the command (cli/cmd_report.c) feeds one event
 * stream to every report asked for. Reports that print per event in the article (--states,
 * --packets) write their text lines as events arrive, to the FILE they are given at creation.
 * JSON rows follow DESIGN.md, "Machine formats"; metrics feed --fail-if. */
#ifndef NTA_REPORTS_REPORT_H
#define NTA_REPORTS_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "event/probes.h"

typedef enum nta_rfmt { NTA_RFMT_TEXT, NTA_RFMT_JSON, NTA_RFMT_CSV } nta_rfmt;

/* Where a shard run puts what its reports would have printed (issue 17; shard/emit.c writes
 * it into the shard file): records in output order (a log's lines, kept as what each shows),
 * and state chunks (aggregations, --bytes blocks, kept raw). A state chunk starts with a uv
 * order key; the merge folds each report's chunks from all shards in key order. */
typedef struct nta_report_saver {
    int (*record)(void *ctx, uint8_t chan, const void *p, size_t n);
    int (*state)(void *ctx, uint8_t chan, const void *p, size_t n);
    void *ctx;
} nta_report_saver;

typedef struct nta_report_opts {
    nta_rfmt fmt;
    FILE *stream;               /**< where streaming reports write as events come (text, csv) */
    uint64_t interval_ns;       /**< --bytes: one block per interval of capture time, 0 = one */
    uint32_t known;             /**< NTA_F_* the input shows (timestamps may be missing) */
    struct nta_logw *writer;    /**< the per-event logs format on this thread (log_writer.h);
                                     NULL: as events come */
    const char *tmpdir;         /**< for rows held aside (--bytes JSON); NULL: /tmp */
    uint32_t max_flows;         /**< --max-flows (0: none): --bytes keeps 2 tuples a flow in
                                     memory, the rest of a block on disk */
    /* shards (issue 17) */
    const nta_report_saver *saver;   /**< a shard run: records and state go here, nothing is
                                          printed; NULL otherwise */
    uint8_t chan;               /**< the report's channel: its index in nta_report_kinds */
    const uint64_t *origin_ns;  /**< shard or merge: --bytes blocks start at *origin_ns (the
                                     plan's), not at the first event; NULL otherwise. Read at
                                     the first event (nta --jobs sets it while reading) */
} nta_report_opts;

struct nta_report;

/* What a report is, before any is made: the registry --help, --fail-if and the report set
 * read (reports/report_kinds.c). */
typedef struct nta_report_kind {
    const char *name;           /**< "ooo", "durations", ... (option, file names, JSON "report") */
    const char *help;           /**< one line for --help */
    uint32_t probes;            /**< the probes it reads */
    int needs_tcpsinfo;         /**< reads args[3] of its tcp probes (else it need not be built) */
    uint32_t needs;             /**< NTA_F_* fields it reads (dtrace text may not show them) */
    int is_log;                 /**< a per-event log (lines formatted by the log writer) */
    const char *const *metrics; /**< its --fail-if metrics, NULL-ended ("ooo.packets", ...) */
    struct nta_report *(*make)(const nta_report_opts *o);   /**< NULL on out of memory */
} nta_report_kind;

typedef struct nta_report {
    const char *name;           /**< kind->name */
    const nta_report_kind *kind;
    int streaming;              /**< writes to opts.stream while events arrive */
    int (*on_event)(struct nta_report *r, const nta_event *ev);
    /* Final output; for streaming reports, whatever ends the stream. */
    int (*write_text)(struct nta_report *r, FILE *o);
    int (*write_csv)(struct nta_report *r, FILE *o);
    json_t *(*json_rows)(struct nta_report *r);
    /* Instead of json_rows, when not NULL: the rows array written straight to o, as the
     * document's JSON_INDENT(2) layout has it at depth 1 (a large report need not build its rows
     * as JSON objects). 0 or -1 on a write error. */
    int (*write_json_rows)(struct nta_report *r, FILE *o);
    /* Named metric for --fail-if: 0 and *v, or -1 when the report has no such metric. */
    int (*metric)(struct nta_report *r, const char *name, double *v);
    void (*free)(struct nta_report *r);
    /* Streaming reports that hold lines back: write them to opts.stream now (the log writer
     * calls it before flushing while it waits, so a slow input's lines still show); may be
     * NULL. 0 or -1 on a write error. */
    int (*drain)(struct nta_report *r);
    /* Shards (issue 17; NULL when the report has nothing of the kind). save: at the end of a
     * shard run, the partial state into opts.saver (0 or -1). load: in a merge, one state chunk
     * a shard saved (its order key apart), folded in, in key order over all shards; with p
     * NULL, the end of the chunks (0, or a negative NTA_E* with err set). replay: in a merge,
     * one record, in the order one run would have emitted it: its line is written now. */
    int (*save)(struct nta_report *r);
    int (*load)(struct nta_report *r, uint64_t key, const uint8_t *p, size_t n, nta_err *err);
    int (*replay)(struct nta_report *r, const uint8_t *p, size_t n);
    nta_report_opts opts;
} nta_report;

/* The article's reports, in the order they are printed: durations, ifhist, ooo, bytes, states,
 * packets. */
#define NTA_NREPORTS 6
extern const nta_report_kind *const nta_report_kinds[NTA_NREPORTS];
/* The kind named name, or NULL. */
const nta_report_kind *nta_report_kind_named(const char *name);
/* Makes a report of kind k (NULL on out of memory). */
nta_report *nta_report_new(const nta_report_kind *k, const nta_report_opts *o);

/* Constructors behind the kinds. */
nta_report *nta_report_ooo(const nta_report_opts *o);
nta_report *nta_report_durations(const nta_report_opts *o);
nta_report *nta_report_ifhist(const nta_report_opts *o);
nta_report *nta_report_states(const nta_report_opts *o);
nta_report *nta_report_packets(const nta_report_opts *o);
nta_report *nta_report_bytes(const nta_report_opts *o);


#endif
