/* cli/shards.c: running a command as one shard (see shards.h). */
#include "cli/shards.h"

#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "shard/emit.h"
#include "shard/jobs.h"
#include "shard/shard_file.h"

void cli_shard_args_init(cli_shard_args *s)
{
    memset(s, 0, sizeof *s);
    s->shard = -1;
}

int cli_shard_option(cli_shard_args *s, const char *cmd, const char *name, const char *val)
{
    if (strcmp(name, "plan") == 0) {
        s->plan_path = val;
        return 1;
    }
    if (strcmp(name, "emit-shard") == 0) {
        s->emit = val;
        return 1;
    }
    if (strcmp(name, "shard") == 0) {
        char *end;
        long v = strtol(val, &end, 10);
        if (end == val || *end != '\0' || v < 0 || v >= NTA_PLAN_MAX_SHARDS) {
            cli_usage_error(cmd, "--shard takes a shard's index (0 to the plan's shards - 1), not "
                            "'%s'", val);
            return -1;
        }
        s->shard = v;
        return 1;
    }
    return 0;
}

int cli_shard_wanted(const cli_shard_args *s)
{
    return s->plan_path != NULL || s->emit != NULL || s->shard >= 0;
}

void cli_shard_fini(cli_shard *sh)
{
    nta_plan_free(sh->plan);
    free(sh->paths);
    memset(sh, 0, sizeof *sh);
}

static int same_inputs(const nta_plan *p, char *const *inputs, int n)
{
    if (n != p->ninputs)
        return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(inputs[i], p->inputs[i].info.path) != 0)
            return 0;
    return 1;
}

int cli_shard_prepare(const cli_shard_args *s, const char *cmd, char *const *inputs, int ninputs,
                      nta_source_opts *src, cli_shard *out)
{
    memset(out, 0, sizeof *out);
    if (s->plan_path == NULL || s->emit == NULL || s->shard < 0)
        return cli_usage_error(cmd, "a shard needs --plan FILE, --shard K and --emit-shard FILE");
    if (s->analysis_given)
        return cli_usage_error(cmd, "--%s is fixed by the plan (give it to nta plan)", s->analysis_opt);
    nta_err err;
    nta_err_clear(&err);
    if (nta_plan_load(&out->plan, s->plan_path, &err) < 0) {
        cli_report_err(&err);
        return err.code == NTA_EIO ? CLI_EXIT_UNREADABLE : CLI_EXIT_USAGE;
    }
    nta_plan *p = out->plan;
    if ((uint32_t)s->shard >= p->shards) {
        int st = cli_usage_error(cmd, "--shard %ld: the plan has %u shards (0 to %u)", s->shard,
                                 p->shards, p->shards - 1);
        cli_shard_fini(out);
        return st;
    }
    int buckets = ninputs > 0 && !same_inputs(p, inputs, ninputs);
    if (buckets && ninputs != 1) {
        int st = cli_usage_error(cmd, "a shard reads the plan's inputs (give none, or the same), "
                                 "or the one bucket nta split wrote for it");
        cli_shard_fini(out);
        return st;
    }
    int n = buckets ? 1 : p->ninputs;
    if ((out->paths = calloc((size_t)n, sizeof *out->paths)) == NULL) {
        cli_errorf("out of memory");
        cli_shard_fini(out);
        return CLI_EXIT_UNREADABLE;
    }
    for (int i = 0; i < n; i++)
        out->paths[i] = buckets ? inputs[0] : (char *)p->inputs[i].info.path;
    out->npaths = n;
    if (!buckets && nta_plan_check_inputs(p, out->paths, n, &err) < 0) {
        cli_report_err(&err);
        cli_shard_fini(out);
        return CLI_EXIT_USAGE;
    }
    nta_plan_shard_opts(p, (uint32_t)s->shard, buckets, &out->spec, src);
    return 0;
}

/* A shard reading the plan's inputs must read them as the plan did: a file that is missing here
 * (another folder), or reads otherwise, would make a merge of silently missing packets. */
static int inputs_as_planned(const cli_shard *sh, const nta_run_info *info)
{
    if (sh->spec.buckets)
        return 1;
    for (int i = 0; i < info->ninputs && i < sh->plan->ninputs; i++) {
        const nta_input_info *got = &info->inputs[i], *want = &sh->plan->inputs[i].info;
        if (got->records != want->records || got->err.code != want->err.code) {
            cli_errorf("%s reads otherwise than when planned (%llu records%s%s, then %llu%s%s)",
                       got->path, (unsigned long long)got->records, got->err.code ? ", then " : "",
                       got->err.code ? got->err.msg : "", (unsigned long long)want->records,
                       want->err.code ? ", then " : "", want->err.code ? want->err.msg : "");
            return 0;
        }
    }
    return 1;
}

/* The run's own failure (not its inputs'): said, and the file left unfinished. */
static int run_failed(const nta_run_info *info, int rc, const nta_err *err)
{
    if (rc >= 0 && info->output_failed == 0 && !info->interrupted)
        return 0;
    if (info->interrupted)
        cli_errorf("interrupted: the shard file is not written");
    else if (err->code != 0)
        cli_report_err(err);
    else
        cli_errorf("the shard run failed: %s", nta_strerror(rc < 0 ? rc : info->output_failed));
    return 1;
}

int cli_shard_run(const cli_shard_args *s, const char *cmd, cli_shard *sh, nta_source *src,
                  uint32_t kind, const void *opts, size_t optslen, uint32_t probes,
                  cli_shard_inner_fn make_inner, void *ctx)
{
    (void)cmd;
    cli_out out;
    int status = cli_out_open_raw(&out, s->emit);
    if (status != 0)
        return status;
    nta_err err;
    nta_err_clear(&err);
    nta_shard_emit *e;
    if (nta_shard_emit_new(&e, out.f, sh->plan, (uint32_t)s->shard, kind, opts, optslen, &err) < 0) {
        cli_report_err(&err);
        cli_out_discard(&out);
        return CLI_EXIT_UNREADABLE;
    }
    const nta_sink *inner = NULL;
    if (make_inner != NULL && (inner = make_inner(ctx, nta_shard_emit_saver(e))) == NULL) {
        nta_shard_emit_close(e, 1, &err);
        cli_out_discard(&out);
        return CLI_EXIT_UNREADABLE;
    }
    int rc = nta_source_run(src, nta_shard_emit_sink(e, inner, probes), &err);
    int failed = run_failed(nta_source_info(src), rc, &err)
                 || !inputs_as_planned(sh, nta_source_info(src));
    nta_err cerr;
    nta_err_clear(&cerr);
    if (nta_shard_emit_close(e, failed, &cerr) < 0 && !failed) {
        cli_report_err(&cerr);
        failed = 1;
    }
    if (failed) {
        cli_out_discard(&out);
        return CLI_EXIT_UNREADABLE;
    }
    return cli_out_close(&out, 0) < 0 ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
}

int cli_jobs_option(const char *cmd, const char *val)
{
    char *end;
    long v = strtol(val, &end, 10);
    if (end == val || *end != '\0' || v < 1 || v > NTA_JOBS_MAX) {
        cli_usage_error(cmd, "--jobs takes 1 to %d threads, not '%s'", NTA_JOBS_MAX, val);
        return -1;
    }
    return (int)v;
}
