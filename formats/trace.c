/* formats/trace.c: merging several capture files into one timestamp-ordered packet sequence.
 *
 * Each input holds at most one pending packet (its reader's buffer keeps the bytes valid), and
 * the earliest is returned; ties go to the earlier file so a single file keeps its order.
 * The scan over inputs is O(files) per packet: fine for the tens of rotated files users pass.
 * Interfaces live in a growing table indexed by nta_packet.ifindex; each is allocated once and
 * never moves, because consumers keep pointers to them (the analyzer caches if_name) while
 * later interfaces are still being added. */
#include "formats/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/filter.h"
#include "formats/prefetch.h"

#define MAX_IFACES 4096   /* a bound on what a hostile pcapng can make us allocate */
#define MAX_PREFETCH 8    /* more files than this (rotated captures) are read inline: a thread
                             per file buys nothing on the few CPUs a merge can use */

typedef struct input {
    nta_trace_file info;
    nta_stream *s;          /* owned by rd once a prefetch thread reads it */
    uint64_t raw_size;
    nta_prefetch *pf;       /* the reading thread, NULL when read inline */
    nta_prefetch *pf_unused;   /* a prefetcher whose thread did not start (its sink is in use) */
    nta_reader rd;
    nta_packet head;
    int has_head;
    int done;
} input;

struct nta_trace {
    input *in;
    int nin;
    int advance;         /* input whose head was handed out last, -1 none */
    nta_iface **ifs;
    uint32_t nifs, cap_ifs;
    nta_filter *filter;
    uint64_t filtered;
    uint64_t packets;
};

static int add_iface(void *ctx, const nta_iface *ifc, uint32_t *index)
{
    nta_trace *t = ctx;
    if (ifc->linktype == UINT32_MAX) {   /* statistics update for an existing interface */
        if (*index < t->nifs)
            t->ifs[*index]->ifdrop = ifc->ifdrop;
        return 0;
    }
    for (uint32_t i = 0; i < t->nifs; i++) {
        if (t->ifs[i]->linktype == ifc->linktype && strcmp(t->ifs[i]->name, ifc->name) == 0) {
            *index = i;
            return 0;
        }
    }
    if (t->nifs == MAX_IFACES)
        return NTA_ECORRUPT;
    if (t->nifs == t->cap_ifs) {
        uint32_t cap = t->cap_ifs ? t->cap_ifs * 2 : 8;
        nta_iface **n = realloc(t->ifs, cap * sizeof *n);
        if (n == NULL)
            return NTA_ENOMEM;
        t->ifs = n;
        t->cap_ifs = cap;
    }
    nta_iface *e = malloc(sizeof *e);
    if (e == NULL)
        return NTA_ENOMEM;
    *e = *ifc;
    e->packets = 0;
    e->bytes = 0;
    t->ifs[t->nifs] = e;
    *index = t->nifs++;
    return 0;
}

/* "erf:/x" style arguments name a format explicitly (formats without magic numbers): ERF for
 * nta's own reader, the others for libtrace. A path that exists as given is always a path, even
 * with a colon in it. */
static int is_libtrace_uri(const char *p)
{
    static const char *const fmts[] = { "erf:", "tsh:", "legacyatm:", "legacyeth:", "legacypos:",
                                        "atmhdr:", "duck:", "pcapfile:", NULL };
    for (int i = 0; fmts[i]; i++)
        if (strncmp(p, fmts[i], strlen(fmts[i])) == 0)
            return 1;
    return 0;
}

static void open_input(nta_trace *t, input *in, int idx, const nta_trace_opts *o, int prefetch)
{
    nta_iface_sink direct = { add_iface, t };
    nta_prefetch *pf = prefetch ? nta_prefetch_new(direct) : NULL;
    nta_reader_opts ro = { o->ifname, (uint32_t)idx, pf != NULL ? nta_prefetch_sink(pf) : direct,
                           o->via_libpcap };
    in->info.format = "";
    in->info.compression = "none";
    nta_err_clear(&in->info.err);
    int rc;
    int uri = in->s == NULL && is_libtrace_uri(in->info.path)
              && nta_stream_open_file(&in->s, in->info.path, NULL) < 0;
    if (uri && strncmp(in->info.path, "erf:", 4) == 0) {
        /* ERF named as such: nta's own reader over a stream ("erf:-" is standard input) */
        if ((rc = nta_stream_open_file(&in->s, in->info.path + 4, &in->info.err)) < 0)
            goto fail;
        in->info.compression = nta_compression_name(nta_stream_compression(in->s));
        in->raw_size = nta_stream_raw_size(in->s);
        rc = nta_erf_open(&in->rd, in->s, &ro, &in->info.err);
    } else if (uri) {
        rc = nta_capture_open_uri(&in->rd, in->info.path, &ro, &in->info.err);
    } else {
        if (in->s == NULL && (rc = nta_stream_open_file(&in->s, in->info.path, &in->info.err)) < 0)
            goto fail;
        in->info.compression = nta_compression_name(nta_stream_compression(in->s));
        in->raw_size = nta_stream_raw_size(in->s);
        rc = nta_capture_open(&in->rd, in->s, &ro, &in->info.err);
    }
    if (rc < 0)
        goto fail;
    in->info.format = in->rd.format;
    if (pf != NULL) {
        nta_err ignored;
        if (nta_prefetch_start(pf, &in->rd, in->s, &ignored) == 0)
            in->pf = pf;
        else
            in->pf_unused = pf;   /* read inline: the sink forwards at once */
    }
    return;
fail:
    nta_prefetch_free(pf);
    snprintf(in->info.err.file, sizeof in->info.err.file, "%s", in->info.path);
    in->done = 1;
}

int nta_trace_open_streams(nta_trace **out, const char *const *paths, nta_stream **streams,
                           int npaths, const nta_trace_opts *o, nta_err *err)
{
    *out = NULL;
    nta_trace *t = calloc(1, sizeof *t);
    int rc = 0;
    if (t == NULL) {
        rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
        goto fail;
    }
    t->advance = -1;
    if (o->filter != NULL && (rc = nta_filter_new(&t->filter, o->filter, err)) < 0)
        goto fail;
    t->in = calloc((size_t)(npaths > 0 ? npaths : 1), sizeof *t->in);
    if (t->in == NULL) {
        rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
        goto fail;
    }
    t->nin = npaths;
    for (int i = 0; i < npaths; i++) {
        t->in[i].info.path = paths[i];
        if (streams != NULL) {
            t->in[i].s = streams[i];
            streams[i] = NULL;
        }
    }
    for (int i = 0; i < npaths; i++)
        open_input(t, &t->in[i], i, o, !o->inline_read && npaths <= MAX_PREFETCH);
    *out = t;
    return 0;
fail:
    for (int i = 0; streams != NULL && i < npaths; i++) {
        nta_stream_free(streams[i]);
        streams[i] = NULL;
    }
    nta_trace_free(t);
    return rc;
}

int nta_trace_open(nta_trace **out, const char *const *paths, int npaths,
                   const nta_trace_opts *o, nta_err *err)
{
    return nta_trace_open_streams(out, paths, NULL, npaths, o, err);
}

void nta_trace_free(nta_trace *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < t->nin; i++) {
        nta_reader_close(&t->in[i].rd);
        if (t->in[i].pf == NULL)
            nta_stream_free(t->in[i].s);
        nta_prefetch_free(t->in[i].pf_unused);
    }
    free(t->in);
    for (uint32_t i = 0; i < t->nifs; i++)
        free(t->ifs[i]);
    free(t->ifs);
    nta_filter_free(t->filter);
    free(t);
}

static void pull(input *in)
{
    if (in->done)
        return;
    in->head.has_packet_id = 0;   /* only pcapng sets these (nta split's buckets) */
    in->head.packet_id = in->head.clock_ns = 0;
    int rc = in->rd.next(in->rd.ctx, &in->head, &in->info.err);
    if (in->rd.warn != NULL) {
        in->info.bad_records = in->rd.warn->bad_records;
        if (in->info.warn[0] == '\0' && in->rd.warn->first[0] != '\0')
            snprintf(in->info.warn, sizeof in->info.warn, "%s", in->rd.warn->first);
    }
    if (rc == 1) {
        in->has_head = 1;
        in->info.packets++;
        return;
    }
    if (rc < 0)
        snprintf(in->info.err.file, sizeof in->info.err.file, "%s", in->info.path);
    in->has_head = 0;
    in->done = 1;
}

int nta_trace_next(nta_trace *t, nta_packet *pkt, nta_err *err)
{
    for (;;) {
        if (t->advance >= 0) {
            pull(&t->in[t->advance]);
            t->advance = -1;
        } else {
            for (int i = 0; i < t->nin; i++)
                if (!t->in[i].has_head && !t->in[i].done)
                    pull(&t->in[i]);
        }
        int best = -1;
        if (t->nin == 1)
            best = t->in[0].has_head ? 0 : -1;
        else
            for (int i = 0; i < t->nin; i++)
                if (t->in[i].has_head && (best < 0 || t->in[i].head.ts_ns < t->in[best].head.ts_ns))
                    best = i;
        if (best < 0)
            return 0;
        *pkt = t->in[best].head;
        t->in[best].has_head = 0;
        t->advance = best;
        t->packets++;
        if (t->filter != NULL) {
            int m = nta_filter_match(t->filter, pkt, err);
            if (m < 0)
                return m;
            if (m == 0) {
                t->filtered++;
                continue;
            }
        }
        if (pkt->ifindex < t->nifs) {
            t->ifs[pkt->ifindex]->packets++;
            t->ifs[pkt->ifindex]->bytes += pkt->origlen;
        }
        return 1;
    }
}

const char *nta_trace_ifname(void *ctx, uint32_t ifindex)
{
    const nta_trace *t = ctx;
    return ifindex < t->nifs ? t->ifs[ifindex]->name : NULL;
}

void nta_trace_set_wait_hook(nta_trace *t, void (*fn)(void *), void *ctx)
{
    for (int i = 0; i < t->nin; i++) {
        if (t->in[i].pf != NULL)
            nta_prefetch_set_wait_hook(t->in[i].pf, fn, ctx);
        else if (t->in[i].s != NULL)
            nta_stream_set_wait_hook(t->in[i].s, fn, ctx);
    }
}

int nta_trace_nfiles(const nta_trace *t) { return t->nin; }
const nta_trace_file *nta_trace_file_info(const nta_trace *t, int i) { return &t->in[i].info; }
uint32_t nta_trace_nifaces(const nta_trace *t) { return t->nifs; }
const nta_iface *nta_trace_iface(const nta_trace *t, uint32_t i) { return t->ifs[i]; }
uint64_t nta_trace_filtered(const nta_trace *t) { return t->filtered; }

void nta_trace_progress(const nta_trace *t, uint64_t *done, uint64_t *total, uint64_t *packets)
{
    uint64_t d = 0, tot = 0;
    int unknown = 0;
    for (int i = 0; i < t->nin; i++) {
        if (t->in[i].s == NULL)
            continue;
        if (t->in[i].rd.bytes_read != NULL)
            d += t->in[i].rd.bytes_read(t->in[i].rd.ctx);
        else
            d += nta_stream_raw_offset(t->in[i].s);
        uint64_t sz = t->in[i].raw_size;
        if (sz == 0)
            unknown = 1;
        tot += sz;
    }
    *done = d;
    *total = unknown ? 0 : tot;
    *packets = t->packets;
}
