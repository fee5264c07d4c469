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

#include "event/probes.h"

typedef enum nta_rfmt { NTA_RFMT_TEXT, NTA_RFMT_JSON, NTA_RFMT_CSV } nta_rfmt;

typedef struct nta_report_opts {
    nta_rfmt fmt;
    FILE *stream;               /**< where streaming reports write as events come (text, csv) */
    uint64_t interval_ns;       /**< --bytes: one block per interval of capture time, 0 = one */
    uint32_t known;             /**< NTA_F_* the input shows (timestamps may be missing) */
    struct nta_logw *writer;    /**< the per-event logs format on this thread (log_writer.h);
                                     NULL: as events come */
} nta_report_opts;

typedef struct nta_report {
    const char *name;           /**< "ooo", "durations", ... (file names, JSON "report") */
    uint32_t probes;            /**< the probes it needs */
    int needs_tcpsinfo;         /**< reads args[3] of its tcp probes (else the analyzer may skip it) */
    uint32_t needs;             /**< NTA_F_* fields it reads (dtrace text may not show them) */
    int streaming;              /**< writes to opts.stream while events arrive */
    int (*on_event)(struct nta_report *r, const nta_event *ev);
    /* Final output; for streaming reports, whatever ends the stream. */
    int (*write_text)(struct nta_report *r, FILE *o);
    int (*write_csv)(struct nta_report *r, FILE *o);
    json_t *(*json_rows)(struct nta_report *r);
    /* Named metric for --fail-if: 0 and *v, or -1 when the report has no such metric. */
    int (*metric)(struct nta_report *r, const char *name, double *v);
    void (*free)(struct nta_report *r);
    /* Streaming reports that hold lines back: write them to opts.stream now (the log writer
     * calls it before flushing while it waits, so a slow input's lines still show); may be
     * NULL. 0 or -1 on a write error. */
    int (*drain)(struct nta_report *r);
    nta_report_opts opts;
} nta_report;

/* Constructors; NULL on out of memory. */
nta_report *nta_report_ooo(const nta_report_opts *o);
nta_report *nta_report_durations(const nta_report_opts *o);
nta_report *nta_report_ifhist(const nta_report_opts *o);
nta_report *nta_report_states(const nta_report_opts *o);
nta_report *nta_report_packets(const nta_report_opts *o);
nta_report *nta_report_bytes(const nta_report_opts *o);


#endif
