/* dscript/shard.c: a program run as one shard of a planned run, and the merge's run of it
 * (issue 17; see dscript.h "Shards" and man/nta.1 "SHARDS").
 *
 * A shard runs BEGIN for its globals (its output, messages and aggregation updates dropped:
 * the merge's own BEGIN makes them once), fires its connections' events and hands back each
 * event's formatted output, saying whether the event printed the CPU/ID header line of a
 * not-quiet program (only the first such event of the whole run prints it, which only the
 * merge knows). It never runs END. The merge runs BEGIN at the run's first event, appends the
 * events' output as text in one run's order, merges the saved aggregations, and finishes as
 * one run does (END, the default printing of aggregations). */
#include <string.h>

#include "agg/agg_serial.h"
#include "dscript/dscript_int.h"
#include "dscript/output.h"

void nta_dscript_shard_mode(nta_dscript *d)
{
    d->shard = 1;
}

int nta_dscript_shard_begin(nta_dscript *d, uint64_t ts)
{
    if (d->begun)
        return 0;
    ds_begin(d, ts);
    ds_output_take(d, &d->shard_text);
    d->shard_text.n = 0;
    d->header_done = 0;
    /* BEGIN's aggregating is the merge's: a shard keeps only its events' */
    for (uint64_t id = 0; id < (uint64_t)d->pg.naggs; id++) {
        struct nta_agg *a = ds_aggs_table(d, id);
        if (a != NULL && nta_agg_trunc(a, 0) < 0)
            return NTA_ENOMEM;
    }
    return 0;
}

int nta_dscript_shard_event(nta_dscript *d, const nta_event *ev, const char **out, size_t *n,
                            int *header)
{
    if (!d->begun && nta_dscript_shard_begin(d, ev->ts_ns) < 0)
        return NTA_ENOMEM;
    d->header_done = 0;
    /* as nta_dscript_event: the clock never goes back (no ticks: profile probes do not shard) */
    if (ev->ts_ns > d->last_ts)
        d->last_ts = ev->ts_ns;
    ds_probe *p = ds_ptab_net(&d->pg.ptab, ev->probe);
    if (p != NULL && p->necbs > 0)
        ds_fire(d, p, ev, ev->ts_ns);
    ds_output_take(d, &d->shard_text);
    *out = d->shard_text.p;
    *n = d->shard_text.n;
    *header = d->header_done;
    return d->out.oom || d->shard_text.oom ? NTA_ENOMEM : 0;
}

uint64_t nta_dscript_last_ts(const nta_dscript *d)
{
    return d->last_ts;
}

int nta_dscript_shard_save(nta_dscript *d,
                           int (*fn)(void *ctx, uint64_t id, const void *p, size_t n), void *ctx)
{
    nta_buf b = { NULL, 0, 0, 0 };
    int rc = 0;
    for (uint64_t id = 0; id < (uint64_t)d->pg.naggs && rc == 0; id++) {
        struct nta_agg *a = ds_aggs_table(d, id);
        if (a == NULL)
            continue;
        b.n = 0;
        nta_agg_save(a, &b);
        rc = b.failed ? NTA_ENOMEM : fn(ctx, id, b.p, b.n);
    }
    nta_buf_free(&b);
    return rc;
}

void nta_dscript_merge_begin(nta_dscript *d, uint64_t ts)
{
    if (d->begun)
        return;
    /* the shards' clocks came first (state before records): BEGIN starts the clock at the
     * first event, the latest event time stays what they said */
    uint64_t last = d->last_ts;
    ds_begin(d, ts);
    if (last > d->last_ts)
        d->last_ts = last;
}

int nta_dscript_merge_text(nta_dscript *d, int header, const void *p, size_t n)
{
    rctx *c = &d->pg.rc;
    if (!d->begun)
        return NTA_ECORRUPT;   /* output before the run's first event */
    ds_buf *out = rt_text(c);
    if (header && !d->header_done) {
        if (d->pg.testing)
            ds_buf_printf(out, "%32s\n", "FUNCTION:NAME");
        else
            ds_buf_printf(out, "%3s %6s %32s\n", "CPU", "ID", "FUNCTION:NAME");
        d->header_done = 1;
    }
    ds_buf_put(out, p, n);
    return ds_output_flush(d, 0);
}

int nta_dscript_merge_agg(nta_dscript *d, uint64_t id, const uint8_t *p, size_t n, nta_err *err)
{
    struct nta_agg *a = ds_aggs_table(d, id);
    if (a == NULL)
        return nta_err_set(err, NTA_ECORRUPT, "aggregation %llu is not the program's",
                           (unsigned long long)id);
    nta_cur c = nta_cur_make(p, n);
    int rc = nta_agg_load_merge(a, &c, err);
    if (rc == 0 && c.left != 0)
        rc = nta_err_set(err, NTA_ECORRUPT, "bytes after aggregation %llu", (unsigned long long)id);
    return rc;
}

void nta_dscript_merge_clock(nta_dscript *d, uint64_t last_ts)
{
    if (last_ts > d->last_ts)
        d->last_ts = last_ts;
}
