/* dscript/aggs.c: D's aggregations on agg/'s engine: @a[keys] = f(...), printa(), trunc(),
 * clear(), normalize(), denormalize() and the printing at exit.
 *
 * One nta_agg per aggregation variable, made when the run starts from what the compiler
 * learnt (function, lquantize/llquantize parameters, key types; strsize for string keys).
 * Keys are built on the stack per update and their strings are passed by reference (they live
 * for the probe firing), so an update of a known key allocates nothing. Rendering is agg/'s
 * (agg_text.h, dt_consume.c's layouts), through a FILE that appends to the clause's staging
 * buffer, so a faulting clause's printa() output is dropped with the rest of its records.
 * The aggsort options are read at each printing, as setopt() may change them. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg.h"
#include "agg/agg_text.h"
#include "dscript/dscript_int.h"
#include "dscript/fmt.h"
#include "dscript/lower.h"
#include "dscript/output.h"

#define EV(x) ((x)->f((x), c))

typedef struct aggrt {
    nta_agg *a;            /**< NULL: never assigned (printing it prints nothing) */
    int printed;           /**< a printa() printed it: not printed again at exit */
} aggrt;

struct ds_aggrt {
    aggrt *v;
    int n;
    FILE *fp;              /**< appends to *target */
    ds_buf *target;
};

typedef struct printa_spec {
    const char *fmt;       /**< NULL: printa(@a) */
    ds_agg **aggs;
    int naggs;
} printa_spec;

/* ---- the FILE over a ds_buf ---- */

static ssize_t cookie_write(void *cookie, const char *p, size_t n)
{
    struct ds_aggrt *r = cookie;
    ds_buf_put(r->target, p, n);
    return r->target->oom ? -1 : (ssize_t)n;
}

static FILE *open_into(struct ds_aggrt *r, ds_buf *target)
{
    r->target = target;
    return r->fp;
}

static void close_into(struct ds_aggrt *r)
{
    fflush(r->fp);
    clearerr(r->fp);
}

/* ---- run state ---- */

static nta_aggfn fn_of(int which)
{
    switch (which) {
    case AGF_COUNT: return NTA_AGG_COUNT;
    case AGF_SUM: return NTA_AGG_SUM;
    case AGF_AVG: return NTA_AGG_AVG;
    case AGF_MIN: return NTA_AGG_MIN;
    case AGF_MAX: return NTA_AGG_MAX;
    case AGF_STDDEV: return NTA_AGG_STDDEV;
    case AGF_QUANTIZE: return NTA_AGG_QUANTIZE;
    case AGF_LQUANTIZE: return NTA_AGG_LQUANTIZE;
    default: return NTA_AGG_LLQUANTIZE;
    }
}

int ds_aggs_start(nta_dscript *d)
{
    ds_prog *pg = &d->pg;
    struct ds_aggrt *r = calloc(1, sizeof *r);
    if (r == NULL)
        return -1;
    pg->rc.aggs = r;
    r->n = pg->naggs;
    r->v = calloc((size_t)(r->n ? r->n : 1), sizeof *r->v);
    cookie_io_functions_t io = { NULL, cookie_write, NULL, NULL };
    r->fp = fopencookie(r, "w", io);
    if (r->v == NULL || r->fp == NULL)
        return -1;
    for (int i = 0; i < r->n; i++) {
        ds_agg *ag = pg->aggv[i];
        if (ag == NULL || ag->fn < 0)
            continue;
        nta_aggparams par;
        memset(&par, 0, sizeof par);
        par.fn = fn_of(ag->fn);
        if (ag->fn == AGF_LQUANTIZE) {
            par.lq_low = ag->prm[0];
            par.lq_high = ag->prm[1];
            par.lq_step = ag->prm[2];
        } else if (ag->fn == AGF_LLQUANTIZE) {
            par.llq_factor = ag->prm[0];
            par.llq_low = ag->prm[1];
            par.llq_high = ag->prm[2];
            par.llq_nsteps = ag->prm[3];
        }
        par.strsize = pg->rc.strmax;
        nta_err err;
        nta_err_clear(&err);
        if ((r->v[i].a = nta_agg_create(&par, &err)) == NULL)
            return -1;
    }
    return 0;
}

void ds_aggs_free(nta_dscript *d)
{
    struct ds_aggrt *r = d->pg.rc.aggs;
    if (r == NULL)
        return;
    for (int i = 0; i < r->n; i++)
        nta_agg_free(r->v[i].a);
    if (r->fp != NULL) {
        ds_buf scrap = { NULL, 0, 0, 0 };
        r->target = &scrap;
        fclose(r->fp);
        ds_buf_free(&scrap);
    }
    free(r->v);
    free(r);
    d->pg.rc.aggs = NULL;
}

struct nta_agg *ds_aggs_table(nta_dscript *d, uint64_t id)
{
    struct ds_aggrt *r = d->pg.rc.aggs;
    return r != NULL && id < (uint64_t)r->n ? r->v[id].a : NULL;
}

static void sort_of(const rctx *c, nta_aggsort *s)
{
    memset(s, 0, sizeof *s);
    s->bykey = (uint8_t)c->aggsortkey;
    s->rev = (uint8_t)c->aggsortrev;
    s->keypos = c->aggsortkeypos;
    s->pos = c->aggsortpos;
}

void ds_aggs_print_exit(nta_dscript *d)
{
    ds_buf *out = rt_text(&d->pg.rc);
    struct ds_aggrt *r = d->pg.rc.aggs;
    if (r == NULL || r->n == 0)
        return;
    nta_agg **v = malloc((size_t)r->n * sizeof *v);
    if (v == NULL) {
        out->oom = 1;
        return;
    }
    int n = 0;
    for (int i = 0; i < r->n; i++)
        if (r->v[i].a != NULL && !r->v[i].printed)
            v[n++] = r->v[i].a;
    if (n > 0) {
        nta_aggsort s;
        sort_of(&d->pg.rc, &s);
        FILE *fp = open_into(r, out);
        if (nta_text_print_aggs_sorted(fp, v, n, &s) < 0)
            out->oom = 1;
        close_into(r);
    }
    free(v);
}

/* ---- @a[keys] = f(value[, incr]) ---- */

static uint64_t ev_aggregate(const rnode *n, rctx *c)
{
    const ds_agg *ag = n->p;
    uint64_t kv[DS_MAXKEYS];
    for (int i = 0; i < n->nkids; i++)
        kv[i] = EV(n->kids[i]);
    uint64_t val = n->a ? EV(n->a) : 0;
    uint64_t incr = n->b ? EV(n->b) : 1;
    if (c->fault)
        return 0;
    nta_agg *a = c->aggs->v[ag->id].a;
    if (a == NULL)
        return 0;
    nta_aggkey key;
    nta_aggkey_init(&key);
    for (int i = 0; i < n->nkids; i++) {
        const dtype *t = ag->keyt[i];
        if (t->kind == DK_STRING) {
            const char *s = (const char *)(uintptr_t)kv[i];
            if (s == NULL) {
                ds_fault(c, FLT_BADADDR, 0);
                return 0;
            }
            nta_aggkey_strref(&key, s, strnlen(s, c->strmax));
        } else if (t->sgn) {
            nta_aggkey_int(&key, (int64_t)kv[i], t->size);
        } else {
            nta_aggkey_uint(&key, kv[i], t->size);
        }
    }
    if (nta_agg_add(a, &key, (int64_t)val, (int64_t)incr) < 0)
        ds_fault(c, FLT_NOSCRATCH, 0);
    return 0;
}

rnode *ln_aggregate(ds_prog *pg, ds_agg *ag, rnode **keys, int nkeys, rnode *val, rnode *incr,
                    const dtype *valt)
{
    (void)valt;
    rnode *n = ds_alloc(pg->arena, sizeof *n);
    if (n == NULL)
        return NULL;
    n->f = ev_aggregate;
    n->p = ag;
    n->kids = (const rnode *const *)keys;
    n->nkids = nkeys;
    n->a = val;
    n->b = incr;
    return n;
}

/* ---- printa() ---- */

static uint64_t ev_printa(const rnode *n, rctx *c)
{
    if (c->fault)
        return 0;
    const printa_spec *ps = n->p;
    struct ds_aggrt *r = c->aggs;
    nta_agg *v[64];
    nta_agg **tabs = ps->naggs <= 64 ? v : malloc((size_t)ps->naggs * sizeof *tabs);
    if (tabs == NULL) {
        ds_fault(c, FLT_NOSCRATCH, 0);
        return 0;
    }
    int k = 0, first_missing = 0;
    for (int i = 0; i < ps->naggs; i++) {
        aggrt *a = &r->v[ps->aggs[i]->id];
        a->printed = 1;
        if (a->a != NULL)
            tabs[k++] = a->a;
        else if (i == 0)
            first_missing = 1;
    }
    FILE *fp = open_into(r, rt_text(c));
    if (ps->fmt == NULL && k == 0)
        fputc('\n', fp);
    if (k > 0 && !first_missing) {
        nta_aggsort s;
        sort_of(c, &s);
        if (nta_text_printa_sorted(fp, ps->fmt, tabs, k, &s) < 0)
            ds_fault(c, FLT_NOSCRATCH, 0);
    }
    close_into(r);
    if (tabs != v)
        free(tabs);
    return 0;
}

rnode *ln_printa(ds_prog *pg, const pformat *fmt, ds_agg **aggs, int naggs)
{
    rnode *n = ds_alloc(pg->arena, sizeof *n);
    printa_spec *ps = ds_alloc(pg->arena, sizeof *ps);
    if (n == NULL || ps == NULL)
        return NULL;
    ps->fmt = fmt != NULL ? fmt->text : NULL;
    ps->aggs = aggs;
    ps->naggs = naggs;
    n->f = ev_printa;
    n->p = ps;
    return n;
}

/* ---- trunc(), clear(), normalize(), denormalize() ---- */

enum { OP_TRUNC, OP_CLEAR, OP_NORMALIZE, OP_DENORMALIZE };

static uint64_t ev_aggop(const rnode *n, rctx *c)
{
    const ds_agg *ag = n->p;
    uint64_t arg = n->a ? EV(n->a) : 0;
    if (c->fault)
        return 0;
    nta_agg *a = c->aggs->v[ag->id].a;
    if (a == NULL)
        return 0;
    switch ((int)n->k) {
    case OP_TRUNC:
        if (nta_agg_trunc(a, (int64_t)arg) < 0)
            ds_fault(c, FLT_NOSCRATCH, 0);
        break;
    case OP_CLEAR:
        nta_agg_zero(a);
        break;
    case OP_NORMALIZE:
        if (arg == 0)
            ds_fault(c, FLT_ILLOP, 0);
        else
            nta_agg_normalize(a, arg);
        break;
    default:
        nta_agg_denormalize(a);
        break;
    }
    return 0;
}

rnode *ln_aggop(ds_prog *pg, const char *what, ds_agg *ag, rnode *arg)
{
    rnode *n = ds_alloc(pg->arena, sizeof *n);
    if (n == NULL)
        return NULL;
    n->f = ev_aggop;
    n->p = ag;
    n->a = arg;
    n->k = strcmp(what, "trunc") == 0       ? OP_TRUNC
           : strcmp(what, "clear") == 0     ? OP_CLEAR
           : strcmp(what, "normalize") == 0 ? OP_NORMALIZE
                                            : OP_DENORMALIZE;
    return n;
}
