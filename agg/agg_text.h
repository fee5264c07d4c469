/* agg/agg_text.h: aggregations as dtrace(1) prints them, to the character.
 *
 * shared/reference/dtrace-providers.md sections 5.1-5.5 (libdtrace dt_consume.c/dt_printf.c):
 * exit-time printing of each aggregation, quantize/lquantize tables, and printa() with a
 * format. Every write is checked; functions return 0 or NTA_EIO. */
#ifndef NTA_AGG_AGG_TEXT_H
#define NTA_AGG_AGG_TEXT_H

#include <stdio.h>

#include "agg/agg.h"

/* What dtrace prints at exit for these aggregations, in declaration order: each entry's key
 * fields, then its value, then "\n" (no blank line between aggregations). The caller prints
 * the single "\n" dtrace writes before the aggregations. */
int nta_text_print_aggs(FILE *o, nta_agg *const *aggs, int naggs);

/* printa(fmt, @a, @b, ...): fmt applied to every key of the union in DTrace's order. Key
 * conversions (%s %d %u %i %c %x, with flags, width and precision) take the key components in
 * order; %@ conversions take the aggregations' values in order (the last repeats). */
int nta_text_printa(FILE *o, const char *fmt, nta_agg *const *aggs, int naggs);

#endif
