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

#endif
