/* reports/bytes_spill.h: --bytes rows held on disk once a block has more 4-tuples than memory
 * is allowed for (issue 14: the peak follows --max-flows).
 *
 * The block's table is written out as sorted runs when it fills; at the block's end the runs
 * merge by key (summing a key met in several runs, or two addresses that print alike, as the
 * aggregation sums them), then sort by value and key on disk, and the rows come back in
 * printa's order: value, then address text (strcmp), port, address text, port. */
#ifndef NTA_REPORTS_BYTES_SPILL_H
#define NTA_REPORTS_BYTES_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

typedef struct nta_brow {
    int64_t v;
    uint16_t lp, rp;
    char l[NTA_ADDR_STRLEN], r[NTA_ADDR_STRLEN];
} nta_brow;

typedef struct nta_bspill nta_bspill;

/* rows: how many rows a run holds in memory at once (the bound). NULL with errno on failure;
 * the files are made on first use in tmpdir (NULL: /tmp). */
nta_bspill *nta_bspill_new(const char *tmpdir, size_t rows);
void nta_bspill_free(nta_bspill *s);

/* Sorts rows[0..n) by key and appends them as a run (rows is reordered). 0, or -1 with errno. */
int nta_bspill_add_run(nta_bspill *s, nta_brow *rows, size_t n);
/* Runs added since the last drain. */
size_t nta_bspill_runs(const nta_bspill *s);

/* Every row of the runs, keys summed, in printa's order, to fn (a non-zero return stops and is
 * returned); the runs are then gone. 0, fn's value, or -1 with errno on a file error. */
int nta_bspill_drain(nta_bspill *s, int (*fn)(const nta_brow *row, void *ctx), void *ctx);

#endif
