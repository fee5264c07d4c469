/* agg/agg_walk.c: DTrace's orders over one table or the union of several (agg.h section 4),
 * and the older sorted-array interface on top of them.
 *
 * libdtrace sorts with qsort(3C) and keeps the options in globals under a lock
 * (dt_aggregate.c, "regrettably global"); here qsort_r gets a context. Every value a comparison
 * needs is computed once per row before sorting (dt_aggregate_valcmp recomputes a quantize's
 * 127-bucket sum per comparison), and keys are compared in their encoded form. DTrace's
 * aggsortrev flips every comparison, ties included, and its orders are total over distinct
 * keys, so the reversed order is the sorted rows read backwards. */
#define _GNU_SOURCE   /* qsort_r */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg_int.h"

/* (int32)(x + d) with the wrap of the int arithmetic dt_aggregate_lquantizedsum does */
static long double i32_plus(int64_t x, int d)
{
    return (long double)(int32_t)(uint32_t)((uint64_t)x + (uint64_t)(int64_t)d);
}

/* dt_aggregate_lquantizedzero: the count of the bucket whose weight is exactly 0 (underflow
 * when low - 1 is 0, overflow when top + 1 is 0), else 0. */
static int64_t lq_zero(const nta_agg *a, const int64_t *b)
{
    int levels = a->nbuckets - 2;
    int64_t base = a->par.lq_low;
    if ((int32_t)(uint32_t)(uint64_t)(base - 1) == 0)
        return b[0];
    for (int i = 0; i < levels; i++, base += a->par.lq_step)
        if (base == 0)
            return b[i + 1];
    if ((int32_t)(uint32_t)(uint64_t)(base + 1) == 0)
        return b[levels + 1];
    return 0;
}

/* What dt_aggregate_valcmp compares, for one entry (NULL: DTrace's zero-filled data). The
 * distribution sums add in bucket order in long double, as the dt_aggregate_*dsum functions do,
 * so that ties fall where they fall there. */
void agg_sortval(const nta_agg *a, const nta_aggent *e, aggval *out)
{
    out->sum = 0;
    out->i = 0;
    out->u = 0;
    if (e == NULL)
        return;
    const int64_t *b = e->buckets;
    switch (a->par.fn) {
    case NTA_AGG_AVG:
        out->i = nta_agg_value(a, e);
        break;
    case NTA_AGG_STDDEV:
        out->u = nta_agg_stddev(e, 1);
        break;
    case NTA_AGG_QUANTIZE:
        for (int i = 0; i < NTA_QUANT_BUCKETS; i++)
            out->sum += (long double)nta_agg_bucket_value(a, i) * (long double)b[i];
        out->i = b[NTA_QUANT_ZERO];
        break;
    case NTA_AGG_LQUANTIZE: {
        int levels = a->nbuckets - 2;
        int64_t base = a->par.lq_low;
        long double t = (long double)b[0] * i32_plus(base, -1);
        for (int i = 0; i < levels; base += a->par.lq_step, i++)
            t += (long double)b[i + 1] * (long double)base;
        out->sum = t + (long double)b[levels + 1] * i32_plus(base, 1);
        out->i = lq_zero(a, b);
        break;
    }
    case NTA_AGG_LLQUANTIZE:
        /* dt_aggregate_llquantizedsum: underflow weighs factor^low - 1, the rest their labels;
         * the tie-break is the underflow count (its lhs[1]) */
        for (int i = 0; i < a->nbuckets; i++)
            out->sum += (long double)b[i] * (long double)a->labels[i];
        out->i = b[0];
        break;
    default:
        out->i = e->v;
        break;
    }
}

int agg_valcmp(const nta_agg *a, const aggval *x, const aggval *y)
{
    switch (a->par.fn) {
    case NTA_AGG_STDDEV:
        return x->u < y->u ? -1 : x->u > y->u;
    case NTA_AGG_QUANTIZE:
    case NTA_AGG_LQUANTIZE:
    case NTA_AGG_LLQUANTIZE:
        if (x->sum != y->sum)
            return x->sum < y->sum ? -1 : 1;
        return x->i < y->i ? -1 : x->i > y->i;   /* then the count at zero */
    default:
        return x->i < y->i ? -1 : x->i > y->i;
    }
}

/* ---- rows: the union of keys ---- */

typedef struct rows {
    size_t n;
    const uint8_t **keys;     /* keys[r]: row r's encoded key */
    const nta_aggent **ents;  /* ents[r * naggs + i]: its entry in aggs[i], or NULL */
} rows;

/* The first position of aggs[i] in the list (a table may be listed twice). */
static int first_of(nta_agg *const *aggs, int i)
{
    for (int j = 0; j < i; j++)
        if (aggs[j] == aggs[i])
            return j;
    return i;
}

/* Every distinct key of the tables, in table order then entry order; with r == NULL only
 * counted. A key of aggs[i] is new unless an earlier table holds it; its entries in the later
 * tables are looked up once here, not in the comparator. */
static size_t collect(nta_agg *const *aggs, int naggs, rows *r)
{
    size_t n = 0;
    nta_aggkey view;
    for (int i = 0; i < naggs; i++) {
        if (first_of(aggs, i) != i)
            continue;
        const nta_agg *a = aggs[i];
        for (size_t k = 0; k < a->n; k++) {
            const nta_aggent *e = &a->ents[k];
            int seen = 0;
            if (naggs > 1) {
                aggkey_decode(e->key_, &view);
                for (int j = 0; j < i && !seen; j++)
                    seen = first_of(aggs, j) == j && nta_agg_find(aggs[j], &view) != NULL;
            }
            if (seen)
                continue;
            if (r != NULL) {
                r->keys[n] = e->key_;
                for (int j = 0; j < naggs; j++) {
                    const nta_aggent *x = NULL;
                    if (aggs[j] == a)
                        x = e;
                    else if (j > i || first_of(aggs, j) != j)
                        x = nta_agg_find(aggs[j], &view);
                    r->ents[n * (size_t)naggs + (size_t)j] = x;
                }
            }
            n++;
        }
    }
    return n;
}

typedef struct sort_ctx {
    nta_agg *const *aggs;
    int naggs;
    int bykey, keypos, pos;
    const rows *r;
    const aggval *vals;   /* vals[row * naggs + i] */
    int scalar;           /* every table's value is aggval.i (count, sum, min, max, avg) */
} sort_ctx;

/* dt_aggregate_bundlecmp (and, for one table, dt_aggregate_varvalcmp / varkeycmp): with
 * aggsortkey the key first; the values from aggs[pos] on, wrapping; then the key. */
static int row_cmp(const void *l, const void *r, void *arg)
{
    const sort_ctx *c = arg;
    size_t x = *(const uint32_t *)l, y = *(const uint32_t *)r;
    if (c->bykey) {
        int k = aggkey_cmp(c->r->keys[x], c->r->keys[y], c->keypos);
        if (k != 0)
            return k;
    }
    size_t xi = x * (size_t)c->naggs, yi = y * (size_t)c->naggs;
    for (int j = 0, i = c->pos; j < c->naggs; j++, i = i + 1 < c->naggs ? i + 1 : 0) {
        const aggval *vx = &c->vals[xi + (size_t)i], *vy = &c->vals[yi + (size_t)i];
        int v = c->scalar ? (vx->i < vy->i ? -1 : vx->i > vy->i) : agg_valcmp(c->aggs[i], vx, vy);
        if (v != 0)
            return v;
    }
    if (c->bykey)
        return 0;
    return aggkey_cmp(c->r->keys[x], c->r->keys[y], c->keypos);
}

/* The rows of the tables in order: *order (n row numbers) over *r, to be freed with
 * rows_free. sort NULL: no sorting (table order). 0 or NTA_ENOMEM. */
static int sorted_rows(nta_agg *const *aggs, int naggs, const nta_aggsort *sort, rows *r,
                       uint32_t **order)
{
    size_t n = collect(aggs, naggs, NULL);
    r->n = n;
    r->keys = malloc((n ? n : 1) * sizeof *r->keys);
    r->ents = malloc((n ? n : 1) * (size_t)naggs * sizeof *r->ents);
    *order = malloc((n ? n : 1) * sizeof **order);
    if (r->keys == NULL || r->ents == NULL || *order == NULL || n > UINT32_MAX)
        return NTA_ENOMEM;
    collect(aggs, naggs, r);
    for (size_t k = 0; k < n; k++)
        (*order)[k] = (uint32_t)k;
    if (sort == NULL || n < 2)
        return 0;
    aggval *vals = malloc(n * (size_t)naggs * sizeof *vals);
    if (vals == NULL)
        return NTA_ENOMEM;
    for (size_t k = 0; k < n * (size_t)naggs; k++)
        agg_sortval(aggs[k % (size_t)naggs], r->ents[k], &vals[k]);
    sort_ctx c = { aggs, naggs, sort->bykey, sort->keypos, 0, r, vals, 1 };
    for (int i = 0; i < naggs; i++) {
        nta_aggfn f = aggs[i]->par.fn;
        c.scalar &= f == NTA_AGG_COUNT || f == NTA_AGG_SUM || f == NTA_AGG_MIN || f == NTA_AGG_MAX
                    || f == NTA_AGG_AVG;
    }
    /* dtrace_aggregate_walk_joined: a sort position past the last aggregation means 0 */
    if (sort->pos > 0 && sort->pos < naggs)
        c.pos = sort->pos;
    qsort_r(*order, n, sizeof **order, row_cmp, &c);
    free(vals);
    return 0;
}

static void rows_free(rows *r, uint32_t *order)
{
    free(r->keys);
    free(r->ents);
    free(order);
}

int nta_agg_walk_joined(nta_agg *const *aggs, int naggs, const nta_aggsort *sort,
                        nta_agg_walk_fn *fn, void *ctx)
{
    static const nta_aggsort dflt = { 0, 0, 0, 0 };
    if (naggs < 1)
        return NTA_EUSAGE;
    if (sort == NULL)
        sort = &dflt;
    rows r;
    uint32_t *order;
    int rc = sorted_rows(aggs, naggs, sort, &r, &order);
    nta_aggkey view;
    for (size_t k = 0; rc == 0 && k < r.n; k++) {
        size_t row = order[sort->rev ? r.n - 1 - k : k];
        aggkey_decode(r.keys[row], &view);
        rc = fn(&view, &r.ents[row * (size_t)naggs], naggs, ctx);
    }
    rows_free(&r, order);
    return rc;
}

int nta_agg_walk(const nta_agg *a, nta_aggorder order, nta_agg_walk_fn *fn, void *ctx)
{
    nta_agg *const aggs[1] = { (nta_agg *)a };   /* the walk only reads */
    if (order == NTA_ORDER_NONE) {
        nta_aggkey view;
        for (size_t i = 0; i < a->n; i++) {
            const nta_aggent *e = &a->ents[i];
            aggkey_decode(e->key_, &view);
            int rc = fn(&view, &e, 1, ctx);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    nta_aggsort s = { 0, 0, 0, 0 };
    s.bykey = order == NTA_ORDER_KEY_VAL || order == NTA_ORDER_KEY_VAL_REV;
    s.rev = order == NTA_ORDER_VAL_KEY_REV || order == NTA_ORDER_KEY_VAL_REV;
    return nta_agg_walk_joined(aggs, 1, &s, fn, ctx);
}

/* ---- the older interface: sorted arrays of key views ---- */

/* Views are nta_aggkeys with only n and p[] written, laid out every STRIDE bytes: each view's
 * unused copy buffer overlaps the views after it, which is harmless (nothing reads a view's
 * buffer) and makes a view cost 400 bytes instead of 4.5 KB. The block is sized so that every
 * view has a whole nta_aggkey of memory after its start. */
#define VIEW_STRIDE ((offsetof(nta_aggkey, buf) + 15) & ~(size_t)15)

static int ensure_views(nta_agg *a)
{
    if (a->views != NULL && a->nviews == a->n)
        return 0;
    agg_drop_views(a);
    if (a->n == 0)
        return 0;
    a->views = malloc((a->n - 1) * VIEW_STRIDE + sizeof(nta_aggkey));
    if (a->views == NULL)
        return NTA_ENOMEM;
    for (size_t i = 0; i < a->n; i++)
        aggkey_decode(a->ents[i].key_, (nta_aggkey *)(void *)(a->views + i * VIEW_STRIDE));
    a->nviews = a->n;
    return 0;
}

size_t nta_agg_union_count(nta_agg *const *aggs, int naggs)
{
    return collect(aggs, naggs, NULL);
}

size_t nta_agg_sorted_ents(nta_agg *const *aggs, int naggs, const nta_aggkey **out,
                           const nta_aggent **ents, size_t cap)
{
    static const nta_aggsort dflt = { 0, 0, 0, 0 };
    for (int i = 0; i < naggs; i++)
        if (ensure_views(aggs[i]) < 0)
            return 0;
    rows r;
    uint32_t *order;
    size_t n = 0;
    if (sorted_rows(aggs, naggs, &dflt, &r, &order) == 0) {
        for (; n < r.n && n < cap; n++) {
            const nta_aggent *const *re = &r.ents[(size_t)order[n] * (size_t)naggs];
            /* the key's view is kept by the first table holding it */
            int i = 0;
            while (re[i] == NULL)
                i++;
            out[n] = (const nta_aggkey *)(const void *)(aggs[i]->views
                                                        + (size_t)(re[i] - aggs[i]->ents) * VIEW_STRIDE);
            for (int j = 0; ents != NULL && j < naggs; j++)
                ents[n * (size_t)naggs + (size_t)j] = re[j];
        }
    }
    rows_free(&r, order);
    return n;
}

size_t nta_agg_sorted(nta_agg *const *aggs, int naggs, const nta_aggkey **out, size_t cap)
{
    return nta_agg_sorted_ents(aggs, naggs, out, NULL, cap);
}
