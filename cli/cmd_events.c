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

int cli_events_write(cli_events_opts *eo, char *const *paths, int npaths)
{
    cli_run run = { .cmd = eo->cmd, .quiet = eo->quiet };
    int status;
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
        return cli_source_option(&eo->src, cmd, name, val) < 0 ? -1 : 1;
    case 'f': eo->src.filter = val; return 1;
    case 'I': eo->src.ifname = val; return 1;
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

int cli_cmd_events(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "probe", required_argument, NULL, 'P' },   { "format", required_argument, NULL, 'F' },
        { "local", required_argument, NULL, 'L' },   { "msl", required_argument, NULL, 'M' },
        { "idle-timeout", required_argument, NULL, 'T' },
        { "max-flows", required_argument, NULL, 'X' }, { "filter", required_argument, NULL, 'f' },
        { "ifname", required_argument, NULL, 'I' },  { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    cli_events_opts eo;
    cli_events_opts_init(&eo);
    const char *format = "text";
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
        case 'F': format = optarg; break;
        case 'o': eo.output = optarg; break;
        case 'h': fputs(events_help, stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("events", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("events", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (cli_events_format(format, &eo.fmt) < 0)
        return cli_usage_error("events", "--format must be text, jsonl, csv, dtrace or none, not '%s'", format);
    if (optind >= argc)
        return cli_usage_error("events", "no capture file given");
    return cli_events_write(&eo, argv + optind, argc - optind);
}
