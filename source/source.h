/* source/source.h: the inputs of a run, turned into probe events for one sink.
 *
 * nta_source_open() opens every input once: captures (any format and compression formats/
 * reads) or text that dtrace wrote (dtext/), told apart by their first bytes, which are read
 * once and handed on, so a FIFO or standard input works like a file. nta_source_run() decides
 * the traced hosts (given, or inferred from the flows of the first packets or lines, holding
 * them in a look-ahead that is replayed), runs the analyzer, and pumps the events into the
 * sink, filling an nta_run_info with what happened (event/run_info.h). The source prints
 * nothing and chooses no exit status: that is the command's job (DESIGN.md, "Sources and
 * sinks"). */
#ifndef NTA_SOURCE_SOURCE_H
#define NTA_SOURCE_SOURCE_H

#include <signal.h>
#include <stdint.h>

#include "common/err.h"
#include "event/probes.h"
#include "event/run_info.h"
#include "event/traced.h"

typedef struct nta_source nta_source;
struct nta_stream;

/* Progress of reading, for a progress line. */
typedef struct nta_progress {
    uint64_t bytes_done, bytes_total;   /**< raw input bytes; total 0 when a size is unknown */
    uint64_t packets;
} nta_progress;

/* One shard of a run (DESIGN.md, "Beyond one machine"; source/plan.h makes these from a plan):
 * only the packets whose flow hashes to shard `index` of `count` (source/community_id.h) are
 * analysed, each at its index in the whole input and on the whole input's clock, so that the
 * shard's events are those one run emits for its connections, with the same cids and positions
 * (event/probes.h). From the original inputs every packet is read and the others passed over;
 * from an `nta split` bucket (`buckets`), every packet carries its index and clock. */
typedef struct nta_shard_spec {
    uint32_t index, count;
    int buckets;                   /**< the input is one bucket of nta split */
    uint64_t packets;              /**< packets in the whole input (after the filter) */
    uint64_t clock_end;            /**< its clock at the end: timers due by then fire */
    const struct nta_placed *placed; /**< the plan's placed flows, sorted by digest */
    uint32_t nplaced;
} nta_shard_spec;

typedef struct nta_source_opts {
    /* captures */
    const char *filter;            /**< BPF expression or NULL; dtrace text has no packets to
                                        filter: the caller refuses a filter when
                                        nta_source_info() says dtext */
    const char *ifname;            /**< name for interfaces the files do not name, or NULL */
    int inline_read;               /**< 1: no reading threads (tests compare both) */
    /* the analysis */
    nta_locals locals;             /**< the traced hosts, when locals_given */
    int locals_given;
    int locals_decided;            /**< locals (why included) are a plan's decision: used as
                                        they are, nothing inferred */
    const nta_shard_spec *shard;   /**< a shard's run, or NULL */
    uint64_t msl_ns, idle_ns;      /**< MSL (TIME_WAIT = 2 MSL), idle timeout */
    uint32_t max_flows;            /**< 0 = no cap */
    /* read between packets and lines: when it is not 0, reading ends as if the input had
     * ended, the sink still finishes, and the run info's interrupted says so (the command's
     * signal handler sets it) */
    const volatile sig_atomic_t *stop;
    /* observers, for the command; each may be NULL */
    void (*on_decided)(void *ctx, const nta_run_info *info);   /**< traced hosts decided */
    void (*on_progress)(void *ctx, const nta_progress *p);   /**< every 8192 packets */
    void *observer_ctx;
} nta_source_opts;

/* Defaults: MSL 30 s (FreeBSD's net.inet.tcp.msl), idle timeout 600 s, everything else off. */
void nta_source_opts_init(nta_source_opts *o);

/* Opens the inputs ("-" = standard input; "erf:path" and other libtrace URIs name a format).
 * Returns 0, or a negative NTA_E* with err set: NTA_EUSAGE (a bad filter), NTA_EFORMAT (dtrace text of several kinds, or text nta cannot read events from),
 * NTA_ENOMEM, NTA_EIO. A capture that fails to open is not an error here: it is recorded in
 * the run info and the others are read (nothing readable is lost). */
int nta_source_open(nta_source **out, const char *const *inputs, int ninputs,
                    const nta_source_opts *o, nta_err *err);
/* The same when the command has opened inputs already (to look at them first, see
 * nta_source_sniff): streams[i], or NULL to open inputs[i] here, is taken over by the source,
 * also when opening fails. */
int nta_source_open_streams(nta_source **out, const char *const *inputs, struct nta_stream **streams,
                            int ninputs, const nta_source_opts *o, nta_err *err);

/* What the stream holds, from as few first bytes as tell (a pipe shows its first packet or
 * line long before 64 KiB): *kind (dtext/dtrace_in.h) is NONE for captures and for text nta
 * reads no events from, *is_text whether the first bytes were text. Consumes nothing. 0, or a
 * negative NTA_E* when the stream is damaged at once. */
int nta_source_sniff(struct nta_stream *s, int *kind, int *is_text, nta_err *err);
void nta_source_free(nta_source *src);

/* fn(ctx) runs when reading is about to wait for input (a live capture, a pipe): a sink's
 * chance to hand what it holds to its reader. */
void nta_source_set_wait_hook(nta_source *src, void (*fn)(void *ctx), void *ctx);

/* What the run will read, before it runs: the inputs, dtext and dtext_kind, known, probes
 * (the fields and probes a dtrace text kind can show) and the traced hosts when given. Valid
 * until nta_source_free(); nta_source_run() completes it. */
const nta_run_info *nta_source_info(const nta_source *src);

/* Reads everything into sink (once per source): on_start, the events, on_finish. Returns 0
 * when the run completed (per-input damage is in the info, not an error), or a negative
 * NTA_E*: the sink's own error, NTA_EUSAGE when the filter cannot apply to a link type met in
 * the input, NTA_ENOMEM, NTA_EIO (dtrace text that could not be read on); err says which. */
int nta_source_run(nta_source *src, const nta_sink *sink, nta_err *err);

/* Captures only, instead of nta_source_run, for the commands that read what a run reads
 * without analysing it (plan, split): start(ctx, info) once the traced hosts are decided (as
 * nta_source_run decides them), then fn for every packet after the filter, in order, decoded,
 * with its index in the input and the run's clock (the latest capture time so far). fn returns
 * 0 or a negative NTA_E*, which stops the run. The run info gets the per-input counts and the
 * skipped packets by reason. Returns like nta_source_run. */
struct nta_packet;
struct nta_decoded;
typedef int (*nta_source_packet_fn)(void *ctx, const struct nta_packet *pkt,
                                    const struct nta_decoded *d, uint64_t index, uint64_t clock_ns);
int nta_source_survey(nta_source *src, int (*start)(void *ctx, const nta_run_info *info),
                      nta_source_packet_fn fn, void *ctx, nta_err *err);

/* Captures only, instead of nta_source_run: every packet as read (after the filter), without
 * analysis, for the commands that describe or rewrite captures (info, convert). fn returns 0
 * or a negative NTA_E*, which stops the run. Returns like nta_source_run; the run info gets the
 * per-input counts. */
struct nta_packet;
int nta_source_packets(nta_source *src, int (*fn)(void *ctx, const struct nta_packet *pkt),
                       void *ctx, nta_err *err);
/* The options the source was opened with (analysis options for nta --jobs's threads). */
const nta_source_opts *nta_source_opts_of(const nta_source *src);
/* The captures being read (their interfaces, per-file formats), NULL for dtrace text. */
struct nta_trace;
const struct nta_trace *nta_source_trace(const nta_source *src);

#endif
