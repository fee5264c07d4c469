/* agg/agg.c: the aggregation engine (see agg.h).
 *
 * Entries live in a growable array with an open-addressing index over their keys. Sorting uses
 * qsort_r with a context struct: the comparison needs the aggregations, and libdtrace's global
 * variables for that (dt_aggregate.c, "regrettably global") are what STYLE.md asks to avoid. */
#define _GNU_SOURCE
#include "agg/agg.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

struct nta_agg {
    nta_aggfn fn;
    int64_t low, step;
    int levels;
    nta_aggent *ents;
    size_t n, cap;
    uint32_t *index;     /* slots: entry index + 1, 0 empty */
    size_t nslots;
    size_t last;         /* entry index + 1 of the last add, 0 none: a run of events under one
                            key (one interface, one peer) skips hashing */
};

/* Only the count: components are written as they are added and only the first n are ever read
 * (hash, compare, print); clearing all 480 bytes per event showed in profiles. */
void nta_aggkey_init(nta_aggkey *k) { k->n = 0; }

void nta_aggkey_str(nta_aggkey *k, const char *s)
{
    if (k->n >= NTA_AGG_MAXKEY)
        return;
    nta_aggkey_part *p = &k->p[k->n++];
    p->is_str = 1;
    p->is_unsigned = 0;
    p->size = 0;
    p->i = 0;
    size_t len = strlen(s);
    if (len >= NTA_AGG_STRMAX)
        len = NTA_AGG_STRMAX - 1;
    memcpy(p->s, s, len);
    p->s[len] = '\0';
}

void nta_aggkey_int(nta_aggkey *k, int64_t v, int size)
{
    if (k->n >= NTA_AGG_MAXKEY)
        return;
    nta_aggkey_part *p = &k->p[k->n++];
    p->is_str = 0;
    p->is_unsigned = 0;
    p->size = (uint8_t)size;
    /* store as the D type would hold it: narrower integers wrap */
    switch (size) {
    case 1: p->i = (int8_t)v; break;
    case 2: p->i = (int16_t)v; break;
    case 4: p->i = (int32_t)v; break;
    default: p->i = v; break;
    }
}

void nta_aggkey_uint(nta_aggkey *k, uint64_t v, int size)
{
    if (k->n >= NTA_AGG_MAXKEY)
        return;
    nta_aggkey_part *p = &k->p[k->n++];
    p->is_str = 0;
    p->is_unsigned = 1;
    p->size = (uint8_t)size;
    p->i = size >= 8 ? (int64_t)v : (int64_t)(v & ((1ull << (8 * size)) - 1));
}

/* Strings are hashed 8 bytes at a time (the bytes after the NUL are not read): reports hash
 * address keys for every event. */
static uint64_t key_hash(const nta_aggkey *k)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ k->n;
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        if (p->is_str) {
            size_t len = strlen(p->s), j = 0;
            for (; j + 8 <= len; j += 8) {
                uint64_t w;
                memcpy(&w, p->s + j, 8);
                h = (h ^ w) * 0xff51afd7ed558ccdull;
                h ^= h >> 32;
            }
            uint64_t w = 0;
            memcpy(&w, p->s + j, len - j);
            h = (h ^ w ^ ((uint64_t)len << 56)) * 0xff51afd7ed558ccdull;
        } else {
            h = (h ^ (uint64_t)p->i) * 0xc4ceb9fe1a85ec53ull;
        }
        h ^= h >> 29;
    }
    return h;
}

static int key_eq(const nta_aggkey *a, const nta_aggkey *b)
{
    if (a->n != b->n)
        return 0;
    for (int i = 0; i < a->n; i++) {
        const nta_aggkey_part *x = &a->p[i], *y = &b->p[i];
        if (x->is_str != y->is_str)
            return 0;
        if (x->is_str ? strcmp(x->s, y->s) != 0 : x->i != y->i)
            return 0;
    }
    return 1;
}

nta_agg *nta_agg_new(nta_aggfn fn, int64_t low, int64_t high, int64_t step)
{
    nta_agg *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->fn = fn;
    if (fn == NTA_AGG_LQUANTIZE) {
        /* dt_cc.c: 32-bit low/high, 16-bit step, 1..65535 levels */
        if (step <= 0 || step > 65535 || low >= high || low < INT32_MIN || high > INT32_MAX) {
            free(a);
            return NULL;
        }
        int64_t levels = (high - low) / step;
        if (levels < 1 || levels > 65535) {
            free(a);
            return NULL;
        }
        a->low = low;
        a->step = step;
        a->levels = (int)levels;
    }
    a->nslots = 64;
    a->index = calloc(a->nslots, sizeof *a->index);
    if (a->index == NULL) {
        free(a);
        return NULL;
    }
    return a;
}

void nta_agg_clear(nta_agg *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->ents[i].buckets);
    a->n = 0;
    a->last = 0;
    memset(a->index, 0, a->nslots * sizeof *a->index);
}

void nta_agg_free(nta_agg *a)
{
    if (a == NULL)
        return;
    nta_agg_clear(a);
    free(a->ents);
    free(a->index);
    free(a);
}

nta_aggfn nta_agg_fn(const nta_agg *a) { return a->fn; }
size_t nta_agg_count(const nta_agg *a) { return a->n; }

int nta_agg_nbuckets(const nta_agg *a)
{
    return a->fn == NTA_AGG_QUANTIZE ? NTA_QUANT_BUCKETS : a->levels + 2;
}

void nta_agg_lq_params(const nta_agg *a, int64_t *low, int64_t *step, int *levels)
{
    *low = a->low;
    *step = a->step;
    *levels = a->levels;
}

int64_t nta_agg_bucket_value(const nta_agg *a, int i)
{
    if (a->fn == NTA_AGG_QUANTIZE) {
        if (i < NTA_QUANT_ZERO)
            return -(int64_t)(1ull << (62 - i));
        if (i == NTA_QUANT_ZERO)
            return 0;
        return (int64_t)(1ull << (i - 64));
    }
    if (i == 0)
        return a->low - 1;
    if (i == a->levels + 1)
        return a->low + (int64_t)a->levels * a->step;
    return a->low + (int64_t)(i - 1) * a->step;
}

static int quantize_bucket(int64_t v)
{
    if (v == 0)
        return NTA_QUANT_ZERO;
    if (v > 0) {
        int b = 63 - __builtin_clzll((uint64_t)v);   /* floor(log2 v) */
        return 64 + b;
    }
    /* the first (most negative) label L with v <= L: -1, -2 (for -2,-3), -4 (-4..-7) */
    uint64_t m = (uint64_t)(-(v + 1)) + 1;   /* |v| without overflow at INT64_MIN */
    int b = 63 - __builtin_clzll(m);
    return 62 - b;
}

static int lquantize_bucket(const nta_agg *a, int64_t v)
{
    int32_t x = (int32_t)v;   /* DTrace truncates to int32 first */
    if (x < a->low)
        return 0;
    if (x >= a->low + (int64_t)a->levels * a->step)
        return a->levels + 1;
    return (int)((x - a->low) / a->step) + 1;
}

static int grow_index(nta_agg *a)
{
    size_t n = a->nslots * 2;
    uint32_t *s = calloc(n, sizeof *s);
    if (s == NULL)
        return NTA_ENOMEM;
    for (size_t i = 0; i < a->n; i++) {
        size_t j = a->ents[i].hash & (n - 1);
        while (s[j])
            j = (j + 1) & (n - 1);
        s[j] = (uint32_t)i + 1;
    }
    free(a->index);
    a->index = s;
    a->nslots = n;
    return 0;
}

int nta_agg_reserve(nta_agg *a, size_t more)
{
    size_t want = a->n + more;
    while (want * 2 > a->nslots)
        if (grow_index(a) < 0)
            return NTA_ENOMEM;
    if (want > a->cap) {
        nta_aggent *n = realloc(a->ents, want * sizeof *n);
        if (n == NULL)
            return NTA_ENOMEM;
        a->ents = n;
        a->cap = want;
    }
    return 0;
}

static nta_aggent *lookup_h(const nta_agg *a, const nta_aggkey *key, uint64_t h, size_t *slot)
{
    size_t j = h & (a->nslots - 1);
    for (; a->index[j]; j = (j + 1) & (a->nslots - 1)) {
        nta_aggent *e = &a->ents[a->index[j] - 1];
        if (e->hash == h && key_eq(&e->key, key))
            return e;
    }
    *slot = j;
    return NULL;
}

static nta_aggent *lookup(const nta_agg *a, const nta_aggkey *key, size_t *slot)
{
    return lookup_h(a, key, key_hash(key), slot);
}

const nta_aggent *nta_agg_find(const nta_agg *a, const nta_aggkey *key)
{
    size_t slot;
    return lookup(a, key, &slot);
}

static void apply(nta_agg *a, nta_aggent *e, int64_t value, int64_t incr)
{
    switch (a->fn) {
    case NTA_AGG_COUNT: e->v++; break;
    case NTA_AGG_SUM: e->v += value; break;
    case NTA_AGG_MIN: if (value < e->v) e->v = value; break;
    case NTA_AGG_MAX: if (value > e->v) e->v = value; break;
    case NTA_AGG_AVG: e->v += value; e->n++; break;
    case NTA_AGG_QUANTIZE: e->buckets[quantize_bucket(value)] += incr; break;
    case NTA_AGG_LQUANTIZE: e->buckets[lquantize_bucket(a, value)] += incr; break;
    }
}

int nta_agg_add(nta_agg *a, const nta_aggkey *key, int64_t value, int64_t incr)
{
    size_t slot;
    nta_aggent *e = NULL;
    if (a->last != 0 && key_eq(&a->ents[a->last - 1].key, key))
        e = &a->ents[a->last - 1];
    uint64_t h = e != NULL ? e->hash : key_hash(key);
    if (e == NULL)
        e = lookup_h(a, key, h, &slot);
    if (e == NULL) {
        if ((a->n + 1) * 2 > a->nslots) {
            if (grow_index(a) < 0)
                return NTA_ENOMEM;
            lookup_h(a, key, h, &slot);
        }
        if (a->n == a->cap) {
            size_t cap = a->cap ? a->cap * 2 : 16;
            nta_aggent *n = realloc(a->ents, cap * sizeof *n);
            if (n == NULL)
                return NTA_ENOMEM;
            a->ents = n;
            a->cap = cap;
        }
        e = &a->ents[a->n];
        memset(e, 0, sizeof *e);
        e->key = *key;
        e->hash = h;
        if (a->fn == NTA_AGG_QUANTIZE || a->fn == NTA_AGG_LQUANTIZE) {
            e->buckets = calloc((size_t)nta_agg_nbuckets(a), sizeof *e->buckets);
            if (e->buckets == NULL)
                return NTA_ENOMEM;
        }
        a->index[slot] = (uint32_t)a->n + 1;
        a->n++;
        if (a->fn == NTA_AGG_MIN)
            e->v = INT64_MAX;
        else if (a->fn == NTA_AGG_MAX)
            e->v = INT64_MIN;
    }
    a->last = (size_t)(e - a->ents) + 1;
    apply(a, e, value, incr);
    return 0;
}

int nta_agg_add_str(nta_agg *a, const char *s, int64_t value, int64_t incr)
{
    if (a->last != 0) {
        nta_aggent *e = &a->ents[a->last - 1];
        if (e->key.n == 1 && e->key.p[0].is_str && strcmp(e->key.p[0].s, s) == 0) {
            apply(a, e, value, incr);
            return 0;
        }
    }
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, s);
    return nta_agg_add(a, &k, value, incr);
}

int64_t nta_agg_value(const nta_agg *a, const nta_aggent *e)
{
    if (e == NULL)
        return 0;
    if (a->fn == NTA_AGG_AVG)
        return e->n ? e->v / e->n : 0;
    return e->v;
}

/* ---- ordering ---- */

/* dt_aggregate_valcmp: quantize by sum(bucket value x count) then the zero bucket's count;
 * lquantize by sum(count x bucket base), underflow as low-1 and overflow as top+1, then the
 * count at value 0. long double keeps large products from overflowing. */
static int dist_cmp(const nta_agg *a, const nta_aggent *x, const nta_aggent *y)
{
    long double sx = 0, sy = 0;
    int nb = nta_agg_nbuckets(a);
    for (int i = 0; i < nb; i++) {
        long double w = (long double)nta_agg_bucket_value(a, i);
        if (a->fn == NTA_AGG_LQUANTIZE && i == nb - 1)
            w += 1;
        sx += w * (x ? x->buckets[i] : 0);
        sy += w * (y ? y->buckets[i] : 0);
    }
    if (sx != sy)
        return sx < sy ? -1 : 1;
    int zero = -1;
    if (a->fn == NTA_AGG_QUANTIZE)
        zero = NTA_QUANT_ZERO;
    else if (0 >= a->low && 0 < a->low + (int64_t)a->levels * a->step)
        zero = (int)((0 - a->low) / a->step) + 1;
    if (zero < 0)
        return 0;
    int64_t zx = x ? x->buckets[zero] : 0, zy = y ? y->buckets[zero] : 0;
    return zx < zy ? -1 : zx > zy;
}

static int is_dist(const nta_agg *a)
{
    return a->fn == NTA_AGG_QUANTIZE || a->fn == NTA_AGG_LQUANTIZE;
}

static int val_cmp(const nta_agg *a, const nta_aggent *x, const nta_aggent *y)
{
    if (is_dist(a))
        return dist_cmp(a, x, y);
    int64_t vx = nta_agg_value(a, x), vy = nta_agg_value(a, y);
    return vx < vy ? -1 : vx > vy;
}

/* dt_aggregate_keycmp: integers as unsigned of their size, strings bytewise */
static int key_cmp(const nta_aggkey *x, const nta_aggkey *y)
{
    for (int i = 0; i < x->n && i < y->n; i++) {
        const nta_aggkey_part *p = &x->p[i], *q = &y->p[i];
        int c;
        if (p->is_str || q->is_str) {
            c = strcmp(p->is_str ? p->s : "", q->is_str ? q->s : "");
        } else {
            uint64_t mask = p->size >= 8 ? ~0ull : ((1ull << (8 * p->size)) - 1);
            uint64_t u = (uint64_t)p->i & mask, v = (uint64_t)q->i & mask;
            c = u < v ? -1 : u > v;
        }
        if (c)
            return c;
    }
    return x->n < y->n ? -1 : x->n > y->n;
}

/* Each key's entry in every aggregation is looked up once, before sorting: looking them up in
 * the comparator hashed two keys per comparison, which made printing 33000 4-tuples cost more
 * than summing a million packets into them. */
typedef struct sort_ctx {
    nta_agg *const *aggs;
    int naggs;
    const nta_aggkey **keys;
    const nta_aggent **ents;   /* ents[k * naggs + i]: key k in aggregation i, or NULL */
    int64_t *vals;             /* vals[k * naggs + i]: its value, for scalar functions: the
                                  comparisons read this array, not entries scattered in memory */
} sort_ctx;


static int entry_cmp(const void *l, const void *r, void *arg)
{
    const sort_ctx *c = arg;
    uint32_t x = *(const uint32_t *)l, y = *(const uint32_t *)r;
    size_t xi = (size_t)x * c->naggs, yi = (size_t)y * c->naggs;
    for (int i = 0; i < c->naggs; i++) {
        int v;
        if (is_dist(c->aggs[i])) {
            v = val_cmp(c->aggs[i], c->ents[xi + i], c->ents[yi + i]);
        } else {
            int64_t vx = c->vals[xi + i], vy = c->vals[yi + i];
            v = vx < vy ? -1 : vx > vy;
        }
        if (v)
            return v;
    }
    return key_cmp(c->keys[x], c->keys[y]);
}

/* The same order with the lookups in the comparator, when memory for the table is short. */
static int entry_cmp_lookup(const void *l, const void *r, void *arg)
{
    const sort_ctx *c = arg;
    const nta_aggkey *x = *(const nta_aggkey *const *)l, *y = *(const nta_aggkey *const *)r;
    for (int i = 0; i < c->naggs; i++) {
        int v = val_cmp(c->aggs[i], nta_agg_find(c->aggs[i], x), nta_agg_find(c->aggs[i], y));
        if (v)
            return v;
    }
    return key_cmp(x, y);
}

size_t nta_agg_union_count(nta_agg *const *aggs, int naggs)
{
    size_t n = 0;
    for (int i = 0; i < naggs; i++)
        for (size_t k = 0; k < aggs[i]->n; k++) {
            int seen = 0;
            for (int j = 0; j < i && !seen; j++)
                seen = nta_agg_find(aggs[j], &aggs[i]->ents[k].key) != NULL;
            n += !seen;
        }
    return n;
}

size_t nta_agg_sorted(nta_agg *const *aggs, int naggs, const nta_aggkey **out, size_t cap)
{
    return nta_agg_sorted_ents(aggs, naggs, out, NULL, cap);
}

/* The entry of key k (out[k], taken from aggregation src) in aggregation i. */
static const nta_aggent *entry_of(nta_agg *const *aggs, int i, const nta_aggkey *key, int src)
{
    if (i == src)   /* the key is the entry's own: no lookup */
        return (const nta_aggent *)((const char *)key - offsetof(nta_aggent, key));
    return nta_agg_find(aggs[i], key);
}

size_t nta_agg_sorted_ents(nta_agg *const *aggs, int naggs, const nta_aggkey **out,
                           const nta_aggent **ents, size_t cap)
{
    size_t n = 0;
    int *src = malloc((cap ? cap : 1) * sizeof *src);
    for (int i = 0; i < naggs; i++)
        for (size_t k = 0; k < aggs[i]->n && n < cap; k++) {
            int seen = 0;
            for (int j = 0; j < i && !seen; j++)
                seen = nta_agg_find(aggs[j], &aggs[i]->ents[k].key) != NULL;
            if (!seen) {
                if (src != NULL)
                    src[n] = i;
                out[n++] = &aggs[i]->ents[k].key;
            }
        }
    sort_ctx c = { aggs, naggs, NULL, NULL, NULL };
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    c.keys = malloc((n ? n : 1) * sizeof *c.keys);
    c.ents = malloc((n ? n : 1) * (size_t)naggs * sizeof *c.ents);
    c.vals = malloc((n ? n : 1) * (size_t)naggs * sizeof *c.vals);
    if (src == NULL || order == NULL || c.keys == NULL || c.ents == NULL || c.vals == NULL) {
        /* short of memory: the lookups happen in the comparator */
        qsort_r(out, n, sizeof *out, entry_cmp_lookup, &c);
        for (size_t k = 0; ents != NULL && k < n; k++)
            for (int i = 0; i < naggs; i++)
                ents[k * naggs + i] = nta_agg_find(aggs[i], out[k]);
    } else {
        for (size_t k = 0; k < n; k++) {
            order[k] = (uint32_t)k;
            c.keys[k] = out[k];
            for (int i = 0; i < naggs; i++) {
                c.ents[k * naggs + i] = entry_of(aggs, i, out[k], src[k]);
                c.vals[k * naggs + i] = nta_agg_value(aggs[i], c.ents[k * naggs + i]);
            }
        }
        if (n > 1)
            qsort_r(order, n, sizeof *order, entry_cmp, &c);
        for (size_t k = 0; k < n; k++) {
            out[k] = c.keys[order[k]];
            for (int i = 0; ents != NULL && i < naggs; i++)
                ents[k * naggs + i] = c.ents[(size_t)order[k] * naggs + i];
        }
    }
    free(src);
    free(order);
    free(c.keys);
    free(c.ents);
    free(c.vals);
    return n;
}
