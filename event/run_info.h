/* event/run_info.h: what a run read and decided, as the sinks and the command see it.
 *
 * nta_source (source/source.h) fills it: the inputs and what became of each, whether they were
 * captures or dtrace text (and then which fields and probes the text can show), the traced
 * hosts and how they were chosen, what was skipped and why, and the analyzer's counts. Sinks
 * get it at on_start (everything but the counts is final then) and at on_finish (complete);
 * they print it in headers and JSON envelopes. Plain data, so that a sink needs nothing below
 * event/ to read it, and so that a later shard file can carry it. */
#ifndef NTA_EVENT_RUN_INFO_H
#define NTA_EVENT_RUN_INFO_H

#include <stdint.h>

#include "common/err.h"
#include "event/traced.h"

#define NTA_RUN_MAX_SKIP 24
#define NTA_RUN_MAX_BAD 8

/* One input and what became of it. */
typedef struct nta_input_info {
    const char *path;             /**< as given ("-" = standard input) */
    const char *format;           /**< "pcap", "pcapng", "erf", ..., a dtrace text kind's name,
                                       or "" when it could not be opened */
    const char *compression;      /**< "none", "gzip", ... */
    uint64_t records;             /**< packets (captures) or lines (dtrace text) read */
    uint64_t bad_records;         /**< records skipped as unusable */
    char warn[200];               /**< the first of those, "" when none */
    nta_err err;                  /**< why reading it stopped early (code 0: it did not) */
    int is_text;                  /**< err is "not a capture" and the bytes were text (for the
                                       "which dtrace outputs nta reads" hint) */
} nta_input_info;

/* A count of skipped input by reason ("truncated", "malformed_lines", ...). */
typedef struct nta_skip_count {
    const char *reason;
    uint64_t count;
} nta_skip_count;

typedef struct nta_run_info {
    int ninputs;
    const nta_input_info *inputs; /**< ninputs of them; valid until the source is freed */
    int dtext;                    /**< the inputs are dtrace text, not captures */
    const char *dtext_kind;       /**< then: which script wrote it ("Example 3 segment log") */
    uint32_t known;               /**< NTA_F_* fields the input shows (all for captures) */
    uint32_t probes;              /**< probes (bit per nta_probe) the input can fire */
    nta_locals traced;            /**< the traced hosts; traced.why says how they were chosen */
    /* skipped input, every reason the input kind has, in a fixed order (JSON "skipped") */
    int nskipped;
    nta_skip_count skipped[NTA_RUN_MAX_SKIP];
    uint64_t events;              /**< probe firings (before the sink's own probe choice) */
    /* dtrace text */
    uint64_t lines, malformed;
    int nbad;
    char first_bad[NTA_RUN_MAX_BAD][300];   /**< "FILE:LINE: why" of the first malformed lines */
    /* captures: the analyzer's counts */
    uint64_t packets;             /**< packets analysed (after the filter) */
    uint64_t filtered;            /**< packets the filter rejected */
    uint64_t connections;         /**< tcpcbs created */
    uint64_t midstream;           /**< connections picked up without their handshake */
    uint64_t evicted;             /**< connections evicted by max_flows */
    uint32_t max_flows;
    int output_failed;            /**< the sink's error that stopped the run (negative NTA_E*), 0 */
    int interrupted;              /**< reading was stopped on request (the signal's number), 0 */
} nta_run_info;

/* The count of reason, 0 when info has no such reason. */
uint64_t nta_run_skipped(const nta_run_info *info, const char *reason);

#endif
