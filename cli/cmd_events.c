/* cli/cmd_events.c: `nta events`, the probe events DTrace would have fired, as they happen.
 *
 * Reads the trace through the analyzer and writes every enabled probe firing as JSON Lines,
 * CSV or DTrace-style text (schemas in man/nta.1). Output streams: it starts once the
 * lookahead for inferring the traced endpoints is done (or at once with --local). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "cli/shards.h"
#include "common/varint.h"
#include "event/event_codec.h"
#include "shard/emit.h"
#include "shard/jobs.h"
#include "shard/merge.h"
#include "shard/shard_file.h"
#include "cli/output.h"
#include "common/jstring.h"
#include "reports/event_writer.h"

static const char events_help[] =
    "Usage: nta events [OPTIONS] FILE...\n"
    "Write the DTrace probe events (ip, tcp, udp providers) the traced hosts would have fired.\n"
    "\n"
    "Options:\n"
    "  -P, --probe SPEC       enable probes matching a DTrace probe description, e.g.\n"
    "                         tcp:::state-change, tcp:::, '*:::send', ip:::* (repeatable;\n"
    "                         default: all)\n"
    "      --format FMT       text (default, as dtrace prints without -q), jsonl, csv,\n"
    "                         dtrace (the lines dtrace/nta-events.d prints), or none\n"
    "                         (analyse only; for measuring)\n"
    "      --local ADDR[/LEN] a traced (local) host or network (repeatable), or 'all';\n"
    "                         default: inferred from the first packets (loopback always)\n"
    "      --msl SECONDS      maximum segment lifetime; TIME_WAIT lasts 2*MSL (default 30)\n"
    "      --idle-timeout S   forget connections idle this long (default 600)\n"
    "      --max-flows N      keep at most N connections, evicting the least recent (0: no cap)\n"
    "  -f, --filter EXPR      only packets matching the tcpdump (BPF) filter EXPR\n"
    "      --ifname NAME      interface name for captures that do not name theirs\n"
    "  -o, --output FILE      write to FILE instead of standard output\n"
    "      --jobs N               analyse on N threads, each the connections of one shard,\n"
    "                         merged: the same output as one thread\n"
    "      --plan FILE, --shard K, --emit-shard OUT\n"
    "                         run as shard K of a plan (nta plan): its events go to OUT for\n"
    "                         nta merge, which writes them; the inputs are the plan's (none\n"
    "                         given) or nta split's bucket of shard K\n"
    "  -q, --quiet            no progress line, no traced-endpoints notice\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 ok, 1 input partly unreadable, 2 usage error, 3 input unreadable.\n";

/* JSON Lines only: one leading object saying what was read and which hosts are traced
 * (DESIGN.md: the choice is recorded in JSON). It has no "probe" key. */
static void write_meta(FILE *o, const nta_run_info *info)
{
    char desc[1024];
    nta_locals_describe(&info->traced, desc, sizeof desc);
    json_t *inputs = json_array();
    for (int i = 0; i < info->ninputs; i++)
        json_array_append_new(inputs, nta_jstring(info->inputs[i].path));
    json_t *j = json_pack("{s:i, s:s, s:o, s:s, s:s}", "schema_version", 1, "type", "meta", "inputs",
                          inputs, "traced", desc, "traced_how", info->traced.why);
    json_dumpf(j, o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', o);
    json_decref(j);
}

/* The event writer, with the JSON Lines meta line in front of the first event. */
typedef struct events_sink {
    nta_sink writer;
    FILE *o;
    int meta;
} events_sink;

static int on_start(void *ctx, const nta_run_info *info)
{
    events_sink *e = ctx;
    if (e->meta)
        write_meta(e->o, info);
    return 0;
}

static int on_event(void *ctx, const nta_event *ev)
{
    events_sink *e = ctx;
    return e->writer.on_event(e->writer.ctx, ev);
}

static int on_finish(void *ctx, const nta_run_info *info)
{
    events_sink *e = ctx;
    return e->writer.on_finish(e->writer.ctx, info);
}

/* Before the input may block, hand what was written so far to the reader of our output. */
static void flush_output(void *ctx)
{
    events_sink *e = ctx;
    nta_event_writer_flush(&e->writer);
}

int cli_events_format(const char *name, nta_evfmt *fmt)
{
    static const struct { const char *name; nta_evfmt fmt; } fmts[] = {
        { "text", NTA_EVFMT_TEXT }, { "jsonl", NTA_EVFMT_JSONL }, { "json", NTA_EVFMT_JSONL },
        { "csv", NTA_EVFMT_CSV }, { "dtrace", NTA_EVFMT_DTRACE }, { "none", NTA_EVFMT_NONE },
    };
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        if (strcmp(name, fmts[i].name) == 0) {
            *fmt = fmts[i].fmt;
            return 0;
        }
    return -1;
}

static int events_jobs(cli_events_opts *eo, char *const *paths, int npaths);

int cli_events_write(cli_events_opts *eo, char *const *paths, int npaths)
{
    cli_run run = { .cmd = eo->cmd, .quiet = eo->quiet };
    int status;
    if (eo->jobs > 1 && eo->fmt != NTA_EVFMT_NONE)
        return events_jobs(eo, paths, npaths);
    if (cli_check_inputs(paths, npaths) != 0 || cli_check_output(eo->output, paths, npaths) != 0)
        return CLI_EXIT_USAGE;
    nta_source *src = cli_source_open_streams(&run, paths, eo->streams, npaths, &eo->src, &status);
    if (src == NULL)
        return status;
    cli_out out;
    if ((status = cli_out_open(&out, eo->output)) != 0) {
        nta_source_free(src);
        return status;
    }
    events_sink es = { .o = out.f, .meta = eo->fmt == NTA_EVFMT_JSONL };
    if (nta_event_writer_new(&es.writer, out.f, eo->fmt) < 0) {
        cli_errorf("out of memory");
        nta_source_free(src);
        cli_out_discard(&out);
        return CLI_EXIT_UNREADABLE;
    }
    const nta_run_info *info = nta_source_info(src);
    if (info->dtext)
        nta_event_writer_set_known(&es.writer, info->known);
    nta_sink sink = { .on_start = on_start, .on_event = on_event, .on_finish = on_finish, .ctx = &es,
                      .probes = eo->probes };
    if (eo->fmt == NTA_EVFMT_NONE) {
        sink.on_event = NULL;   /* built, not delivered: nothing would read them */
        sink.skip = NTA_SKIP_TCPSINFO | NTA_SKIP_IPV46INFO;   /* nothing reads them */
    }
    nta_source_set_wait_hook(src, flush_output, &es);
    status = cli_source_run(&run, src, &sink);
    out.err = nta_event_writer_errno(&es.writer);
    nta_event_writer_free(&es.writer);
    if (cli_out_close(&out, run.interrupted) < 0)
        status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    nta_source_free(src);
    return status;
}

int cli_events_option(cli_events_opts *eo, const char *cmd, int c, const char *name, const char *val)
{
    switch (c) {
    case 'P':
        if (nta_probe_set_add(&eo->set, val) < 0) {
            cli_usage_error(cmd, "probe description '%s' matches no probe "
                            "(ip:::send, tcp:::state-change, udp:::, ...)", val);
            return -1;
        }
        eo->probes = eo->set.bits;
        return 1;
    case 'L': case 'M': case 'T': case 'X':
        eo->shard.analysis_given = 1;
        eo->shard.analysis_opt = name;
        return cli_source_option(&eo->src, cmd, name, val) < 0 ? -1 : 1;
    case 'f':
        eo->src.filter = val;
        eo->shard.analysis_given = 1;
        eo->shard.analysis_opt = "filter";
        return 1;
    case 'I':
        eo->src.ifname = val;
        eo->shard.analysis_given = 1;
        eo->shard.analysis_opt = name;
        return 1;
    case 1100: case 1101: case 1102:
        return cli_shard_option(&eo->shard, cmd, name, val) < 0 ? -1 : 1;
    case 1103:
        return (eo->jobs = cli_jobs_option(cmd, val)) < 0 ? -1 : 1;
    case 'q': eo->quiet = 1; return 1;
    }
    return 0;
}

void cli_events_opts_init(cli_events_opts *eo)
{
    memset(eo, 0, sizeof *eo);
    nta_source_opts_init(&eo->src);
    eo->cmd = "events";
    eo->fmt = NTA_EVFMT_TEXT;
}

/* ---- shards (issue 17) ---- */

static int events_shard(cli_events_opts *eo, char *const *inputs, int ninputs)
{
    if (eo->output != NULL || eo->format_given)
        return cli_usage_error("events", "a shard writes its events to --emit-shard; nta merge "
                               "writes them (-o and --format go there)");
    cli_shard sh;
    int status = cli_shard_prepare(&eo->shard, "events", inputs, ninputs, &eo->src, &sh);
    if (status != 0)
        return status;
    cli_run run = { .cmd = "events", .quiet = 1 };
    nta_source *src = cli_source_open(&run, sh.paths, sh.npaths, &eo->src, &status);
    if (src != NULL) {
        uint8_t opts[16];
        nta_buf o = { opts, 0, sizeof opts, 0 };   /* 11 bytes at most: never grows */
        nta_buf_u8(&o, 1);
        nta_buf_uv(&o, eo->probes);
        status = cli_shard_run(&eo->shard, "events", &sh, src, NTA_SHARD_EVENTS, o.p, o.n,
                               eo->probes, NULL, NULL);
        nta_source_free(src);
    }
    cli_shard_fini(&sh);
    return status;
}

typedef struct merge_ctx {
    events_sink *es;
    nta_event_store *st;
} merge_ctx;

static int merge_load(void *ctx, uint8_t chan, uint64_t key, const uint8_t *p, size_t n, nta_err *err)
{
    (void)ctx; (void)key; (void)p; (void)n;
    return nta_err_set(err, NTA_ECORRUPT, "state (channel %u) in an events shard", chan);
}

static int merge_record(void *ctx, uint8_t chan, const uint8_t *p, size_t n, nta_err *err)
{
    merge_ctx *m = ctx;
    nta_cur c = nta_cur_make(p, n);
    if (chan != NTA_SHARD_CHAN_EVENTS || nta_event_load(&c, m->st) < 0 || c.left != 0)
        return nta_err_set(err, NTA_ECORRUPT, "a damaged event");
    return on_event(m->es, &m->st->ev);
}

/* The merged events through the writer the run would have used. */
static int write_merged(nta_merge *m, events_sink *es, cli_run *run)
{
    const nta_run_info *info = nta_merge_info(m);
    cli_announce(run, info);
    merge_ctx mc = { es, malloc(sizeof *mc.st) };
    nta_merge_sink ms = { merge_load, NULL, merge_record, &mc };
    nta_err err;
    nta_err_clear(&err);
    int rc = mc.st == NULL ? nta_err_set(&err, NTA_ENOMEM, "out of memory") : on_start(es, info);
    if (rc == 0)
        rc = nta_merge_run(m, &ms, &err);
    if (rc == 0)
        rc = on_finish(es, info);
    free(mc.st);
    if (rc < 0) {
        if (err.code != 0)
            cli_report_err(&err);
        return CLI_EXIT_UNREADABLE;
    }
    return cli_merged_status(run, info);
}

int cli_events_merge(nta_merge *m, const cli_merge_opts *mo)
{
    nta_evfmt fmt;
    if (cli_events_format(mo->format != NULL ? mo->format : "text", &fmt) < 0)
        return cli_usage_error("merge", "--format must be text, jsonl, csv, dtrace or none for "
                               "events shards, not '%s'", mo->format);
    if (mo->outdir != NULL || mo->ngates > 0)
        return cli_usage_error("merge", "--output-dir and --fail-if are for report shards");
    if (cli_check_output(mo->output, mo->shards, mo->nshards) != 0)
        return CLI_EXIT_USAGE;
    cli_run run = { .cmd = "merge", .quiet = mo->quiet };
    cli_out out;
    int status = cli_out_open(&out, mo->output);
    if (status != 0)
        return status;
    events_sink es = { .o = out.f, .meta = fmt == NTA_EVFMT_JSONL };
    if (nta_event_writer_new(&es.writer, out.f, fmt) < 0) {
        cli_errorf("out of memory");
        cli_out_discard(&out);
        return CLI_EXIT_UNREADABLE;
    }
    status = write_merged(m, &es, &run);
    out.err = nta_event_writer_errno(&es.writer);
    nta_event_writer_free(&es.writer);
    if (cli_out_close(&out, 0) < 0)
        status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    return status;
}

/* --jobs N: the shards as threads of this process, then their merge. */
static int events_jobs(cli_events_opts *eo, char *const *paths, int npaths)
{
    static const struct { nta_evfmt f; const char *name; } names[] = {
        { NTA_EVFMT_TEXT, "text" }, { NTA_EVFMT_JSONL, "jsonl" }, { NTA_EVFMT_CSV, "csv" },
        { NTA_EVFMT_DTRACE, "dtrace" },
    };
    cli_run run = { .cmd = eo->cmd, .quiet = eo->quiet };
    if (cli_check_inputs(paths, npaths) != 0 || cli_check_output(eo->output, paths, npaths) != 0)
        return CLI_EXIT_USAGE;
    int status;
    nta_source *src = cli_source_open_streams(&run, paths, eo->streams, npaths, &eo->src, &status);
    if (src == NULL)
        return status;
    if (nta_source_info(src)->dtext) {
        nta_source_free(src);
        return cli_usage_error(eo->cmd, "--jobs splits captures by connection; %s is dtrace text",
                               paths[0]);
    }
    uint8_t opts[16];
    nta_buf o = { opts, 0, sizeof opts, 0 };   /* 11 bytes at most: never grows */
    nta_buf_u8(&o, 1);
    nta_buf_uv(&o, eo->probes);
    nta_jobs_opts jo = { .n = eo->jobs, .kind = NTA_SHARD_EVENTS, .opts = o.p, .optslen = o.n,
                         .probes = eo->probes, .tmpdir = getenv("TMPDIR") };
    nta_err err;
    nta_err_clear(&err);
    nta_merge *m;
    int rc = nta_jobs_run(src, &jo, &m, &err);
    cli_progress_done(&run.prog);
    if (rc < 0) {
        cli_report_err(&err);
        status = rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
    } else {
        cli_merge_opts mo = { .output = eo->output, .quiet = 1, .shards = paths, .nshards = npaths };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (names[i].f == eo->fmt)
                mo.format = names[i].name;
        status = cli_events_merge(m, &mo);   /* the traced hosts were said while reading */
        nta_merge_free(m);
    }
    nta_source_free(src);
    return status;
}

int cli_cmd_events(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "probe", required_argument, NULL, 'P' },   { "format", required_argument, NULL, 'F' },
        { "local", required_argument, NULL, 'L' },   { "msl", required_argument, NULL, 'M' },
        { "idle-timeout", required_argument, NULL, 'T' },
        { "max-flows", required_argument, NULL, 'X' }, { "filter", required_argument, NULL, 'f' },
        { "ifname", required_argument, NULL, 'I' },  { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
        { "plan", required_argument, NULL, 1100 },   { "shard", required_argument, NULL, 1101 },
        { "emit-shard", required_argument, NULL, 1102 }, { "jobs", required_argument, NULL, 1103 },
        { NULL, 0, NULL, 0 },
    };
    cli_events_opts eo;
    cli_events_opts_init(&eo);
    const char *format = "text";
    cli_shard_args_init(&eo.shard);
    int c, idx = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":P:f:o:qh", longopts, &idx)) != -1) {
        int r = cli_events_option(&eo, "events", c, longopts[idx].name, optarg);
        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 'F': format = optarg; eo.format_given = 1; break;
        case 'o': eo.output = optarg; break;
        case 'h': fputs(events_help, stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("events", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("events", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (cli_events_format(format, &eo.fmt) < 0)
        return cli_usage_error("events", "--format must be text, jsonl, csv, dtrace or none, not '%s'", format);
    if (cli_shard_wanted(&eo.shard))
        return events_shard(&eo, argv + optind, argc - optind);
    if (optind >= argc)
        return cli_usage_error("events", "no capture file given");
    return cli_events_write(&eo, argv + optind, argc - optind);
}
