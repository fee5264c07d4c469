/* agg/agg_json.h: aggregation entries as JSON values and CSV rows, for machine outputs.
 *
 * Shapes follow DESIGN.md's machine formats: a key is an array of its components (strings,
 * and integers as their D type holds them); a distribution row is {"key":[...],"function":
 * "quantize"|"lquantize"|"llquantize","buckets":[{"value":v,"count":c},...]} listing every
 * non-zero bucket, a bucket's value being nta_agg_bucket_value's (lquantize's underflow
 * low - 1, its overflow the top boundary); numbers are raw integers, never scaled. These are
 * data, not DTrace's text: normalize() does not apply (its factor is given as "normal" when it
 * is not 1), and avg and stddev carry their count and sum beside the value. */
#ifndef NTA_AGG_AGG_JSON_H
#define NTA_AGG_AGG_JSON_H

#include <jansson.h>
#include <stdio.h>

#include "agg/agg.h"

/* The JSON object of one entry (e NULL: zero-filled). A new reference the caller owns, or
 * NULL when out of memory:
 *   count/sum/min/max {"key":[..],"function":"sum","value":v}
 *   avg               {..., "value":truncated mean,"count":n,"sum":s}
 *   stddev            {..., "value":nta_agg_stddev,"count":n,"sum":s}
 *   quantize          {..., "buckets":[...]}
 *   lquantize         {..., "low":l,"high":top,"step":s,"buckets":[...]}
 *   llquantize        {..., "factor":f,"low":lm,"high":hm,"nsteps":n,"buckets":[...]}
 * plus "normal":n after a normalize(). */
json_t *nta_json_entry(const nta_agg *a, const nta_aggkey *key, const nta_aggent *e);

/* The CSV header for entries of a with nkeys key components: "key1,...,keyN,function,value"
 * (scalars; avg and stddev add ",count,sum"), or "key1,...,keyN,function,bucket,count"
 * (distributions). 0 or NTA_EIO. */
int nta_csv_header(FILE *o, const nta_agg *a, int nkeys);
/* The CSV row(s) of one entry under that header: one row for a scalar, one per non-zero
 * bucket for a distribution. Strings are quoted when they hold a comma, a quote or a line
 * break (quotes doubled, RFC 4180). 0 or NTA_EIO. */
int nta_csv_entry(FILE *o, const nta_agg *a, const nta_aggkey *key, const nta_aggent *e);

#endif
