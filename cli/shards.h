/* cli/shards.h: the options that make `nta report` and `nta events` one shard of a planned run
 * (--plan, --shard, --emit-shard), and running such a shard (issue 17).
 *
 * A shard reads the plan's inputs (passing over other shards' packets), or the bucket `nta
 * split` wrote for it, with the plan's analysis options; it prints nothing about its inputs
 * (the merge says what one run would have said) and exits 0 when it wrote its shard file, 3
 * when it could not (the file is then left without its end, so a merge refuses it). */
#ifndef NTA_CLI_SHARDS_H
#define NTA_CLI_SHARDS_H

#include <stdint.h>

#include "cli/inputs.h"
#include "source/plan.h"

/* A shard ready to run: the plan, its inputs (the plan's, or one bucket) and source options. */
typedef struct cli_shard {
    nta_plan *plan;
    nta_shard_spec spec;
    char **paths;            /**< the inputs to read */
    int npaths;
} cli_shard;

/* Loads the plan and decides what the shard reads: no INPUT, or the plan's inputs: those (each
 * still the size planned); one other file: the bucket of shard K that `nta split` wrote. Sets
 * the plan's options into *src. Returns 0, or the exit status after saying why. */
int cli_shard_prepare(const cli_shard_args *s, const char *cmd, char *const *inputs, int ninputs,
                      nta_source_opts *src, cli_shard *out);
void cli_shard_fini(cli_shard *sh);

/* Runs src into inner (a report set made with nta_shard_emit_saver's saver; NULL: every event
 * of probes saved whole), writing the shard file s->emit. kind and opts as nta_shard_emit_new.
 * make_inner, when not NULL, is called with the saver before the run to make the inner sink
 * (returns NULL after saying why). Returns the exit status. */
struct nta_report_saver;
typedef const nta_sink *(*cli_shard_inner_fn)(void *ctx, const struct nta_report_saver *saver);
int cli_shard_run(const cli_shard_args *s, const char *cmd, cli_shard *sh, nta_source *src,
                  uint32_t kind, const void *opts, size_t optslen, uint32_t probes,
                  cli_shard_inner_fn make_inner, void *ctx);

#endif
