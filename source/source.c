/* source/source.c: inputs -> (sniff, look-ahead, inference) -> analyzer or dtext reader -> sink.
 *
 * Each input is opened once as an nta_stream and its first bytes are peeked, never consumed:
 * the same stream then goes to the capture reader or the dtrace text reader, so standard input
 * and FIFOs are told apart like files (reopening a FIFO to look again waited forever, issue 14).
 * The first input decides what the run reads; dtrace text of one kind may come in several
 * files. When the traced hosts are not given, the first packets (up to 20,000, or 16 MiB of
 * packet data) are held in a look-ahead allocated once, the choice is inferred from their flows
 * (event/infer.h), and they are replayed: output still streams, starting after the look-ahead.
 * Example 3 text, whose lines do not say which end is local, is held and inferred the same
 * way inside its reader (dtext/dtrace_in.c). */
#include "source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/synth.h"
#include "source/community_id.h"
#include "dtext/dtrace_in.h"
#include "event/infer.h"
#include "formats/decode.h"
#include "formats/stream.h"
#include "formats/trace.h"

#define LOOKAHEAD_PKTS 20000
#define LOOKAHEAD_BYTES (16u * 1024u * 1024u)
#define ALL_PROBES ((1u << NTA_PROBE__COUNT) - 1)

struct nta_source {
    nta_source_opts o;
    int n;
    nta_input_info *inputs;
    nta_trace *trace;        /* captures */
    nta_dtext *dtext;        /* or dtrace text */
    nta_run_info info;
    int ran;
    uint64_t skipped[NTA_SKIP__COUNT];
    /* dtrace text runs: the sink, and its first error from a callback that cannot return it */
    const nta_sink *sink;
    int start_rc;
    int started;
};

void nta_source_opts_init(nta_source_opts *o)
{
    memset(o, 0, sizeof *o);
    o->msl_ns = 30ull * 1000000000ull;     /* net.inet.tcp.msl = 30 s */
    o->idle_ns = 600ull * 1000000000ull;
}

/* ---- opening: what each input is ---- */

static int sniff(nta_stream *s, nta_dtext_kind *kind, int *is_text, nta_err *err);

/* Peeks just enough of s to tell a capture from dtrace text: a pipe shows its first packet or
 * line long before it has 64 KiB to show. *kind is NONE for captures and for text nta reads no
 * events from (then *is_text says it was text, for the hint). */
int nta_source_sniff(nta_stream *s, int *kindp, int *is_text, nta_err *err)
{
    nta_dtext_kind k;
    int rc = sniff(s, &k, is_text, err);
    *kindp = (int)k;
    return rc;
}

static int sniff(nta_stream *s, nta_dtext_kind *kind, int *is_text, nta_err *err)
{
    size_t want = nta_stream_is_regular_file(s) ? 65536 : 16;
    *kind = NTA_DTEXT_NONE;
    *is_text = 0;
    for (;;) {
        const uint8_t *p;
        size_t got;
        int rc = nta_stream_peek(s, want, &p, &got, err);
        if (rc < 0)
            return rc;
        if (got == 0 || !nta_dtext_is_text(p, got))
            return 0;   /* binary (or empty): a capture reader says what it is */
        *is_text = 1;
        if (nta_dtext_sniff_more(p, got, got < want || want >= 65536, kind))
            return 0;
        want = want * 8 > 65536 ? 65536 : want * 8;
    }
}

static int events_kind(nta_dtext_kind k)
{
    return k != NTA_DTEXT_NONE && k != NTA_DTEXT_AGGS;
}

static int open_dtext(nta_source *src, const char *const *paths, nta_stream **streams,
                      nta_dtext_kind kind, nta_err *err)
{
    for (int i = 0; i < src->n; i++)
        if (streams[i] == NULL && nta_stream_open_file(&streams[i], paths[i], err) < 0)
            return NTA_EIO;   /* it failed when sniffing too: now err says why */
    int rc = nta_dtext_open_streams(&src->dtext, paths, streams, src->n, err);
    if (rc < 0)
        return rc;
    src->info.dtext = 1;
    src->info.dtext_kind = nta_dtext_kind_name(kind);
    src->info.known = nta_dtext_fields(kind);
    src->info.probes = nta_dtext_probes(kind);
    for (int i = 0; i < src->n; i++) {
        src->inputs[i].format = src->info.dtext_kind;
        src->inputs[i].compression = "";
    }
    return 0;
}

static int open_captures(nta_source *src, const char *const *paths, nta_stream **streams, nta_err *err)
{
    nta_trace_opts to = { src->o.ifname, src->o.filter, src->o.inline_read, 0 };
    int rc = nta_trace_open_streams(&src->trace, paths, streams, src->n, &to, err);
    if (rc < 0)
        return rc;
    return 0;
}

int nta_source_open(nta_source **out, const char *const *inputs, int ninputs,
                    const nta_source_opts *o, nta_err *err)
{
    return nta_source_open_streams(out, inputs, NULL, ninputs, o, err);
}

int nta_source_open_streams(nta_source **out, const char *const *inputs, nta_stream **given,
                            int ninputs, const nta_source_opts *o, nta_err *err)
{
    *out = NULL;
    nta_source *src = calloc(1, sizeof *src);
    nta_stream **streams = calloc((size_t)(ninputs > 0 ? ninputs : 1), sizeof *streams);
    for (int i = 0; given != NULL && i < ninputs; i++) {
        if (streams != NULL)
            streams[i] = given[i];
        else
            nta_stream_free(given[i]);
        given[i] = NULL;
    }
    int rc = 0;
    if (src == NULL || streams == NULL
        || (src->inputs = calloc((size_t)(ninputs > 0 ? ninputs : 1), sizeof *src->inputs)) == NULL) {
        rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
        goto fail;
    }
    src->o = *o;
    src->n = ninputs;
    src->info.ninputs = ninputs;
    src->info.inputs = src->inputs;
    src->info.known = NTA_F_ALL;
    src->info.probes = ALL_PROBES;
    src->info.max_flows = o->max_flows;
    if (o->locals_decided) {
        src->info.traced = o->locals;   /* a plan's decision, how it was made included */
    } else if (o->locals_given) {
        src->info.traced = o->locals;
        snprintf(src->info.traced.why, sizeof src->info.traced.why, "given with --local");
    }
    nta_dtext_kind first = NTA_DTEXT_NONE;
    for (int i = 0; i < ninputs; i++) {
        src->inputs[i].path = inputs[i];
        src->inputs[i].format = "";
        src->inputs[i].compression = "none";
        nta_err_clear(&src->inputs[i].err);
        nta_err ignored;
        nta_err_clear(&ignored);
        /* a stream that does not open (or a libtrace URI such as erf:x) is opened again by its
         * reader, which records why it cannot be */
        if (streams[i] == NULL && nta_stream_open_file(&streams[i], inputs[i], &ignored) < 0) {
            streams[i] = NULL;
            continue;
        }
        nta_dtext_kind k;
        int is_text;
        if (sniff(streams[i], &k, &is_text, &ignored) < 0)
            continue;   /* damaged at once: the capture reader reports it */
        src->inputs[i].is_text = is_text && !events_kind(k);
        if (i == 0)
            first = k;
    }
    rc = events_kind(first) ? open_dtext(src, inputs, streams, first, err)
                            : open_captures(src, inputs, streams, err);
    if (rc < 0)
        goto fail;
    free(streams);
    *out = src;
    return 0;
fail:
    for (int i = 0; streams != NULL && i < ninputs; i++)
        nta_stream_free(streams[i]);
    free(streams);
    nta_source_free(src);
    return rc;
}

void nta_source_free(nta_source *src)
{
    if (src == NULL)
        return;
    nta_trace_free(src->trace);
    nta_dtext_free(src->dtext);
    free(src->inputs);
    free(src);
}

const nta_run_info *nta_source_info(const nta_source *src)
{
    return &src->info;
}

/* ---- running captures ---- */

typedef struct lookahead {
    nta_packet *pkts;
    uint8_t *data;
    size_t n, used;
} lookahead;

/* Stop on request: the signal's number goes into the info once. */
static int stopped(nta_source *src)
{
    if (src->o.stop == NULL || *src->o.stop == 0)
        return 0;
    src->info.interrupted = *src->o.stop;
    return 1;
}

/* Reads up to the look-ahead's capacity and infers the traced hosts from those packets' flows.
 * *pending: a packet read but not held (the byte budget ran out) waits in *pkt; *done: the
 * input ended within the look-ahead (*rc is then the last nta_trace_next result). */
static int infer_from_lookahead(nta_source *src, lookahead *la, nta_packet *pkt, int *pending,
                                int *done, int *rc, nta_err *err)
{
    nta_infer *inf = nta_infer_new();
    la->pkts = malloc(LOOKAHEAD_PKTS * sizeof *la->pkts);
    la->data = malloc(LOOKAHEAD_BYTES);
    if (inf == NULL || la->pkts == NULL || la->data == NULL) {
        nta_infer_free(inf);
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    }
    while (la->n < LOOKAHEAD_PKTS) {
        if (stopped(src)) {
            *done = 1;
            *rc = 0;
            break;
        }
        *rc = nta_trace_next(src->trace, pkt, err);
        if (*rc <= 0) {
            *done = 1;
            break;
        }
        if (la->used + pkt->caplen > LOOKAHEAD_BYTES) {
            *pending = 1;   /* fed first after the replay */
            break;
        }
        memcpy(la->data + la->used, pkt->data, pkt->caplen);
        la->pkts[la->n] = *pkt;
        la->pkts[la->n].data = la->data + la->used;
        la->used += pkt->caplen;
        la->n++;
        nta_decoded d;
        nta_decode(pkt, &d);
        if (d.ip_ver != 0 && d.l4 != NULL) {
            nta_addr s, t;
            nta_addr_set(&s, d.ip_ver, d.saddr);
            nta_addr_set(&t, d.ip_ver, d.daddr);
            nta_infer_add(inf, d.proto, &s, d.sport, &t, d.dport);
        }
    }
    nta_infer_decide(inf, &src->info.traced);
    nta_infer_free(inf);
    return 0;
}

/* What a capture run does with its packets: analyse them (nta_source_run) or hand them to a
 * survey's function. The pump reads, decides the traced hosts, numbers the packets, keeps the
 * clock and, in a shard, passes over the packets of the other shards. */
typedef struct pump {
    nta_source *src;
    int (*start)(struct pump *p);
    int (*packet)(struct pump *p, const nta_packet *pkt, const nta_decoded *d, uint64_t index,
                  uint64_t clock);
    nta_sharder sharder;
    uint64_t next_index, clock;
    uint64_t last_own;       /* index of the last packet handed on */
    int any_own;
} pump;

static int bucket_index(pump *p, const nta_packet *pkt, uint64_t *index, nta_err *err)
{
    const nta_shard_spec *sh = p->src->o.shard;
    const char *path = p->src->inputs[pkt->file < (uint32_t)p->src->n ? pkt->file : 0].path;
    if (!pkt->has_packet_id)
        return nta_err_set(err, NTA_EFORMAT, "%s: a packet without the index nta split writes on "
                           "each: not a bucket of nta split", path);
    if (pkt->packet_id >= sh->packets || (p->any_own && pkt->packet_id <= p->last_own))
        return nta_err_set(err, NTA_EFORMAT, "%s: packet index %llu %s: a bucket of another "
                           "plan, or damaged", path, (unsigned long long)pkt->packet_id,
                           pkt->packet_id >= sh->packets ? "beyond the plan's packets"
                                                         : "out of order");
    *index = pkt->packet_id;
    if (pkt->clock_ns > p->clock)
        p->clock = pkt->clock_ns;
    return 0;
}

/* One packet as read: numbered, clocked, decoded, and handed on when it is this run's. */
static int deliver(pump *p, const nta_packet *pkt, nta_err *err)
{
    nta_source *src = p->src;
    const nta_shard_spec *sh = src->o.shard;
    uint64_t index = p->next_index++;
    if (sh != NULL && sh->buckets && bucket_index(p, pkt, &index, err) < 0)
        return err->code;
    if (pkt->ts_ns > p->clock)
        p->clock = pkt->ts_ns;
    nta_decoded d;
    nta_skip_reason r = nta_decode(pkt, &d);
    if (sh != NULL && sh->count > 1) {
        uint32_t k = nta_sharder_pick(&p->sharder, &d);
        if (k != sh->index && sh->buckets)
            return nta_err_set(err, NTA_EFORMAT, "%s: packet %llu belongs to shard %u, not %u: "
                               "the bucket of another shard or plan", src->inputs[0].path,
                               (unsigned long long)index, k, sh->index);
        if (k != sh->index)
            return 0;
    }
    if (r != NTA_DECODE_OK)
        src->skipped[r]++;
    p->last_own = index;
    p->any_own = 1;
    return p->packet(p, pkt, &d, index, p->clock);
}

/* What the trace and the analyzer counted, into the info. A shard counts what it analysed;
 * what the inputs held is the plan's (records, bad records, filtered), counted once. */
static void capture_counts(nta_source *src, const nta_analyzer_stats *st)
{
    uint64_t bad = 0;
    for (int i = 0; i < src->n; i++) {
        const nta_trace_file *f = nta_trace_file_info(src->trace, i);
        nta_input_info *in = &src->inputs[i];
        in->format = f->format;
        in->compression = f->compression;
        in->records = f->packets;
        in->bad_records = f->bad_records;
        in->err = f->err;
        snprintf(in->warn, sizeof in->warn, "%s", f->warn);
        bad += f->bad_records;
    }
    if (src->o.shard != NULL)
        bad = 0;
    src->info.nskipped = 0;
    for (int r = 1; r < NTA_SKIP__COUNT && r <= NTA_RUN_MAX_SKIP; r++) {
        nta_skip_count *c = &src->info.skipped[src->info.nskipped++];
        c->reason = nta_skip_name((nta_skip_reason)r);
        c->count = src->skipped[r] + (r == NTA_SKIP_BAD_RECORD ? bad : 0);
    }
    src->info.packets = st->packets;
    src->info.events = st->events;
    src->info.filtered = src->o.shard != NULL ? 0 : nta_trace_filtered(src->trace);
    src->info.connections = st->connections;
    src->info.midstream = st->midstream;
    src->info.evicted = st->evicted;
}

/* Reads every packet into p: the look-ahead first when the traced hosts are to be inferred,
 * then p->start, then the packets in order. Returns p's first error (*consumer set) or the
 * trace's (a bad filter), else 0. */
static int pump_captures(nta_source *src, pump *p, int *consumer, nta_err *err)
{
    nta_packet pkt;
    lookahead la = { NULL, NULL, 0, 0 };
    int rc = 0, done = 0, pending = 0, prc = 0;
    uint64_t count = 0;
    nta_sharder_init(&p->sharder, src->o.shard != NULL ? src->o.shard->count : 1);
    if (src->o.shard != NULL)
        nta_sharder_place(&p->sharder, src->o.shard->placed, src->o.shard->nplaced);
    if (!src->o.locals_given && !src->o.locals_decided
        && (prc = infer_from_lookahead(src, &la, &pkt, &pending, &done, &rc, err)) < 0)
        goto out;
    count = la.n + (uint64_t)pending;
    if ((prc = p->start(p)) < 0)
        goto out;
    for (size_t i = 0; i < la.n && prc == 0; i++)
        prc = deliver(p, &la.pkts[i], err);
    if (prc == 0 && pending)
        prc = deliver(p, &pkt, err);
    free(la.pkts);
    free(la.data);
    la.pkts = NULL;
    la.data = NULL;
    if (!done) {
        while (prc == 0 && !stopped(src) && (rc = nta_trace_next(src->trace, &pkt, err)) == 1) {
            count++;
            prc = deliver(p, &pkt, err);
            if ((count & 8191) == 0 && src->o.on_progress != NULL) {
                nta_progress pr;
                nta_trace_progress(src->trace, &pr.bytes_done, &pr.bytes_total, &pr.packets);
                src->o.on_progress(src->o.observer_ctx, &pr);
            }
        }
    }
out:
    free(la.pkts);
    free(la.data);
    *consumer = prc < 0;
    return prc < 0 ? prc : rc < 0 ? rc : 0;
}

static int start(nta_source *src, const nta_sink *sink)
{
    if (src->o.on_decided != NULL)
        src->o.on_decided(src->o.observer_ctx, &src->info);
    return sink->on_start != NULL ? sink->on_start(sink->ctx, &src->info) : 0;
}

typedef struct analysis {
    pump p;
    const nta_sink *sink;
    nta_analyzer *an;
} analysis;

static int analysis_start(pump *p)
{
    analysis *a = (analysis *)p;
    nta_source *src = p->src;
    int rc = start(src, a->sink);
    if (rc < 0)
        return rc;
    nta_analyzer_opts ao = {
        .locals = &src->info.traced, .probes = a->sink->probes ? a->sink->probes : ALL_PROBES,
        .msl_ns = src->o.msl_ns, .idle_ns = src->o.idle_ns, .max_flows = src->o.max_flows,
        .ifname = nta_trace_ifname, .ifname_ctx = src->trace, .skip = a->sink->skip,
        .tcps_probes = a->sink->tcps_probes,
    };
    a->an = nta_analyzer_new(&ao, a->sink);
    return a->an != NULL ? 0 : NTA_ENOMEM;
}

static int analysis_packet(pump *p, const nta_packet *pkt, const nta_decoded *d, uint64_t index,
                           uint64_t clock)
{
    return nta_analyzer_packet_at(((analysis *)p)->an, pkt, d, index, clock);
}

static int run_captures(nta_source *src, const nta_sink *sink, nta_err *err)
{
    analysis a;
    memset(&a, 0, sizeof a);
    a.p.src = src;
    a.p.start = analysis_start;
    a.p.packet = analysis_packet;
    a.sink = sink;
    int consumer, sink_rc = 0;
    int rc = pump_captures(src, &a.p, &consumer, err);
    if (consumer) {
        sink_rc = rc;
        rc = 0;
    }
    const nta_shard_spec *sh = src->o.shard;
    /* a shard whose last packet was not the input's last: time went on to the input's end */
    if (a.an != NULL && sink_rc == 0 && rc == 0 && sh != NULL
        && (!a.p.any_own || a.p.last_own + 1 < sh->packets))
        sink_rc = nta_analyzer_tick(a.an, sh->clock_end);
    if (a.an != NULL && sink_rc == 0)
        sink_rc = nta_analyzer_finish(a.an);
    nta_analyzer_stats st;
    memset(&st, 0, sizeof st);
    if (a.an != NULL)
        nta_analyzer_get_stats(a.an, &st);
    nta_analyzer_free(a.an);
    capture_counts(src, &st);
    if (sink_rc == 0 && a.an != NULL && sink->on_finish != NULL)
        sink_rc = sink->on_finish(sink->ctx, &src->info);
    if (sink_rc < 0 && sink_rc != NTA_ENOMEM && sink_rc != NTA_EFORMAT)
        src->info.output_failed = sink_rc;
    if (sink_rc < 0) {
        if (err->code == 0)
            nta_err_set(err, sink_rc, "%s", sink_rc == NTA_ENOMEM ? "out of memory"
                                                                  : "writing the output failed");
        return sink_rc;
    }
    return rc;
}

/* ---- surveys: what plan and split read ---- */

typedef struct survey {
    pump p;
    int (*start)(void *ctx, const nta_run_info *info);
    nta_source_packet_fn fn;
    void *ctx;
} survey;

static int survey_start(pump *p)
{
    survey *s = (survey *)p;
    if (p->src->o.on_decided != NULL)
        p->src->o.on_decided(p->src->o.observer_ctx, &p->src->info);
    return s->start != NULL ? s->start(s->ctx, &p->src->info) : 0;
}

static int survey_packet(pump *p, const nta_packet *pkt, const nta_decoded *d, uint64_t index,
                         uint64_t clock)
{
    survey *s = (survey *)p;
    return s->fn(s->ctx, pkt, d, index, clock);
}

int nta_source_survey(nta_source *src, int (*startfn)(void *ctx, const nta_run_info *info),
                      nta_source_packet_fn fn, void *ctx, nta_err *err)
{
    if (src->ran || src->trace == NULL)
        return nta_err_set(err, NTA_EUSAGE, src->trace == NULL ? "dtrace text has no packets"
                                                                : "a source runs once");
    src->ran = 1;
    survey s;
    memset(&s, 0, sizeof s);
    s.p.src = src;
    s.p.start = survey_start;
    s.p.packet = survey_packet;
    s.start = startfn;
    s.fn = fn;
    s.ctx = ctx;
    int consumer;
    int rc = pump_captures(src, &s.p, &consumer, err);
    nta_analyzer_stats none;
    memset(&none, 0, sizeof none);
    none.packets = s.p.next_index;
    capture_counts(src, &none);
    if (rc < 0 && consumer && rc != NTA_ENOMEM)
        src->info.output_failed = rc;
    return rc;
}

/* ---- running dtrace text ---- */

static void dtext_decided(void *ctx, const nta_locals *l)
{
    nta_source *src = ctx;
    src->info.traced = *l;
    src->start_rc = start(src, src->sink);
    src->started = 1;
}

static int dtext_event(void *ctx, const nta_event *ev)
{
    nta_source *src = ctx;
    if (src->start_rc < 0)
        return src->start_rc;
    if (stopped(src))
        return NTA_ESTOP;
    int rc = src->sink->on_event != NULL ? src->sink->on_event(src->sink->ctx, ev) : 0;
    if (rc < 0)
        src->info.output_failed = rc;
    return rc;
}

static int run_dtext(nta_source *src, const nta_sink *sink, nta_err *err)
{
    nta_locals l = src->info.traced;
    src->sink = sink;
    nta_dtext_on_decided(src->dtext, dtext_decided, src);
    nta_sink inner = { .on_event = dtext_event, .ctx = src };
    int rc = nta_dtext_run(src->dtext, &l, sink->probes ? sink->probes : ALL_PROBES, &inner, err);
    if (rc == NTA_ESTOP) {   /* asked to stop: what was read is finished as if it ended there */
        rc = 0;
        nta_err_clear(err);
        if (!src->started)
            dtext_decided(src, &l);
    }
    const nta_dtext_stats *st = nta_dtext_stats_of(src->dtext);
    src->info.traced = l;
    src->info.lines = st->lines;
    src->info.events = st->events;
    src->info.malformed = st->malformed;
    src->info.nbad = st->nbad < NTA_RUN_MAX_BAD ? st->nbad : NTA_RUN_MAX_BAD;
    for (int i = 0; i < src->info.nbad; i++)
        snprintf(src->info.first_bad[i], sizeof src->info.first_bad[i], "%s", st->first_bad[i]);
    src->info.nskipped = 1;
    src->info.skipped[0].reason = "malformed_lines";
    src->info.skipped[0].count = st->malformed;
    for (int i = 0; i < src->n; i++)
        src->inputs[i].records = nta_dtext_lines_of(src->dtext, i);
    if (rc == 0 && src->start_rc < 0)
        rc = src->info.output_failed = src->start_rc;
    if (rc == 0 && sink->on_finish != NULL && (rc = sink->on_finish(sink->ctx, &src->info)) < 0)
        src->info.output_failed = rc;
    if (rc < 0 && err->code == 0)
        nta_err_set(err, rc, "%s", rc == NTA_ENOMEM ? "out of memory" : "writing the output failed");
    return rc;
}

void nta_source_set_wait_hook(nta_source *src, void (*fn)(void *), void *ctx)
{
    if (src->trace != NULL)
        nta_trace_set_wait_hook(src->trace, fn, ctx);
    else
        nta_dtext_set_wait_hook(src->dtext, fn, ctx);
}

const nta_trace *nta_source_trace(const nta_source *src)
{
    return src->trace;
}

int nta_source_packets(nta_source *src, int (*fn)(void *ctx, const nta_packet *pkt), void *ctx,
                       nta_err *err)
{
    if (src->ran || src->trace == NULL)
        return nta_err_set(err, NTA_EUSAGE, src->trace == NULL ? "dtrace text has no packets"
                                                                : "a source runs once");
    src->ran = 1;
    nta_packet pkt;
    int rc, fn_rc = 0;
    uint64_t count = 0;
    while (fn_rc == 0 && !stopped(src) && (rc = nta_trace_next(src->trace, &pkt, err)) == 1) {
        fn_rc = fn(ctx, &pkt);
        if ((++count & 8191) == 0 && src->o.on_progress != NULL) {
            nta_progress p;
            nta_trace_progress(src->trace, &p.bytes_done, &p.bytes_total, &p.packets);
            src->o.on_progress(src->o.observer_ctx, &p);
        }
    }
    nta_analyzer_stats none;
    memset(&none, 0, sizeof none);
    none.packets = count;
    capture_counts(src, &none);
    if (fn_rc < 0) {
        src->info.output_failed = fn_rc;
        return fn_rc;
    }
    return rc < 0 ? rc : 0;
}

int nta_source_run(nta_source *src, const nta_sink *sink, nta_err *err)
{
    if (src->ran)
        return nta_err_set(err, NTA_EUSAGE, "a source runs once");
    src->ran = 1;
    return src->dtext != NULL ? run_dtext(src, sink, err) : run_captures(src, sink, err);
}

const nta_source_opts *nta_source_opts_of(const nta_source *src)
{
    return &src->o;
}
