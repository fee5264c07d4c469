/* cli/run_shard.h: `nta run` as one shard of a plan, and `nta merge` of such shards (issue 17).
 *
 * The shard file carries the whole program (every source's text, the -x options, -q, -Z, the
 * macro arguments, the layout flags) in its OPTS section: shards of another program or other
 * options are refused by the merge as another command's, and the merge compiles the program
 * from it to run BEGIN, END and the printing at exit itself. */
#ifndef NTA_CLI_RUN_SHARD_H
#define NTA_CLI_RUN_SHARD_H

#include "cli/inputs.h"
#include "dscript/dscript.h"

/* What makes the program, as nta run's command line gave it. */
typedef struct cli_run_prog {
    const nta_dscript_src *srcs;
    int nsrcs;
    const char *const *xopts;
    int nxopts;
    int quiet, zdefs, testing, interrupted;
    int argc;                  /* macro arguments, argv[0] is $0 */
    char *const *argv;
} cli_run_prog;

/* Runs the compiled program d as shard sa->shard of sa->plan over inputs (none, the plan's, or
 * a bucket), into sa->emit. Refuses (2) a program that cannot shard, naming why. Returns the
 * exit status. */
int cli_run_shard(nta_dscript *d, const cli_run_prog *pg, const cli_shard_args *sa,
                  char *const *inputs, int ninputs, nta_source_opts *so);

#endif
