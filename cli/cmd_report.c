/* cli/cmd_report.c: `nta report`, the article's reports from one read of the input.
 *
 * Options, destinations and exit statuses; the reports themselves are a report set
 * (reports/report_set.h) run as the sink of the inputs' source. Output goes to standard
 * output, -o FILE, or --output-dir DIR (one NAME.txt|json|csv per report). --fail-if gates are
 * evaluated at the end: the reports are still written, failures go to stderr, exit 4. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "cli/shards.h"
#include "common/varint.h"
#include "shard/jobs.h"
#include "shard/merge.h"
#include "shard/shard_file.h"
#include "cli/output.h"
#include "event/fields.h"
#include "reports/fail_if.h"
#include "reports/report_set.h"

#define MAX_GATES 32

static const char report_help[] =
    "Usage: nta report [REPORTS] [OPTIONS] FILE...\n"
    "The FreeBSD DTrace network-providers article's reports, computed from the probe events\n"
    "of the traced hosts, as dtrace would print them (or as JSON or CSV).\n"
    "\n"
    "Reports (several may be combined; default --all):\n"
    "      --durations     quantize of connection durations in ms (Example 5)\n"
    "      --ifhist        per interface, lquantize of ip_plength (Example 4)\n"
    "      --ooo           out-of-order segments and bytes per remote host (Example 9)\n"
    "      --bytes         TCP and UDP payload bytes per 4-tuple (Examples 7, 8)\n"
    "      --states        every state change with its delay (Example 6)\n"
    "      --packets       every TCP segment with its flags (Example 3)\n"
    "      --all           every report above, from one read\n"
    "\n"
    "Options:\n"
    "      --format FMT    text (default), json or csv\n"
    "  -o, --output FILE   write to FILE instead of standard output\n"
    "      --output-dir D  one file per report: D/ooo.json, D/durations.csv, ...\n"
    "      --interval DUR  --bytes: one block per DUR of capture time (2s, 500ms, 1m)\n"
    "      --fail-if EXPR  exit 4 when EXPR holds, e.g. 'ooo.packets_ratio > 0.01' (repeatable);\n"
    "                      metrics:\n"
    "%s"
    "      --local, --msl, --idle-timeout, --max-flows, -f/--filter, --ifname\n"
    "                      as for nta events\n"
    "      --jobs N        analyse on N threads, each the connections of one shard (as\n"
    "                      nta plan's shards), merged: the same output as one thread\n"
    "      --plan FILE, --shard K, --emit-shard OUT\n"
    "                      run as shard K of a plan (nta plan): its partial state goes to OUT\n"
    "                      for nta merge, which prints the reports; the inputs are the plan's\n"
    "                      (none given) or nta split's bucket of shard K\n"
    "  -q, --quiet         no progress line, no traced-endpoints notice\n"
    "  -h, --help          this help\n"
    "\n"
    "Exit status: 0 ok, 1 input partly unreadable, 2 usage error, 3 input unreadable,\n"
    "4 a --fail-if condition held (the reports are still written).\n";

static int parse_duration(const char *s, uint64_t *ns)
{
    char *end;
    double v = strtod(s, &end);
    double mul = 1e9;
    if (end == s || !(v > 0 && v <= 1e12))   /* NaN and infinity fail too */
        return -1;
    if (strcmp(end, "ms") == 0)
        mul = 1e6;
    else if (strcmp(end, "m") == 0)
        mul = 60e9;
    else if (*end != '\0' && strcmp(end, "s") != 0)
        return -1;
    *ns = (uint64_t)(v * mul);
    return *ns > 0 ? 0 : -1;
}

/* Which reports dtrace text can feed: a report needing a field or probe the input lacks is an
 * error when asked for by name (or by a --fail-if), and left out with a notice under --all.
 * Returns 0 when nothing is left to do (exit 3). */
static int dtext_reports_possible(const nta_run_info *info, int *want, int *compute, int named)
{
    int left = 0, fatal = 0;
    for (int k = 0; k < NTA_NREPORTS; k++) {
        const nta_report_kind *kind = nta_report_kinds[k];
        if (!compute[k])
            continue;
        uint32_t missing = kind->needs & ~info->known;
        int no_probes = (kind->probes & info->probes) == 0;
        if (!missing && !no_probes) {
            left++;
            continue;
        }
        char what[1024];
        if (no_probes) {
            snprintf(what, sizeof what, "the probes it reads never fire in it");
        } else {
            size_t n = (size_t)snprintf(what, sizeof what, "it does not show");
            for (uint32_t bit = 1; bit != 0 && n < sizeof what; bit <<= 1)
                if (missing & bit)
                    n += (size_t)snprintf(what + n, sizeof what - n, "%s %s", n > 16 ? "," : "",
                                          nta_field_group_name(bit));
        }
        if (named && want[k]) {
            cli_errorf("--%s cannot be computed from %s: %s", kind->name, info->dtext_kind, what);
            fatal = 1;
        } else if (!want[k]) {
            cli_errorf("a --fail-if metric needs --%s, which cannot be computed from %s: %s",
                       kind->name, info->dtext_kind, what);
            fatal = 1;
        } else {
            cli_errorf("--%s left out: %s: %s", kind->name, info->dtext_kind, what);
        }
        want[k] = compute[k] = 0;
    }
    if (!fatal && left == 0)
        cli_errorf("no report can be computed from %s", info->dtext_kind);
    return !fatal && left > 0;
}

typedef struct report_args {
    cli_run run;
    nta_source_opts src;
    nta_rfmt fmt;
    const char *output, *outdir;
    int want[NTA_NREPORTS], compute[NTA_NREPORTS], named;
    uint64_t interval;
    nta_fail_if gates[MAX_GATES];
    int ngates;
    int out_err;         /* the errno of a failed write of the reports, for the message */
    cli_shard_args shard;   /* --plan, --shard, --emit-shard (cli/shards.h) */
    int jobs;               /* --jobs N: N shards as threads */
    struct nta_report_set **job_sets;
    const uint64_t *origin_ns;   /* a merge: --bytes blocks start at the plan's origin */
} report_args;

static int parse_format(const char *format, nta_rfmt *fmt)
{
    static const char *const names[] = { "text", "json", "csv" };
    for (int i = 0; i < 3; i++)
        if (strcmp(format, names[i]) == 0) {
            *fmt = (nta_rfmt)i;
            return 0;
        }
    return -1;
}

/* A --fail-if gate: parsed, and its metric known by exactly that name. */
static int add_gate(report_args *a, const char *text)
{
    const char *why;
    const nta_report_kind *owner;
    if (a->ngates == MAX_GATES)
        return cli_usage_error("report", "at most %d --fail-if", MAX_GATES);
    if (nta_fail_if_parse(text, &a->gates[a->ngates], &why) < 0)
        return cli_usage_error("report", "--fail-if '%s': %s", text, why);
    if (!nta_metric_known(a->gates[a->ngates].metric, &owner))
        return cli_usage_error("report", "--fail-if '%s': no metric '%s'; metrics:\n%s", text,
                               a->gates[a->ngates].metric, nta_metrics_help());
    a->ngates++;
    return CLI_EXIT_OK;
}

/* The reports the gates' metrics need are computed too. */
static void gates_compute(report_args *a)
{
    for (int g = 0; g < a->ngates; g++) {
        const nta_report_kind *owner;
        nta_metric_known(a->gates[g].metric, &owner);
        for (int k = 0; owner != NULL && k < NTA_NREPORTS; k++)
            a->compute[k] |= nta_report_kinds[k] == owner;
    }
}

/* Options into a; returns -1 when all is well (optind at the inputs), else the exit status. */
static int parse_args(report_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "durations", no_argument, NULL, 1000 }, { "ifhist", no_argument, NULL, 1001 },
        { "ooo", no_argument, NULL, 1002 },       { "bytes", no_argument, NULL, 1003 },
        { "states", no_argument, NULL, 1004 },    { "packets", no_argument, NULL, 1005 },
        { "all", no_argument, NULL, 'A' },        { "format", required_argument, NULL, 'F' },
        { "output", required_argument, NULL, 'o' }, { "output-dir", required_argument, NULL, 'D' },
        { "interval", required_argument, NULL, 'N' }, { "fail-if", required_argument, NULL, 'G' },
        { "local", required_argument, NULL, 'L' }, { "msl", required_argument, NULL, 'M' },
        { "idle-timeout", required_argument, NULL, 'T' },
        { "max-flows", required_argument, NULL, 'X' }, { "filter", required_argument, NULL, 'f' },
        { "ifname", required_argument, NULL, 'I' }, { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },        { "plan", required_argument, NULL, 'P' },
        { "shard", required_argument, NULL, 'K' }, { "emit-shard", required_argument, NULL, 'E' },
        { "jobs", required_argument, NULL, 'J' }, { NULL, 0, NULL, 0 },
    };
    const char *format = "text";
    int any = 0, c, idx = 0, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, &idx)) != -1) {
        if (c >= 1000 && c < 1000 + NTA_NREPORTS) {
            a->want[c - 1000] = any = a->named = 1;
            continue;
        }
        switch (c) {
        case 'A':
            for (int k = 0; k < NTA_NREPORTS; k++)
                a->want[k] = 1;
            any = 1;
            break;
        case 'F': format = optarg; break;
        case 'o': a->output = optarg; break;
        case 'D': a->outdir = optarg; break;
        case 'N':
            if (parse_duration(optarg, &a->interval) < 0)
                return cli_usage_error("report", "--interval takes a duration (2s, 500ms, 1m), not '%s'",
                                       optarg);
            break;
        case 'G':
            if ((rc = add_gate(a, optarg)) != CLI_EXIT_OK)
                return rc;
            break;
        case 'L': case 'M': case 'T': case 'X': case 'f': case 'I':
            a->shard.analysis_given = 1;
            a->shard.analysis_opt = c == 'f' ? "filter" : longopts[idx].name;
            if (c == 'f' || c == 'I')
                *(c == 'f' ? &a->src.filter : &a->src.ifname) = optarg;
            else if (cli_source_option(&a->src, "report", longopts[idx].name, optarg) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'P': case 'K': case 'E':
            if (cli_shard_option(&a->shard, "report", longopts[idx].name, optarg) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'J':
            if ((a->jobs = cli_jobs_option("report", optarg)) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'q': a->run.quiet = 1; break;
        case 'h': printf(report_help, nta_metrics_help()); return CLI_EXIT_OK;
        case ':': return cli_usage_error("report", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (parse_format(format, &a->fmt) < 0)
        return cli_usage_error("report", "--format must be text, json or csv, not '%s'", format);
    if (a->output && a->outdir)
        return cli_usage_error("report", "-o and --output-dir exclude each other");
    if (optind >= argc && !cli_shard_wanted(&a->shard))
        return cli_usage_error("report", "no capture file given");
    for (int k = 0; k < NTA_NREPORTS; k++) {
        a->want[k] |= !any;
        a->compute[k] = a->want[k];
    }
    gates_compute(a);
    return -1;
}

/* Every --fail-if metric must be one the input can give: a gate that can never hold is a
 * mistake the user should hear about, not a silent pass. */
static int gates_possible(const report_args *a, const nta_run_info *info)
{
    for (int g = 0; g < a->ngates; g++) {
        const char *why;
        if (!nta_metric_available(a->gates[g].metric, info, &why)) {
            cli_errorf("--fail-if '%s': %s cannot be computed from %s: %s", a->gates[g].text,
                       a->gates[g].metric, info->dtext ? info->dtext_kind : "this input", why);
            return 0;
        }
    }
    return 1;
}

/* A log of 100 MB written through stdio's default 4 KiB buffer takes 25,000 write(2) calls;
 * with 1 MiB it takes a hundred, and the kernel's share of writing it halves (dd of the packet
 * log of mix.pcap: 0.16 s -> 0.09 s of system time). Text logs gather their lines themselves
 * and hand stdio 256 KiB at a time, which it writes through without this (reports/report_log.c):
 * a buffer this large would only add a copy. */
#define LOG_IOBUF (1u << 20)

/* The files of --output-dir, one per report written out. */
typedef struct dests {
    nta_report_dest d[NTA_NREPORTS];
    cli_out out[NTA_NREPORTS];
    char *iobuf[NTA_NREPORTS];
    int n;
} dests;

/* The destinations of the reports computed: the shared output, or a file each under
 * --output-dir. Returns 0, or the exit status after saying which file cannot be made (those
 * made so far are dropped). */
static int open_dests(const report_args *a, char *const *inputs, int ninputs, dests *ds)
{
    static const char *const ext[] = { "txt", "json", "csv" };
    memset(ds, 0, sizeof *ds);
    for (int k = 0; k < NTA_NREPORTS; k++) {
        if (!a->compute[k])
            continue;
        const nta_report_kind *kind = nta_report_kinds[k];
        int i = ds->n++;
        ds->d[i] = (nta_report_dest){ .kind = kind, .output = a->want[k] };
        if (!a->want[k] || a->outdir == NULL)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.%s", a->outdir, kind->name, ext[a->fmt]);
        int st = cli_check_output(path, inputs, ninputs);
        if (st == 0)
            st = cli_out_open(&ds->out[i], path);
        if (st != 0) {
            for (int j = 0; j < i; j++)
                cli_out_discard(&ds->out[j]);
            return st;
        }
        ds->d[i].file = ds->out[i].f;
        if (kind->is_log && a->fmt != NTA_RFMT_TEXT && (ds->iobuf[i] = malloc(LOG_IOBUF)) != NULL)
            setvbuf(ds->out[i].f, ds->iobuf[i], _IOFBF, LOG_IOBUF);
    }
    return 0;
}

/* Closes every file (renamed into place, or kept as .partial after an interruption). 0, or -1
 * when one failed (said on stderr). */
static int close_dests(dests *ds, int partial, int err)
{
    int rc = 0;
    for (int i = 0; i < ds->n; i++) {
        ds->out[i].err = err;
        if (ds->out[i].f != NULL && cli_out_close(&ds->out[i], partial) < 0)
            rc = -1;
        free(ds->iobuf[i]);
    }
    return rc;
}

/* The gates after the run: each that holds is said on stderr. 1 when any held. */
static int gates_hold(report_args *a, nta_report_set *rs)
{
    int failed = 0;
    for (int g = 0; g < a->ngates; g++) {
        double v;
        if (nta_report_set_metric(rs, a->gates[g].metric, &v) == 0
            && nta_fail_if_holds(&a->gates[g], v)) {
            cli_errorf("--fail-if '%s' holds: %s = %g", a->gates[g].text, a->gates[g].metric, v);
            failed = 1;
        }
    }
    return failed;
}

/* Makes the set and runs it; returns the exit status. */
/* What gives the report set its events: a source's run, or a merge of shards (nta merge).
 * Returns the exit status of the run. */
typedef int (*report_feed)(void *ctx, report_args *a, nta_report_set *rs);

static int feed_source(void *ctx, report_args *a, nta_report_set *rs)
{
    nta_source *src = ctx;
    nta_source_set_wait_hook(src, nta_report_set_on_wait, rs);
    return cli_source_run(&a->run, src, nta_report_set_sink(rs));
}

static int run_reports(report_args *a, const nta_run_info *info, report_feed feed, void *ctx,
                       FILE *out, char *const *inputs, int ninputs)
{
    dests ds;
    int status = open_dests(a, inputs, ninputs, &ds);
    if (status != 0)
        return status;
    /* reports sharing one output wait in temporary files: where the user says (TMPDIR) */
    nta_report_set_opts ro = { .fmt = a->fmt, .out = out, .interval_ns = a->interval,
                               .known = info->known, .tmpdir = getenv("TMPDIR"),
                               .max_flows = a->src.max_flows, .origin_ns = a->origin_ns };
    nta_report_set *rs;
    nta_err err;
    nta_err_clear(&err);
    if (nta_report_set_new(&rs, &ro, ds.d, ds.n, &err) < 0) {
        cli_report_err(&err);
        close_dests(&ds, 1, 0);
        return CLI_EXIT_UNREADABLE;
    }
    status = feed(ctx, a, rs);
    double skipped;
    if (nta_report_set_metric(rs, "bytes.skipped_intervals", &skipped) == 0 && skipped > 0)
        cli_errorf("--interval: %.0f empty intervals not printed (gaps of more than 1000 "
                   "intervals without a packet, skipped whole)", skipped);
    int werr = nta_report_set_write_status(rs) < 0;   /* closing the output says which */
    a->out_err = werr ? errno : 0;
    /* a failed gate outranks partly unreadable input, not input nothing could be read of */
    int held = gates_hold(a, rs);
    int failed_errno;
    const char *failed = nta_report_set_failed(rs, &failed_errno);
    if (close_dests(&ds, a->run.interrupted, a->out_err) < 0 || werr) {
        status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    } else if (failed != NULL) {   /* not the output: what the report keeps aside */
        cli_errorf("the %s report stopped: %s (its temporary files go to %s)", failed,
                   strerror(failed_errno), getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    }
    else if (held && status != CLI_EXIT_UNREADABLE && status != CLI_EXIT_USAGE && !a->run.interrupted)
        status = CLI_EXIT_THRESHOLD;
    nta_report_set_free(rs);
    return status;
}

/* ---- shards (issue 17) ---- */

typedef struct shard_ctx {
    report_args *a;
    const nta_plan *plan;
    nta_report_set *rs;
} shard_ctx;

/* The report set of a shard: the reports computed, saving instead of printing. */
static const nta_sink *shard_set(void *ctx, const nta_report_saver *saver)
{
    shard_ctx *c = ctx;
    nta_report_dest d[NTA_NREPORTS];
    int n = 0;
    for (int k = 0; k < NTA_NREPORTS; k++)
        if (c->a->compute[k])
            d[n++] = (nta_report_dest){ .kind = nta_report_kinds[k], .output = 0 };
    nta_report_set_opts ro = { .fmt = c->a->fmt, .out = stdout, .interval_ns = c->a->interval,
                               .known = NTA_F_ALL, .saver = saver,
                               .origin_ns = c->plan->has_origin ? &c->plan->origin_ns : NULL };
    nta_err err;
    nta_err_clear(&err);
    if (nta_report_set_new(&c->rs, &ro, d, n, &err) < 0) {
        cli_report_err(&err);
        return NULL;
    }
    return nta_report_set_sink(c->rs);
}

/* What every shard of a merge must share: the reports wanted and computed, --interval. */
static size_t shard_opts(const report_args *a, uint8_t *b, size_t cap)
{
    uint64_t want = 0, compute = 0;
    for (int k = 0; k < NTA_NREPORTS; k++) {
        want |= (uint64_t)a->want[k] << k;
        compute |= (uint64_t)a->compute[k] << k;
    }
    nta_buf o = { 0 };
    nta_buf_u8(&o, 1);
    nta_buf_uv(&o, want);
    nta_buf_uv(&o, compute);
    nta_buf_uv(&o, a->interval);
    size_t n = o.failed || o.n > cap ? 0 : o.n;
    if (n)
        memcpy(b, o.p, n);
    nta_buf_free(&o);
    return n;
}

static int report_shard(report_args *a, char *const *inputs, int ninputs)
{
    if (a->output != NULL || a->outdir != NULL)
        return cli_usage_error("report", "a shard writes its state to --emit-shard; nta merge "
                               "writes the reports (-o, --output-dir, --format go there)");
    cli_shard sh;
    int status = cli_shard_prepare(&a->shard, "report", inputs, ninputs, &a->src, &sh);
    if (status != 0)
        return status;
    a->run.quiet = 1;   /* what one run would say, the merge says */
    nta_source *src = cli_source_open(&a->run, sh.paths, sh.npaths, &a->src, &status);
    if (src != NULL) {
        uint8_t opts[64];
        size_t n = shard_opts(a, opts, sizeof opts);
        shard_ctx c = { a, sh.plan, NULL };
        status = cli_shard_run(&a->shard, "report", &sh, src, NTA_SHARD_REPORT, opts, n, 0,
                               shard_set, &c);
        nta_report_set_free(c.rs);
        nta_source_free(src);
    }
    cli_shard_fini(&sh);
    return status;
}

static int merge_load(void *ctx, uint8_t chan, uint64_t key, const uint8_t *p, size_t n, nta_err *err)
{
    return nta_report_set_load(ctx, chan, key, p, n, err);
}

static int merge_loaded(void *ctx, nta_err *err)
{
    return nta_report_set_loaded(ctx, err);
}

static int merge_record(void *ctx, uint8_t chan, const uint8_t *p, size_t n, nta_err *err)
{
    int rc = nta_report_set_replay(ctx, chan, p, n);
    if (rc == NTA_ECORRUPT)
        nta_err_set(err, rc, "a damaged record (channel %u)", chan);
    return rc;
}

/* The merge as the report set's run: what one run would have said, said. */
static int feed_merge(void *ctx, report_args *a, nta_report_set *rs)
{
    nta_merge *m = ctx;
    const nta_run_info *info = nta_merge_info(m);
    const nta_sink *s = nta_report_set_sink(rs);
    cli_announce(&a->run, info);
    nta_err err;
    nta_err_clear(&err);
    nta_merge_sink ms = { merge_load, merge_loaded, merge_record, rs };
    int rc = s->on_start(s->ctx, info);
    if (rc == 0)
        rc = nta_merge_run(m, &ms, &err);
    if (rc == 0)
        rc = s->on_finish(s->ctx, info);
    if (rc < 0) {
        if (err.code != 0)
            cli_report_err(&err);
        return rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
    }
    return cli_merged_status(&a->run, info);
}

/* The reports the shards were made for, from their options. 0 or -1 (damaged options). */
static int merge_reports(report_args *a, nta_merge *m)
{
    size_t n;
    const uint8_t *p = nta_merge_opts(m, &n);
    nta_cur c = nta_cur_make(p, n);
    uint8_t v;
    uint64_t want, compute;
    if (nta_cur_u8(&c, &v) < 0 || v != 1 || nta_cur_uv(&c, &want) < 0 || nta_cur_uv(&c, &compute) < 0
        || nta_cur_uv(&c, &a->interval) < 0)
        return -1;
    for (int k = 0; k < NTA_NREPORTS; k++) {
        a->want[k] = (int)(want >> k & 1);
        a->compute[k] = (int)(compute >> k & 1);
    }
    return 0;
}

int cli_report_merge(nta_merge *m, const cli_merge_opts *mo)
{
    report_args a;
    memset(&a, 0, sizeof a);
    a.run.cmd = "merge";
    a.run.quiet = mo->quiet;
    a.output = mo->output;
    a.outdir = mo->outdir;
    if (parse_format(mo->format != NULL ? mo->format : "text", &a.fmt) < 0)
        return cli_usage_error("merge", "--format must be text, json or csv for report shards, "
                               "not '%s'", mo->format);
    if (merge_reports(&a, m) < 0) {
        cli_errorf("%s: damaged report options", mo->shards[0]);
        return CLI_EXIT_UNREADABLE;
    }
    int computed[NTA_NREPORTS];
    memcpy(computed, a.compute, sizeof computed);
    for (int g = 0; g < mo->ngates; g++) {
        int rc = add_gate(&a, mo->gates[g]);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    gates_compute(&a);
    for (int k = 0; k < NTA_NREPORTS; k++)
        if (a.compute[k] && !computed[k])
            return cli_usage_error("merge", "a --fail-if metric needs --%s, which the shards did "
                                   "not compute (run them with it, or with that --fail-if)",
                                   nta_report_kinds[k]->name);
    const nta_plan *plan = nta_merge_plan(m);
    a.origin_ns = plan->has_origin ? &plan->origin_ns : NULL;
    a.src.max_flows = plan->max_flows;   /* --bytes' memory bound, as in one run */
    if (cli_check_output(a.output, mo->shards, mo->nshards) != 0)
        return CLI_EXIT_USAGE;
    if (a.outdir != NULL && mkdir(a.outdir, 0777) < 0 && errno != EEXIST) {
        cli_errorf("cannot create %s: %s", a.outdir, strerror(errno));
        return CLI_EXIT_UNREADABLE;
    }
    cli_out out;
    memset(&out, 0, sizeof out);
    int status = cli_out_open(&out, a.output);
    if (status != 0)
        return status;
    status = run_reports(&a, nta_merge_info(m), feed_merge, m, out.f, mo->shards, mo->nshards);
    out.err = a.out_err;
    if (cli_out_close(&out, 0) < 0)
        status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    return status;
}

/* ---- --jobs N: the shards as threads of this process, then their merge ---- */

static const nta_sink *jobs_set(void *ctx, int k, const nta_report_saver *saver,
                                const uint64_t *origin_ns, nta_err *err)
{
    report_args *a = ctx;
    nta_report_set **sets = a->job_sets;
    nta_report_dest d[NTA_NREPORTS];
    int n = 0;
    for (int r = 0; r < NTA_NREPORTS; r++)
        if (a->compute[r])
            d[n++] = (nta_report_dest){ .kind = nta_report_kinds[r], .output = 0 };
    nta_report_set_opts ro = { .fmt = a->fmt, .out = stdout, .interval_ns = a->interval,
                               .known = NTA_F_ALL, .saver = saver, .origin_ns = origin_ns };
    return nta_report_set_new(&sets[k], &ro, d, n, err) == 0 ? nta_report_set_sink(sets[k]) : NULL;
}

static int report_jobs(report_args *a, char *const *inputs, int ninputs)
{
    static const char *const fmts[] = { "text", "json", "csv" };
    if (cli_check_inputs(inputs, ninputs) != 0 || cli_check_output(a->output, inputs, ninputs) != 0)
        return CLI_EXIT_USAGE;
    int status;
    nta_source *src = cli_source_open(&a->run, inputs, ninputs, &a->src, &status);
    if (src == NULL)
        return status;
    if (nta_source_info(src)->dtext) {
        nta_source_free(src);
        return cli_usage_error("report", "--jobs splits captures by connection; %s is dtrace text",
                               inputs[0]);
    }
    nta_report_set *sets[NTA_JOBS_MAX] = { NULL };
    a->job_sets = sets;
    uint8_t opts[64];
    nta_jobs_opts jo = { .n = a->jobs, .kind = NTA_SHARD_REPORT, .opts = opts,
                         .optslen = shard_opts(a, opts, sizeof opts), .make_inner = jobs_set,
                         .ctx = a, .tmpdir = getenv("TMPDIR") };
    nta_err err;
    nta_err_clear(&err);
    nta_merge *m;
    int rc = nta_jobs_run(src, &jo, &m, &err);
    cli_progress_done(&a->run.prog);
    for (int k = 0; k < a->jobs; k++)
        nta_report_set_free(sets[k]);
    if (rc < 0) {
        cli_report_err(&err);
        status = rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
    } else {
        cli_merge_opts mo = { .format = fmts[a->fmt], .output = a->output, .outdir = a->outdir,
                              .quiet = 1, .shards = inputs, .nshards = ninputs };
        for (int g = 0; g < a->ngates; g++)
            mo.gates[mo.ngates++] = a->gates[g].text;
        status = cli_report_merge(m, &mo);   /* the traced hosts were said while reading */
        nta_merge_free(m);
    }
    nta_source_free(src);
    return status;
}

int cli_cmd_report(int argc, char **argv)
{
    report_args a;
    memset(&a, 0, sizeof a);
    a.run.cmd = "report";
    nta_source_opts_init(&a.src);
    cli_shard_args_init(&a.shard);
    int status = parse_args(&a, argc, argv);
    if (status >= 0)
        return status;
    char *const *inputs = argv + optind;
    int ninputs = argc - optind;
    if (cli_shard_wanted(&a.shard))
        return report_shard(&a, inputs, ninputs);
    if (a.jobs > 1)
        return report_jobs(&a, inputs, ninputs);
    if (cli_check_inputs(inputs, ninputs) != 0 || cli_check_output(a.output, inputs, ninputs) != 0)
        return CLI_EXIT_USAGE;
    if (a.outdir != NULL && mkdir(a.outdir, 0777) < 0 && errno != EEXIST) {
        cli_errorf("cannot create %s: %s", a.outdir, strerror(errno));
        return CLI_EXIT_UNREADABLE;
    }
    nta_source *src = cli_source_open(&a.run, inputs, ninputs, &a.src, &status);
    if (src == NULL)
        return status;
    const nta_run_info *info = nta_source_info(src);
    cli_out out;
    memset(&out, 0, sizeof out);
    if ((info->dtext && !dtext_reports_possible(info, a.want, a.compute, a.named))
        || !gates_possible(&a, info)) {
        status = CLI_EXIT_UNREADABLE;
    } else if ((status = cli_out_open(&out, a.output)) == 0) {
        status = run_reports(&a, info, feed_source, src, out.f, inputs, ninputs);
        out.err = a.out_err;
        if (cli_out_close(&out, a.run.interrupted) < 0)
            status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    }
    nta_source_free(src);
    return status;
}
