/* agg/agg.h: DTrace aggregations: count, sum, min, max, avg, quantize, lquantize over tuple keys.
 *
 * Follows shared/reference/dtrace-providers.md section 5 (after libdtrace's dt_aggregate.c):
 * quantize has 127 power-of-two buckets around 0; lquantize has levels = (high-low)/step plus
 * an underflow and an overflow bucket, values truncated to int32 first. nta_agg_sorted()
 * gives DTrace's exit order: by value (per function), ties by key (integers unsigned of their
 * size, strings bytewise). Entries are allocated when a key is first seen, never per add. */
#ifndef NTA_AGG_AGG_H
#define NTA_AGG_AGG_H

#include <stddef.h>
#include <stdint.h>

typedef enum nta_aggfn {
    NTA_AGG_COUNT, NTA_AGG_SUM, NTA_AGG_MIN, NTA_AGG_MAX, NTA_AGG_AVG, NTA_AGG_QUANTIZE,
    NTA_AGG_LQUANTIZE,
} nta_aggfn;

#define NTA_AGG_MAXKEY 6
#define NTA_AGG_STRMAX 64
#define NTA_QUANT_BUCKETS 127
#define NTA_QUANT_ZERO 63

typedef struct nta_aggkey_part {
    uint8_t is_str;
    uint8_t size;                  /**< integer width in bytes (1, 2, 4, 8): prints and sorts so */
    uint8_t is_unsigned;           /**< an unsigned D type (uint16_t ports): never negative */
    int64_t i;
    char s[NTA_AGG_STRMAX];
} nta_aggkey_part;

typedef struct nta_aggkey {
    uint8_t n;
    nta_aggkey_part p[NTA_AGG_MAXKEY];
} nta_aggkey;

typedef struct nta_aggent {
    nta_aggkey key;
    int64_t v;                     /**< count, sum, min, max; avg: the sum */
    int64_t n;                     /**< avg: number of values */
    int64_t *buckets;              /**< quantize/lquantize counts */
    uint64_t hash;                 /**< of key, compared before the key itself */
} nta_aggent;

typedef struct nta_agg nta_agg;

/* low/high/step only for lquantize (levels = (high-low)/step, 1..65535). NULL on bad
 * parameters or no memory. */
nta_agg *nta_agg_new(nta_aggfn fn, int64_t low, int64_t high, int64_t step);
void nta_agg_free(nta_agg *a);

/* Room for `more` new keys at once (an aggregation filled from a table of known size grows
 * once instead of doubling and rehashing). 0 or NTA_ENOMEM. */
int nta_agg_reserve(nta_agg *a, size_t more);

/* Aggregate value under key (incr: quantize/lquantize weight, else ignored). 0 or NTA_ENOMEM. */
int nta_agg_add(nta_agg *a, const nta_aggkey *key, int64_t value, int64_t incr);

/* The same for a key of one string (e.g. an interface name); when it is the key of the
 * previous add, no key is built. */
int nta_agg_add_str(nta_agg *a, const char *s, int64_t value, int64_t incr);

/* Remove every entry (DTrace's trunc(@)). */
void nta_agg_clear(nta_agg *a);

nta_aggfn nta_agg_fn(const nta_agg *a);
size_t nta_agg_count(const nta_agg *a);
const nta_aggent *nta_agg_find(const nta_agg *a, const nta_aggkey *key);

/* lquantize layout: levels, low, step. */
void nta_agg_lq_params(const nta_agg *a, int64_t *low, int64_t *step, int *levels);
/* Number of buckets of a distribution entry (127 or levels + 2). */
int nta_agg_nbuckets(const nta_agg *a);
/* Value label of bucket i of a quantize, or of an lquantize (underflow/overflow: low-1 / top). */
int64_t nta_agg_bucket_value(const nta_agg *a, int i);

/* The value DTrace sorts by and prints for scalar functions (avg: truncated mean). */
int64_t nta_agg_value(const nta_agg *a, const nta_aggent *e);

/* Entries in DTrace's order (value then key; several aggregations: by each value in turn,
 * then key, over the union of keys). Fills out[] with up to cap entry pointers of aggs[0]
 * (or of the first aggregation holding the key) and returns how many; keys missing from an
 * aggregation read as 0 there. The pointers stay valid until the next add. */
size_t nta_agg_sorted(nta_agg *const *aggs, int naggs, const nta_aggkey **out, size_t cap);
/* The same, also giving each key's entry in every aggregation (NULL where it has none):
 * ents[k * naggs + i] for out[k] in aggs[i]; ents has room for cap * naggs. */
size_t nta_agg_sorted_ents(nta_agg *const *aggs, int naggs, const nta_aggkey **out,
                           const nta_aggent **ents, size_t cap);

/* Total number of distinct keys over several aggregations. */
size_t nta_agg_union_count(nta_agg *const *aggs, int naggs);

/* Key builders. */
void nta_aggkey_init(nta_aggkey *k);
void nta_aggkey_str(nta_aggkey *k, const char *s);
void nta_aggkey_int(nta_aggkey *k, int64_t v, int size);
void nta_aggkey_uint(nta_aggkey *k, uint64_t v, int size);

#endif
