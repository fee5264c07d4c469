/* agg/agg_text.h: aggregations as dtrace(1) prints them, to the byte.
 *
 * shared/reference/dtrace-providers.md sections 5.1-5.5 and libdtrace dt_consume.c (the
 * default layout: dt_print_aggs, dt_print_datum, dt_print_bytes, dt_print_quantize,
 * dt_print_lquantize, dt_print_llquantize with FreeBSD's labels, dt_print_quantline) and
 * dt_printf.c (printa with a format). The Distribution table has one renderer,
 * nta_text_dist, which dtext/agg_read.c uses too for the tables it reads back. Every write is
 * checked: functions return 0, NTA_EIO (a write failed) or NTA_ENOMEM (a sort needs memory). */
#ifndef NTA_AGG_AGG_TEXT_H
#define NTA_AGG_AGG_TEXT_H

#include <stdint.h>
#include <stdio.h>

#include "agg/agg.h"

/* What dtrace prints at exit for these aggregations, in declaration order: each entry's key
 * fields, then its value, then "\n" (no blank line between aggregations), each aggregation in
 * DTrace's default order. The caller prints the single "\n" dtrace writes before the
 * aggregations and passes only those no printa() printed. */
int nta_text_print_aggs(FILE *o, nta_agg *const *aggs, int naggs);
/* The same under the aggsort options (sort NULL: default). aggsortrev also reverses the order
 * of the aggregations, as dt_aggregate_varvalrevcmp compares the variable first. */
int nta_text_print_aggs_sorted(FILE *o, nta_agg *const *aggs, int naggs,
                               const nta_aggsort *sort);

/* printa(fmt, @a, @b, ...): fmt applied to every key of the union in DTrace's default order.
 * Conversions without '@' (%s %d %i %u %c %x %X %o, with flags - + space # 0, width and
 * precision, '*' and '.*' taking the next key component as in dt_printf_format) take the key
 * components in order, printed by their D type (1-, 2-, 4-byte values with C's int
 * conversions, 8-byte ones with ll); %@ conversions take the aggregations' values in order (the
 * last repeats), %@ of a distribution prints its table there ("\n" first, width ignored).
 * Components the format does not reach are not printed. */
int nta_text_printa(FILE *o, const char *fmt, nta_agg *const *aggs, int naggs);
/* The same under the aggsort options; fmt NULL is printa(@a, ...) without a format: "\n",
 * then per key its default key fields, the default value of each aggregation, "\n". */
int nta_text_printa_sorted(FILE *o, const char *fmt, nta_agg *const *aggs, int naggs,
                           const nta_aggsort *sort);

/* The default layout of a key's components (dt_print_datum): 1-byte integers " %3d" and
 * 2-byte ones " %5d" of their unsigned value ((short)-2 prints 65534), 4-byte " %8d" (so a
 * uint32 >= 2^31 prints negative), 8-byte " %16lld", strings "  %-50s", or a hex dump of the
 * table's strsize bytes when the string is empty or holds a byte that is not printable
 * (dt_print_bytes). a gives the strsize. */
int nta_text_key(FILE *o, const nta_agg *a, const nta_aggkey *key);
/* The default layout of an entry's value (e NULL: zero-filled): " %16lld" for count, sum, min,
 * max and avg, " %16llu" for stddev, "\n" and the Distribution table for the others; all
 * normalised as nta_agg_print_value says. */
int nta_text_value(FILE *o, const nta_agg *a, const nta_aggent *e);

/** One printed row of a Distribution table. */
typedef struct nta_distrow {
    const char *label;   /**< as printed, right-aligned in 16: "1024", "< 0", ">= 1500" */
    int64_t count;       /**< the bucket's count, before normalisation */
} nta_distrow;

/* The Distribution table (dt_print_quantize and friends after their row selection): the header
 * line "           value  ------------- Distribution ------------- count    " and one row per
 * element: label, a 40-column bar ('|' then '@'s for counts of one sign; split in two halves of
 * 20 around the '|' when both signs occur), and the count divided by normal as DTrace divides
 * it. Bars are round(|count| x 40 / total) over these rows. No leading "\n". */
int nta_text_dist(FILE *o, const nta_distrow *rows, size_t n, uint64_t normal);

#endif
