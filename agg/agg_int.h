/* agg/agg_int.h: the table's layout and the key encoding, shared by agg.c, agg_key.c and
 * agg_walk.c; not for callers (agg.h is the interface).
 *
 * A key is stored once, encoded, in the table's key pool:
 *   [n] then per component either
 *   [tag = size | 0x10 if unsigned] [size bytes, little-endian]          (integer)
 *   [tag = 0x80] [length, LEB128] [length bytes] [NUL]                    (string)
 * Equal keys have equal encodings, so a component-wise compare against a builder needs no
 * decoding step, and the NUL lets a decoded view point into the pool. Pools hand out memory
 * from 64 KB chunks that never move, so entry pointers into them stay valid until a trunc
 * compacts the table or it is freed. */
#ifndef NTA_AGG_AGG_INT_H
#define NTA_AGG_AGG_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agg/agg.h"

#define AGGKEY_TAG_STR 0x80u
#define AGGKEY_TAG_UNSIGNED 0x10u

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} pool_chunk;

/** Bump allocation in chunks; everything is freed at once. */
typedef struct pool {
    pool_chunk *head;
} pool;

/* size bytes aligned to 8 from the pool, or NULL (no memory). */
void *pool_alloc(pool *p, size_t size);
/* Free every chunk. */
void pool_free(pool *p);

struct nta_agg {
    nta_aggparams par;          /* strsize filled in */
    int nbuckets;               /* distributions; 0 otherwise */
    int64_t *labels;            /* distributions: nta_agg_bucket_value of every bucket */
    /* llquantize, per magnitude k (llq_low .. llq_high): the kernel's bucketing
     * (dtrace_aggregate_llquantize_bucket) precomputed */
    int llq_orders;
    int64_t llq_first;          /* factor^low: below it, bucket 0 */
    int64_t *llq_limit;         /* factor^(low + k + 1): the magnitude ends below it */
    int64_t *llq_width;         /* bucket width within the magnitude */
    int *llq_base;              /* bucket index of the magnitude's first bucket */
    uint8_t *llq_clamp;         /* factor x limit overflows int64: values clamp into k */
    int llq_top;                /* the overflow bucket */
    nta_aggent *ents;           /* entries, insertion order (compacted by trunc) */
    size_t n, cap;
    uint32_t *index;            /* open addressing: entry index + 1, 0 empty */
    size_t nslots;
    size_t last;                /* entry index + 1 of the last add, 0 none: a run of events
                                   under one key (one interface, one peer) skips hashing */
    pool keys;                  /* encoded keys */
    pool dists;                 /* bucket arrays */
    uint64_t normal;            /* the last normalize() factor (1 when none) */
    unsigned char *views;       /* nta_agg_sorted's key views of the entries, or NULL */
    size_t nviews;              /* entries they describe; stale when != n */
};

/* x[0..n) == y[0..n), by 8-byte words (the last one overlapping) where n allows: the keys
 * compared on every event are address texts of 7 to 39 bytes, for which a call to memcmp
 * costs more than the comparison. */
static inline int bytes_eq(const void *x, const void *y, size_t n)
{
    const unsigned char *a = x, *b = y;
    if (n >= 8) {
        uint64_t u, v;
        for (size_t i = 0; i + 8 <= n; i += 8) {
            memcpy(&u, a + i, 8);
            memcpy(&v, b + i, 8);
            if (u != v)
                return 0;
        }
        memcpy(&u, a + n - 8, 8);
        memcpy(&v, b + n - 8, 8);
        return u == v;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* ---- agg_key.c ---- */
/* Hash of a key as a table with this strsize stores it. */
uint64_t aggkey_hash(const nta_aggkey *k, size_t strsize);
/* Bytes of its encoding. */
size_t aggkey_enclen(const nta_aggkey *k, size_t strsize);
/* Encode into out (aggkey_enclen bytes). */
void aggkey_encode(const nta_aggkey *k, size_t strsize, uint8_t *out);
/* 1 when the encoding enc (len bytes) is the key k as this table stores it. */
int aggkey_matches(const uint8_t *enc, uint32_t len, const nta_aggkey *k, size_t strsize);
/* Decode into a view (n and p[]; strings point into enc). */
void aggkey_decode(const uint8_t *enc, nta_aggkey *view);
/* DTrace's key order (dt_aggregate_keycmp): fewer components first, then component by
 * component from keypos on (wrapping), integers unsigned of their size, strings bytewise.
 * keypos out of range means 0. */
int aggkey_cmp(const uint8_t *x, const uint8_t *y, int keypos);

/* ---- agg.c ---- */
/* The entry of key k in a (hash h), or NULL; *slot gets the free slot where it would go. */
nta_aggent *agg_lookup(const nta_agg *a, const nta_aggkey *k, uint64_t h, size_t *slot);
/* The views of nta_agg_sorted are stale: drop them. */
void agg_drop_views(nta_agg *a);

/* ---- agg_walk.c ---- */
/** What the sort compares for one entry of one table (dt_aggregate_valcmp), precomputed. */
typedef struct aggval {
    long double sum;    /* distributions: sum of weight x count */
    int64_t i;          /* scalars: the value; distributions: the count at zero */
    uint64_t u;         /* stddev */
} aggval;
void agg_sortval(const nta_agg *a, const nta_aggent *e, aggval *out);
int agg_valcmp(const nta_agg *a, const aggval *x, const aggval *y);

#endif
