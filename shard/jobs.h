/* shard/jobs.h: `--jobs N`: the shards of a run as N threads of one process (issue 17).
 *
 * The calling thread reads the inputs once (nta_source_survey: traced hosts inferred as a run
 * infers them), numbers and clocks every packet, notes where --bytes blocks start, and hands
 * each packet to the thread of its shard (source/community_id.h) through a chunk ring; each
 * thread runs an analyzer and a shard sink into a temporary shard file, exactly as a shard run
 * from a plan does. The files are then merged in the same process (shard/merge.h) with a plan
 * made from what the read found: the output is byte for byte one run's, as from nta merge.
 * Memory: a ring of 8 MiB per thread, the threads' connection tables, and the temporary files
 * (in tmpdir) for what the shards hold until the merge. */
#ifndef NTA_SHARD_JOBS_H
#define NTA_SHARD_JOBS_H

#include <stdint.h>

#include "common/err.h"
#include "reports/report.h"
#include "shard/merge.h"
#include "source/source.h"

#define NTA_JOBS_MAX 64

/* Makes shard k's inner sink (a report set with saver and --bytes origin *origin_ns, or a run
 * shard's program), or NULL after setting err. */
typedef const nta_sink *(*nta_jobs_inner_fn)(void *ctx, int k, const nta_report_saver *saver,
                                             const uint64_t *origin_ns, nta_err *err);

typedef struct nta_jobs_opts {
    int n;                        /**< threads (shards), 2 .. NTA_JOBS_MAX */
    uint32_t kind;                /**< NTA_SHARD_REPORT, NTA_SHARD_EVENTS or NTA_SHARD_RUN */
    const void *opts;             /**< the command's options, as a shard file carries them */
    size_t optslen;
    uint32_t probes;              /**< events: the probes to keep (0 all) */
    nta_jobs_inner_fn make_inner; /**< reports, run: the inner sinks; NULL for events */
    void *ctx;
    const char *tmpdir;           /**< where the shard files wait; NULL: /tmp */
    uint64_t max_packets;         /**< 0, or stop with NTA_EUSAGE at the packet of this index
                                       (nta run: ids cut to 32 bits collide from 2^20 on) */
} nta_jobs_opts;

/* Runs src (captures; not run before) as o->n shards and merges them into *out (the caller
 * renders it as nta merge does, then frees it). The source's info is filled as by a run. 0, or a
 * negative NTA_E* with err set (an input's own errors are in the info, not here). */
int nta_jobs_run(nta_source *src, const nta_jobs_opts *o, nta_merge **out, nta_err *err);

#endif
