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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/event_packet.h"
#include "cli/cli.h"
#include "cli/pipeline.h"
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
    "  -q, --quiet                 no notices on stderr\n"
    "\n"
    "Exit status: 0 ok, 1 input partly unreadable, 2 usage error, 3 input unreadable.\n";

typedef enum { IN_CAPTURE, IN_EVENTS_TEXT, IN_AGGS } in_kind;

/* What the first input is: dtrace event text, printed aggregations (other text), or a capture. */
static in_kind input_kind(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return IN_CAPTURE;
    nta_err err;
    nta_err_clear(&err);
    nta_stream *s;
    if (nta_stream_open_file(&s, path, &err) < 0)
        return IN_CAPTURE;
    const uint8_t *p;
    size_t got;
    in_kind k = IN_CAPTURE;
    if (nta_stream_peek(s, 65536, &p, &got, &err) == 0 && got > 0) {
        nta_dtext_kind dk = nta_dtext_sniff(p, got);
        if (dk == NTA_DTEXT_AGGS) {
            k = IN_AGGS;
        } else if (dk != NTA_DTEXT_NONE) {
            k = IN_EVENTS_TEXT;
        } else {
            k = cli_looks_like_text(p, got) ? IN_AGGS : IN_CAPTURE;
        }
    }
    nta_stream_free(s);
    return k;
}

/* The input as a byte stream, or NULL after saying why it cannot be opened. */
static nta_stream *open_stream(const char *path, nta_err *err)
{
    nta_stream *s;
    nta_err_clear(err);
    if (nta_stream_open_file(&s, path, err) < 0) {
        cli_report_err(err);
        return NULL;
    }
    return s;
}

/* --to zst: the input's bytes, decompressed if need be, recompressed with zstd. */
static int to_zst(const char *path, const char *output)
{
    nta_err err;
    nta_stream *s = open_stream(path, &err);
    if (s == NULL)
        return CLI_EXIT_UNREADABLE;
    FILE *raw = output ? fopen(output, "w") : stdout;
    FILE *o = raw ? nta_zst_fopen(raw, 3) : NULL;
    if (o == NULL) {
        cli_errorf("cannot write %s: %s", output ? output : "standard output", strerror(errno));
        if (raw != NULL && raw != stdout)
            fclose(raw);
        nta_stream_free(s);
        return CLI_EXIT_USAGE;
    }
    static uint8_t buf[1 << 16];
    size_t got;
    int rc, werr = 0;
    while ((rc = nta_stream_read(s, buf, sizeof buf, &got, &err)) == 0 && got > 0)
        werr |= fwrite(buf, 1, got, o) != got;
    nta_stream_free(s);
    werr |= fclose(o) != 0;   /* ends the frame; closes raw (stdout too: nothing follows) */
    if (rc < 0) {
        cli_report_err(&err);
        return CLI_EXIT_UNREADABLE;
    }
    if (werr) {
        cli_errorf("writing failed: %s", strerror(errno));
        return CLI_EXIT_UNREADABLE;
    }
    return CLI_EXIT_OK;
}

static int convert_aggs(const char *path, const char *to, const char *output, int quiet)
{
    nta_err err;
    nta_stream *s = open_stream(path, &err);
    if (s == NULL)
        return CLI_EXIT_UNREADABLE;
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
    FILE *o = output ? cli_fopen_out(output) : stdout;
    if (o == NULL) {
        cli_errorf("cannot write %s: %s", output, strerror(errno));
        nta_aggdoc_free(&doc);
        return CLI_EXIT_USAGE;
    }
    int werr = 0;
    if (strcmp(to, "json") == 0) {
        json_t *j = nta_aggdoc_json(&doc);
        json_object_set_new(j, "input", json_string(path));
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
    if (o != stdout ? fclose(o) != 0 : fflush(o) != 0)
        werr = 1;
    if (werr > 0)
        cli_errorf("writing failed: %s", strerror(errno));
    return werr ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
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

static int events_to_packets(cli_pipeline *pl, char **paths, int npaths, nta_cwriter *w)
{
    int status;
    nta_dtext *d = cli_dtext_open(paths, npaths, &status);
    if (d == NULL)
        return status;
    pkt_ctx p;
    memset(&p, 0, sizeof p);
    p.w = w;
    p.known = nta_dtext_fields(nta_dtext_kind_of(d));
    p.locals = &pl->locals;
    p.no_direction = nta_dtext_kind_of(d) == NTA_DTEXT_EX3;
    uint32_t need = NTA_F_IP_SADDR | NTA_F_IP_DADDR | NTA_F_TCP_PORTS | NTA_F_PAYLOAD;
    if ((p.known & need) != need) {
        cli_errorf("%s (%s) shows no TCP or UDP segments to make packets of", paths[0],
                   nta_dtext_kind_name(nta_dtext_kind_of(d)));
        nta_dtext_free(d);
        return CLI_EXIT_UNREADABLE;
    }
    p.buf = malloc(NTA_EVPKT_MAX);
    p.iface = p.buf ? nta_cwriter_iface(w, LINKTYPE_RAW, 0, "dtrace", &p.err) : NTA_ENOMEM;
    if (p.iface < 0) {
        free(p.buf);
        nta_dtext_free(d);
        cli_errorf("%s", p.err.msg[0] ? p.err.msg : "out of memory");
        return CLI_EXIT_UNREADABLE;
    }
    pl->probes = 1u << NTA_PROBE_TCP_SEND | 1u << NTA_PROBE_TCP_RECEIVE | 1u << NTA_PROBE_UDP_SEND
                 | 1u << NTA_PROBE_UDP_RECEIVE;
    nta_sink sink = { pkt_event, NULL, &p };
    status = cli_pipeline_run_dtext(pl, d, &sink);
    if (!pl->quiet)
        cli_errorf("%llu packets written", (unsigned long long)p.n);
    free(p.buf);
    nta_dtext_free(d);
    return status;
}

static int capture_to_capture(char **paths, int npaths, const char *ifname, nta_cwriter *w, int quiet)
{
    nta_trace_opts to = { ifname, NULL, 0, 0 };
    nta_err err;
    nta_err_clear(&err);
    nta_trace *t;
    if (nta_trace_open(&t, (const char *const *)paths, npaths, &to, &err) < 0) {
        cli_report_err(&err);
        return CLI_EXIT_UNREADABLE;
    }
    int map[4096];
    for (int i = 0; i < 4096; i++)
        map[i] = -1;
    nta_packet pkt;
    int rc;
    uint64_t n = 0;
    nta_err werr;
    nta_err_clear(&werr);
    int wrc = 0;
    while (wrc == 0 && (rc = nta_trace_next(t, &pkt, &err)) == 1) {
        if (pkt.ifindex >= 4096) {
            wrc = nta_err_set(&werr, NTA_EUNSUP, "more than 4096 interfaces");
            break;
        }
        if (map[pkt.ifindex] < 0) {
            const nta_iface *ifc = nta_trace_iface(t, pkt.ifindex);
            map[pkt.ifindex] = nta_cwriter_iface(w, ifc->linktype, ifc->snaplen, ifc->name, &werr);
            if (map[pkt.ifindex] < 0) {
                wrc = map[pkt.ifindex];
                break;
            }
        }
        wrc = nta_cwriter_packet(w, map[pkt.ifindex], pkt.ts_ns, pkt.data, pkt.caplen, pkt.origlen, &werr);
        n++;
    }
    /* an input without packets still gives a valid (empty) file */
    if (wrc == 0 && n == 0 && nta_trace_nifaces(t) > 0) {
        const nta_iface *ifc = nta_trace_iface(t, 0);
        int ix = nta_cwriter_iface(w, ifc->linktype, ifc->snaplen, ifc->name, &werr);
        wrc = ix < 0 ? ix : 0;
    }
    if (!quiet)
        cli_errorf("%llu packets written", (unsigned long long)n);
    int status = rc < 0 ? (cli_report_err(&err), CLI_EXIT_UNREADABLE) : cli_trace_status(t);
    nta_trace_free(t);
    if (wrc < 0) {
        cli_errorf("%s", werr.msg);
        return CLI_EXIT_UNREADABLE;
    }
    return status;
}

int cli_cmd_convert(int argc, char **argv)
{
    const char *to = NULL, *output = NULL, *ifname = NULL;
    int quiet = 0;
    /* options of nta events pass through to it; ours are taken out here */
    char **rest = calloc((size_t)argc + 8, sizeof *rest);
    if (rest == NULL)
        return CLI_EXIT_UNREADABLE;
    int nrest = 0, nfiles = 0;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    if (files == NULL) {
        free(rest);
        return CLI_EXIT_UNREADABLE;
    }
    int status = CLI_EXIT_OK;
    static const char *const with_value[] = { "--local", "--msl", "--idle-timeout", "--max-flows", "-P",
                                              "--probe", "-f", "--filter", NULL };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(convert_help, stdout);
            goto done;
        }
        if (strcmp(a, "--to") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0
            || strcmp(a, "--ifname") == 0) {
            if (i + 1 >= argc) {
                status = cli_usage_error("convert", "option '%s' needs a value", a);
                goto done;
            }
            const char *v = argv[++i];
            if (a[2] == 't')
                to = v;
            else if (a[2] == 'i')
                ifname = v;
            else
                output = v;
            continue;
        }
        if (strncmp(a, "--to=", 5) == 0) {
            to = a + 5;
            continue;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
            quiet = 1;
        int takes = 0;
        for (int k = 0; with_value[k]; k++)
            takes |= strcmp(a, with_value[k]) == 0;
        rest[nrest++] = argv[i];
        if (takes && i + 1 < argc)
            rest[nrest++] = argv[++i];
        else if (a[0] != '-' || strcmp(a, "-") == 0)
            files[nfiles++] = argv[i];
        else if (!takes && strcmp(a, "-q") != 0 && strcmp(a, "--quiet") != 0 && strncmp(a, "--", 2) != 0) {
            status = cli_usage_error("convert", "unknown option '%s'", a);
            goto done;
        }
    }
    if (to == NULL) {
        status = cli_usage_error("convert", "--to FORMAT is required (jsonl, csv, dtrace, text, pcap, "
                                 "pcapng, json)");
        goto done;
    }
    if (nfiles == 0) {
        status = cli_usage_error("convert", "no input file given");
        goto done;
    }
    int ev_fmt = strcmp(to, "jsonl") == 0 || strcmp(to, "csv") == 0 || strcmp(to, "dtrace") == 0
                 || strcmp(to, "text") == 0;
    int pkt_fmt = strcmp(to, "pcap") == 0 || strcmp(to, "pcapng") == 0;

    int agg_fmt = strcmp(to, "json") == 0 || strcmp(to, "csv") == 0 || strcmp(to, "text") == 0;
    if (!ev_fmt && !pkt_fmt && !agg_fmt && strcmp(to, "zst") != 0) {
        status = cli_usage_error("convert", "--to must be jsonl, csv, dtrace, text, pcap, pcapng, json or zst, "
                                 "not '%s'", to);
        goto done;
    }
    if (!ev_fmt) {   /* only nta events checks the options passed through to it */
        for (int i = 0; i < nrest; i++) {
            const char *a = rest[i];
            if (strcmp(a, "--local") == 0) {
                i++;
            } else if (a[0] == '-' && strcmp(a, "-") != 0 && strcmp(a, "-q") != 0 && strcmp(a, "--quiet") != 0) {
                status = cli_usage_error("convert", "option '%s' does not apply to --to %s", a, to);
                goto done;
            }
        }
    }
    /* a capture or a zstd frame on a terminal helps nobody and can upset it */
    if ((pkt_fmt || strcmp(to, "zst") == 0) && output == NULL && isatty(STDOUT_FILENO)) {
        status = cli_usage_error("convert", "--to %s writes binary data: give -o FILE or redirect the "
                                 "output", to);
        goto done;
    }
    if (strcmp(to, "zst") == 0) {
        if (nfiles > 1) {
            status = cli_usage_error("convert", "--to zst compresses one file at a time");
            goto done;
        }
        status = to_zst(files[0], output);
        goto done;
    }
    in_kind kind = input_kind(files[0]);
    if (kind == IN_AGGS) {
        if (!agg_fmt) {
            status = cli_usage_error("convert", "%s holds printed aggregations (or other text): they "
                                     "convert to json, csv or text, not %s", files[0], to);
            goto done;
        }
        if (nfiles > 1) {
            status = cli_usage_error("convert", "printed aggregations convert one file at a time");
            goto done;
        }
        status = convert_aggs(files[0], to, output, quiet);
        goto done;
    }
    if (strcmp(to, "json") == 0) {
        status = cli_usage_error("convert", "events convert to jsonl (one object per line), not json");
        goto done;
    }
    if (ev_fmt) {   /* exactly `nta events --format` */
        char **av = calloc((size_t)nrest + 8, sizeof *av);
        if (av == NULL) {
            status = CLI_EXIT_UNREADABLE;
            goto done;
        }
        int n = 0;
        av[n++] = "events";
        av[n++] = "--format";
        av[n++] = (char *)to;
        if (output) {
            av[n++] = "-o";
            av[n++] = (char *)output;
        }
        if (ifname) {
            av[n++] = "--ifname";
            av[n++] = (char *)ifname;
        }
        for (int i = 0; i < nrest; i++)
            av[n++] = rest[i];
        status = cli_cmd_events(n, av);
        free(av);
        goto done;
    }
    FILE *o = output ? cli_fopen_out(output) : stdout;
    if (o == NULL) {
        cli_errorf("cannot write %s: %s", output, strerror(errno));
        status = CLI_EXIT_USAGE;
        goto done;
    }
    nta_err err;
    nta_err_clear(&err);
    nta_cwriter *w;
    if (nta_cwriter_open(&w, o, strcmp(to, "pcapng") == 0, &err) < 0) {
        cli_errorf("out of memory");
        status = CLI_EXIT_UNREADABLE;
        goto done;
    }
    if (kind == IN_EVENTS_TEXT) {
        cli_pipeline pl;
        cli_pipeline_defaults(&pl);
        pl.quiet = quiet;
        pl.announce = !quiet;
        for (int i = 0; i < nrest; i++)
            if (strcmp(rest[i], "--local") == 0 && i + 1 < nrest
                && cli_pipeline_option(&pl, "convert", "local", rest[++i]) < 0) {
                status = CLI_EXIT_USAGE;
                break;
            }
        if (status == CLI_EXIT_OK)
            status = events_to_packets(&pl, files, nfiles, w);
    } else {
        status = capture_to_capture(files, nfiles, ifname, w, quiet);
    }
    if (nta_cwriter_close(w, &err) < 0 && status != CLI_EXIT_UNREADABLE) {
        cli_errorf("%s", err.msg);
        status = CLI_EXIT_UNREADABLE;
    }
done:
    free(rest);
    free(files);
    return status;
}
