/* shard/merge.h: `nta merge`: shard files back into what one run prints (issue 17).
 *
 * The files must make one set: one plan (the same plan id), one kind and the same options, no
 * shard twice; a complete set covers every shard of the plan. The merge gives the run info one
 * run would have filled (inputs, traced hosts and counts from the plan, analysed counts and
 * skipped packets summed), each channel's state chunks in key order over all shards, and the
 * records in the order one run emits them: MAIN groups by packet index; a timer's group right
 * before the first MAIN group whose packet comes after the connection's last one and whose
 * clock has reached the deadline (timers among themselves by deadline, rank, packet); the end
 * of input's groups after everything, by rank, time, packet (event/probes.h). That order is
 * one run's whenever packets are out of time order by less than 2*MSL (and the idle timeout);
 * man/nta.1 says so. A set may also be written as one shard file again (a partial merge, for
 * merging in a tree). */
#ifndef NTA_SHARD_MERGE_H
#define NTA_SHARD_MERGE_H

#include <stdio.h>

#include "common/err.h"
#include "event/run_info.h"
#include "source/plan.h"

typedef struct nta_merge nta_merge;

/* Opens the n files and checks that they make one set. 0; NTA_EUSAGE when they do not (another
 * plan, kind or options; a shard given twice: err names both files); the files' own errors
 * (shard/shard_file.h: incomplete, damaged, unreadable) otherwise. */
int nta_merge_open(nta_merge **out, char *const *paths, int n, nta_err *err);
/* The same over files opened already (taken over, also on failure), and with plan (taken over)
 * when not NULL: then the files' PLAN sections are not read (an in-process run of shards,
 * nta --jobs, knows its plan only at the end). */
struct nta_shardr;
int nta_merge_open_readers(nta_merge **out, struct nta_shardr **readers, int n, nta_plan *plan,
                           nta_err *err);
void nta_merge_free(nta_merge *m);

/* 0 when every shard of the plan is there, else NTA_EUSAGE naming the missing ones. */
int nta_merge_check_complete(const nta_merge *m, nta_err *err);

uint32_t nta_merge_kind(const nta_merge *m);
const uint8_t *nta_merge_opts(const nta_merge *m, size_t *len);
const nta_plan *nta_merge_plan(const nta_merge *m);
/* The run info of the whole (valid while m lives). */
const nta_run_info *nta_merge_info(const nta_merge *m);

/* What receives the merge. */
typedef struct nta_merge_sink {
    int (*load)(void *ctx, uint8_t chan, uint64_t key, const uint8_t *p, size_t n, nta_err *err);
    int (*loaded)(void *ctx, nta_err *err);
    int (*record)(void *ctx, uint8_t chan, const uint8_t *p, size_t n, nta_err *err);
    void *ctx;
} nta_merge_sink;

/* Every state chunk into s->load, then s->loaded, then every record in one run's order into
 * s->record. 0, or the first negative NTA_E* (err set). Once per merge. */
int nta_merge_run(nta_merge *m, const nta_merge_sink *s, nta_err *err);

/* The set as one shard file in f (seekable; the caller closes it). 0 or a negative NTA_E*.
 * Once per merge, instead of nta_merge_run. */
int nta_merge_write(nta_merge *m, FILE *f, nta_err *err);

#endif
