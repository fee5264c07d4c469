/* agg/agg.h: DTrace's aggregations: tables of tuple keys and the values of one aggregating
 * function (count, sum, min, max, avg, stddev, quantize, lquantize, llquantize).
 *
 * Follows shared/reference/dtrace-providers.md section 5 and the libdtrace sources it cites
 * (dt_aggregate.c for the orders, dt_consume.c for the arithmetic at print time, the kernel's
 * dtrace.c dtrace_aggregate_* for the accumulators); d-language.md 3.4-3.7 for D's rules.
 * llquantize follows FreeBSD/illumos (no negative buckets, underflow row "< factor^low"), not
 * dtrace-utils 2.x.
 *
 * A table (nta_agg) owns its entries, their keys (encoded compactly in an arena, so a 4-tuple
 * costs tens of bytes, not 16 x 256) and their buckets. Memory is allocated when a key is first
 * seen, never for an add to an existing key. Tables are not thread-safe; nothing here has global
 * state. Sorting passes its context to qsort_r (no globals, unlike dt_aggregate.c).
 *
 * Contents:
 *   1. keys: nta_aggkey, a stack builder (and the read-only view the walks hand out)
 *   2. tables: parameters, create/free, add, find
 *   3. values as DTrace computes them (sort value, print value, printa argument, stddev)
 *   4. walks in DTrace's orders (aggsortkey, aggsortkeypos, aggsortpos, aggsortrev)
 *   5. trunc(), clear(), normalize(), denormalize()
 *   6. exact merge of two tables (DTrace's per-CPU merge), and entry access for serializers
 *   7. the older interface (nta_agg_new, nta_agg_sorted, ...), kept for reports/ */
#ifndef NTA_AGG_AGG_H
#define NTA_AGG_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Values are pinned: the first seven are the older interface's. */
typedef enum nta_aggfn {
    NTA_AGG_COUNT, NTA_AGG_SUM, NTA_AGG_MIN, NTA_AGG_MAX, NTA_AGG_AVG, NTA_AGG_QUANTIZE,
    NTA_AGG_LQUANTIZE, NTA_AGG_STDDEV, NTA_AGG_LLQUANTIZE,
} nta_aggfn;

/* Components of one key. DTrace has no fixed limit for aggregation keys (each component is a
 * record of its own; associative arrays stop at 8, DIF_DTR_NREGS): 16 covers every script
 * seen (the widest network script keys on 5). */
#define NTA_AGG_MAXKEY 16
/* DTrace's default strsize: a string key keeps up to strsize bytes (a D string in a variable is
 * at most strsize - 1 bytes long; the kernel's dtrace_store_by_ref copies up to the record's
 * strsize bytes, so a longer literal keeps strsize bytes, unterminated, and prints them all). */
#define NTA_AGG_STRSIZE 256
/* Older name of the string limit (it was 64, cutting keys at 63 bytes). */
#define NTA_AGG_STRMAX NTA_AGG_STRSIZE
/* quantize: 127 buckets, -2^62 .. -1, 0, 1 .. 2^62 (zero at 63) */
#define NTA_QUANT_BUCKETS 127
#define NTA_QUANT_ZERO 63

/* ---- 1. keys ---------------------------------------------------------------------------- */

/** One component of a key. Read-only for callers. */
typedef struct nta_aggkey_part {
    const char *s;        /**< string: its len bytes, then a NUL (in keys from a table and in
                               copies; a string added by reference may go on past len); NULL
                               for an integer */
    int64_t i;            /**< integer: the value as its D type holds it (sign-extended from
                               size bytes, or zero-extended when is_unsigned); 0 for a string */
    uint32_t len;         /**< string: length in bytes (no NUL inside) */
    uint8_t is_str;
    uint8_t size;         /**< integer width in bytes: 1, 2, 4 or 8 (decides how it prints) */
    uint8_t is_unsigned;  /**< an unsigned D type: printa's %d prints it unsigned */
} nta_aggkey_part;

/* Room for copied strings: every component a copy of NTA_AGG_STRSIZE bytes and its NUL. */
#define NTA_AGGKEY_BUF (NTA_AGG_MAXKEY * (NTA_AGG_STRSIZE + 1))

/** A key: built on the caller's stack with the nta_aggkey_* functions below and passed to add
 * and find; also the read-only view the walks hand to callbacks (then its strings point into
 * the table). About 4.5 KB: declare it once per call site, never per component.
 *
 * Notes:
 *  1. The parts may point into the key's own buffer: copy a key only with nta_aggkey_copy,
 *     never by assignment.
 *  2. Builders never fail; a key that overflowed (more than NTA_AGG_MAXKEY components) is
 *     refused by add and find (NTA_EUSAGE, NULL). */
typedef struct nta_aggkey {
    uint8_t n;                            /**< number of components */
    uint8_t bad;                          /**< private: more than NTA_AGG_MAXKEY were added */
    uint16_t used;                        /**< private: bytes of buf in use */
    nta_aggkey_part p[NTA_AGG_MAXKEY];    /**< the components, in order */
    char buf[NTA_AGGKEY_BUF];             /**< private: copies made by nta_aggkey_str */
} nta_aggkey;

/* An empty key (the key of `@a = count()`). Only the count is set: the rest is written as
 * components are added (clearing 4 KB per event would show in profiles). */
void nta_aggkey_init(nta_aggkey *k);
/* Append a string, copied (at most NTA_AGG_STRSIZE bytes are kept; a table with a larger
 * strsize needs nta_aggkey_strref). */
void nta_aggkey_str(nta_aggkey *k, const char *s);
/* Append len bytes of s (cut at a NUL), copied; at most NTA_AGG_STRSIZE bytes are kept. */
void nta_aggkey_strn(nta_aggkey *k, const char *s, size_t len);
/* Append a string by reference: nothing is copied, so s[0..len) must stay valid and unchanged
 * as long as the key is used (the D runtime's strings live for the probe firing). The string
 * ends at len or at a NUL before it; a table keeps at most its strsize bytes of it. */
void nta_aggkey_strref(nta_aggkey *k, const char *s, size_t len);
/* Append an integer of a signed D type of size bytes (1, 2, 4, 8; anything else is taken as
 * 8): v is cut to size bytes and sign-extended, as the D type holds it. */
void nta_aggkey_int(nta_aggkey *k, int64_t v, int size);
/* The same for an unsigned D type (zero-extended). */
void nta_aggkey_uint(nta_aggkey *k, uint64_t v, int size);
/* *dst = *src with dst's parts pointing at dst's own copies (or at what src referenced). */
void nta_aggkey_copy(nta_aggkey *dst, const nta_aggkey *src);

/* ---- 2. tables ---------------------------------------------------------------------------- */

/** What an aggregating function is, as D's arguments give it. Zero-initialise, set fn and the
 * parameters of that function. */
typedef struct nta_aggparams {
    nta_aggfn fn;
    int64_t lq_low, lq_high, lq_step;   /**< lquantize(v, low, high[, step]): D passes step 1
                                             when the script gives none */
    int64_t llq_factor, llq_low, llq_high, llq_nsteps;  /**< llquantize(v, factor, low, high,
                                                             nsteps): magnitudes, not values */
    size_t strsize;                     /**< string keys keep this many bytes; 0 means 256 */
} nta_aggparams;

typedef struct nta_agg nta_agg;

/* Check parameters as DTrace's compiler does (dt_cc.c dt_compile_agg). Returns 0, or
 * NTA_EUSAGE with DTrace's message in err, prefixed by its tag in brackets: "[D_LQUANT_STEPVAL]
 * lquantize( ) argument #3 must be a 16-bit quantity". err may be NULL. */
int nta_agg_check(const nta_aggparams *par, nta_err *err);

/* A new empty table. NULL on bad parameters (err as nta_agg_check) or no memory (NTA_ENOMEM).
 * The caller owns it: nta_agg_free. */
nta_agg *nta_agg_create(const nta_aggparams *par, nta_err *err);
/* Free a table and everything it owns; NULL does nothing. */
void nta_agg_free(nta_agg *a);

/* The parameters the table was made with (strsize filled in). Valid while a lives. */
const nta_aggparams *nta_agg_params(const nta_agg *a);
nta_aggfn nta_agg_fn(const nta_agg *a);
/* Number of keys. */
size_t nta_agg_count(const nta_agg *a);

/* Room for `more` new keys at once (a table filled from one of known size grows once instead
 * of doubling and rehashing). 0 or NTA_ENOMEM. */
int nta_agg_reserve(nta_agg *a, size_t more);

/* Aggregate value under key: count ignores value; incr is the weight of quantize, lquantize
 * and llquantize (D's optional last argument, 1 by default) and is ignored by the others.
 * 0, NTA_ENOMEM (the table is unchanged), or NTA_EUSAGE (an overflowed key). Allocates only for
 * a key not seen before; entry pointers from find or a walk stay valid until an add of a new
 * key, a trunc or a free. Arithmetic wraps at 64 bits as DTrace's does. */
int nta_agg_add(nta_agg *a, const nta_aggkey *key, int64_t value, int64_t incr);
/* The same for a key of one string (an interface name): when it is the key of the previous
 * add, no key is built or hashed. */
int nta_agg_add_str(nta_agg *a, const char *s, int64_t value, int64_t incr);

/** An entry: one key's accumulators. The named value fields are public and read-only (a
 * serializer reads them; nta_agg_merge_one writes them back); the rest is private. */
typedef struct nta_aggent {
    int64_t v;            /**< count, sum, min, max; avg and stddev: the sum of the values */
    int64_t n;            /**< avg, stddev: how many values */
    uint64_t sq[2];       /**< stddev: sum of the squares of |value|, 128 bits (low, high) */
    int64_t *buckets;     /**< quantize, lquantize, llquantize: nta_agg_nbuckets() counts,
                               bucket order; NULL for the others */
    const uint8_t *key_;  /**< private: the encoded key, in the table's arena */
    uint64_t hash_;       /**< private */
    uint32_t klen_;       /**< private: encoded length */
    uint8_t fresh_;       /**< private: created after the last (de)normalize: normal 1 */
} nta_aggent;

/* The entry of key, or NULL (none, or an overflowed key). Valid as add says. */
const nta_aggent *nta_agg_find(const nta_agg *a, const nta_aggkey *key);

/* Buckets of a distribution entry: 127 (quantize), levels + 2 (lquantize), or one underflow,
 * the buckets of each magnitude, one overflow (llquantize); 0 for other functions. */
int nta_agg_nbuckets(const nta_agg *a);
/* The value of bucket i: quantize -2^62 .. 2^62; lquantize's underflow low - 1, its overflow
 * low + levels * step; llquantize's underflow factor^low - 1, its overflow factor^(high + 1).
 * These are also the weights DTrace sorts distributions by, except that lquantize's overflow
 * weighs low + levels * step + 1 (dt_aggregate_lquantizedsum). */
int64_t nta_agg_bucket_value(const nta_agg *a, int i);
/* The label bucket i prints with ("1024", "< 0", ">= 1500"), NUL-terminated in buf (24 bytes
 * are always enough). Returns buf. */
char *nta_agg_bucket_label(const nta_agg *a, int i, char *buf, size_t cap);

/* ---- 3. values ----------------------------------------------------------------------------- */

/* The value DTrace sorts scalar functions by (dt_aggregate_valcmp), unnormalised: count, sum,
 * min, max as they are; avg the truncated mean (0 for no values); stddev as nta_agg_stddev with
 * normal 1; 0 for distributions (they sort by nta_agg_walk's rules). NULL reads as 0. */
int64_t nta_agg_value(const nta_agg *a, const nta_aggent *e);
/* The normalisation factor of an entry: the table's last normalize() factor for entries that
 * existed then, 1 for entries made since and for NULL (dt_aggregate.c gives new entries 1). */
uint64_t nta_agg_normal(const nta_agg *a, const nta_aggent *e);
/* What the default layout prints (dt_print_datum, exit and printa(@a)), normalised:
 * count/sum/min/max (uint64)v / normal as int64 (DTrace divides unsigned, so a negative sum
 * under normalize() prints huge); avg v / (int64)normal / n; stddev's uint64 bits. */
int64_t nta_agg_print_value(const nta_agg *a, const nta_aggent *e);
/* The 64 bits printa's %@ conversion receives (dt_printf.c pfprint_*): count (uint64)v /
 * normal; sum/min/max (int64)v / (int64)normal; avg (uint64)v / normal / n, unsigned as in
 * pfprint_average; stddev nta_agg_stddev. The conversion's signedness is D's: count is
 * uint64_t, the others int64_t. Distributions have no scalar: 0. */
uint64_t nta_agg_printa_arg(const nta_agg *a, const nta_aggent *e);
/* dt_stddev: the integer standard deviation of a stddev entry, sqrt(sq / normal^2 / n -
 * (|v / normal / n|)^2) in DTrace's truncating 128-bit steps; 0 when n is 0 or e NULL. */
uint64_t nta_agg_stddev(const nta_aggent *e, uint64_t normal);

/* ---- 4. walks ------------------------------------------------------------------------------- */

/* The sort orders of one table. Values compare per function as dt_aggregate_valcmp does
 * (count/sum/min/max signed, avg its truncated mean, stddev its deviation, quantize by the sum
 * of bucket value x count then the zero bucket's count, lquantize/llquantize likewise with the
 * underflow and overflow weights of nta_agg_bucket_value); keys compare component by
 * component (integers as unsigned of their size, strings bytewise), fewer components first. */
typedef enum nta_aggorder {
    NTA_ORDER_VAL_KEY,      /**< value, then key: DTrace's default */
    NTA_ORDER_KEY_VAL,      /**< key (then value): aggsortkey */
    NTA_ORDER_VAL_KEY_REV,  /**< the reverse of VAL_KEY (largest first): trunc(@a, n > 0) */
    NTA_ORDER_KEY_VAL_REV,  /**< the reverse of KEY_VAL */
    NTA_ORDER_NONE,         /**< the table's own order (insertion; no sort, no allocation) */
} nta_aggorder;

/** DTrace's sorting options (#pragma D option / -x / setopt), as dt_aggregate_qsort reads
 * them. Zero-initialised is the default order. */
typedef struct nta_aggsort {
    uint8_t bykey;   /**< aggsortkey: keys first, then values */
    uint8_t rev;     /**< aggsortrev: the whole order reversed (ties too) */
    int keypos;      /**< aggsortkeypos: the key component compared first (the others follow,
                          wrapping around); out of range means 0 */
    int pos;         /**< aggsortpos: with several tables, whose value sorts first (the others
                          follow, wrapping around); out of range means 0 */
} nta_aggsort;

/* Called once per key. ents[i] is the key's entry in the i-th walked table, NULL where that
 * table lacks the key (DTrace prints it as zero-filled data). key and ents are valid during
 * the call only; the callback must not add to, trunc, clear or free the walked tables. Return
 * 0 to go on; anything else stops the walk, which returns it. */
typedef int nta_agg_walk_fn(const nta_aggkey *key, const nta_aggent *const *ents, int naggs,
                            void *ctx);

/* Every key of a in order (naggs = 1 in the callback). Returns 0, the callback's nonzero value,
 * or NTA_ENOMEM (sorting needs a row array; nothing was called). */
int nta_agg_walk(const nta_agg *a, nta_aggorder order, nta_agg_walk_fn *fn, void *ctx);

/* The union of the keys of several tables, as printa(fmt, @a, @b, ...) walks them
 * (dtrace_aggregate_walk_joined): by the values of aggs[pos], aggs[pos + 1], ... (wrapping),
 * then the key; with bykey, by key then those values; rev reverses it all. With naggs = 1 this
 * is also printa(@a)'s and the exit's order for one aggregation (dt_aggregate_varvalcmp), and
 * pos is unused. A table may appear twice. sort NULL is the default. Returns as nta_agg_walk
 * (NTA_EUSAGE for naggs < 1). */
int nta_agg_walk_joined(nta_agg *const *aggs, int naggs, const nta_aggsort *sort,
                        nta_agg_walk_fn *fn, void *ctx);

/* The key of an entry of a, decoded into view (its strings point into a's arena: valid until
 * a's next trunc or free). For serializers and for callers holding an entry. */
void nta_agg_key_of(const nta_agg *a, const nta_aggent *e, nta_aggkey *view);

/* ---- 5. trunc, clear, normalize -------------------------------------------------------------- */

/* trunc(@a, n) (dt_consume.c dt_trunc): n > 0 keeps the n entries with the largest values
 * (NTA_ORDER_VAL_KEY_REV, ignoring the aggsort options), n < 0 the |n| smallest
 * (NTA_ORDER_VAL_KEY), n = 0 removes every key, as trunc(@a) does. Entry and key pointers are
 * invalid afterwards. 0 or NTA_ENOMEM (the table is unchanged). */
int nta_agg_trunc(nta_agg *a, int64_t n);
/* clear(@a) (DTRACE_AGGWALK_CLEAR): every value becomes zero and the keys stay, so they still
 * print (0, or a distribution with no counts). Note min and max become 0 as well, so later
 * values compare with 0, as in DTrace. lquantize and llquantize keep their parameters (DTrace
 * zeroes llquantize's too and then fails to print it; nta prints it empty). */
void nta_agg_zero(nta_agg *a);
/* normalize(@a, n): every present entry prints divided by n (nta_agg_normal); entries made
 * later print undivided, as in DTrace. 0, or NTA_EUSAGE for n = 0. */
int nta_agg_normalize(nta_agg *a, uint64_t n);
/* denormalize(@a): present entries print undivided again. */
void nta_agg_denormalize(nta_agg *a);

/* ---- 6. merge and entry access -------------------------------------------------------------- */

/* Merge src into dst exactly, as libdtrace merges per-CPU buffers (dt_aggregate_snap_cpu):
 * count and sum add, min and max keep the extreme, avg adds sum and count, stddev adds count,
 * sum and its 128-bit square sum (with the carry, which dt_aggregate_count drops), the
 * distributions add bucket by bucket. Keys new to dst are copied. Merging the tables of the two
 * halves of any input gives the table of the whole (entries, values and every rendering).
 * Normalisation is print state, not data: dst keeps its own, and its new keys print undivided.
 * 0, NTA_EUSAGE (function, parameters or strsize differ: nothing changed) or NTA_ENOMEM (dst
 * may hold part of src). dst may be src (every value doubles, min and max stay). */
int nta_agg_merge(nta_agg *dst, const nta_agg *src);
/* Merge one key's accumulators (the public fields of d: v, n, sq, buckets with
 * nta_agg_nbuckets counts) into a, as nta_agg_merge does: what a deserializer calls per entry.
 * 0, NTA_ENOMEM or NTA_EUSAGE (an overflowed key; buckets NULL for a distribution). */
int nta_agg_merge_one(nta_agg *a, const nta_aggkey *key, const nta_aggent *d);
/* The i-th entry in the table's own order (insertion, compacted by trunc), i < nta_agg_count.
 * With nta_agg_key_of and nta_agg_params, everything a serializer needs. */
const nta_aggent *nta_agg_entry(const nta_agg *a, size_t i);

/* ---- 7. the older interface (reports/ and cli/ use it; new code uses the above) ------------ */

/* nta_agg_create with fn and, for lquantize, low/high/step (levels = (high-low)/step,
 * 1..65535). Cannot make llquantize (NULL). NULL on bad parameters or no memory. */
nta_agg *nta_agg_new(nta_aggfn fn, int64_t low, int64_t high, int64_t step);
/* Remove every entry: trunc(@a), the same as nta_agg_trunc(a, 0). (DTrace's clear() is
 * nta_agg_zero.) */
void nta_agg_clear(nta_agg *a);
/* lquantize layout: low, step, levels. */
void nta_agg_lq_params(const nta_agg *a, int64_t *low, int64_t *step, int *levels);

/* Keys in DTrace's order (value then key; several aggregations: by each value in turn, then
 * key, over the union of keys). Fills out[] with up to cap keys and returns how many (0 when
 * short of memory); keys missing from an aggregation read as 0 there. The keys are views kept
 * by the table each comes from: valid until that table's next add of a new key, trunc, clear,
 * zero or free. New code: nta_agg_walk_joined. */
size_t nta_agg_sorted(nta_agg *const *aggs, int naggs, const nta_aggkey **out, size_t cap);
/* The same, also giving each key's entry in every aggregation (NULL where it has none):
 * ents[k * naggs + i] for out[k] in aggs[i]; ents has room for cap * naggs. */
size_t nta_agg_sorted_ents(nta_agg *const *aggs, int naggs, const nta_aggkey **out,
                           const nta_aggent **ents, size_t cap);
/* Total number of distinct keys over several aggregations. */
size_t nta_agg_union_count(nta_agg *const *aggs, int naggs);

#endif
