/* cli/run_shard.c: `nta run` as one shard of a plan, and the merge of its shards (see
 * run_shard.h; man/nta.1 "SHARDS").
 *
 * Records of a run shard (channels of its MAIN/TIMR/ENDS groups, at the event's position):
 *   0  the shard's first event: uv its time (the merge runs BEGIN at the run's first one)
 *   1  an event's stdout bytes (at most 64 KiB a record: a longer output takes several)
 *   2  the same, for an event that printed the header line of a not-quiet program first
 *   3  a message on stderr (a fault: "error on enabled probe ID ..."), without its newline
 * State (STAT): channel 0, key the aggregation's id, its table raw (agg_serial.h); channel 1,
 * key 0, uv the shard's clock (its latest event time: END's timestamp is the run's). */
#include "cli/run_shard.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/output.h"
#include "cli/shards.h"
#include "cli/signals.h"
#include "shard/emit.h"
#include "shard/merge.h"
#include "shard/shard_file.h"

enum { CH_FIRST = 0, CH_OUT = 1, CH_OUT_HEADER = 2, CH_MSG = 3 };
enum { ST_AGG = 0, ST_CLOCK = 1 };

/* ---- the program, in OPTS ---- */

static void save_prog(const cli_run_prog *pg, nta_buf *b)
{
    nta_buf_u8(b, 1);
    nta_buf_uv(b, (uint64_t)pg->nsrcs);
    for (int i = 0; i < pg->nsrcs; i++) {
        nta_buf_u8(b, (uint8_t)pg->srcs[i].kind);
        nta_buf_str(b, pg->srcs[i].label);
        nta_buf_blob(b, pg->srcs[i].text, pg->srcs[i].len);
    }
    nta_buf_uv(b, (uint64_t)pg->nxopts);
    for (int i = 0; i < pg->nxopts; i++)
        nta_buf_str(b, pg->xopts[i]);
    nta_buf_u8(b, (uint8_t)(pg->quiet | pg->zdefs << 1 | pg->testing << 2 | pg->interrupted << 3));
    nta_buf_uv(b, (uint64_t)pg->argc);
    for (int i = 0; i < pg->argc; i++)
        nta_buf_str(b, pg->argv[i]);
}

/* The program back from OPTS: strings copied (NUL-terminated) into one allocation *mem. */
static int load_prog(const uint8_t *p, size_t n, cli_run_prog *pg, void **mem)
{
    memset(pg, 0, sizeof *pg);
    /* everything fits in n bytes plus a NUL per string and the arrays' pointers */
    size_t cap = (2 * n + 64 + 15) & ~(size_t)15;   /* the arrays after it stay aligned */
    char *arena = calloc(1, cap + (n + 4) * (sizeof(nta_dscript_src) + sizeof(char *)));
    *mem = arena;
    if (arena == NULL)
        return NTA_ENOMEM;
    nta_dscript_src *srcs = (nta_dscript_src *)(void *)(arena + cap);
    char **strs = (char **)(void *)(srcs + n + 2);
    size_t used = 0;
    int nstrs = 0;
    nta_cur c = nta_cur_make(p, n);
    uint8_t v, flags;
    uint64_t k;
    size_t l_;
#define STR(dst) do { const uint8_t *s_; \
        if (nta_cur_blob(&c, n, &s_, &l_) < 0 || used + l_ + 1 > cap) return NTA_ECORRUPT; \
        memcpy(arena + used, s_, l_); arena[used + l_] = '\0'; (dst) = arena + used; \
        used += l_ + 1; } while (0)
    if (nta_cur_u8(&c, &v) < 0 || v != 1 || nta_cur_uv_max(&c, n, &k) < 0 || k == 0)
        return NTA_ECORRUPT;
    pg->nsrcs = (int)k;
    for (int i = 0; i < pg->nsrcs; i++) {
        const char *t;
        if (nta_cur_u8(&c, &v) < 0 || v > NTA_DSRC_ID)
            return NTA_ECORRUPT;
        srcs[i].kind = (nta_dsrc_kind)v;
        STR(srcs[i].label);
        STR(t);
        srcs[i].text = t;
        srcs[i].len = l_;   /* a program's bytes may hold a NUL (a compile error to say) */
    }
    pg->srcs = srcs;
    if (nta_cur_uv_max(&c, n, &k) < 0)
        return NTA_ECORRUPT;
    pg->nxopts = (int)k;
    pg->xopts = (const char *const *)strs;
    for (int i = 0; i < pg->nxopts; i++)
        STR(strs[nstrs++]);
    if (nta_cur_u8(&c, &flags) < 0 || nta_cur_uv_max(&c, n, &k) < 0 || k == 0)
        return NTA_ECORRUPT;
    pg->quiet = flags & 1;
    pg->zdefs = flags >> 1 & 1;
    pg->testing = flags >> 2 & 1;
    pg->interrupted = flags >> 3 & 1;
    pg->argc = (int)k;
    pg->argv = strs + nstrs;
    for (int i = 0; i < pg->argc; i++)
        STR(strs[nstrs++]);
#undef STR
    return c.left == 0 ? 0 : NTA_ECORRUPT;
}

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
    if (s->recording && s->saver->record(s->saver->ctx, CH_MSG, m, strlen(m)) < 0)
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
            s->saver->record(s->saver->ctx, CH_FIRST, b.p, b.n) < 0)
            return NTA_ENOMEM;
        s->begun = s->recording = 1;
    }
    const char *p;
    size_t n;
    int header;
    int rc = nta_dscript_shard_event(s->d, ev, &p, &n, &header);
    for (size_t off = 0; rc == 0 && off < n; off += NTA_SHARD_MAX_RECORD) {
        size_t len = n - off < NTA_SHARD_MAX_RECORD ? n - off : NTA_SHARD_MAX_RECORD;
        rc = s->saver->record(s->saver->ctx, header && off == 0 ? CH_OUT_HEADER : CH_OUT,
                              p + off, len);
    }
    return rc < 0 ? rc : s->failed ? NTA_ENOMEM : 0;
}

static int save_agg(void *ctx, uint64_t id, const void *p, size_t n)
{
    shard_run *s = ctx;
    nta_buf b = { NULL, 0, 0, 0 };
    nta_buf_uv(&b, id);
    nta_buf_bytes(&b, p, n);
    int rc = b.failed ? NTA_ENOMEM : s->saver->state(s->saver->ctx, ST_AGG, b.p, b.n);
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
    int rc = s->saver->state(s->saver->ctx, ST_CLOCK, b.p, b.n);
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
    return &s->inner;
}

int cli_run_shard(nta_dscript *d, const cli_run_prog *pg, const cli_shard_args *sa,
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
    if (narrow != NULL && sh.plan->packets >= (1u << 20)) {
        cli_shard_fini(&sh);
        return cli_usage_error("run", "cannot run as shards: '%s' is keyed by connection ids cut "
                               "to 32 bits, which collide in a run of %llu packets", narrow,
                               (unsigned long long)sh.plan->packets);
    }
    nta_buf o = { NULL, 0, 0, 0 };
    save_prog(pg, &o);
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

typedef struct merge_run {
    nta_dscript *d;
} merge_run;

static void merge_msg(void *ctx, const char *m)
{
    (void)ctx;
    cli_errorf("%s", m);
}

static int merge_load(void *ctx, uint8_t chan, uint64_t key, const uint8_t *p, size_t n, nta_err *err)
{
    merge_run *m = ctx;
    if (chan == ST_AGG)
        return nta_dscript_merge_agg(m->d, key, p, n, err);
    nta_cur c = nta_cur_make(p, n);
    uint64_t t;
    if (chan != ST_CLOCK || nta_cur_uv(&c, &t) < 0 || c.left != 0)
        return nta_err_set(err, NTA_ECORRUPT, "damaged state (channel %u) in a run shard", chan);
    nta_dscript_merge_clock(m->d, t);
    return 0;
}

static int merge_record(void *ctx, uint8_t chan, const uint8_t *p, size_t n, nta_err *err)
{
    merge_run *m = ctx;
    switch (chan) {
    case CH_FIRST: {
        nta_cur c = nta_cur_make(p, n);
        uint64_t t;
        if (nta_cur_uv(&c, &t) < 0 || c.left != 0)
            break;
        nta_dscript_merge_begin(m->d, t);   /* the first of them is the run's first event */
        return 0;
    }
    case CH_OUT: case CH_OUT_HEADER: {
        int rc = nta_dscript_merge_text(m->d, chan == CH_OUT_HEADER, p, n);
        if (rc == NTA_ECORRUPT)
            break;
        return rc == 0 ? 0 : nta_err_set(err, rc, "writing the output failed");
    }
    case CH_MSG:
        cli_errorf("%.*s", (int)n, (const char *)p);
        return 0;
    }
    return nta_err_set(err, NTA_ECORRUPT, "a damaged record (channel %u) in a run shard", chan);
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
    cli_run_prog pg;
    void *mem = NULL;
    nta_dscript *d = NULL;
    nta_err err;
    nta_err_clear(&err);
    if (load_prog(p, n, &pg, &mem) < 0) {
        free(mem);
        cli_errorf("%s: damaged program options in a run shard", mo->shards[0]);
        return CLI_EXIT_UNREADABLE;
    }
    nta_dscript_opts dopts = { pg.xopts, pg.nxopts, pg.quiet, pg.zdefs, pg.argc, pg.argv,
                               pg.testing };
    if (nta_dscript_compile(&d, pg.srcs, pg.nsrcs, &dopts, &err) < 0 ||
        nta_dscript_shard_refusal(d) != NULL) {
        cli_errorf("%s: the run shard's program does not %s", mo->shards[0],
                   d == NULL ? "compile" : "shard");
        nta_dscript_free(d);
        free(mem);
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
    merge_run mr = { d };
    nta_merge_sink ms = { merge_load, NULL, merge_record, &mr };
    int rc = nta_dscript_start(d, &ropts, &err);
    if (rc == 0)
        rc = nta_merge_run(m, &ms, &err);
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
