/* dscript/aggs.c: aggregations -- placeholder until agg/'s new interface is merged. */
#include "dscript/dscript_int.h"
#include "dscript/lower.h"

static uint64_t ev_nop(const rnode *n, rctx *c)
{
    (void)n;
    (void)c;
    return 0;
}

static rnode *nop(ds_prog *pg)
{
    rnode *n = ds_alloc(pg->arena, sizeof *n);
    if (n != NULL)
        n->f = ev_nop;
    return n;
}

rnode *ln_printa(ds_prog *pg, const struct pformat *fmt, ds_agg **aggs, int naggs)
{
    (void)fmt;
    (void)aggs;
    (void)naggs;
    return nop(pg);
}

rnode *ln_aggregate(ds_prog *pg, ds_agg *ag, rnode **keys, int nkeys, rnode *val, rnode *incr,
                    const dtype *valt)
{
    (void)ag;
    (void)keys;
    (void)nkeys;
    (void)val;
    (void)incr;
    (void)valt;
    return nop(pg);
}

rnode *ln_aggop(ds_prog *pg, const char *what, ds_agg *ag, rnode *arg)
{
    (void)what;
    (void)ag;
    (void)arg;
    return nop(pg);
}

int ds_aggs_start(nta_dscript *d)
{
    (void)d;
    return 0;
}

void ds_aggs_free(nta_dscript *d)
{
    (void)d;
}

void ds_aggs_print_exit(nta_dscript *d, ds_buf *out)
{
    (void)d;
    (void)out;
}
