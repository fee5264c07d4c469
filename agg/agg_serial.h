/* agg/agg_serial.h: an aggregation table as bytes and back, for shard files (issue 17).
 *
 * A shard keeps its tables raw (every key and accumulator, buckets with their parameters) and
 * `nta merge` folds them into one with nta_agg_merge_one: DTrace's own per-CPU merge, so the
 * merged table is the one a single run builds (agg.h section 6). Built on agg.h's public
 * interface only. Layout (common/varint.h encodings; man/nta.1 "SHARDS"):
 *   u8 function, sv lq_low lq_high lq_step, sv llq_factor llq_low llq_high llq_nsteps,
 *   uv strsize, uv entries, then per entry:
 *     u8 components; per component u8 tag (size | 0x10 unsigned | 0x80 string), then sv value
 *     or blob string; sv v, sv n, uv sq[0], uv sq[1]; for distributions uv nonzero buckets,
 *     then (uv index, sv count) pairs in increasing index order. */
#ifndef NTA_AGG_AGG_SERIAL_H
#define NTA_AGG_AGG_SERIAL_H

#include "agg/agg.h"
#include "common/err.h"
#include "common/varint.h"

/* Appends table a to b (b->failed on no memory). */
void nta_agg_save(const nta_agg *a, nta_buf *b);

/* Reads one saved table from c and merges it into a. 0; NTA_EUSAGE when the saved table's
 * function or parameters differ from a's; NTA_ECORRUPT when the bytes are not a table (err
 * says where); NTA_ENOMEM. a may hold part of it after an error. */
int nta_agg_load_merge(nta_agg *a, nta_cur *c, nta_err *err);

#endif
