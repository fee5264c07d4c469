/* cli/run_shard.c: `nta run` as one shard of a plan, and the merge of its shards (see
 * run_shard.h; what the shard file holds is shard/run_shard.h's). */
#include "cli/run_shard.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/output.h"
#include "cli/shards.h"
#include "cli/signals.h"
#include "shard/emit.h"
#include "shard/jobs.h"
#include "shard/merge.h"
#include "shard/shard_file.h"

#include "shard/run_shard.h"

/* ---- the shard ---- */

typedef struct shard_run {
    nta_dscript *d;
    const nta_report_saver *saver;
    nta_sink inner;
    int begun, recording, failed;
} shard_run;

static void shard_msg(void *ctx, const char *m)
{
    shard_run *s = ctx;
    if (s->recording && s->saver->record(s->saver->ctx, NTA_RUN_CH_MSG, m, strlen(m)) < 0)
        s->failed = 1;
}

static int shard_event(void *ctx, const nta_event *ev)
{
    shard_run *s = ctx;
    if (!s->begun) {
        uint8_t t[10];
        nta_buf b = { t, 0, sizeof t, 0 };
        nta_buf_uv(&b, ev->ts_ns);
        if (nta_dscript_shard_begin(s->d, ev->ts_ns) < 0 ||
            s->saver->record(s->saver->ctx, NTA_RUN_CH_FIRST, b.p, b.n) < 0)
            return NTA_ENOMEM;
        s->begun = s->recording = 1;
    }
    const char *p;
    size_t n;
    int header;
    int rc = nta_dscript_shard_event(s->d, ev, &p, &n, &header);
    for (size_t off = 0; rc == 0 && off < n; off += NTA_SHARD_MAX_RECORD) {
        size_t len = n - off < NTA_SHARD_MAX_RECORD ? n - off : NTA_SHARD_MAX_RECORD;
        uint8_t chan = header && off == 0 ? NTA_RUN_CH_OUT_HEADER : NTA_RUN_CH_OUT;
        rc = s->saver->record(s->saver->ctx, chan, p + off, len);
    }
    return rc < 0 ? rc : s->failed ? NTA_ENOMEM : 0;
}

static int save_agg(void *ctx, uint64_t id, const void *p, size_t n)
{
    shard_run *s = ctx;
    nta_buf b = { NULL, 0, 0, 0 };
    nta_buf_uv(&b, id);
    nta_buf_bytes(&b, p, n);
    int rc = b.failed ? NTA_ENOMEM : s->saver->state(s->saver->ctx, NTA_RUN_ST_AGG, b.p, b.n);
    nta_buf_free(&b);
    return rc;
}

static int shard_finish(void *ctx, const nta_run_info *info)
{
    (void)info;
    shard_run *s = ctx;
    uint8_t t[24];
    nta_buf b = { t, 0, sizeof t, 0 };
    nta_buf_uv(&b, 0);
    nta_buf_uv(&b, nta_dscript_last_ts(s->d));
    int rc = s->saver->state(s->saver->ctx, NTA_RUN_ST_CLOCK, b.p, b.n);
    return rc < 0 ? rc : nta_dscript_shard_save(s->d, save_agg, s);
}

static const nta_sink *make_inner(void *ctx, const nta_report_saver *saver)
{
    shard_run *s = ctx;
    s->saver = saver;
    nta_sink ds;
    nta_dscript_sink(s->d, &ds);
    s->inner = (nta_sink){ .on_event = shard_event, .on_finish = shard_finish, .ctx = s };
    s->inner.probes = ds.probes;
    s->inner.skip = ds.skip;
    s->inner.tcps_probes = ds.tcps_probes;
    return &s->inner;
}

int cli_run_shard(nta_dscript *d, const nta_run_prog *pg, const cli_shard_args *sa,
                  char *const *inputs, int ninputs, nta_source_opts *so)
{
    const char *why = nta_dscript_shard_refusal(d);
    if (why != NULL)
        return cli_usage_error("run", "cannot run as shards: %s", why);
    cli_shard sh;
    int status = cli_shard_prepare(sa, "run", inputs, ninputs, so, &sh);
    if (status != 0)
        return status;
    const char *narrow = nta_dscript_shard_narrow(d);
    /* ids are 0xf80000100000 + 0x1000 x the index of the packet that made the connection (+ 0x400
     * x which of its tcpcbs): cut to 32 bits they repeat every 2^20 packets, and one run would
     * share such an array's entries between connections that shards hold apart (the filtered
     * packets counted too, to be sure of the index's range) */
    uint64_t packets = sh.plan->packets + sh.plan->filtered;
    if (narrow != NULL && packets >= (1u << 20)) {
        cli_shard_fini(&sh);
        return cli_usage_error("run", "cannot run as shards: '%s' is keyed by connection ids cut "
                               "to 32 bits, which collide in a run of %llu packets", narrow,
                               (unsigned long long)packets);
    }
    nta_buf o = { NULL, 0, 0, 0 };
    nta_run_prog_save(pg, &o);
    shard_run s = { .d = d };
    cli_run run = { .cmd = "run", .quiet = 1 };
    nta_source *src = o.failed ? NULL : cli_source_open(&run, sh.paths, sh.npaths, so, &status);
    if (src != NULL) {
        nta_dscript_shard_mode(d);
        nta_dscript_run ropts = { stdout, shard_msg, &s, 0, 0, &cli_stop, 0, 0, 1 };
        nta_err err;
        nta_err_clear(&err);
        if (nta_dscript_start(d, &ropts, &err) < 0) {
            cli_report_err(&err);
            status = CLI_EXIT_UNREADABLE;
        } else {
            status = cli_shard_run(sa, "run", &sh, src, NTA_SHARD_RUN, o.p, o.n, 0, make_inner, &s);
        }
        nta_source_free(src);
    } else if (o.failed) {
        cli_errorf("out of memory");
        status = CLI_EXIT_UNREADABLE;
    }
    nta_buf_free(&o);
    cli_shard_fini(&sh);
    return status;
}

/* ---- the merge ---- */

static void merge_msg(void *ctx, const char *m)
{
    (void)ctx;
    cli_errorf("%s", m);
}

/* A shard's message, where one run printed it. */
static void merge_fault(void *ctx, const char *m, size_t n)
{
    (void)ctx;
    cli_errorf("%.*s", (int)n, m);
}

/* The records and tables of m's shards into d, as one run fired them: 0, NTA_EIO when d's
 * output failed, or another negative NTA_E* with err set. */
static int merge_into(nta_dscript *d, nta_merge *m, nta_err *err)
{
    nta_run_merge rm = { d, merge_fault, NULL, { NULL, 0, 0, 0 } };
    nta_merge_sink ms;
    nta_run_merge_sink(&rm, &ms);
    int rc = nta_merge_run(m, &ms, err);
    if (rc == 0)
        rc = nta_run_merge_end(&rm, err);
    nta_buf_free(&rm.held);
    return rc < 0 && err->code == NTA_EIO ? NTA_EIO : rc;
}

/* ---- --jobs N: the shards as threads ---- */

typedef struct run_jobs {
    const nta_run_prog *pg;
    shard_run s[NTA_JOBS_MAX];
} run_jobs;

/* Thread k's program: its own copy (a program's state is one thread's), run as a shard. */
static const nta_sink *jobs_inner(void *ctx, int k, const nta_report_saver *saver,
                                  const uint64_t *origin_ns, nta_err *err)
{
    (void)origin_ns;
    run_jobs *rj = ctx;
    shard_run *s = &rj->s[k];
    if (nta_run_prog_compile(rj->pg, &s->d, err) < 0)
        return NULL;
    nta_dscript_shard_mode(s->d);
    nta_dscript_run ropts = { stdout, shard_msg, s, 0, 0, &cli_stop, 0, 0, 1 };
    if (nta_dscript_start(s->d, &ropts, err) < 0)
        return NULL;
    return make_inner(s, saver);
}

int cli_run_jobs(nta_dscript *d, const nta_run_prog *pg, int jobs, nta_source *src,
                 uint64_t *evicted, nta_err *err)
{
    *evicted = 0;
    const char *narrow = nta_dscript_shard_narrow(d);
    nta_buf o = { NULL, 0, 0, 0 };
    nta_run_prog_save(pg, &o);
    run_jobs *rj = o.failed ? NULL : calloc(1, sizeof *rj);
    if (rj == NULL) {
        nta_buf_free(&o);
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    }
    rj->pg = pg;
    /* the ids of connections made from the 2^20th packet on collide, cut to 32 bits, with
     * those of earlier ones (cli_run_shard): one run would share such an array's entries */
    nta_jobs_opts jo = { .n = jobs, .kind = NTA_SHARD_RUN, .opts = o.p, .optslen = o.n,
                         .make_inner = jobs_inner, .ctx = rj, .tmpdir = getenv("TMPDIR"),
                         .max_packets = narrow != NULL ? 1u << 20 : 0 };
    nta_merge *m = NULL;
    int rc = nta_jobs_run(src, &jo, &m, err);
    for (int k = 0; k < jobs; k++)
        nta_dscript_free(rj->s[k].d);
    free(rj);
    nta_buf_free(&o);
    if (rc == NTA_EUSAGE && narrow != NULL)
        return nta_err_set(err, NTA_EUSAGE, "cannot run with --jobs: '%s' is keyed by connection "
                           "ids cut to 32 bits, which collide in a run of more than %u packets",
                           narrow, 1u << 20);
    if (rc == 0) {
        *evicted = nta_merge_info(m)->evicted;
        rc = merge_into(d, m, err);
    }
    nta_merge_free(m);
    return rc;
}

/* Merges the run shards of m as nta run would have printed one run over the plan's inputs. */
int cli_run_merge(nta_merge *m, const cli_merge_opts *mo)
{
    if (mo->format != NULL || mo->outdir != NULL || mo->ngates > 0)
        return cli_usage_error("merge", "--format, --output-dir and --fail-if are not for run "
                               "shards (nta run prints what the script prints)");
    if (cli_check_output(mo->output, mo->shards, mo->nshards) != 0)
        return CLI_EXIT_USAGE;
    size_t n;
    const uint8_t *p = nta_merge_opts(m, &n);
    nta_run_prog pg;
    void *mem = NULL;
    nta_dscript *d = NULL;
    nta_err err;
    nta_err_clear(&err);
    if (nta_run_prog_load(p, n, &pg, &mem) < 0 || nta_run_prog_compile(&pg, &d, &err) < 0) {
        free(mem);
        cli_errorf("%s: %s", mo->shards[0], err.code ? err.msg : "damaged program options in a "
                   "run shard");
        return CLI_EXIT_UNREADABLE;
    }
    int quiet = nta_dscript_quiet(d);
    for (int i = 0; !quiet && i < pg.nsrcs; i++) {
        char b[1024];
        nta_dscript_banner(d, i, b, sizeof b);
        cli_errorf("%s", b);
    }
    const nta_run_info *info = nta_merge_info(m);
    cli_run run = { .cmd = "merge", .quiet = quiet || mo->quiet };
    cli_announce(&run, info);
    cli_out out;
    int status = cli_out_open(&out, mo->output);
    if (status != 0) {
        nta_dscript_free(d);
        free(mem);
        return status;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    nta_dscript_run ropts = { out.f, merge_msg, NULL, 0, 0, &cli_stop,
                              (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec,
                              pg.interrupted, 0 };
    int rc = nta_dscript_start(d, &ropts, &err);
    if (rc == 0)
        rc = merge_into(d, m, &err);
    int werr = 0;
    if (rc < 0 && err.code != NTA_EIO) {
        cli_report_err(&err);
        status = CLI_EXIT_UNREADABLE;
    } else {
        /* what nta run says after reading, then END and the aggregations */
        int in_status = cli_inputs_status(info) != CLI_EXIT_OK;
        if (info->evicted > 0)
            cli_errorf("%llu connections evicted by --max-flows %u; their later segments were "
                       "picked up mid-stream", (unsigned long long)info->evicted, info->max_flows);
        werr = rc < 0 || nta_dscript_finish(d) < 0;
        if (werr)
            cli_errorf("writing %s failed", mo->output ? mo->output : "the output");
        if (nta_dscript_exited(d))
            status = nta_dscript_status(d) & 0xff;
        else
            status = werr || in_status ? 1 : CLI_EXIT_OK;
    }
    nta_dscript_free(d);   /* its consumer has written everything */
    out.err = 0;
    if (cli_out_close(&out, 0) < 0 && status == CLI_EXIT_OK)
        status = CLI_EXIT_UNREADABLE;
    free(mem);
    return status;
}
