/* source/split.c: cutting the inputs into buckets (see split.h). */
#include "source/split.h"

#include <stdlib.h>
#include <string.h>

#include "formats/capture_write.h"
#include "formats/trace.h"
#include "source/community_id.h"

typedef struct bucket {
    nta_cwriter *w;
    uint32_t nifaces;    /* trace interfaces declared so far */
} bucket;

typedef struct splitter {
    const nta_plan *plan;
    nta_source *src;
    bucket *b;
    nta_sharder sharder;
    uint64_t packets;
    nta_err *err;
} splitter;

/* Declares the trace's interfaces up to ifindex in bucket k, in the trace's order. */
static int declare(splitter *s, bucket *k, uint32_t ifindex)
{
    const nta_trace *t = nta_source_trace(s->src);
    while (k->nifaces <= ifindex) {
        const nta_iface *f = nta_trace_iface(t, k->nifaces);
        int rc = nta_cwriter_iface(k->w, f->linktype, f->snaplen, f->name, s->err);
        if (rc < 0)
            return rc;
        k->nifaces++;
    }
    return 0;
}

static int split_packet(void *ctx, const nta_packet *pkt, const nta_decoded *d, uint64_t index,
                        uint64_t clock)
{
    splitter *s = ctx;
    bucket *k = &s->b[nta_sharder_pick(&s->sharder, d)];
    int rc = declare(s, k, pkt->ifindex);
    if (rc < 0)
        return rc;
    s->packets = index + 1;
    return nta_cwriter_packet_marked(k->w, (int)pkt->ifindex, pkt->ts_ns, pkt->data, pkt->caplen,
                                     pkt->origlen, index, clock > pkt->ts_ns ? clock : 0, s->err);
}

int nta_split_run(const nta_plan *plan, FILE **out, const nta_source_opts *o, nta_err *err)
{
    nta_source_opts so = *o;
    nta_shard_spec unused;
    nta_plan_shard_opts(plan, 0, 0, &unused, &so);
    so.shard = NULL;   /* every packet, numbered as the shards number them */
    splitter s = { plan, NULL, calloc(plan->shards, sizeof *s.b), { 0 }, 0, err };
    const char **paths = calloc((size_t)plan->ninputs, sizeof *paths);
    int rc = s.b == NULL || paths == NULL ? nta_err_set(err, NTA_ENOMEM, "out of memory") : 0;
    for (uint32_t k = 0; rc == 0 && k < plan->shards; k++)
        rc = nta_cwriter_open(&s.b[k].w, out[k], 1, err);
    for (int i = 0; rc == 0 && i < plan->ninputs; i++)
        paths[i] = plan->inputs[i].info.path;
    if (rc == 0)
        rc = nta_source_open(&s.src, paths, plan->ninputs, &so, err);
    nta_sharder_init(&s.sharder, plan->shards);
    nta_sharder_place(&s.sharder, plan->placed, plan->nplaced);
    if (rc == 0)
        rc = nta_source_survey(s.src, NULL, split_packet, &s, err);
    if (rc == 0 && s.packets != plan->packets)
        rc = nta_err_set(err, NTA_EUSAGE, "the inputs hold %llu packets, the plan %llu: they "
                         "changed since the plan", (unsigned long long)s.packets,
                         (unsigned long long)plan->packets);
    for (uint32_t k = 0; s.b != NULL && k < plan->shards; k++) {
        nta_err cerr;
        if (s.b[k].w != NULL && nta_cwriter_close(s.b[k].w, &cerr) < 0 && rc == 0) {
            *err = cerr;
            rc = cerr.code;
        }
    }
    nta_source_free(s.src);
    free(s.b);
    free(paths);
    return rc;
}
