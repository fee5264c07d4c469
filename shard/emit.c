/* shard/emit.c: the shard run's sink (see emit.h). */
#include "shard/emit.h"

#include <stdlib.h>
#include <string.h>

#include "event/event_codec.h"
#include "shard/shard_file.h"

struct nta_shard_emit {
    nta_shardw *w;
    nta_report_saver saver;
    nta_sink inner, sink;
    int have_inner;
    nta_buf ev;              /* the event being saved (event recorder) */
    nta_shard_info info;
    int finished;
};

static int save_record(void *ctx, uint8_t chan, const void *p, size_t n)
{
    nta_shard_emit *e = ctx;
    return nta_shardw_record(e->w, chan, p, n);
}

static int save_state(void *ctx, uint8_t chan, const void *p, size_t n)
{
    nta_shard_emit *e = ctx;
    return nta_shardw_state(e->w, chan, p, n);
}

int nta_shard_emit_new(nta_shard_emit **out, FILE *f, const nta_plan *plan, uint32_t index,
                       uint32_t kind, const void *opts, size_t optslen, nta_err *err)
{
    *out = NULL;
    nta_shard_emit *e = calloc(1, sizeof *e);
    if (e == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    nta_shard_head h = { kind, "", plan->shards, 1, &index };
    memcpy(h.plan_id, plan->id, sizeof h.plan_id);
    int rc = nta_shardw_open(&e->w, f, &h, plan->text, opts, optslen, err);
    if (rc < 0) {
        free(e);
        return rc;
    }
    e->saver = (nta_report_saver){ save_record, save_state, e };
    *out = e;
    return 0;
}

const nta_report_saver *nta_shard_emit_saver(nta_shard_emit *e)
{
    return &e->saver;
}

static int on_start(void *ctx, const nta_run_info *info)
{
    nta_shard_emit *e = ctx;
    return e->have_inner && e->inner.on_start != NULL ? e->inner.on_start(e->inner.ctx, info) : 0;
}

static int on_event(void *ctx, const nta_event *ev)
{
    nta_shard_emit *e = ctx;
    if (ev->pos == NULL)
        return NTA_EUSAGE;   /* only events from captures have positions */
    nta_shardw_at(e->w, ev->pos);
    if (e->have_inner)
        return e->inner.on_event != NULL ? e->inner.on_event(e->inner.ctx, ev) : 0;
    e->ev.n = 0;
    nta_event_save(ev, &e->ev);
    if (e->ev.failed)
        return NTA_ENOMEM;
    return nta_shardw_record(e->w, NTA_SHARD_CHAN_EVENTS, e->ev.p, e->ev.n);
}

static int on_finish(void *ctx, const nta_run_info *info)
{
    nta_shard_emit *e = ctx;
    nta_shard_info *in = &e->info;
    in->packets = info->packets;
    in->connections = info->connections;
    in->midstream = info->midstream;
    in->evicted = info->evicted;
    in->events = info->events;
    in->nskipped = 0;
    for (int i = 0; i < info->nskipped && i < 24; i++) {
        snprintf(in->skipped[i].reason, sizeof in->skipped[i].reason, "%s", info->skipped[i].reason);
        in->skipped[i].count = info->skipped[i].count;
        in->nskipped++;
    }
    e->finished = 1;
    return e->have_inner && e->inner.on_finish != NULL ? e->inner.on_finish(e->inner.ctx, info) : 0;
}

const nta_sink *nta_shard_emit_sink(nta_shard_emit *e, const nta_sink *inner, uint32_t probes)
{
    e->have_inner = inner != NULL;
    if (inner != NULL)
        e->inner = *inner;
    e->sink = (nta_sink){ .on_start = on_start, .on_event = on_event, .on_finish = on_finish,
                          .ctx = e };
    e->sink.probes = probes;
    if (inner != NULL) {
        e->sink.probes = inner->probes;
        e->sink.skip = inner->skip;
        e->sink.tcps_probes = inner->tcps_probes;
    }
    return &e->sink;
}

int nta_shard_emit_close(nta_shard_emit *e, int failed, nta_err *err)
{
    int rc = 0;
    if (failed || !e->finished)
        nta_shardw_abort(e->w);
    else
        rc = nta_shardw_close(e->w, &e->info, err);
    nta_buf_free(&e->ev);
    free(e);
    return rc;
}
