/* cli/cmd_convert.c: `nta convert --to FORMAT`, between captures, events and dtrace text.
 *
 * - events (from a capture or dtrace text) -> jsonl, csv, dtrace (nta-events.d lines), text:
 *   the same as `nta events --format`;
 * - captures -> pcap or pcapng (interface names kept in pcapng); dtrace text with TCP/UDP
 *   segments -> pcap or pcapng with headers made up from the logged fields (zero payload);
 * - printed DTrace aggregations (quantize/lquantize tables, printa tables) -> json, csv, or
 *   text (dtrace's layout again);
 * - any input -> zst (its bytes, decompressed first if need be); any output ending in .zst is
 *   zstd-compressed. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/event_packet.h"
#include "cli/cli.h"
#include "cli/inputs.h"
#include "cli/output.h"
#include "common/jstring.h"
#include "dtext/dtrace_in.h"
#include "formats/trace.h"
#include "formats/capture_write.h"
#include "formats/stream.h"
#include "formats/zst_out.h"
#include "dtext/agg_read.h"

#define LINKTYPE_RAW 101
#define MAX_AGG_TEXT (256u << 20)

static const char convert_help[] =
    "Usage: nta convert --to FORMAT [-o FILE] [OPTIONS] FILE...\n"
    "Convert captures, probe events and dtrace output.\n"
    "\n"
    "  --to jsonl|csv|dtrace|text  the probe events of a capture or of dtrace text (as\n"
    "                              'nta events --format'; the events options apply)\n"
    "  --to pcap|pcapng            a capture rewritten (pcapng keeps interface names), or the\n"
    "                              TCP/UDP segments of dtrace text as packets with made-up\n"
    "                              headers and zero-filled payload of the logged length\n"
    "  --to zst                    any input, byte for byte (decompressed first if it was\n"
    "                              gzip/bzip2/xz/zstd), as zstd\n"
    "  --to json|csv|text          printed DTrace aggregations (quantize/lquantize tables,\n"
    "                              printa tables) as JSON, CSV, or dtrace's text again\n"
    "  -o, --output FILE           write to FILE (default standard output); FILE.zst is\n"
    "                              compressed with zstd\n"
    "      --ifname NAME           interface name for captures that do not name theirs\n"
    "  -P, --probe SPEC            the probes to write, as for nta events (repeatable)\n"
    "      --local, --msl, --idle-timeout, --max-flows, -f/--filter\n"
    "                              as for nta events; they apply to events, and --local\n"
    "                              also to packets made from dtrace text\n"
    "  -q, --quiet                 no notices on stderr\n"
    "  -h, --help                  this help\n"
    "\n"
    "Exit status: 0 ok, 1 input partly unreadable, 2 usage error, 3 input unreadable.\n";

typedef enum { IN_CAPTURE, IN_EVENTS_TEXT, IN_AGGS } in_kind;

/* What the first input is: dtrace event text, printed aggregations (other text), or a capture.
 * The stream is opened once and its first bytes peeked: the conversion reads the same stream,
 * so standard input and FIFOs work too. NULL after saying why it cannot be opened. */
static nta_stream *open_input(const char *path, in_kind *k)
{
    nta_err err;
    nta_err_clear(&err);
    nta_stream *s;
    *k = IN_CAPTURE;
    if (nta_stream_open_file(&s, path, &err) < 0) {
        cli_report_err(&err);
        return NULL;
    }
    int kind, is_text;
    if (nta_source_sniff(s, &kind, &is_text, &err) == 0) {
        if (kind == NTA_DTEXT_AGGS || (kind == NTA_DTEXT_NONE && is_text))
            *k = IN_AGGS;
        else if (kind != NTA_DTEXT_NONE)
            *k = IN_EVENTS_TEXT;
    }
    return s;
}

/* --to zst: the input's bytes, decompressed if need be, recompressed with zstd. */
static int to_zst(nta_stream *s, const char *output)
{
    nta_err err;
    nta_err_clear(&err);
    cli_out out;
    int st = cli_out_open_raw(&out, output);
    if (st != 0) {
        nta_stream_free(s);
        return st;
    }
    FILE *z = nta_zst_fopen(out.f, 3);
    if (z == NULL) {
        cli_errorf("out of memory");
        cli_out_discard(&out);
        nta_stream_free(s);
        return CLI_EXIT_UNREADABLE;
    }
    static uint8_t buf[1 << 16];
    size_t got;
    int rc, werr = 0;
    while ((rc = nta_stream_read(s, buf, sizeof buf, &got, &err)) == 0 && got > 0)
        werr |= fwrite(buf, 1, got, z) != got;
    nta_stream_free(s);
    if (out.path == NULL) {   /* standard output: closing ends the frame, nothing follows */
        errno = 0;
        if (fclose(z) != 0 || werr) {
            cli_errorf("writing standard output failed: %s", strerror(errno ? errno : EIO));
            werr = 1;
        }
        out.f = NULL;
    } else {
        out.f = z;   /* closing it ends the frame and closes the file under it */
        werr = cli_out_close(&out, 0) < 0;
    }
    if (rc < 0) {
        cli_report_err(&err);
        return CLI_EXIT_UNREADABLE;
    }
    if (werr)
        return CLI_EXIT_UNREADABLE;
    return CLI_EXIT_OK;
}

static int convert_aggs(nta_stream *s, const char *path, const char *to, const char *output,
                        int quiet)
{
    nta_err err;
    nta_err_clear(&err);
    size_t cap = 1 << 16, len = 0, got;
    char *text = malloc(cap);
    int rc = 0;
    while (text != NULL && (rc = nta_stream_read(s, text + len, cap - len, &got, &err)) == 0 && got > 0) {
        len += got;
        if (len == cap) {
            if (cap >= MAX_AGG_TEXT) {
                rc = nta_err_set(&err, NTA_EUNSUP, "%s: more than %u MiB of printed aggregations",
                                 path, MAX_AGG_TEXT >> 20);
                break;
            }
            char *t = realloc(text, cap * 2);
            if (t == NULL)
                break;
            text = t;
            cap *= 2;
        }
    }
    nta_stream_free(s);
    if (text == NULL || (rc == 0 && len == cap)) {
        free(text);
        cli_errorf("out of memory");
        return CLI_EXIT_UNREADABLE;
    }
    if (rc < 0) {
        free(text);
        cli_report_err(&err);
        return CLI_EXIT_UNREADABLE;
    }
    nta_aggdoc doc;
    rc = nta_aggdoc_parse(&doc, text, len, &err);
    free(text);
    if (rc < 0) {
        cli_errorf("%s: %s", path, err.msg);
        return CLI_EXIT_UNREADABLE;
    }
    if (doc.nhist + doc.nrows == 0) {
        cli_errorf("%s: no capture, no dtrace events, and no printed aggregation (no histogram and no "
                   "row of values) in it", path);
        nta_aggdoc_free(&doc);
        return CLI_EXIT_UNREADABLE;
    }
    cli_out out;
    int st = cli_out_open(&out, output);
    if (st != 0) {
        nta_aggdoc_free(&doc);
        return st;
    }
    FILE *o = out.f;
    int werr = 0;
    if (strcmp(to, "json") == 0) {
        json_t *j = nta_aggdoc_json(&doc);
        json_object_set_new(j, "input", nta_jstring(path));
        werr = json_dumpf(j, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', o) == EOF;
        json_decref(j);
    } else if (strcmp(to, "csv") == 0) {
        werr = nta_aggdoc_csv(&doc, o) < 0;
    } else {
        for (size_t i = 0; i < doc.n && !werr; i++)
            if (doc.b[i].kind == NTA_AB_HIST && doc.b[i].typeset) {
                cli_errorf("%s: a typeset histogram (tabs, no bars) has no dtrace text to go back to; "
                           "use --to json or csv", path);
                werr = -1;
            }
        if (!werr)
            werr = nta_aggdoc_render(&doc, o) < 0;
    }
    if (!quiet)
        cli_errorf("%s: %zu histograms, %zu rows of values", path, doc.nhist, doc.nrows);
    nta_aggdoc_free(&doc);
    if (werr < 0) {   /* nothing to convert: no file left behind */
        cli_out_discard(&out);
        return CLI_EXIT_UNREADABLE;
    }
    return cli_out_close(&out, 0) < 0 ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
}

/* ---- packets out ---- */

typedef struct pkt_ctx {
    nta_cwriter *w;
    int iface;             /* the one LINKTYPE_RAW interface of made-up packets */
    uint32_t known;
    uint8_t *buf;
    uint64_t n;
    /* a receive that repeats the send just written (both ends traced, e.g. loopback) */
    uint8_t last[96];
    size_t last_len;
    const nta_locals *locals;
    int no_direction;
    nta_err err;
} pkt_ctx;

static int pkt_event(void *c, const nta_event *ev)
{
    pkt_ctx *p = c;
    size_t len = nta_event_packet(ev, p->known, p->buf);
    if (len == 0)
        return 0;
    size_t head = len < sizeof p->last ? len : sizeof p->last;
    /* The same segment seen leaving one traced host and reaching another is one packet: a
     * receive repeating the packet just written, or, where the text does not say the direction
     * (Example 3), a repeat between two traced hosts. A third copy is written again. */
    int receive = ev->probe == NTA_PROBE_TCP_RECEIVE || ev->probe == NTA_PROBE_UDP_RECEIVE;
    int both = nta_locals_is_local(p->locals, &ev->ip->ip_saddr)
               && nta_locals_is_local(p->locals, &ev->ip->ip_daddr);
    if ((receive || (p->no_direction && both)) && head == p->last_len && memcmp(p->last, p->buf, head) == 0) {
        p->last_len = 0;
        return 0;
    }
    memcpy(p->last, p->buf, head);
    p->last_len = receive ? 0 : head;   /* a receive is never the first of a pair */
    /* without a clock in the input, keep the order: one microsecond per packet */
    uint64_t ts = (p->known & NTA_F_TS) ? ev->ts_ns : p->n * 1000;
    p->n++;
    return nta_cwriter_packet(p->w, p->iface, ts, p->buf, (uint32_t)len, (uint32_t)len, &p->err);
}

static int events_to_packets(cli_events_opts *eo, char **paths, int npaths, nta_cwriter *w,
                             int *interrupted)
{
    cli_run run = { .cmd = "convert", .quiet = eo->quiet };
    int status;
    nta_source *src = cli_source_open_streams(&run, paths, eo->streams, npaths, &eo->src, &status);
    if (src == NULL)
        return status;
    const nta_run_info *info = nta_source_info(src);
    pkt_ctx p;
    memset(&p, 0, sizeof p);
    p.w = w;
    p.known = info->known;
    p.locals = &info->traced;
    p.no_direction = strcmp(info->dtext_kind, nta_dtext_kind_name(NTA_DTEXT_EX3)) == 0;
    uint32_t need = NTA_F_IP_SADDR | NTA_F_IP_DADDR | NTA_F_TCP_PORTS | NTA_F_PAYLOAD;
    if ((p.known & need) != need) {
        cli_errorf("%s (%s) shows no TCP or UDP segments to make packets of", paths[0], info->dtext_kind);
        nta_source_free(src);
        return CLI_EXIT_UNREADABLE;
    }
    p.buf = malloc(NTA_EVPKT_MAX);
    p.iface = p.buf ? nta_cwriter_iface(w, LINKTYPE_RAW, 0, "dtrace", &p.err) : NTA_ENOMEM;
    if (p.iface < 0) {
        free(p.buf);
        nta_source_free(src);
        cli_errorf("%s", p.err.msg[0] ? p.err.msg : "out of memory");
        return CLI_EXIT_UNREADABLE;
    }
    nta_sink sink = { .on_event = pkt_event, .ctx = &p,
                      .probes = 1u << NTA_PROBE_TCP_SEND | 1u << NTA_PROBE_TCP_RECEIVE
                                | 1u << NTA_PROBE_UDP_SEND | 1u << NTA_PROBE_UDP_RECEIVE };
    status = cli_source_run(&run, src, &sink);
    *interrupted = run.interrupted;
    if (!eo->quiet)
        cli_errorf("%llu packets made", (unsigned long long)p.n);
    free(p.buf);
    nta_source_free(src);
    return status;
}

typedef struct copy_ctx {
    nta_cwriter *w;
    const nta_trace *t;
    int map[4096];
    uint64_t n;
    nta_err err;
} copy_ctx;

static int copy_packet(void *ctx, const nta_packet *pkt)
{
    copy_ctx *c = ctx;
    if (pkt->ifindex >= 4096)
        return nta_err_set(&c->err, NTA_EUNSUP, "more than 4096 interfaces");
    if (c->map[pkt->ifindex] < 0) {
        const nta_iface *ifc = nta_trace_iface(c->t, pkt->ifindex);
        c->map[pkt->ifindex] = nta_cwriter_iface(c->w, ifc->linktype, ifc->snaplen, ifc->name, &c->err);
        if (c->map[pkt->ifindex] < 0)
            return c->map[pkt->ifindex];
    }
    c->n++;
    return nta_cwriter_packet(c->w, c->map[pkt->ifindex], pkt->ts_ns, pkt->data, pkt->caplen,
                              pkt->origlen, &c->err);
}

static int capture_to_capture(cli_events_opts *eo, char **paths, int npaths, nta_cwriter *w,
                              int *interrupted)
{
    cli_run run = { .cmd = "convert", .quiet = 1 };
    int status;
    nta_source *src = cli_source_open_streams(&run, paths, eo->streams, npaths, &eo->src, &status);
    if (src == NULL)
        return CLI_EXIT_UNREADABLE;
    copy_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) {
        nta_source_free(src);
        cli_errorf("out of memory");
        return CLI_EXIT_UNREADABLE;
    }
    c->w = w;
    c->t = nta_source_trace(src);
    for (int i = 0; i < 4096; i++)
        c->map[i] = -1;
    nta_err err;
    nta_err_clear(&err);
    int rc = nta_source_packets(src, copy_packet, c, &err);
    const nta_run_info *info = nta_source_info(src);
    int wrc = info->output_failed;
    /* an input without packets still gives a valid (empty) file */
    if (wrc == 0 && c->n == 0 && nta_trace_nifaces(c->t) > 0) {
        const nta_iface *ifc = nta_trace_iface(c->t, 0);
        int ix = nta_cwriter_iface(w, ifc->linktype, ifc->snaplen, ifc->name, &c->err);
        wrc = ix < 0 ? ix : 0;
    }
    if (!eo->quiet)
        cli_errorf("%llu packets read", (unsigned long long)c->n);
    if (info->interrupted) {
        *interrupted = info->interrupted;
        cli_errorf("interrupted (%s): the packets read before are written",
                   strsignal(info->interrupted));
        status = 128 + info->interrupted;
    } else if (rc < 0 && info->output_failed == 0) {
        cli_report_err(&err);
        status = CLI_EXIT_UNREADABLE;
    } else {
        status = cli_inputs_status(info);
    }
    if (wrc < 0 && wrc != NTA_EIO) {   /* a failed write is said when the output is closed */
        cli_errorf("%s", c->err.msg);
        status = CLI_EXIT_UNREADABLE;
    } else if (wrc < 0) {
        status = CLI_EXIT_UNREADABLE;
    }
    free(c);
    nta_source_free(src);
    return status;
}

/* The options of nta events, which apply to --to jsonl|csv|dtrace|text only (--local also to
 * packets made from dtrace text). */
static int events_only(int c)
{
    return c == 'P' || c == 'M' || c == 'T' || c == 'X' || c == 'f';
}

typedef struct convert_args {
    const char *to, *output;
    cli_events_opts eo;
    int events_opt;      /* an events-only option was given (its letter) */
    const char *events_optname;
    const char *unknown;     /* the first option no conversion knows */
} convert_args;

/* Options into a; -1 when all is well (optind at the inputs), else the exit status. */
static int parse_args(convert_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "to", required_argument, NULL, 't' },      { "output", required_argument, NULL, 'o' },
        { "ifname", required_argument, NULL, 'I' },  { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },          { "probe", required_argument, NULL, 'P' },
        { "local", required_argument, NULL, 'L' },   { "msl", required_argument, NULL, 'M' },
        { "idle-timeout", required_argument, NULL, 'T' },
        { "max-flows", required_argument, NULL, 'X' }, { "filter", required_argument, NULL, 'f' },
        { NULL, 0, NULL, 0 },
    };
    int c, idx = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:o:P:f:qh", longopts, &idx)) != -1) {
        if (events_only(c) && !a->events_opt) {
            a->events_opt = c;
            /* the option as written: "--probe X" ends at optind - 2, "--probe=X" at optind - 1 */
            a->events_optname = optarg == argv[optind - 1] ? argv[optind - 2] : argv[optind - 1];
        }
        int r = cli_events_option(&a->eo, "convert", c, longopts[idx].name, optarg);
        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 't': a->to = optarg; break;
        case 'o': a->output = optarg; break;
        case 'h': fputs(convert_help, stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("convert", "option '%s' needs a value", argv[optind - 1]);
        default:
            /* said once --to is known: for a conversion that is not of events, no option but
             * convert's own applies */
            if (a->unknown == NULL)
                a->unknown = argv[optind - 1];
            break;
        }
    }
    if (a->to == NULL)
        return cli_usage_error("convert", "--to FORMAT is required (jsonl, csv, dtrace, text, pcap, "
                               "pcapng, json)");
    if (optind >= argc)
        return cli_usage_error("convert", "no input file given");
    return -1;
}

static int write_packets(convert_args *a, in_kind kind, char **files, int nfiles)
{
    cli_out out;
    int status = cli_out_open(&out, a->output);
    if (status != 0)
        return status;
    nta_err err;
    nta_err_clear(&err);
    nta_cwriter *w;
    if (nta_cwriter_open(&w, out.f, strcmp(a->to, "pcapng") == 0, &err) < 0) {
        cli_errorf("out of memory");
        cli_out_discard(&out);
        return CLI_EXIT_UNREADABLE;
    }
    int interrupted = 0;
    status = kind == IN_EVENTS_TEXT ? events_to_packets(&a->eo, files, nfiles, w, &interrupted)
                                    : capture_to_capture(&a->eo, files, nfiles, w, &interrupted);
    if (nta_cwriter_close(w, &err) < 0)   /* the output's close below says so */
        out.err = errno;
    if (cli_out_close(&out, interrupted) < 0)
        status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    return status;
}

/* After the options: what the input is decides what can be made of it. */
static int convert(convert_args *a, char **files, int nfiles)
{
    const char *to = a->to;
    int ev_fmt = strcmp(to, "jsonl") == 0 || strcmp(to, "csv") == 0 || strcmp(to, "dtrace") == 0
                 || strcmp(to, "text") == 0;
    int pkt_fmt = strcmp(to, "pcap") == 0 || strcmp(to, "pcapng") == 0;
    int agg_fmt = strcmp(to, "json") == 0 || strcmp(to, "csv") == 0 || strcmp(to, "text") == 0;
    if (!ev_fmt && !pkt_fmt && !agg_fmt && strcmp(to, "zst") != 0)
        return cli_usage_error("convert", "--to must be jsonl, csv, dtrace, text, pcap, pcapng, json or zst, "
                               "not '%s'", to);
    if (!ev_fmt && (a->events_opt || a->unknown))
        return cli_usage_error("convert", "option '%s' does not apply to --to %s",
                               a->unknown ? a->unknown : a->events_optname, to);
    if (a->unknown)
        return cli_usage_error("convert", "unknown option '%s'", a->unknown);
    /* a capture or a zstd frame on a terminal helps nobody and can upset it */
    if ((pkt_fmt || strcmp(to, "zst") == 0) && a->output == NULL && isatty(STDOUT_FILENO))
        return cli_usage_error("convert", "--to %s writes binary data: give -o FILE or redirect the "
                               "output", to);
    if (strcmp(to, "zst") == 0 && nfiles > 1)
        return cli_usage_error("convert", "--to zst compresses one file at a time");
    if (cli_check_inputs(files, nfiles) != 0 || cli_check_output(a->output, files, nfiles) != 0)
        return CLI_EXIT_USAGE;
    in_kind kind;
    nta_stream *first = open_input(files[0], &kind);
    if (first == NULL)
        return CLI_EXIT_UNREADABLE;
    if (strcmp(to, "zst") == 0)
        return to_zst(first, a->output);
    if (kind == IN_AGGS) {
        if (!agg_fmt || nfiles > 1) {
            nta_stream_free(first);
            if (!agg_fmt)
                return cli_usage_error("convert", "%s holds printed aggregations (or other text): they "
                                       "convert to json, csv or text, not %s", files[0], to);
            return cli_usage_error("convert", "printed aggregations convert one file at a time");
        }
        return convert_aggs(first, files[0], to, a->output, a->eo.quiet);
    }
    if (strcmp(to, "json") == 0) {
        nta_stream_free(first);
        return cli_usage_error("convert", "events convert to jsonl (one object per line), not json");
    }
    nta_stream **streams = calloc((size_t)nfiles, sizeof *streams);
    if (streams == NULL) {
        nta_stream_free(first);
        cli_errorf("out of memory");
        return CLI_EXIT_UNREADABLE;
    }
    streams[0] = first;
    a->eo.streams = streams;
    int status;
    if (ev_fmt) {   /* exactly `nta events --format` */
        cli_events_format(to, &a->eo.fmt);
        a->eo.output = a->output;
        status = cli_events_write(&a->eo, files, nfiles);
    } else {
        status = write_packets(a, kind, files, nfiles);
    }
    for (int i = 0; i < nfiles; i++)
        nta_stream_free(streams[i]);   /* those not taken over */
    free(streams);
    return status;
}

int cli_cmd_convert(int argc, char **argv)
{
    convert_args a;
    memset(&a, 0, sizeof a);
    cli_events_opts_init(&a.eo);
    a.eo.cmd = "convert";
    int status = parse_args(&a, argc, argv);
    if (status >= 0)
        return status;
    return convert(&a, argv + optind, argc - optind);
}
