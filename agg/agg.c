/* agg/agg.c: the aggregation engine (see agg.h): tables, the aggregating functions, values as
 * DTrace prints them, trunc/clear/normalize and the exact merge.
 *
 * Entries live in a growable array in insertion order with an open-addressing index over their
 * keys' hashes; keys and bucket arrays come from pools (agg_int.h) so that a key costs its
 * encoded bytes and nothing is allocated per add. The accumulators are the kernel's
 * (dtrace.c dtrace_aggregate_*): integer arithmetic wraps at 64 bits (done in unsigned, as
 * signed overflow is undefined in C), stddev keeps count, sum and a 128-bit sum of squares. */
#define _GNU_SOURCE   /* qsort_r */
#include "agg/agg.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg_int.h"

__extension__ typedef unsigned __int128 u128;

/* ---- pools ---- */

#define POOL_FIRST 512
#define POOL_MAX (64 * 1024)

void *pool_alloc(pool *p, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    pool_chunk *c = p->head;
    if (c == NULL || c->cap - c->used < size) {
        /* chunks double up to 64 KB: a D script may hold hundreds of small tables */
        size_t cap = c == NULL ? POOL_FIRST : c->cap * 2;
        if (cap > POOL_MAX)
            cap = POOL_MAX;
        if (cap < size)
            cap = size;
        pool_chunk *n = malloc(sizeof *n + cap);
        if (n == NULL)
            return NULL;
        n->next = c;
        n->used = 0;
        n->cap = cap;
        p->head = c = n;
    }
    void *r = c->data + c->used;
    c->used += size;
    return r;
}

void pool_free(pool *p)
{
    for (pool_chunk *c = p->head, *next; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    p->head = NULL;
}

/* ---- wrapping arithmetic ---- */

static int64_t wadd(int64_t x, int64_t y)
{
    return (int64_t)((uint64_t)x + (uint64_t)y);
}

/* x / y truncating as C does, without C's traps: y = 0 gives 0 (nta rejects a 0 normal before
 * it gets here) and INT64_MIN / -1 wraps as the hardware's result would. */
static int64_t sdiv(int64_t x, int64_t y)
{
    if (y == 0)
        return 0;
    if (y == -1)
        return (int64_t)(0 - (uint64_t)x);
    return x / y;
}

/* ---- parameters ---- */

static int refuse(nta_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(nta_err *err, const char *fmt, ...)
{
    char msg[NTA_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nta_err_set(err, NTA_EUSAGE, "%s", msg);
}

/* dt_cc.c's check that factor^(high + 2) fits 64 bits, with its wrapping multiplication (so it
 * accepts what DTrace accepts); the limits must also fit int64 for the kernel's bucketing, which
 * DTrace's check does not fully ensure: such parameters are refused here too. */
static int llq_fits(uint64_t f, uint64_t high)
{
    uint64_t order = 1;
    for (uint64_t i = 0; i <= high + 1; i++) {
        if (order * f > order)
            order *= f;
        else
            return 0;
    }
    int64_t x = 1;
    for (uint64_t i = 0; i < high + 1; i++)
        if (__builtin_mul_overflow(x, (int64_t)f, &x))
            return 0;
    return 1;
}

int nta_agg_check(const nta_aggparams *par, nta_err *err)
{
    if ((unsigned)par->fn > NTA_AGG_LLQUANTIZE)
        return refuse(err, "unknown aggregating function %d", (int)par->fn);
    if (par->fn == NTA_AGG_LQUANTIZE) {
        int64_t low = par->lq_low, high = par->lq_high, step = par->lq_step;
        if (low < INT32_MIN || low > INT32_MAX)
            return refuse(err, "[D_LQUANT_BASEVAL] lquantize( ) argument #1 must be a 32-bit quantity");
        if (high < INT32_MIN || high > INT32_MAX)
            return refuse(err, "[D_LQUANT_LIMVAL] lquantize( ) argument #2 must be a 32-bit quantity");
        if (high < low)
            return refuse(err, "[D_LQUANT_MISMATCH] lquantize( ) base (argument #1) must be less than "
                       "limit (argument #2)");
        if (step <= 0)
            return refuse(err, "[D_LQUANT_STEPTYPE] lquantize( ) argument #3 must be a non-zero "
                       "positive integer constant");
        if (step > UINT16_MAX)
            return refuse(err, "[D_LQUANT_STEPVAL] lquantize( ) argument #3 must be a 16-bit quantity");
        int64_t levels = (high - low) / step;
        if (levels == 0)
            return refuse(err, "[D_LQUANT_STEPLARGE] lquantize( ) step (argument #3) too large: must "
                       "have at least one quantization level");
        if (levels > UINT16_MAX)
            return refuse(err, "[D_LQUANT_STEPSMALL] lquantize( ) step (argument #3) too small: number "
                       "of quantization levels must be a 16-bit quantity");
    }
    if (par->fn == NTA_AGG_LLQUANTIZE) {
        static const struct {
            const char *name, *tag;
        } args[] = { { "factor", "D_LLQUANT_FACTORVAL" }, { "low magnitude", "D_LLQUANT_LOWVAL" },
                     { "high magnitude", "D_LLQUANT_HIGHVAL" },
                     { "linear steps per magnitude", "D_LLQUANT_NSTEPVAL" } };
        const int64_t v[4] = { par->llq_factor, par->llq_low, par->llq_high, par->llq_nsteps };
        for (int i = 0; i < 4; i++)
            if ((uint64_t)v[i] > UINT16_MAX)
                return refuse(err, "[%s] llquantize( ) argument #%d (%s) must be an unsigned 16-bit "
                           "quantity", args[i].tag, i + 1, args[i].name);
        uint64_t f = (uint64_t)v[0], low = (uint64_t)v[1], high = (uint64_t)v[2],
                 ns = (uint64_t)v[3];
        if (f < 2)
            return refuse(err, "[D_LLQUANT_FACTORSMALL] llquantize( ) factor (argument #1) must be "
                       "two or more");
        if (low >= high)
            return refuse(err, "[D_LLQUANT_MAGRANGE] llquantize( ) high magnitude (argument #3) must "
                       "be greater than low magnitude (argument #2)");
        if (ns < f)
            return refuse(err, "[D_LLQUANT_FACTORNSTEPS] llquantize( ) factor (argument #1) must be "
                       "less than or equal to the number of linear steps per magnitude (argument #4)");
        uint64_t p = f;
        while (p < ns)
            p *= f;
        if (ns % f != 0 || p % ns != 0)
            return refuse(err, "[D_LLQUANT_FACTOREVEN] llquantize( ) factor (argument #1) must evenly "
                       "divide the number of steps per magnitude (argument #4), and the number of "
                       "steps per magnitude must evenly divide a power of the factor");
        if (!llq_fits(f, high))
            return refuse(err, "[D_LLQUANT_MAGTOOBIG] llquantize( ) factor (%d) raised to power of "
                       "high magnitude (%d) plus 1 overflows 64-bits", (int)f, (int)high);
    }
    return 0;
}

/* The kernel's bucketing (dtrace_aggregate_llquantize_bucket) per magnitude, and the labels
 * dt_print_llquantize steps through (the same buckets). */
static int llq_setup(nta_agg *a)
{
    int64_t f = a->par.llq_factor, ns = a->par.llq_nsteps;
    int orders = (int)(a->par.llq_high - a->par.llq_low + 1);
    int64_t first = 1;
    for (int64_t i = 0; i < a->par.llq_low; i++)
        first *= f;
    a->llq_orders = orders;
    a->llq_first = first;
    a->llq_limit = calloc((size_t)orders, sizeof *a->llq_limit);
    a->llq_width = calloc((size_t)orders, sizeof *a->llq_width);
    a->llq_base = calloc((size_t)orders, sizeof *a->llq_base);
    a->llq_clamp = calloc((size_t)orders, sizeof *a->llq_clamp);
    if (!a->llq_limit || !a->llq_width || !a->llq_base || !a->llq_clamp)
        return NTA_ENOMEM;
    int64_t this = first * f;
    int base = 1;
    for (int k = 0; k < orders; k++) {
        int64_t nb = this > ns ? ns : this, next;
        a->llq_limit[k] = this;
        a->llq_width[k] = this / nb;
        a->llq_base[k] = base;
        /* the kernel's `(next = this * factor) < this` with int64 wrapping: true exactly when
         * the product overflows, and then every value of this magnitude goes to its last
         * bucket (`value = this - 1`) */
        a->llq_clamp[k] = (uint8_t)__builtin_mul_overflow(this, f, &next);
        base += (int)(nb - nb / f);
        if (k + 1 < orders)
            this = next;   /* llq_fits: factor^(high + 1) fits */
    }
    a->llq_top = base;
    a->nbuckets = base + 1;
    a->labels = malloc((size_t)a->nbuckets * sizeof *a->labels);
    if (a->labels == NULL)
        return NTA_ENOMEM;
    int b = 0;
    a->labels[b++] = first - 1;
    int64_t start = first;
    for (int k = 0; k < orders; k++) {
        for (int64_t v = start; v < a->llq_limit[k]; v += a->llq_width[k])
            a->labels[b++] = v;
        start = a->llq_limit[k];
    }
    a->labels[b] = start;   /* factor^(high + 1) */
    return 0;
}

nta_agg *nta_agg_create(const nta_aggparams *par, nta_err *err)
{
    if (nta_agg_check(par, err) < 0)
        return NULL;
    nta_agg *a = calloc(1, sizeof *a);
    if (a == NULL) {
        nta_err_set(err, NTA_ENOMEM, "out of memory");
        return NULL;
    }
    a->par = *par;
    if (a->par.strsize == 0)
        a->par.strsize = NTA_AGG_STRSIZE;
    a->normal = 1;
    switch (par->fn) {
    case NTA_AGG_QUANTIZE:
        a->nbuckets = NTA_QUANT_BUCKETS;
        break;
    case NTA_AGG_LQUANTIZE:
        a->nbuckets = (int)((a->par.lq_high - a->par.lq_low) / a->par.lq_step) + 2;
        break;
    case NTA_AGG_LLQUANTIZE:
        if (llq_setup(a) < 0)
            goto nomem;
        break;
    default:
        break;
    }
    a->nslots = 64;
    a->index = calloc(a->nslots, sizeof *a->index);
    if (a->index == NULL)
        goto nomem;
    return a;
nomem:
    nta_agg_free(a);
    nta_err_set(err, NTA_ENOMEM, "out of memory");
    return NULL;
}

void agg_drop_views(nta_agg *a)
{
    free(a->views);
    a->views = NULL;
    a->nviews = 0;
}

void nta_agg_free(nta_agg *a)
{
    if (a == NULL)
        return;
    pool_free(&a->keys);
    pool_free(&a->dists);
    agg_drop_views(a);
    free(a->ents);
    free(a->index);
    free(a->labels);
    free(a->llq_limit);
    free(a->llq_width);
    free(a->llq_base);
    free(a->llq_clamp);
    free(a);
}

const nta_aggparams *nta_agg_params(const nta_agg *a) { return &a->par; }
nta_aggfn nta_agg_fn(const nta_agg *a) { return a->par.fn; }
size_t nta_agg_count(const nta_agg *a) { return a->n; }
int nta_agg_nbuckets(const nta_agg *a) { return a->nbuckets; }

static int lq_levels(const nta_agg *a)
{
    return a->nbuckets - 2;
}

int64_t nta_agg_bucket_value(const nta_agg *a, int i)
{
    switch (a->par.fn) {
    case NTA_AGG_QUANTIZE:
        if (i < NTA_QUANT_ZERO)
            return -(int64_t)(1ull << (62 - i));
        if (i == NTA_QUANT_ZERO)
            return 0;
        return (int64_t)(1ull << (i - 64));
    case NTA_AGG_LQUANTIZE:
        if (i == 0)
            return a->par.lq_low - 1;
        return a->par.lq_low + (int64_t)(i - 1) * a->par.lq_step;
    case NTA_AGG_LLQUANTIZE:
        return a->labels[i];
    default:
        return 0;
    }
}

/* dt_print_lquantize: "< %d" of the base and ">= %d" of base + levels * step (int arithmetic:
 * both are within the 32-bit range the compiler checked); dt_print_llquantize: "< %lld" of
 * factor^low and ">= %lld" of factor^(high + 1); the rest their bucket values. */
char *nta_agg_bucket_label(const nta_agg *a, int i, char *buf, size_t cap)
{
    int top = a->nbuckets - 1;
    if (a->par.fn == NTA_AGG_LQUANTIZE && i == 0)
        snprintf(buf, cap, "< %d", (int)a->par.lq_low);
    else if (a->par.fn == NTA_AGG_LQUANTIZE && i == top)
        snprintf(buf, cap, ">= %d", (int)(a->par.lq_low + (int64_t)lq_levels(a) * a->par.lq_step));
    else if (a->par.fn == NTA_AGG_LLQUANTIZE && i == 0)
        snprintf(buf, cap, "< %lld", (long long)a->llq_first);
    else if (a->par.fn == NTA_AGG_LLQUANTIZE && i == top)
        snprintf(buf, cap, ">= %lld", (long long)a->labels[top]);
    else
        snprintf(buf, cap, "%lld", (long long)nta_agg_bucket_value(a, i));
    return buf;
}

/* ---- bucketing (dtrace.c) ---- */

/* dtrace_aggregate_quantize: 0 -> bucket 63; v >= 1 -> 64 + floor(log2 v); v < 0 -> the first
 * (most negative) label L with v <= L: -1, -2 (for -2, -3), -4 (-4 .. -7), and everything at or
 * below -2^62 (INT64_MIN included) in bucket 0 (aggs.tst.allquant). */
static int quantize_bucket(int64_t v)
{
    if (v == 0)
        return NTA_QUANT_ZERO;
    if (v > 0)
        return 64 + (63 - __builtin_clzll((uint64_t)v));
    int b = 63 - __builtin_clzll(0 - (uint64_t)v);   /* floor(log2 |v|), 63 for INT64_MIN */
    return b >= 62 ? 0 : 62 - b;
}

/* dtrace_aggregate_lquantize: the value is cut to int32 first (so 2^31 lands below the base).
 * The level is computed in 64 bits where the kernel's int32 subtraction could overflow. */
static int lquantize_bucket(const nta_agg *a, int64_t v)
{
    int32_t x = (int32_t)(uint32_t)(uint64_t)v;
    if (x < a->par.lq_low)
        return 0;
    int64_t level = ((int64_t)x - a->par.lq_low) / a->par.lq_step;
    return level < lq_levels(a) ? (int)level + 1 : lq_levels(a) + 1;
}

/* dtrace_aggregate_llquantize_bucket: below factor^low (zero and negatives too) bucket 0; in a
 * magnitude [last, limit) its base plus (v - last) / width; at or above factor^(high + 1) the
 * top bucket. */
static int llquantize_bucket(const nta_agg *a, int64_t v)
{
    int64_t last = a->llq_first;
    if (v < last)
        return 0;
    for (int k = 0; k < a->llq_orders; k++) {
        int64_t limit = a->llq_limit[k];
        if (a->llq_clamp[k])
            v = limit - 1;
        if (v < limit)
            return a->llq_base[k] + (int)((v - last) / a->llq_width[k]);
        last = limit;
    }
    return a->llq_top;
}

static void apply(const nta_agg *a, nta_aggent *e, int64_t value, int64_t incr)
{
    switch (a->par.fn) {
    case NTA_AGG_COUNT:
        e->v = wadd(e->v, 1);
        break;
    case NTA_AGG_SUM:
        e->v = wadd(e->v, value);
        break;
    case NTA_AGG_MIN:
        if (value < e->v)
            e->v = value;
        break;
    case NTA_AGG_MAX:
        if (value > e->v)
            e->v = value;
        break;
    case NTA_AGG_AVG:
        e->v = wadd(e->v, value);
        e->n = wadd(e->n, 1);
        break;
    case NTA_AGG_STDDEV: {
        /* dtrace_aggregate_stddev: the square of |value| (INT64_MIN's is 2^126) in 128 bits */
        uint64_t m = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
        u128 s = ((u128)e->sq[1] << 64 | e->sq[0]) + (u128)m * m;
        e->v = wadd(e->v, value);
        e->n = wadd(e->n, 1);
        e->sq[0] = (uint64_t)s;
        e->sq[1] = (uint64_t)(s >> 64);
        break;
    }
    case NTA_AGG_QUANTIZE: {
        int64_t *b = &e->buckets[quantize_bucket(value)];
        *b = wadd(*b, incr);
        break;
    }
    case NTA_AGG_LQUANTIZE: {
        int64_t *b = &e->buckets[lquantize_bucket(a, value)];
        *b = wadd(*b, incr);
        break;
    }
    case NTA_AGG_LLQUANTIZE: {
        int64_t *b = &e->buckets[llquantize_bucket(a, value)];
        *b = wadd(*b, incr);
        break;
    }
    }
}

/* ---- the index ---- */

static int grow_index(nta_agg *a, size_t nslots)
{
    uint32_t *s = calloc(nslots, sizeof *s);
    if (s == NULL)
        return NTA_ENOMEM;
    for (size_t i = 0; i < a->n; i++) {
        size_t j = a->ents[i].hash_ & (nslots - 1);
        while (s[j])
            j = (j + 1) & (nslots - 1);
        s[j] = (uint32_t)i + 1;
    }
    free(a->index);
    a->index = s;
    a->nslots = nslots;
    return 0;
}

/* Room for want entries: the array, and an index kept at most half full. */
static int room(nta_agg *a, size_t want)
{
    if (want > UINT32_MAX - 1)
        return NTA_ENOMEM;
    size_t ns = a->nslots;
    while (want * 2 > ns)
        ns *= 2;
    if (ns != a->nslots && grow_index(a, ns) < 0)
        return NTA_ENOMEM;
    if (want > a->cap) {
        size_t cap = a->cap ? a->cap : 16;
        while (cap < want)
            cap *= 2;
        nta_aggent *n = realloc(a->ents, cap * sizeof *n);
        if (n == NULL)
            return NTA_ENOMEM;
        a->ents = n;
        a->cap = cap;
    }
    return 0;
}

int nta_agg_reserve(nta_agg *a, size_t more)
{
    return room(a, a->n + more);
}

nta_aggent *agg_lookup(const nta_agg *a, const nta_aggkey *k, uint64_t h, size_t *slot)
{
    size_t mask = a->nslots - 1, j = h & mask;
    for (; a->index[j]; j = (j + 1) & mask) {
        nta_aggent *e = &a->ents[a->index[j] - 1];
        if (e->hash_ == h && aggkey_matches(e->key_, e->klen_, k, a->par.strsize))
            return e;
    }
    *slot = j;
    return NULL;
}

static void init_value(const nta_agg *a, nta_aggent *e)
{
    e->v = a->par.fn == NTA_AGG_MIN ? INT64_MAX : a->par.fn == NTA_AGG_MAX ? INT64_MIN : 0;
    e->n = 0;
    e->sq[0] = e->sq[1] = 0;
}

/* A new entry for key k (hash h; enc/klen: its encoding when the caller has it, else NULL).
 * The key and the buckets are taken from the pools before anything changes, so that running
 * out of memory leaves the table as it was. */
static nta_aggent *insert(nta_agg *a, const nta_aggkey *k, const uint8_t *enc, size_t klen,
                          uint64_t h)
{
    if (room(a, a->n + 1) < 0)
        return NULL;
    if (enc == NULL)
        klen = aggkey_enclen(k, a->par.strsize);
    uint8_t *kd = pool_alloc(&a->keys, klen);
    int64_t *b = NULL;
    if (kd == NULL)
        return NULL;
    if (a->nbuckets > 0) {
        b = pool_alloc(&a->dists, (size_t)a->nbuckets * sizeof *b);
        if (b == NULL)
            return NULL;   /* the key's bytes stay in the pool unused: harmless */
        memset(b, 0, (size_t)a->nbuckets * sizeof *b);
    }
    if (enc != NULL)
        memcpy(kd, enc, klen);
    else
        aggkey_encode(k, a->par.strsize, kd);
    size_t slot, mask = a->nslots - 1;
    for (slot = h & mask; a->index[slot]; slot = (slot + 1) & mask)
        ;
    nta_aggent *e = &a->ents[a->n];
    init_value(a, e);
    e->buckets = b;
    e->key_ = kd;
    e->klen_ = (uint32_t)klen;
    e->hash_ = h;
    e->fresh_ = 1;
    a->index[slot] = (uint32_t)a->n + 1;
    a->n++;
    return e;
}

const nta_aggent *nta_agg_find(const nta_agg *a, const nta_aggkey *key)
{
    if (key->bad)
        return NULL;
    size_t slot;
    return agg_lookup(a, key, aggkey_hash(key, a->par.strsize), &slot);
}

/* Whether e's key is key: for a key of one short string (an address, an interface: the
 * reports' keys) without walking the encoding. */
static inline int is_key_of(const nta_aggent *e, const nta_aggkey *key, size_t strsize)
{
    const uint8_t *q = e->key_;
    if (key->n == 1 && key->p[0].is_str && key->p[0].len < 0x80 && key->p[0].len <= strsize) {
        size_t l = key->p[0].len;
        return e->klen_ == l + 4 && q[0] == 1 && q[1] == AGGKEY_TAG_STR && q[2] == l
               && bytes_eq(q + 3, key->p[0].s, l);
    }
    return aggkey_matches(q, e->klen_, key, strsize);
}

/* The entry of key, made if new. */
static nta_aggent *entry_for(nta_agg *a, const nta_aggkey *key)
{
    if (a->last != 0) {
        nta_aggent *e = &a->ents[a->last - 1];
        if (is_key_of(e, key, a->par.strsize))
            return e;
    }
    uint64_t h = aggkey_hash(key, a->par.strsize);
    size_t slot;
    nta_aggent *e = agg_lookup(a, key, h, &slot);
    if (e == NULL)
        e = insert(a, key, NULL, 0, h);
    if (e != NULL)
        a->last = (size_t)(e - a->ents) + 1;
    return e;
}

int nta_agg_add(nta_agg *a, const nta_aggkey *key, int64_t value, int64_t incr)
{
    if (key->bad)
        return NTA_EUSAGE;
    nta_aggent *e = entry_for(a, key);
    if (e == NULL)
        return NTA_ENOMEM;
    apply(a, e, value, incr);
    return 0;
}

int nta_agg_add_str(nta_agg *a, const char *s, int64_t value, int64_t incr)
{
    if (a->last != 0) {
        /* the previous key, if it is this string: [1][0x80][len < 128][bytes][NUL]; strcmp
         * against the stored (terminated) string needs no strlen of s, and an s longer than
         * strsize, stored cut, differs and takes the long way */
        nta_aggent *e = &a->ents[a->last - 1];
        const uint8_t *q = e->key_;
        if (q[0] == 1 && q[1] == AGGKEY_TAG_STR && q[2] < 0x80 && strcmp((const char *)q + 3, s) == 0) {
            apply(a, e, value, incr);
            return 0;
        }
    }
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_strref(&k, s, strnlen(s, a->par.strsize));
    return nta_agg_add(a, &k, value, incr);
}

/* ---- values ---- */

int64_t nta_agg_value(const nta_agg *a, const nta_aggent *e)
{
    if (e == NULL)
        return 0;
    switch (a->par.fn) {
    case NTA_AGG_AVG:
        return e->n ? sdiv(e->v, e->n) : 0;
    case NTA_AGG_STDDEV:
        return (int64_t)nta_agg_stddev(e, 1);
    case NTA_AGG_QUANTIZE:
    case NTA_AGG_LQUANTIZE:
    case NTA_AGG_LLQUANTIZE:
        return 0;
    default:
        return e->v;
    }
}

uint64_t nta_agg_normal(const nta_agg *a, const nta_aggent *e)
{
    return e == NULL || e->fresh_ ? 1 : a->normal;
}

int64_t nta_agg_print_value(const nta_agg *a, const nta_aggent *e)
{
    if (e == NULL)
        return 0;
    uint64_t normal = nta_agg_normal(a, e);
    switch (a->par.fn) {
    case NTA_AGG_COUNT:
    case NTA_AGG_SUM:
    case NTA_AGG_MIN:
    case NTA_AGG_MAX:
        /* dt_print_datum: (long long)*(uint64_t *)addr / normal, an unsigned division */
        return (int64_t)((uint64_t)e->v / normal);
    case NTA_AGG_AVG:
        /* dt_print_average: data[1] / (int64_t)normal / data[0], signed */
        return e->n ? sdiv(sdiv(e->v, (int64_t)normal), e->n) : 0;
    case NTA_AGG_STDDEV:
        return (int64_t)nta_agg_stddev(e, normal);
    default:
        return 0;
    }
}

uint64_t nta_agg_printa_arg(const nta_agg *a, const nta_aggent *e)
{
    if (e == NULL)
        return 0;
    uint64_t normal = nta_agg_normal(a, e);
    switch (a->par.fn) {
    case NTA_AGG_COUNT:
        return (uint64_t)e->v / normal;   /* pfprint_uint: count is uint64_t */
    case NTA_AGG_SUM:
    case NTA_AGG_MIN:
    case NTA_AGG_MAX:
        return (uint64_t)sdiv(e->v, (int64_t)normal);   /* pfprint_sint */
    case NTA_AGG_AVG:
        /* pfprint_average reads the record as uint64_t: data[1] / normal / data[0] */
        return e->n ? (uint64_t)e->v / normal / (uint64_t)e->n : 0;
    case NTA_AGG_STDDEV:
        return nta_agg_stddev(e, normal);
    default:
        return 0;
    }
}

/* The integer square root (floor) of a 128-bit value, as dt_sqrt_128's long-hand method gives. */
static uint64_t isqrt128(u128 x)
{
    u128 res = 0, bit = (u128)1 << 126;
    while (bit > x)
        bit >>= 2;
    while (bit != 0) {
        if (x >= res + bit) {
            x -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return (uint64_t)res;
}

/* dt_stddev: avg_of_squares = sq / normal / normal / count (128-bit, truncating);
 * norm_avg = |(int64)sum / (int64)normal / (int64)count|; sqrt(avg_of_squares - norm_avg^2)
 * with the subtraction wrapping at 128 bits as dt_subtract_128's does. */
uint64_t nta_agg_stddev(const nta_aggent *e, uint64_t normal)
{
    if (e == NULL || e->n == 0)
        return 0;
    if (normal == 0)
        normal = 1;
    u128 sq = (u128)e->sq[1] << 64 | e->sq[0];
    u128 aos = sq / normal / normal / (uint64_t)e->n;
    int64_t avg = sdiv(sdiv(e->v, (int64_t)normal), e->n);
    uint64_t m = avg < 0 ? 0 - (uint64_t)avg : (uint64_t)avg;
    return isqrt128(aos - (u128)m * m);
}

/* ---- trunc, clear, normalize ---- */

static void remove_all(nta_agg *a)
{
    pool_free(&a->keys);
    pool_free(&a->dists);
    agg_drop_views(a);
    a->n = 0;
    a->last = 0;
    memset(a->index, 0, a->nslots * sizeof *a->index);
}

void nta_agg_clear(nta_agg *a)
{
    remove_all(a);
}

typedef struct trunc_ctx {
    const nta_agg *a;
    const aggval *vals;
} trunc_ctx;

static int trunc_cmp(const void *l, const void *r, void *arg)
{
    const trunc_ctx *c = arg;
    uint32_t x = *(const uint32_t *)l, y = *(const uint32_t *)r;
    int v = agg_valcmp(c->a, &c->vals[x], &c->vals[y]);
    if (v != 0)
        return v;
    return aggkey_cmp(c->a->ents[x].key_, c->a->ents[y].key_, 0);
}

/* dt_trunc walks the table valsorted (n < 0) or valrevsorted (n > 0) and removes every entry
 * after the first |n|: the survivors are the |n| smallest or largest by value then key. They
 * are copied into fresh pools (so a script truncating every second does not grow), in their
 * old order. */
int nta_agg_trunc(nta_agg *a, int64_t n)
{
    uint64_t keep = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    if (n == 0) {
        remove_all(a);
        return 0;
    }
    if (keep >= a->n)
        return 0;
    int rc = NTA_ENOMEM;
    uint32_t *order = malloc(a->n * sizeof *order);
    aggval *vals = malloc(a->n * sizeof *vals);
    uint8_t *alive = calloc(a->n, 1);
    nta_aggent *ents = malloc(a->cap * sizeof *ents);
    pool keys = { NULL }, dists = { NULL };
    if (order == NULL || vals == NULL || alive == NULL || ents == NULL)
        goto out;
    for (size_t i = 0; i < a->n; i++) {
        order[i] = (uint32_t)i;
        agg_sortval(a, &a->ents[i], &vals[i]);
    }
    trunc_ctx c = { a, vals };
    qsort_r(order, a->n, sizeof *order, trunc_cmp, &c);
    for (uint64_t i = 0; i < keep; i++)
        alive[order[n > 0 ? a->n - 1 - i : i]] = 1;
    size_t m = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (!alive[i])
            continue;
        nta_aggent e = a->ents[i];
        uint8_t *kd = pool_alloc(&keys, e.klen_);
        if (kd == NULL)
            goto out;
        memcpy(kd, e.key_, e.klen_);
        e.key_ = kd;
        if (a->nbuckets > 0) {
            int64_t *b = pool_alloc(&dists, (size_t)a->nbuckets * sizeof *b);
            if (b == NULL)
                goto out;
            memcpy(b, e.buckets, (size_t)a->nbuckets * sizeof *b);
            e.buckets = b;
        }
        ents[m++] = e;
    }
    pool_free(&a->keys);
    pool_free(&a->dists);
    a->keys = keys;
    a->dists = dists;
    keys.head = dists.head = NULL;
    free(a->ents);
    a->ents = ents;
    ents = NULL;
    a->n = m;
    a->last = 0;
    agg_drop_views(a);
    memset(a->index, 0, a->nslots * sizeof *a->index);
    for (size_t i = 0; i < a->n; i++) {
        size_t j = a->ents[i].hash_ & (a->nslots - 1);
        while (a->index[j])
            j = (j + 1) & (a->nslots - 1);
        a->index[j] = (uint32_t)i + 1;
    }
    rc = 0;
out:
    pool_free(&keys);
    pool_free(&dists);
    free(ents);
    free(order);
    free(vals);
    free(alive);
    return rc;
}

void nta_agg_zero(nta_agg *a)
{
    for (size_t i = 0; i < a->n; i++) {
        nta_aggent *e = &a->ents[i];
        e->v = e->n = 0;
        e->sq[0] = e->sq[1] = 0;
        if (e->buckets != NULL)
            memset(e->buckets, 0, (size_t)a->nbuckets * sizeof *e->buckets);
    }
}

int nta_agg_normalize(nta_agg *a, uint64_t n)
{
    if (n == 0)
        return NTA_EUSAGE;
    a->normal = n;
    for (size_t i = 0; i < a->n; i++)
        a->ents[i].fresh_ = 0;
    return 0;
}

void nta_agg_denormalize(nta_agg *a)
{
    a->normal = 1;
    for (size_t i = 0; i < a->n; i++)
        a->ents[i].fresh_ = 0;
}

/* ---- merge ---- */

static int same_params(const nta_agg *x, const nta_agg *y)
{
    const nta_aggparams *p = &x->par, *q = &y->par;
    if (p->fn != q->fn || p->strsize != q->strsize)
        return 0;
    if (p->fn == NTA_AGG_LQUANTIZE)
        return p->lq_low == q->lq_low && p->lq_step == q->lq_step && x->nbuckets == y->nbuckets;
    if (p->fn == NTA_AGG_LLQUANTIZE)
        return p->llq_factor == q->llq_factor && p->llq_low == q->llq_low
               && p->llq_high == q->llq_high && p->llq_nsteps == q->llq_nsteps;
    return 1;
}

/* dt_aggregate_snap_cpu's per-function merge (dt_aggregate_count/min/max/lquantize/
 * llquantize), with the 128-bit carry of stddev's squares kept. */
static void merge_value(const nta_agg *a, nta_aggent *e, const nta_aggent *d)
{
    switch (a->par.fn) {
    case NTA_AGG_MIN:
        if (d->v < e->v)
            e->v = d->v;
        break;
    case NTA_AGG_MAX:
        if (d->v > e->v)
            e->v = d->v;
        break;
    case NTA_AGG_STDDEV: {
        u128 s = ((u128)e->sq[1] << 64 | e->sq[0]) + ((u128)d->sq[1] << 64 | d->sq[0]);
        e->sq[0] = (uint64_t)s;
        e->sq[1] = (uint64_t)(s >> 64);
        e->n = wadd(e->n, d->n);
        e->v = wadd(e->v, d->v);
        break;
    }
    case NTA_AGG_AVG:
        e->n = wadd(e->n, d->n);
        e->v = wadd(e->v, d->v);
        break;
    case NTA_AGG_COUNT:
    case NTA_AGG_SUM:
        e->v = wadd(e->v, d->v);
        break;
    case NTA_AGG_QUANTIZE:
    case NTA_AGG_LQUANTIZE:
    case NTA_AGG_LLQUANTIZE:
        for (int i = 0; i < a->nbuckets; i++)
            e->buckets[i] = wadd(e->buckets[i], d->buckets[i]);
        break;
    }
}

int nta_agg_merge(nta_agg *dst, const nta_agg *src)
{
    if (!same_params(dst, src))
        return NTA_EUSAGE;
    if (dst == src) {
        /* merge_value reads both operands before it writes: merging an entry into itself
         * doubles it */
        for (size_t i = 0; i < dst->n; i++)
            merge_value(dst, &dst->ents[i], &dst->ents[i]);
        return 0;
    }
    nta_aggkey view;
    for (size_t i = 0; i < src->n; i++) {
        const nta_aggent *s = &src->ents[i];
        /* same strsize, so the stored key hashes and encodes alike in dst */
        aggkey_decode(s->key_, &view);
        size_t slot;
        nta_aggent *e = agg_lookup(dst, &view, s->hash_, &slot);
        if (e == NULL && (e = insert(dst, &view, s->key_, s->klen_, s->hash_)) == NULL)
            return NTA_ENOMEM;
        merge_value(dst, e, s);
    }
    return 0;
}

int nta_agg_merge_one(nta_agg *a, const nta_aggkey *key, const nta_aggent *d)
{
    if (key->bad || (a->nbuckets > 0 && d->buckets == NULL))
        return NTA_EUSAGE;
    nta_aggent *e = entry_for(a, key);
    if (e == NULL)
        return NTA_ENOMEM;
    merge_value(a, e, d);
    return 0;
}

const nta_aggent *nta_agg_entry(const nta_agg *a, size_t i)
{
    return i < a->n ? &a->ents[i] : NULL;
}

void nta_agg_key_of(const nta_agg *a, const nta_aggent *e, nta_aggkey *view)
{
    (void)a;
    aggkey_decode(e->key_, view);
}

/* ---- the older interface ---- */

nta_agg *nta_agg_new(nta_aggfn fn, int64_t low, int64_t high, int64_t step)
{
    if (fn == NTA_AGG_LLQUANTIZE || (fn == NTA_AGG_LQUANTIZE && step <= 0))
        return NULL;
    nta_aggparams p = { .fn = fn };
    if (fn == NTA_AGG_LQUANTIZE) {
        p.lq_low = low;
        p.lq_high = high;
        p.lq_step = step;
    }
    return nta_agg_create(&p, NULL);
}

void nta_agg_lq_params(const nta_agg *a, int64_t *low, int64_t *step, int *levels)
{
    *low = a->par.lq_low;
    *step = a->par.lq_step;
    *levels = a->par.fn == NTA_AGG_LQUANTIZE ? lq_levels(a) : 0;
}
