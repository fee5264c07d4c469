/* shard/jobs.c: the shards of a run as threads (see jobs.h).
 *
 * Ring records (8-byte aligned): a packet is a pkt_rec and its caplen bytes; an interface is an
 * if_rec and its name. Interfaces are sent to every thread before the first packet on them, so
 * a thread names interfaces from its own table and never reads the trace's, which the reading
 * thread grows. A thread whose sink failed keeps taking chunks (and drops them), so the reader
 * never waits on it for ever. */
#include "shard/jobs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/synth.h"
#include "common/chunkq.h"
#include "common/tmpfile.h"
#include "formats/decode.h"
#include "formats/trace.h"
#include "shard/emit.h"
#include "shard/shard_file.h"
#include "source/community_id.h"

#define RING_CHUNKS 8
#define CHUNK_BYTES (1u << 20)
#define MAX_IFS 4096

enum { REC_PACKET = 1, REC_IFACE = 2 };

typedef struct pkt_rec {
    uint32_t type, ifindex, linktype, caplen, origlen, file;
    uint64_t ts_ns, index, clock;
} pkt_rec;

typedef struct if_rec {
    uint32_t type, index, len, pad;
} if_rec;

typedef struct worker {
    int k;
    nta_chunkq q;
    int q_live;
    pthread_t th;
    int started;
    FILE *file;                  /* its shard file (temporary) */
    nta_shard_emit *emit;
    const nta_sink *sink;        /* the emitter's */
    nta_analyzer *an;
    char *ifname[MAX_IFS];
    nta_analyzer_opts ao;
    uint64_t skipped[NTA_SKIP__COUNT];
    uint64_t last_own;
    int any_own;
    int rc;
    nta_err err;
    const struct jobs *j;
} worker;

typedef struct jobs {
    const nta_jobs_opts *o;
    nta_source *src;
    worker *w;
    nta_sharder sharder;
    uint64_t *origin;            /* --bytes: the clock at the first tcp/udp packet, on a cache
                                    line of its own: every thread reads it at every tcp or udp
                                    event, and the fields below change at every packet (sharing
                                    their line made --jobs 2 use 2.7-3.6 s of CPU on hdr128.pcap's
                                    --bytes, 2.4 s apart) */
    int have_origin;
    uint32_t nifs_sent;
    uint64_t packets, clock;
    const nta_run_info *info;
    nta_plan dummy;              /* what the threads' files name as their plan */
    int rc;
    nta_err *err;
} jobs;

/* ---- a thread ---- */

static const char *worker_ifname(void *ctx, uint32_t ix)
{
    worker *w = ctx;
    return ix < MAX_IFS ? w->ifname[ix] : NULL;
}

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

static void take_packet(worker *w, const pkt_rec *r, const uint8_t *data)
{
    nta_packet p;
    memset(&p, 0, sizeof p);
    p.ts_ns = r->ts_ns;
    p.ifindex = r->ifindex;
    p.linktype = r->linktype;
    p.caplen = r->caplen;
    p.origlen = r->origlen;
    p.file = r->file;
    p.data = data;
    nta_decoded d;
    nta_skip_reason why = nta_decode(&p, &d);
    if (why != NTA_DECODE_OK)
        w->skipped[why]++;
    w->last_own = r->index;
    w->any_own = 1;
    if (w->rc == 0)
        w->rc = nta_analyzer_packet_at(w->an, &p, &d, r->index, r->clock);
}

static void take_chunk(worker *w, const nta_chunk *c)
{
    /* read once: the chunk the reader fills may share this one's cache line, and its length
     * changes at every packet */
    const size_t used = c->used;
    size_t at = 0;
    while (at + sizeof(if_rec) <= used) {
        uint32_t type;
        memcpy(&type, c->buf + at, 4);
        if (type == REC_PACKET) {
            pkt_rec r;
            memcpy(&r, c->buf + at, sizeof r);
            take_packet(w, &r, c->buf + at + sizeof r);
            at += round8(sizeof r + r.caplen);
        } else {
            if_rec r;
            memcpy(&r, c->buf + at, sizeof r);
            if (r.index < MAX_IFS && w->ifname[r.index] == NULL
                && (w->ifname[r.index] = malloc(r.len + 1)) != NULL) {
                memcpy(w->ifname[r.index], c->buf + at + sizeof r, r.len);
                w->ifname[r.index][r.len] = '\0';
            }
            at += round8(sizeof r + r.len);
        }
    }
}

/* What this shard analysed, for its file's INFO. */
static void worker_info(worker *w, nta_run_info *in)
{
    nta_analyzer_stats st;
    nta_analyzer_get_stats(w->an, &st);
    memset(in, 0, sizeof *in);
    *in = *w->j->info;
    in->packets = st.packets;
    in->events = st.events;
    in->connections = st.connections;
    in->midstream = st.midstream;
    in->evicted = st.evicted;
    in->nskipped = 0;
    for (int r = 1; r < NTA_SKIP__COUNT && r <= NTA_RUN_MAX_SKIP; r++) {
        in->skipped[in->nskipped].reason = nta_skip_name((nta_skip_reason)r);
        in->skipped[in->nskipped++].count = w->skipped[r];
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    nta_chunk *c;
    while ((c = nta_chunkq_take(&w->q, NULL, NULL)) != NULL) {
        take_chunk(w, c);
        nta_chunkq_give_back(&w->q);
    }
    const jobs *j = w->j;
    if (w->rc == 0 && (!w->any_own || w->last_own + 1 < j->packets))
        w->rc = nta_analyzer_tick(w->an, j->clock);   /* time went on to the input's end */
    if (w->rc == 0)
        w->rc = nta_analyzer_finish(w->an);
    nta_run_info in;
    worker_info(w, &in);
    if (w->rc == 0 && w->sink->on_finish != NULL)
        w->rc = w->sink->on_finish(w->sink->ctx, &in);
    return NULL;
}

/* ---- the reading thread ---- */

static int start_workers(void *ctx, const nta_run_info *info)
{
    jobs *j = ctx;
    j->info = info;
    for (int k = 0; k < j->o->n; k++) {
        worker *w = &j->w[k];
        w->ao = (nta_analyzer_opts){
            .locals = &info->traced, .probes = w->sink->probes ? w->sink->probes : (1u << NTA_PROBE__COUNT) - 1,
            .msl_ns = 0, .idle_ns = 0, .ifname = worker_ifname, .ifname_ctx = w,
            .skip = w->sink->skip, .tcps_probes = w->sink->tcps_probes,
        };
        w->ao.msl_ns = j->dummy.msl_ns;
        w->ao.idle_ns = j->dummy.idle_ns;
        w->ao.max_flows = j->dummy.max_flows;
        if ((w->an = nta_analyzer_new(&w->ao, w->sink)) == NULL)
            return nta_err_set(j->err, NTA_ENOMEM, "out of memory");
        int rc = w->sink->on_start != NULL ? w->sink->on_start(w->sink->ctx, info) : 0;
        if (rc < 0)
            return rc;
        if (nta_thread_start(&w->th, worker_main, w) != 0)
            return nta_err_set(j->err, NTA_ENOMEM, "cannot start a thread");
        w->started = 1;
    }
    return 0;
}

static int put(worker *w, const void *head, size_t hn, const void *body, size_t bn)
{
    int oom = 0;
    uint8_t *d = nta_chunkq_reserve(&w->q, round8(hn + bn), &oom);
    if (d == NULL)
        return NTA_ENOMEM;
    memcpy(d, head, hn);
    if (bn > 0)
        memcpy(d + hn, body, bn);
    return 0;
}

/* Interfaces up to ifindex, to every thread, before the packet that needs them. */
static int send_ifaces(jobs *j, uint32_t ifindex)
{
    const nta_trace *t = nta_source_trace(j->src);
    while (j->nifs_sent <= ifindex && j->nifs_sent < MAX_IFS) {
        const char *name = nta_trace_ifname((void *)t, j->nifs_sent);
        if_rec r = { REC_IFACE, j->nifs_sent, name ? (uint32_t)strlen(name) : 0, 0 };
        for (int k = 0; k < j->o->n; k++)
            if (put(&j->w[k], &r, sizeof r, name, r.len) < 0)
                return NTA_ENOMEM;
        j->nifs_sent++;
    }
    return 0;
}

static int dispatch(void *ctx, const nta_packet *pkt, const nta_decoded *d, uint64_t index,
                    uint64_t clock)
{
    jobs *j = ctx;
    if (j->o->max_packets != 0 && index >= j->o->max_packets)
        return nta_err_set(j->err, NTA_EUSAGE, "the input has more than %llu packets",
                           (unsigned long long)j->o->max_packets);
    j->packets = index + 1;
    j->clock = clock;
    if (!j->have_origin && nta_analyzer_fires_l4(&j->info->traced, d)) {
        *j->origin = clock;   /* before any thread can see this packet's events */
        j->have_origin = 1;
    }
    if (pkt->ifindex >= j->nifs_sent && send_ifaces(j, pkt->ifindex) < 0)
        return nta_err_set(j->err, NTA_ENOMEM, "out of memory");
    pkt_rec r = { REC_PACKET, pkt->ifindex, pkt->linktype, pkt->caplen, pkt->origlen, pkt->file,
                  pkt->ts_ns, index, clock };
    worker *w = &j->w[nta_sharder_pick(&j->sharder, d)];
    return put(w, &r, sizeof r, pkt->data, pkt->caplen) < 0
           ? nta_err_set(j->err, NTA_ENOMEM, "out of memory for a %u-byte packet", pkt->caplen) : 0;
}

/* ---- the plan of the whole, once read ---- */

static int make_plan(jobs *j, nta_plan **out, nta_err *err)
{
    const nta_run_info *info = nta_source_info(j->src);
    nta_plan *p = calloc(1, sizeof *p);
    if (p == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    *p = j->dummy;
    p->inputs = NULL;
    p->text = NULL;
    p->filter = p->ifname = NULL;
    p->ifaces = NULL;
    p->nifaces = 0;
    p->inputs = calloc((size_t)info->ninputs, sizeof *p->inputs);
    p->ninputs = info->ninputs;
    p->traced = info->traced;
    p->filtered = info->filtered;
    p->packets = j->packets;
    p->clock_end = j->clock;
    p->has_origin = j->have_origin;
    p->origin_ns = *j->origin;
    int bad = p->inputs == NULL;
    for (int i = 0; !bad && i < info->ninputs; i++) {
        nta_input_info *in = &p->inputs[i].info;
        *in = info->inputs[i];
        in->path = strdup(info->inputs[i].path);
        in->format = strdup(info->inputs[i].format);
        in->compression = strdup(info->inputs[i].compression);
        bad = in->path == NULL || in->format == NULL || in->compression == NULL;
    }
    if (bad) {
        nta_plan_free(p);
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}

/* ---- the run ---- */

static int make_workers(jobs *j, nta_err *err)
{
    const nta_jobs_opts *o = j->o;
    const char *dir = o->tmpdir != NULL ? o->tmpdir : "/tmp";
    for (int k = 0; k < o->n; k++) {
        worker *w = &j->w[k];
        w->k = k;
        w->j = j;
        if (nta_chunkq_init(&w->q, RING_CHUNKS, CHUNK_BYTES, 0) < 0)
            return nta_err_set(err, NTA_ENOMEM, "out of memory");
        w->q_live = 1;
        if ((w->file = nta_tmpfile(dir)) == NULL)
            return nta_err_set(err, NTA_EIO, "cannot make a temporary file in %s for a shard: %s "
                               "(set TMPDIR)", dir, strerror(errno));
        int rc = nta_shard_emit_new(&w->emit, w->file, &j->dummy, (uint32_t)k, o->kind, o->opts,
                                    o->optslen, err);
        if (rc < 0)
            return rc;
        const nta_sink *inner = NULL;
        if (o->make_inner != NULL
            && (inner = o->make_inner(o->ctx, k, nta_shard_emit_saver(w->emit), j->origin, err)) == NULL)
            return err->code ? err->code : NTA_ENOMEM;
        w->sink = nta_shard_emit_sink(w->emit, inner, o->probes);
    }
    return 0;
}

static void end_workers(jobs *j)
{
    for (int k = 0; k < j->o->n; k++) {
        worker *w = &j->w[k];
        if (w->q_live) {
            nta_chunkq_hand_over(&w->q, 0);
            nta_chunkq_stop(&w->q);
        }
    }
    for (int k = 0; k < j->o->n; k++)
        if (j->w[k].started)
            pthread_join(j->w[k].th, NULL);
}

static void free_workers(jobs *j)
{
    for (int k = 0; j->w != NULL && k < j->o->n; k++) {
        worker *w = &j->w[k];
        nta_analyzer_free(w->an);
        if (w->emit != NULL)
            nta_shard_emit_close(w->emit, 1, NULL);
        if (w->file != NULL)
            fclose(w->file);
        if (w->q_live)
            nta_chunkq_fini(&w->q);
        for (int i = 0; i < MAX_IFS; i++)
            free(w->ifname[i]);
    }
    free(j->w);
}

/* The threads' files, closed and opened for the merge. */
static int collect(jobs *j, nta_merge **out, nta_err *err)
{
    int n = j->o->n, rc = 0;
    nta_shardr **rs = calloc((size_t)n, sizeof *rs);
    if (rs == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    for (int k = 0; k < n && rc == 0; k++) {
        worker *w = &j->w[k];
        if (w->rc < 0) {
            rc = nta_err_set(err, w->rc, "shard %d of --jobs failed: %s", k, nta_strerror(w->rc));
            break;
        }
        rc = nta_shard_emit_close(w->emit, 0, err);
        w->emit = NULL;
        char name[32];
        snprintf(name, sizeof name, "(shard %d of --jobs)", k);
        if (rc == 0)
            rc = nta_shardr_open_fd(&rs[k], fileno(w->file), name, err);
    }
    nta_plan *plan = NULL;
    if (rc == 0)
        rc = make_plan(j, &plan, err);
    if (rc == 0) {
        rc = nta_merge_open_readers(out, rs, n, plan, err);   /* takes the readers and plan */
        free(rs);
        return rc;
    }
    for (int k = 0; k < n; k++)
        nta_shardr_free(rs[k]);
    free(rs);
    return rc;
}

int nta_jobs_run(nta_source *src, const nta_jobs_opts *o, nta_merge **out, nta_err *err)
{
    *out = NULL;
    if (o->n < 2 || o->n > NTA_JOBS_MAX)
        return nta_err_set(err, NTA_EUSAGE, "--jobs takes 2 to %d", NTA_JOBS_MAX);
    jobs j;
    memset(&j, 0, sizeof j);
    j.o = o;
    j.src = src;
    j.err = err;
    j.dummy.shards = (uint32_t)o->n;
    memset(j.dummy.id, '0', 40);
    j.dummy.text = "{}";
    const nta_source_opts *so = nta_source_opts_of(src);
    j.dummy.msl_ns = so->msl_ns;
    j.dummy.idle_ns = so->idle_ns;
    j.dummy.max_flows = so->max_flows;
    nta_sharder_init(&j.sharder, (uint32_t)o->n);
    j.w = calloc((size_t)o->n, sizeof *j.w);
    j.origin = aligned_alloc(64, 64);
    if (j.origin != NULL)
        *j.origin = 0;
    int rc = j.w != NULL && j.origin != NULL ? make_workers(&j, err)
                                             : nta_err_set(err, NTA_ENOMEM, "out of memory");
    if (rc == 0)
        rc = nta_source_survey(src, start_workers, dispatch, &j, err);
    end_workers(&j);
    if (rc == 0)
        rc = collect(&j, out, err);
    j.dummy.text = NULL;
    free_workers(&j);
    free(j.origin);
    return rc;
}
