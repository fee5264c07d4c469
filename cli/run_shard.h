/* cli/run_shard.h: `nta run` as one shard of a plan, and `nta merge` of such shards (issue 17).
 * What a run shard's file holds, and the merge's handling of it, is shard/run_shard.h's. */
#ifndef NTA_CLI_RUN_SHARD_H
#define NTA_CLI_RUN_SHARD_H

#include "cli/inputs.h"
#include "dscript/dscript.h"
#include "shard/run_shard.h"

/* Runs the compiled program d as shard sa->shard of sa->plan over inputs (none, the plan's, or
 * a bucket), into sa->emit. Refuses (2) a program that cannot shard, naming why. Returns the
 * exit status. */
int cli_run_shard(nta_dscript *d, const nta_run_prog *pg, const cli_shard_args *sa,
                  char *const *inputs, int ninputs, nta_source_opts *so);

/* nta run --jobs N: the program d (compiled from pg, started with the run's options) over src
 * (captures, not read yet) as N threads, each the connections of one shard, whose shards are
 * then merged into d as nta merge would: d's output is one run's; the caller finishes d. Returns
 * 0; NTA_EIO when d's output failed; NTA_EUSAGE (err set) when the program cannot run as
 * shards for this input; or another negative NTA_E* with err set. *evicted: the connections
 * --max-flows evicted, over all threads. */
int cli_run_jobs(nta_dscript *d, const nta_run_prog *pg, int jobs, nta_source *src,
                 uint64_t *evicted, nta_err *err);

#endif
