/* shard/run_shard.h: what a shard of `nta run` holds, and the merge's side of it (issue 17;
 * man/nta.1 "SHARDS").
 *
 * Records of a run shard (channels of its MAIN/TIMR/ENDS groups, at the event's position):
 *   0  the shard's first event: uv its time (the merge runs BEGIN at the run's first one)
 *   1  an event's stdout bytes (at most 64 KiB a record: a longer output takes several)
 *   2  the same, for an event that printed the header line of a not-quiet program first
 *   3  a message on stderr (a fault: "error on enabled probe ID ..."), without its newline
 * State (STAT): channel 0, key the aggregation's id, its table raw (agg_serial.h); channel 1,
 * key 0, uv the shard's clock (its latest event time: END's timestamp is the run's).
 * OPTS: the whole program (every source's text, the -x options, -q, -Z, the layout flags, the
 * macro arguments), so that shards of another program are refused as another command's and the
 * merge compiles the program itself. The readers take untrusted bytes (fuzz/fuzz_shard.c). */
#ifndef NTA_SHARD_RUN_SHARD_H
#define NTA_SHARD_RUN_SHARD_H

#include "common/varint.h"
#include "dscript/dscript.h"
#include "shard/merge.h"

enum { NTA_RUN_CH_FIRST = 0, NTA_RUN_CH_OUT = 1, NTA_RUN_CH_OUT_HEADER = 2, NTA_RUN_CH_MSG = 3 };
enum { NTA_RUN_ST_AGG = 0, NTA_RUN_ST_CLOCK = 1 };

/* What makes the program, as nta run's command line gave it. */
typedef struct nta_run_prog {
    const nta_dscript_src *srcs;
    int nsrcs;
    const char *const *xopts;
    int nxopts;
    int quiet, zdefs, testing, interrupted;
    int argc;                  /**< macro arguments, argv[0] is $0 */
    char *const *argv;
} nta_run_prog;

/* The largest OPTS a loader takes (nta run reads scripts of 64 MiB at most). */
#define NTA_RUN_PROG_MAX (256u << 20)
/* The program as OPTS bytes (b->failed on no memory). */
void nta_run_prog_save(const nta_run_prog *pg, nta_buf *b);
/* The program back from OPTS bytes: 0, NTA_ECORRUPT or NTA_ENOMEM. Its strings live in *mem
 * (to free, also after a failure). */
int nta_run_prog_load(const uint8_t *p, size_t n, nta_run_prog *pg, void **mem);
/* Compiles it: 0, or NTA_ECORRUPT when it does not compile or cannot shard (err says which). */
int nta_run_prog_compile(const nta_run_prog *pg, nta_dscript **out, nta_err *err);

/* The merge's sink over d (compiled from the set's OPTS, started): state into its
 * aggregations and clock, records into its output; messages to msg. The shards' tables are
 * held until BEGIN has run (at the first record), as one run's BEGIN sees only its own
 * aggregating (a printa() there prints that); nta_run_merge_end merges them when no record
 * came, and must be called before nta_dscript_finish. rm outlives the merge; zero it first. */
typedef struct nta_run_merge {
    nta_dscript *d;
    void (*msg)(void *ctx, const char *m, size_t n);
    void *msg_ctx;
    nta_buf held;               /**< the tables not merged yet: (uv id, blob table)... */
} nta_run_merge;
void nta_run_merge_sink(nta_run_merge *rm, nta_merge_sink *s);
/* Merges the tables held (0 or a negative NTA_E*, err set) and frees them. */
int nta_run_merge_end(nta_run_merge *rm, nta_err *err);

#endif
