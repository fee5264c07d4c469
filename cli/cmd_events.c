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
#include "cli/pipeline.h"
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

typedef struct meta_ctx {
    FILE *o;
    char **paths;
    int npaths;
} meta_ctx;

/* JSON Lines only: one leading object saying what was read and which hosts are traced
 * (DESIGN.md: the choice is recorded in JSON). It has no "probe" key. */
static void write_meta(void *ctx, const nta_locals *l)
{
    meta_ctx *m = ctx;
    char desc[1024];
    nta_locals_describe(l, desc, sizeof desc);
    json_t *inputs = json_array();
    for (int i = 0; i < m->npaths; i++)
        json_array_append_new(inputs, json_string(m->paths[i]));
    json_t *j = json_pack("{s:i, s:s, s:o, s:s, s:s}", "schema_version", 1, "type", "meta", "inputs",
                          inputs, "traced", desc, "traced_how", l->why);
    json_dumpf(j, m->o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', m->o);
    json_decref(j);
}

/* Before the input may block, hand what was written so far to the reader of our output. */
static void flush_output(void *ctx)
{
    nta_event_writer_flush(ctx);
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
    cli_pipeline p;
    cli_pipeline_defaults(&p);
    nta_probe_set set = { 0 };
    nta_trace_opts to = { NULL, NULL, 0, 0 };
    const char *format = "text", *output = NULL;
    int c, idx;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":P:f:o:qh", longopts, &idx)) != -1) {
        switch (c) {
        case 'P':
            if (nta_probe_set_add(&set, optarg) < 0)
                return cli_usage_error("events", "probe description '%s' matches no probe "
                                       "(ip:::send, tcp:::state-change, udp:::, ...)", optarg);
            break;
        case 'F': format = optarg; break;
        case 'L': case 'M': case 'T': case 'X':
            if (cli_pipeline_option(&p, "events", longopts[idx].name, optarg) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'f': to.filter = optarg; break;
        case 'I': to.ifname = optarg; break;
        case 'o': output = optarg; break;
        case 'q': p.quiet = 1; p.announce = 0; break;
        case 'h': fputs(events_help, stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("events", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("events", "unknown option '%s'", argv[optind - 1]);
        }
    }
    nta_evfmt fmt;
    if (strcmp(format, "text") == 0)
        fmt = NTA_EVFMT_TEXT;
    else if (strcmp(format, "jsonl") == 0 || strcmp(format, "json") == 0)
        fmt = NTA_EVFMT_JSONL;
    else if (strcmp(format, "csv") == 0)
        fmt = NTA_EVFMT_CSV;
    else if (strcmp(format, "dtrace") == 0)
        fmt = NTA_EVFMT_DTRACE;
    else if (strcmp(format, "none") == 0) {
        fmt = NTA_EVFMT_NONE;
        p.skip = NTA_SKIP_TCPSINFO | NTA_SKIP_IPV46INFO;   /* nothing reads them */
    }
    else
        return cli_usage_error("events", "--format must be text, jsonl, csv, dtrace or none, not '%s'", format);
    if (optind >= argc)
        return cli_usage_error("events", "no capture file given");
    if (set.bits != 0)
        p.probes = set.bits;

    char **paths = argv + optind;
    int npaths = argc - optind;
    nta_trace *t = NULL;
    nta_dtext *d = NULL;
    int status;
    if (cli_input_is_dtext(paths, npaths)) {
        if (to.filter != NULL)
            return cli_usage_error("events", "--filter selects packets of a capture; %s is dtrace text",
                                   paths[0]);
        if ((d = cli_dtext_open(paths, npaths, &status)) == NULL)
            return status;
    } else {
        nta_err err;
        nta_err_clear(&err);
        int rc = nta_trace_open(&t, (const char *const *)paths, npaths, &to, &err);
        if (rc < 0) {
            cli_report_err(&err);
            cli_hint_dtext(&err);
            return rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
        }
    }
    FILE *o = stdout;
    if (output != NULL && (o = cli_fopen_out(output)) == NULL) {
        cli_errorf("cannot write %s: %s", output, strerror(errno));
        nta_trace_free(t);
        nta_dtext_free(d);
        return CLI_EXIT_USAGE;
    }
    nta_sink sink;
    if (nta_event_writer_new(&sink, o, fmt) < 0) {
        cli_errorf("out of memory");
        nta_trace_free(t);
        nta_dtext_free(d);
        return CLI_EXIT_UNREADABLE;
    }
    meta_ctx meta = { o, paths, npaths };
    if (fmt == NTA_EVFMT_JSONL) {
        p.on_decided = write_meta;
        p.decided_ctx = &meta;
    }
    if (fmt == NTA_EVFMT_NONE)
        sink.on_event = NULL;   /* built, not delivered: nothing would read them */
    if (d != NULL) {
        nta_event_writer_set_known(&sink, nta_dtext_fields(nta_dtext_kind_of(d)));
        status = cli_pipeline_run_dtext(&p, d, &sink);
    } else {
        nta_trace_set_wait_hook(t, flush_output, &sink);
        status = cli_pipeline_run(&p, t, &sink);
    }
    nta_event_writer_free(&sink);
    if (o != stdout && fclose(o) != 0 && status == CLI_EXIT_OK) {
        cli_errorf("writing %s failed: %s", output, strerror(errno));
        status = CLI_EXIT_UNREADABLE;
    }
    nta_trace_free(t);
    nta_dtext_free(d);
    return status;
}
