/* dtext/agg_read.h: aggregations as dtrace printed them, read back for `nta convert`.
 *
 * A printed output is a sequence of blocks: histograms (quantize, lquantize, llquantize: the
 * "value ---- Distribution ---- count" tables, with the key line above them), value rows (keys
 * then one or more integers, as dtrace prints aggregations at exit or printa tables such as the
 * article's Examples 7, 8 and 9), and other text (printf output, headers), kept verbatim.
 * Histograms are rendered back from their counts with DTrace's rules (bars, the split layout
 * for negative counts), so reading then rendering reproduces dtrace's text: the conformance
 * test checks this on the real outputs of shared/conformance/dtrace. The article's typeset
 * sample (tabs, "value Distribution count") is read too, for conversion only. */
#ifndef NTA_DTEXT_AGG_READ_H
#define NTA_DTEXT_AGG_READ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

typedef enum nta_ablock_kind { NTA_AB_TEXT, NTA_AB_HIST, NTA_AB_ROW } nta_ablock_kind;

typedef struct nta_abucket {
    char label[24];       /**< as printed: "1024", "< 0", ">= 1500" */
    int64_t count;
} nta_abucket;

typedef struct nta_ablock {
    nta_ablock_kind kind;
    char *text;           /**< TEXT: the line; HIST: the key line or NULL; ROW: the line */
    /* ROW: the key words and the trailing integers */
    char **keys;
    size_t nkeys;
    int64_t *values;
    size_t nvalues;
    const char *const *columns;   /**< ROW under a known article header: column names */
    /* HIST */
    nta_abucket *buckets;
    size_t nbuckets;
    int typeset;          /**< the article's tab-separated sample: not renderable */
} nta_ablock;

typedef struct nta_aggdoc {
    nta_ablock *b;
    size_t n, cap;
    size_t nhist, nrows;  /**< how many aggregation blocks were found */
} nta_aggdoc;

/* Parse text (len bytes). Returns 0, or NTA_ENOMEM / NTA_EFORMAT (a histogram that breaks off,
 * err says where by line). */
int nta_aggdoc_parse(nta_aggdoc *d, const char *text, size_t len, nta_err *err);
void nta_aggdoc_free(nta_aggdoc *d);

/* DTrace's text again. Returns 0 or -1 when writing failed. */
int nta_aggdoc_render(const nta_aggdoc *d, FILE *o);
/* {"schema_version":1,"aggregations":[...]}: histograms with every bucket and raw counts,
 * rows with keys and values, text lines as {"text": ...}. */
json_t *nta_aggdoc_json(const nta_aggdoc *d);
/* One CSV row per (histogram, bucket) and per value row. */
int nta_aggdoc_csv(const nta_aggdoc *d, FILE *o);

#endif
