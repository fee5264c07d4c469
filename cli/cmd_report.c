/* cli/cmd_report.c: `nta report`, the article's reports from one read of the input.
 *
 * Every report asked for consumes the same event stream (cli/pipeline.c). Output goes to
 * standard output, -o FILE, or --output-dir DIR (one NAME.txt|json|csv per report). Text is
 * what the article's scripts print under dtrace; JSON and CSV record the inputs, the traced
 * endpoints and the skipped-packet counts (man/nta.1, "REPORTS"). --fail-if gates are
 * evaluated at the end: the reports are still written, failures go to stderr, exit 4. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "event/fields.h"
#include "cli/pipeline.h"
#include "common/chunkq.h"
#include "formats/decode.h"
#include "reports/fail_if.h"
#include "reports/log_writer.h"
#include "reports/report.h"

#define MAX_GATES 32

static const struct {
    const char *name;
    nta_report *(*make)(const nta_report_opts *);
} kinds[] = {
    { "durations", nta_report_durations }, { "ifhist", nta_report_ifhist },
    { "ooo", nta_report_ooo },             { "bytes", nta_report_bytes },
    { "states", nta_report_states },       { "packets", nta_report_packets },
};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };

/* Metrics not owned by a report: counts of probe firings, and the analyzer's figures. */
static const struct {
    const char *name;
    nta_probe probe;
} probe_metrics[] = {
    { "connect_refused", NTA_PROBE_TCP_CONNECT_REFUSED },
    { "accept_refused", NTA_PROBE_TCP_ACCEPT_REFUSED },
    { "connect_established", NTA_PROBE_TCP_CONNECT_ESTABLISHED },
    { "accept_established", NTA_PROBE_TCP_ACCEPT_ESTABLISHED },
    { "connect_request", NTA_PROBE_TCP_CONNECT_REQUEST },
};

static const char metrics_help[] =
    "  ooo.packets ooo.bytes ooo.total_packets ooo.total_bytes ooo.packets_ratio ooo.bytes_ratio\n"
    "  durations.count durations.p50_ms durations.p90_ms durations.p99_ms durations.max_ms\n"
    "  bytes.tcp_in bytes.tcp_out bytes.udp_in bytes.udp_out bytes.skipped_intervals\n"
    "  states.lines  packets.lines\n"
    "  connect_refused accept_refused connect_established accept_established connect_request\n"
    "  midstream (connections picked up without their handshake)\n";

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
    "      --local, --msl, --idle-timeout, --max-flows, -f/--filter, --ifname, -q\n"
    "                      as for nta events\n"
    "  -h, --help          this help\n"
    "\n"
    "Exit status: 0 ok, 1 input partly unreadable, 2 usage error, 3 input unreadable,\n"
    "4 a --fail-if condition held (the reports are still written).\n";

typedef struct active {
    nta_report *r;
    int output;          /* written out (else computed only for a --fail-if metric) */
    FILE *dest;          /* its destination file (output-dir), or NULL for the shared one */
    FILE *tmp;           /* streaming report sharing the output with others: buffered here */
    int is_log;          /* a per-event log (its lines formatted by the log writer) */
    char *iobuf;         /* dest's stdio buffer, freed after dest is closed */
} active;

/* A log of 100 MB written through stdio's default 4 KiB buffer takes 25,000 write(2) calls;
 * with 1 MiB it takes a hundred, and the kernel's share of writing it halves (dd of the packet
 * log of mix.pcap: 0.16 s -> 0.09 s of system time). Text logs gather their lines themselves
 * and hand stdio 256 KiB at a time, which it writes through without this (reports/report_log.c):
 * a buffer this large would only add a copy. */
#define LOG_IOBUF (1u << 20)

typedef struct run_ctx {
    active a[NKINDS];
    int n;
    nta_report *by_probe[NTA_PROBE__COUNT][NKINDS + 1];   /* NULL-ended: who wants each probe */
    uint64_t probe_counts[NTA_PROBE__COUNT];
    nta_rfmt fmt;
    char **paths;
    int npaths;
    const nta_locals *locals;
} run_ctx;

/* Waiting for live input: the log lines so far go to the writer (and out). */
static void hand_over_logs(void *ctx)
{
    nta_logw_hand_over(ctx);
}

static int on_event(void *ctx, const nta_event *ev)
{
    run_ctx *c = ctx;
    c->probe_counts[ev->probe]++;
    for (nta_report *const *r = c->by_probe[ev->probe]; *r != NULL; r++)
        if ((*r)->on_event(*r, ev) < 0)
            return NTA_EIO;
    return 0;
}

static void csv_preamble(FILE *o, run_ctx *c, const char *name)
{
    char desc[1024];
    nta_locals_describe(c->locals, desc, sizeof desc);
    fprintf(o, "# nta report %s (schema_version 1)\n# inputs:", name);
    for (int i = 0; i < c->npaths; i++)
        fprintf(o, " %s", c->paths[i]);
    fprintf(o, "\n# traced: %s (%s)\n", desc, c->locals->why);
}

/* The head of a report's JSON object, up to its rows array; the tail (skipped counts) follows
 * the rows. Streaming reports get the head before their first row. */
static void json_head(FILE *o, run_ctx *c, const char *name)
{
    char desc[1024];
    nta_locals_describe(c->locals, desc, sizeof desc);
    json_t *inputs = json_array();
    for (int i = 0; i < c->npaths; i++)
        json_array_append_new(inputs, json_string(c->paths[i]));
    json_t *h = json_pack("{s:i, s:s, s:o, s:s, s:s}", "schema_version", 1, "report", name, "inputs",
                          inputs, "traced", desc, "traced_how", c->locals->why);
    char *text = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(o, "%.*s,\"rows\":[", (int)(strlen(text) - 1), text);   /* drop the closing brace */
    free(text);
    json_decref(h);
}

static void on_decided(void *ctx, const nta_locals *l)
{
    run_ctx *c = ctx;
    c->locals = l;
    for (int i = 0; i < c->n; i++) {   /* streaming rows start now: their preamble first */
        if (!c->a[i].output || !c->a[i].r->streaming)
            continue;
        if (c->fmt == NTA_RFMT_CSV)
            csv_preamble(c->a[i].r->opts.stream, c, c->a[i].r->name);
        else if (c->fmt == NTA_RFMT_JSON)
            json_head(c->a[i].r->opts.stream, c, c->a[i].r->name);
    }
}

static int parse_duration(const char *s, uint64_t *ns)
{
    char *end;
    double v = strtod(s, &end);
    double mul = 1e9;
    if (end == s || v <= 0)
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

/* Set when the input is dtrace text: its malformed lines are what was skipped. */
static const nta_dtext *g_dtext;

static json_t *skipped_json(const cli_pipeline *p, const nta_trace *t)
{
    json_t *o = json_object();
    if (t == NULL) {
        json_object_set_new(o, "malformed_lines",
                            json_integer((json_int_t)(g_dtext ? nta_dtext_stats_of(g_dtext)->malformed : 0)));
        return o;
    }
    uint64_t bad = 0;
    for (int i = 0; i < nta_trace_nfiles(t); i++)
        bad += nta_trace_file_info(t, i)->bad_records;
    for (int r = 1; r < NTA_SKIP__COUNT; r++)
        json_object_set_new(o, nta_skip_name((nta_skip_reason)r),
                            json_integer((json_int_t)(p->skipped[r] + (r == NTA_SKIP_BAD_RECORD ? bad : 0))));
    return o;
}

static json_t *report_json(nta_report *r, run_ctx *c, const cli_pipeline *p, const nta_trace *t)
{
    char desc[1024];
    nta_locals_describe(c->locals, desc, sizeof desc);
    json_t *inputs = json_array();
    for (int i = 0; i < c->npaths; i++)
        json_array_append_new(inputs, json_string(c->paths[i]));
    json_t *rows = r->json_rows(r);
    return json_pack("{s:i, s:s, s:o, s:s, s:s, s:o, s:o}", "schema_version", 1, "report", r->name,
                     "inputs", inputs, "traced", desc, "traced_how", c->locals->why, "skipped",
                     skipped_json(p, t), "rows", rows ? rows : json_null());
}

static int copy_stream(FILE *from, FILE *to)
{
    char buf[65536];
    size_t n;
    rewind(from);
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            return -1;
    return ferror(from) ? -1 : 0;
}

/* Final output of one report into o. */
static int finish_report(active *a, FILE *o, run_ctx *c, const cli_pipeline *p, const nta_trace *t)
{
    nta_report *r = a->r;
    switch (c->fmt) {
    case NTA_RFMT_TEXT:
        if (r->write_text(r, o) < 0)
            return -1;
        break;
    case NTA_RFMT_CSV:
        if (!r->streaming)
            csv_preamble(o, c, r->name);
        if (r->write_csv(r, r->streaming ? r->opts.stream : o) < 0)
            return -1;
        {
            FILE *s = r->streaming ? r->opts.stream : o;
            json_t *sk = skipped_json(p, t);
            fprintf(s, "# skipped:");
            const char *key;
            json_t *v;
            json_object_foreach(sk, key, v)
                fprintf(s, " %s=%lld", key, (long long)json_integer_value(v));
            fputc('\n', s);
            json_decref(sk);
        }
        break;
    case NTA_RFMT_JSON:
        break;
    }
    if (a->tmp != NULL && copy_stream(a->tmp, o) < 0)
        return -1;
    return 0;
}

static int is_log_kind(int k)
{
    return kinds[k].make == nta_report_states || kinds[k].make == nta_report_packets;
}

/* Closing a log of hundreds of MB can take a tenth of a second (ext4 writes back a file that
 * was truncated and written again when it is closed): logs in files of their own are closed by
 * a helper thread while the other reports are printed. */
typedef struct closer {
    FILE *f[NKINDS];
    int n, launched, started, failed, err;
    pthread_t th;
} closer;

static void *close_all(void *arg)
{
    closer *c = arg;
    for (int i = 0; i < c->n; i++)
        if (fclose(c->f[i]) != 0 && !c->failed) {
            c->failed = 1;
            c->err = errno;
        }
    return NULL;
}

static void closer_start(closer *c)
{
    c->launched = 1;
    if (c->n > 0 && nta_thread_start(&c->th, close_all, c) == 0)
        c->started = 1;
    else
        close_all(c);
}

/* 0, or -1 with errno set when a close failed. */
static int closer_finish(closer *c)
{
    if (c->started)
        pthread_join(c->th, NULL);
    if (c->failed)
        errno = c->err;
    return c->failed ? -1 : 0;
}

static double metric_value(run_ctx *c, const cli_pipeline *p, const char *name, int *found)
{
    *found = 1;
    for (size_t i = 0; i < sizeof probe_metrics / sizeof probe_metrics[0]; i++)
        if (strcmp(name, probe_metrics[i].name) == 0)
            return (double)c->probe_counts[probe_metrics[i].probe];
    if (strcmp(name, "midstream") == 0)
        return (double)p->stats.midstream;
    double v;
    for (int i = 0; i < c->n; i++)
        if (c->a[i].r->metric(c->a[i].r, name, &v) == 0)
            return v;
    *found = 0;
    return 0;
}

/* Which report owns a metric ("ooo.packets" -> ooo); -1 for the probe/analyzer metrics, -2 for
 * an unknown name. */
static int metric_owner(const char *name)
{
    for (size_t i = 0; i < sizeof probe_metrics / sizeof probe_metrics[0]; i++)
        if (strcmp(name, probe_metrics[i].name) == 0)
            return -1;
    if (strcmp(name, "midstream") == 0)
        return -1;
    for (int k = 0; k < NKINDS; k++) {
        size_t l = strlen(kinds[k].name);
        if (strncmp(name, kinds[k].name, l) == 0 && name[l] == '.' && strstr(metrics_help, name))
            return k;
    }
    return -2;
}

/* Which reports dtrace text can feed: a report needing a field or probe the input lacks is an
 * error when asked for by name (or by a --fail-if), and left out with a notice under --all.
 * Returns 0 when nothing is left to do (exit 3). */
static int dtext_reports_possible(const nta_dtext *dt, int *want, int *compute, int named,
                                  uint64_t interval)
{
    nta_dtext_kind kind = nta_dtext_kind_of(dt);
    uint32_t fields = nta_dtext_fields(kind), probes = nta_dtext_probes(kind);
    int left = 0, fatal = 0;
    for (int k = 0; k < NKINDS; k++) {
        if (!compute[k])
            continue;
        nta_report_opts ro = { NTA_RFMT_JSON, NULL, interval, fields, NULL };
        nta_report *r = kinds[k].make(&ro);
        if (r == NULL)
            return 0;
        uint32_t missing = r->needs & ~fields;
        int no_probes = (r->probes & probes) == 0;
        r->free(r);
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
            cli_errorf("--%s cannot be computed from %s: %s", kinds[k].name, nta_dtext_kind_name(kind), what);
            fatal = 1;
        } else if (!want[k]) {
            cli_errorf("a --fail-if metric needs --%s, which cannot be computed from %s: %s",
                       kinds[k].name, nta_dtext_kind_name(kind), what);
            fatal = 1;
        } else {
            cli_errorf("--%s left out: %s: %s", kinds[k].name, nta_dtext_kind_name(kind), what);
        }
        want[k] = compute[k] = 0;
    }
    if (!fatal && left == 0)
        cli_errorf("no report can be computed from %s", nta_dtext_kind_name(kind));
    return !fatal && left > 0;
}

int cli_cmd_report(int argc, char **argv)
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
        { "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 },
    };
    cli_pipeline p;
    cli_pipeline_defaults(&p);
    nta_trace_opts to = { NULL, NULL, 0, 0 };
    const char *format = "text", *output = NULL, *outdir = NULL;
    int want[NKINDS] = { 0 }, any = 0, named = 0;
    uint64_t interval = 0;
    nta_fail_if gates[MAX_GATES];
    int ngates = 0, c, idx;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, &idx)) != -1) {
        if (c >= 1000 && c < 1000 + NKINDS) {
            want[c - 1000] = any = named = 1;
            continue;
        }
        switch (c) {
        case 'A':
            for (int k = 0; k < NKINDS; k++)
                want[k] = 1;
            any = 1;
            break;
        case 'F': format = optarg; break;
        case 'o': output = optarg; break;
        case 'D': outdir = optarg; break;
        case 'N':
            if (parse_duration(optarg, &interval) < 0)
                return cli_usage_error("report", "--interval takes a duration (2s, 500ms, 1m), not '%s'",
                                       optarg);
            break;
        case 'G': {
            const char *why;
            if (ngates == MAX_GATES)
                return cli_usage_error("report", "at most %d --fail-if", MAX_GATES);
            if (nta_fail_if_parse(optarg, &gates[ngates], &why) < 0)
                return cli_usage_error("report", "--fail-if '%s': %s", optarg, why);
            if (metric_owner(gates[ngates].metric) == -2)
                return cli_usage_error("report", "--fail-if '%s': no metric '%s'; metrics:\n%s",
                                       optarg, gates[ngates].metric, metrics_help);
            ngates++;
            break;
        }
        case 'L': case 'M': case 'T': case 'X':
            if (cli_pipeline_option(&p, "report", longopts[idx].name, optarg) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'f': to.filter = optarg; break;
        case 'I': to.ifname = optarg; break;
        case 'q': p.quiet = 1; p.announce = 0; break;
        case 'h': printf(report_help, metrics_help); return CLI_EXIT_OK;
        case ':': return cli_usage_error("report", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    run_ctx rc;
    memset(&rc, 0, sizeof rc);
    if (strcmp(format, "text") == 0)
        rc.fmt = NTA_RFMT_TEXT;
    else if (strcmp(format, "json") == 0)
        rc.fmt = NTA_RFMT_JSON;
    else if (strcmp(format, "csv") == 0)
        rc.fmt = NTA_RFMT_CSV;
    else
        return cli_usage_error("report", "--format must be text, json or csv, not '%s'", format);
    if (output && outdir)
        return cli_usage_error("report", "-o and --output-dir exclude each other");
    if (optind >= argc)
        return cli_usage_error("report", "no capture file given");
    if (!any)
        for (int k = 0; k < NKINDS; k++)
            want[k] = 1;
    int compute[NKINDS];
    for (int k = 0; k < NKINDS; k++)
        compute[k] = want[k];
    for (int g = 0; g < ngates; g++) {
        int owner = metric_owner(gates[g].metric);
        if (owner >= 0)
            compute[owner] = 1;
    }
    if (outdir != NULL && mkdir(outdir, 0777) < 0 && errno != EEXIST) {
        cli_errorf("cannot create %s: %s", outdir, strerror(errno));
        return CLI_EXIT_USAGE;
    }

    char **paths = argv + optind;
    int npaths = argc - optind;
    nta_trace *t = NULL;
    nta_dtext *dt = NULL;
    uint32_t known = NTA_F_ALL;
    int status;
    if (cli_input_is_dtext(paths, npaths)) {
        if (to.filter != NULL)
            return cli_usage_error("report", "--filter selects packets of a capture; %s is dtrace text",
                                   paths[0]);
        if ((dt = cli_dtext_open(paths, npaths, &status)) == NULL)
            return status;
        known = nta_dtext_fields(nta_dtext_kind_of(dt));
        if (!dtext_reports_possible(dt, want, compute, named, interval)) {
            nta_dtext_free(dt);
            return CLI_EXIT_UNREADABLE;
        }
        g_dtext = dt;
    } else {
        nta_err err;
        nta_err_clear(&err);
        status = nta_trace_open(&t, (const char *const *)paths, npaths, &to, &err);
        if (status < 0) {
            cli_report_err(&err);
            cli_hint_dtext(&err);
            return status == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
        }
    }
    FILE *out = stdout;
    if (output != NULL && (out = cli_fopen_out(output)) == NULL) {
        cli_errorf("cannot write %s: %s", output, strerror(errno));
        nta_trace_free(t);
        nta_dtext_free(dt);
        return CLI_EXIT_USAGE;
    }
    int nout = 0;
    for (int k = 0; k < NKINDS; k++)
        nout += want[k];
    static const char *const ext[] = { "txt", "json", "csv" };
    int fail = 0;
    /* the per-event logs are formatted and written on a thread of their own (NULL: inline) */
    nta_logw *lw = NULL;
    for (int k = 0; k < NKINDS; k++)
        if (compute[k] && is_log_kind(k))
            lw = lw != NULL ? lw : nta_logw_new();
    for (int k = 0; k < NKINDS && !fail; k++) {
        if (!compute[k])
            continue;
        active *a = &rc.a[rc.n];
        a->output = want[k];
        a->is_log = is_log_kind(k);
        int truncate = 0;
        FILE *stream = out;
        if (!a->output) {
            stream = a->dest = fopen("/dev/null", "w");   /* closed with the others */
        } else if (outdir != NULL) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.%s", outdir, kinds[k].name, ext[rc.fmt]);
            /* a log's old file is emptied by the writer thread, while this one reads ahead */
            a->dest = a->is_log && lw != NULL ? cli_fopen_out_later(path, &truncate)
                                              : cli_fopen_out(path);
            if (a->dest == NULL) {
                cli_errorf("cannot write %s: %s", path, strerror(errno));
                fail = 1;
                break;
            }
            if (a->is_log && rc.fmt != NTA_RFMT_TEXT && (a->iobuf = malloc(LOG_IOBUF)) != NULL)
                setvbuf(a->dest, a->iobuf, _IOFBF, LOG_IOBUF);
            stream = a->dest;
        } else if (nout > 1) {
            a->tmp = tmpfile();   /* several reports share the output: keep this one's lines apart */
            stream = a->tmp;
        }
        nta_report_opts ro = { rc.fmt, stream, interval, known, lw };
        a->r = kinds[k].make(&ro);
        if (a->r == NULL || stream == NULL) {
            if (truncate && ftruncate(fileno(a->dest), 0) != 0)   /* nothing written yet */
                cli_errorf("cannot empty %s/%s.%s: %s", outdir, kinds[k].name, ext[rc.fmt],
                           strerror(errno));
            cli_errorf("out of memory");
            fail = 1;
            break;
        }
        if (truncate && nta_logw_truncate(lw, a->r) < 0) {
            cli_errorf("cannot empty %s/%s.%s", outdir, kinds[k].name, ext[rc.fmt]);
            fail = 1;
            break;
        }
        if (!a->r->streaming && a->tmp != NULL) {
            fclose(a->tmp);
            a->tmp = NULL;
        }
        rc.n++;
        p.probes |= a->r->probes;
    }
    for (size_t i = 0; i < sizeof probe_metrics / sizeof probe_metrics[0]; i++)
        p.probes |= 1u << probe_metrics[i].probe;
    for (int pr = 0; pr < NTA_PROBE__COUNT; pr++) {
        int k = 0;
        for (int i = 0; i < rc.n; i++)
            if ((rc.a[i].r->probes >> pr) & 1u)
                rc.by_probe[pr][k++] = rc.a[i].r;
        rc.by_probe[pr][k] = NULL;
    }
    /* no report reads ipv4info/ipv6info; tcpsinfo only on the probes of a report that says so
     * (--ooo reads it on tcp:::receive: tcp:::send's copy would be built for nobody) */
    p.skip = NTA_SKIP_IPV46INFO | NTA_SKIP_TCPSINFO;
    for (int i = 0; i < rc.n; i++)
        if (rc.a[i].r->needs_tcpsinfo)
            p.tcps_probes |= rc.a[i].r->probes;
    rc.paths = argv + optind;
    rc.npaths = argc - optind;
    p.on_decided = on_decided;
    p.decided_ctx = &rc;
    if (!fail) {
        nta_sink sink = { on_event, NULL, &rc };
        if (lw != NULL && t != NULL)
            nta_trace_set_wait_hook(t, hand_over_logs, lw);
        status = dt ? cli_pipeline_run_dtext(&p, dt, &sink) : cli_pipeline_run(&p, t, &sink);
        int werr = lw != NULL && nta_logw_finish(lw) < 0;
        int shared_json = rc.fmt == NTA_RFMT_JSON && outdir == NULL && nout > 1;
        if (shared_json)
            werr |= fputs("{\"schema_version\":1,\"reports\":[\n", out) == EOF;
        int first = 1;
        closer logs;
        memset(&logs, 0, sizeof logs);
        /* in files of their own, the logs first, so that closing them overlaps the rest */
        for (int k = 0; k < 2 * rc.n; k++) {
            active *a = &rc.a[k % rc.n];
            int logs_pass = k < rc.n;
            if (k == rc.n)
                closer_start(&logs);
            if (outdir == NULL && !logs_pass)
                break;   /* one output: every report in order, in one pass */
            if (!a->output || (outdir != NULL && logs_pass != a->is_log))
                continue;
            FILE *o = a->dest ? a->dest : out;
            if (shared_json && !first)
                werr |= fputs(",\n", out) == EOF;
            first = 0;
            if (rc.fmt != NTA_RFMT_JSON) {
                werr |= finish_report(a, o, &rc, &p, t) < 0;
            } else if (a->r->streaming) {
                json_t *sk = skipped_json(&p, t);
                char *text = json_dumps(sk, JSON_COMPACT | JSON_PRESERVE_ORDER);
                werr |= fprintf(a->r->opts.stream, "\n],\"skipped\":%s}\n", text ? text : "{}") < 0;
                free(text);
                json_decref(sk);
                if (a->tmp != NULL)
                    werr |= copy_stream(a->tmp, o) < 0;
            } else {
                json_t *j = report_json(a->r, &rc, &p, t);
                werr |= json_dumpf(j, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0;
                werr |= fputc('\n', o) == EOF;
                json_decref(j);
            }
            if (outdir != NULL && logs_pass && a->dest != NULL) {
                logs.f[logs.n++] = a->dest;
                a->dest = NULL;
            }
        }
        if (!logs.launched)
            closer_start(&logs);
        werr |= closer_finish(&logs) < 0;
        int have_skipped;
        double skipped = metric_value(&rc, &p, "bytes.skipped_intervals", &have_skipped);
        if (have_skipped && skipped > 0)
            cli_errorf("--interval: %.0f empty intervals not printed (gaps of more than 1000 "
                       "intervals without a packet, skipped whole)", skipped);
        if (shared_json)
            werr |= fputs("]}\n", out) == EOF;
        for (int i = 0; i < rc.n; i++) {
            if (rc.a[i].dest != NULL && fclose(rc.a[i].dest) != 0 && rc.a[i].output)
                werr = 1;
            rc.a[i].dest = NULL;
        }
        if (fflush(out) != 0 || ferror(out))
            werr = 1;
        if (werr) {
            cli_errorf("writing the report failed: %s", strerror(errno));
            status = CLI_EXIT_UNREADABLE;
        }
        int failed = 0;
        for (int g = 0; g < ngates; g++) {
            int found;
            double v = metric_value(&rc, &p, gates[g].metric, &found);
            if (found && nta_fail_if_holds(&gates[g], v)) {
                cli_errorf("--fail-if '%s' holds: %s = %g", gates[g].text, gates[g].metric, v);
                failed = 1;
            }
        }
        /* a failed gate outranks partly unreadable input, not input nothing could be read of */
        if (failed && status != CLI_EXIT_UNREADABLE && status != CLI_EXIT_USAGE)
            status = CLI_EXIT_THRESHOLD;
    } else {
        status = CLI_EXIT_UNREADABLE;
    }
    nta_logw_free(lw);
    if (fail && rc.n < NKINDS)   /* the report whose set-up failed, as far as it got */
        rc.n++;
    for (int i = 0; i < rc.n; i++) {
        if (rc.a[i].tmp)
            fclose(rc.a[i].tmp);
        if (rc.a[i].dest)
            fclose(rc.a[i].dest);
        free(rc.a[i].iobuf);   /* after its file is closed, by the closer thread too (joined) */
        if (rc.a[i].r != NULL)
            rc.a[i].r->free(rc.a[i].r);
    }
    if (out != stdout)
        fclose(out);
    nta_trace_free(t);
    nta_dtext_free(dt);
    g_dtext = NULL;
    return status;
}
