/* formats/prefetch.c: a reader running in its own thread, handing packets over in chunks.
 *
 * NCHUNKS buffers circulate between the threads (common/chunkq.h). The reading thread fills
 * one with records (a packet with its bytes, or an interface announcement) and hands it over
 * when the next record does not fit, when its stream is about to wait for a pipe, or at the
 * end, where the last chunk also carries how reading ended. The caller's thread reads records
 * in order and gives a chunk back when it needs the next one (a packet's bytes stay valid until
 * the next call, as the reader interface promises).
 * A reader that can read whole records straight into memory (plain pcap, nta_reader.fill_raw)
 * fills a chunk at once: one record holds the run, and its packets are taken from it in place
 * (no copy per packet on the reading thread). */
#define _GNU_SOURCE
#include "formats/prefetch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/chunkq.h"
#include "formats/pcap_raw.h"

#define NCHUNKS 4
#define CHUNK_BYTES (1024u * 1024u)   /* 4 x 1 MiB: a wakeup per MiB, not per 256 KiB */
#define MAX_LOCAL_IFACES 4096         /* as formats/trace.c: what a hostile file can make us hold */
#define CLOSE_WAIT_MS 200             /* how long close waits for a thread stuck on a pipe */
#define LOCAL 0x80000000u             /* an interface index the reading thread handed out */

enum { REC_PACKET = 1, REC_IFACE = 2, REC_RAW = 3 };

/* Record header; then an nta_packet (its data pointer unused) and caplen bytes, an nta_iface, or
 * an nta_raw_pcap and a run of pcap records.
 * Sizes are multiples of 8 so every header is aligned. */
typedef struct rec {
    uint32_t kind;
    uint32_t size;      /* the whole record */
    uint32_t index;     /* REC_IFACE: the prefetcher's index announced or updated; REC_RAW: the
                           run's length in bytes */
    uint32_t pad;
} rec;

/* What a chunk tells besides its records, written by the reading thread at hand-over. */
typedef struct meta {
    uint64_t bytes_read;
    uint64_t bad_records;
    char warn_first[sizeof ((nta_reader_warn *)0)->first];
    int last;           /* the reader ended after these records */
    int rc;             /* then: 0, or the negative NTA_E* that stopped it */
    nta_err err;
} meta;

struct nta_prefetch {
    nta_iface_sink down;
    nta_reader inner;
    nta_stream *s;
    pthread_t thread;
    int started;
    nta_chunkq q;

    /* reading thread (and, before start, the caller) */
    uint32_t nlocal;
    int ending, end_rc_r;
    nta_err end_err_r;

    /* caller's thread */
    nta_chunk *cur;
    size_t pos;
    const uint8_t *raw, *raw_end;   /* the pcap records of a REC_RAW not taken yet */
    uint64_t raw_at;                /* file offset of raw */
    nta_raw_pcap raw_how;
    uint32_t *map;          /* interface index the thread handed out (LOCAL | i) -> the sink's */
    uint32_t nmap, capmap;
    nta_reader_warn warn;
    uint64_t bytes_read;
    int ended, end_rc;
    nta_err end_err;
    void (*wait_fn)(void *);
    void *wait_ctx;
};

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* ---- the reading thread ---- */

static void fill_meta(nta_chunk *c, void *ctx)
{
    nta_prefetch *pf = ctx;
    meta *m = c->meta;
    if (pf->inner.bytes_read != NULL)
        m->bytes_read = pf->inner.bytes_read(pf->inner.ctx);
    else
        m->bytes_read = pf->s != NULL ? nta_stream_raw_offset(pf->s) : 0;
    m->bad_records = pf->inner.warn != NULL ? pf->inner.warn->bad_records : 0;
    memcpy(m->warn_first, pf->inner.warn != NULL ? pf->inner.warn->first : "",
           pf->inner.warn != NULL ? sizeof m->warn_first : 1);
    m->last = pf->ending;
    m->rc = pf->end_rc_r;
    if (pf->ending)
        m->err = pf->end_err_r;
}

/* The stream is about to wait on a pipe: hand over what was read so far. */
static void on_stream_wait(void *ctx)
{
    nta_chunkq_hand_over(&((nta_prefetch *)ctx)->q, 0);
}

static void *run(void *arg)
{
    nta_prefetch *pf = arg;
    nta_err err;
    nta_err_clear(&err);
    int rc, oom = 0;
    int whole = pf->inner.fill_raw != NULL;
    for (;;) {
        if (whole) {
            /* a chunk of its own: room for the rest of it after the headers */
            size_t head = sizeof(rec) + round8(sizeof(nta_raw_pcap)), room = CHUNK_BYTES - head;
            uint8_t *d = nta_chunkq_reserve(&pf->q, head + room, &oom);
            if (d == NULL) {
                rc = oom ? nta_err_set(&err, NTA_ENOMEM, "out of memory") : 0;
                break;
            }
            nta_raw_pcap how;
            size_t len = pf->inner.fill_raw(pf->inner.ctx, d + head, room, &how);
            nta_chunkq_unreserve(&pf->q, room - round8(len));
            if (len == 0) {
                nta_chunkq_unreserve(&pf->q, head);
                whole = 0;   /* the reader's next() goes on from here */
                continue;
            }
            rec r = { REC_RAW, (uint32_t)(head + round8(len)), (uint32_t)len, 0 };
            memcpy(d, &r, sizeof r);
            memcpy(d + sizeof r, &how, sizeof how);
            continue;
        }
        nta_packet p;
        p.has_packet_id = 0;   /* only pcapng sets these (nta split's buckets) */
        p.packet_id = p.clock_ns = 0;
        rc = pf->inner.next(pf->inner.ctx, &p, &err);
        if (rc != 1)
            break;
        size_t size = sizeof(rec) + round8(sizeof p + p.caplen);
        uint8_t *d = nta_chunkq_reserve(&pf->q, size, &oom);
        if (d == NULL) {
            rc = oom ? nta_err_set(&err, NTA_ENOMEM, "out of memory for a %u-byte packet",
                                   p.caplen) : 0;
            break;
        }
        rec r = { REC_PACKET, (uint32_t)size, 0, 0 };
        memcpy(d, &r, sizeof r);
        memcpy(d + sizeof r, &p, sizeof p);
        memcpy(d + sizeof r + sizeof p, p.data, p.caplen);
    }
    if (nta_chunkq_filling(&pf->q) != NULL) {   /* NULL: the caller closed, nobody listens */
        pf->ending = 1;
        pf->end_rc_r = rc < 0 ? rc : 0;
        pf->end_err_r = err;
        nta_chunkq_hand_over(&pf->q, 1);
    }
    return NULL;
}

/* ---- interfaces ---- */

static int map_add(nta_prefetch *pf, uint32_t global)
{
    if (pf->nmap == pf->capmap) {
        uint32_t cap = pf->capmap ? pf->capmap * 2 : 8;
        uint32_t *m = realloc(pf->map, cap * sizeof *m);
        if (m == NULL)
            return NTA_ENOMEM;
        pf->map = m;
        pf->capmap = cap;
    }
    pf->map[pf->nmap++] = global;
    return 0;
}

/* On the caller's thread: an announcement goes to the downstream sink. Indexes with LOCAL set
 * were handed out by the reading thread and are translated; others are the sink's own. A
 * statistics update (linktype UINT32_MAX) names its interface in index. */
static int forward(nta_prefetch *pf, const nta_iface *ifc, uint32_t index, uint32_t *global)
{
    if (ifc->linktype == UINT32_MAX) {
        if (index & LOCAL) {
            if ((index & ~LOCAL) >= pf->nmap)
                return 0;
            index = pf->map[index & ~LOCAL];
        }
        return pf->down.add(pf->down.ctx, ifc, &index);
    }
    int rc = pf->down.add(pf->down.ctx, ifc, global);
    return rc < 0 || !(index & LOCAL) ? rc : map_add(pf, *global);
}

static int sink_add(void *ctx, const nta_iface *ifc, uint32_t *index)
{
    nta_prefetch *pf = ctx;
    if (!pf->started)   /* the reader is opening (or runs without a thread): at once */
        return forward(pf, ifc, ifc->linktype == UINT32_MAX ? *index : 0, index);
    uint32_t idx = *index;
    if (ifc->linktype != UINT32_MAX) {
        if (pf->nlocal == MAX_LOCAL_IFACES)
            return NTA_ECORRUPT;
        idx = LOCAL | pf->nlocal;
    }
    int oom = 0;
    size_t size = sizeof(rec) + round8(sizeof *ifc);
    uint8_t *d = nta_chunkq_reserve(&pf->q, size, &oom);
    if (d == NULL)
        return NTA_ENOMEM;   /* closing (or no memory): the reader stops either way */
    rec r = { REC_IFACE, (uint32_t)size, idx, 0 };
    memcpy(d, &r, sizeof r);
    memcpy(d + sizeof r, ifc, sizeof *ifc);
    if (ifc->linktype != UINT32_MAX) {
        pf->nlocal++;
        *index = idx;
    }
    return 0;
}

/* ---- the caller's side ---- */

static void take(nta_prefetch *pf)
{
    pf->cur = nta_chunkq_take(&pf->q, pf->wait_fn, pf->wait_ctx);
    pf->pos = 0;
    if (pf->cur == NULL)
        return;
    const meta *m = pf->cur->meta;
    pf->bytes_read = m->bytes_read;
    pf->warn.bad_records = m->bad_records;
    if (pf->warn.first[0] == '\0')
        memcpy(pf->warn.first, m->warn_first, sizeof pf->warn.first);
}

static void end_with(nta_prefetch *pf, int rc, const nta_err *err)
{
    pf->ended = 1;
    pf->end_rc = rc;
    if (err != NULL)
        pf->end_err = *err;
    nta_chunkq_stop(&pf->q);   /* nothing more is read: let the thread go */
}

static int pf_next(void *ctx, nta_packet *pkt, nta_err *err)
{
    nta_prefetch *pf = ctx;
    for (;;) {
        if (pf->raw < pf->raw_end) {
            size_t size = nta_raw_pcap_packet(&pf->raw_how, pf->raw, pf->raw_at, pkt);
            pf->raw += size;
            pf->raw_at += size;
            if (pf->raw < pf->raw_end) {   /* as for packet records below */
                __builtin_prefetch(pf->raw);
                __builtin_prefetch(pf->raw + 64);
            }
            if ((pkt->ifindex & LOCAL) && (pkt->ifindex & ~LOCAL) < pf->nmap)
                pkt->ifindex = pf->map[pkt->ifindex & ~LOCAL];
            return 1;
        }
        if (pf->ended) {
            if (pf->end_rc < 0 && err != NULL)
                *err = pf->end_err;
            return pf->end_rc;
        }
        if (pf->cur != NULL && pf->pos < pf->cur->used) {
            rec r;
            memcpy(&r, pf->cur->buf + pf->pos, sizeof r);
            const uint8_t *body = pf->cur->buf + pf->pos + sizeof r;
            pf->pos += r.size;
            if (pf->pos < pf->cur->used) {
                /* The reading thread wrote the next record on another core: ask for its header
                 * and the start of its packet now, so that the analysis of this packet hides
                 * the transfer (measured: otherwise each packet's first touch stalls) */
                const uint8_t *next = pf->cur->buf + pf->pos;
                __builtin_prefetch(next);
                __builtin_prefetch(next + 64);
                __builtin_prefetch(next + 128);
            }
            if (r.kind == REC_RAW) {
                memcpy(&pf->raw_how, body, sizeof pf->raw_how);
                pf->raw = body + round8(sizeof pf->raw_how);
                pf->raw_end = pf->raw + r.index;   /* index: the run's length */
                pf->raw_at = pf->raw_how.offset;
                continue;
            }
            if (r.kind == REC_PACKET) {
                memcpy(pkt, body, sizeof *pkt);
                pkt->data = body + sizeof *pkt;
                if ((pkt->ifindex & LOCAL) && (pkt->ifindex & ~LOCAL) < pf->nmap)
                    pkt->ifindex = pf->map[pkt->ifindex & ~LOCAL];
                return 1;
            }
            nta_iface ifc;
            memcpy(&ifc, body, sizeof ifc);
            uint32_t g;
            int rc = forward(pf, &ifc, r.index, &g);
            if (rc < 0) {
                nta_err e;
                nta_err_clear(&e);
                nta_err_set(&e, rc, rc == NTA_ENOMEM ? "out of memory for interfaces"
                                                     : "too many interfaces");
                end_with(pf, rc, &e);
            }
            continue;
        }
        if (pf->cur != NULL) {
            const meta *m = pf->cur->meta;
            if (m->last) {
                end_with(pf, m->rc, &m->err);
                continue;
            }
            nta_chunkq_give_back(&pf->q);
            pf->cur = NULL;
        }
        take(pf);
        if (pf->cur == NULL)   /* cannot happen: the thread's last chunk says how it ended */
            end_with(pf, 0, NULL);
    }
}

static uint64_t pf_bytes_read(void *ctx)
{
    return ((nta_prefetch *)ctx)->bytes_read;
}

static void pf_close(void *ctx)
{
    nta_prefetch *pf = ctx;
    nta_chunkq_stop(&pf->q);
    /* A thread reading a file ends at its next record. One waiting on a pipe that stays silent
     * would hold the process: after a moment it is left to the process's exit, with everything
     * it may still touch (the stream too, which this reader owns). */
    if (pf->s != NULL && !nta_stream_is_regular_file(pf->s)) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += CLOSE_WAIT_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        if (pthread_timedjoin_np(pf->thread, NULL, &until) != 0) {
            pthread_detach(pf->thread);
            return;
        }
    } else {
        pthread_join(pf->thread, NULL);
    }
    nta_reader_close(&pf->inner);
    nta_stream_free(pf->s);
    nta_chunkq_fini(&pf->q);
    free(pf->map);
    free(pf);
}

/* ---- setting up ---- */

nta_prefetch *nta_prefetch_new(nta_iface_sink downstream)
{
    nta_prefetch *pf = calloc(1, sizeof *pf);
    if (pf == NULL)
        return NULL;
    pf->down = downstream;
    if (nta_chunkq_init(&pf->q, NCHUNKS, CHUNK_BYTES, sizeof(meta)) < 0) {
        free(pf);
        return NULL;
    }
    nta_chunkq_on_hand_over(&pf->q, fill_meta, pf);
    return pf;
}

nta_iface_sink nta_prefetch_sink(nta_prefetch *pf)
{
    nta_iface_sink k = { sink_add, pf };
    return k;
}

void nta_prefetch_free(nta_prefetch *pf)
{
    if (pf == NULL)
        return;
    nta_chunkq_fini(&pf->q);
    free(pf->map);
    free(pf);
}

int nta_prefetch_start(nta_prefetch *pf, nta_reader *rd, nta_stream *s, nta_err *err)
{
    pf->inner = *rd;
    pf->s = s;
    pf->started = 1;
    if (s != NULL)
        nta_stream_set_wait_hook(s, on_stream_wait, pf);
    int rc = nta_thread_start(&pf->thread, run, pf);
    if (rc != 0) {
        pf->started = 0;
        if (s != NULL)
            nta_stream_set_wait_hook(s, NULL, NULL);
        return nta_err_set(err, NTA_EIO, "cannot start the reading thread");
    }
    rd->next = pf_next;
    rd->close = pf_close;
    rd->ctx = pf;
    rd->warn = &pf->warn;
    rd->bytes_read = pf_bytes_read;
    return 0;
}

void nta_prefetch_set_wait_hook(nta_prefetch *pf, void (*fn)(void *), void *ctx)
{
    pf->wait_fn = fn;
    pf->wait_ctx = ctx;
}
