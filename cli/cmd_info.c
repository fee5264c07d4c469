/* cli/cmd_info.c: `nta info FILE...`, the capinfos of nta.
 *
 * Reads the whole trace once, decodes every packet, and prints format and compression per file,
 * interfaces, packet and byte counts, first/last timestamps, counts per network and transport
 * protocol and the skipped counts by reason, as text or JSON (schema in man/nta.1). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "event/fields.h"
#include "cli/inputs.h"
#include "cli/output.h"
#include "common/jstring.h"
#include "formats/decode.h"
#include "formats/trace.h"

typedef struct info_stats {
    uint64_t packets, bytes, captured;
    uint64_t first_ns, last_ns;
    uint64_t ipv4, ipv6, non_ip;
    uint64_t tcp, udp, icmp, icmpv6, other_l4;
    uint64_t skipped[NTA_SKIP__COUNT];
    int out_of_order;   /* timestamps went backwards somewhere */
} info_stats;

static int count(void *ctx, const nta_packet *pkt)
{
    info_stats *st = ctx;
    nta_decoded d;
    nta_skip_reason r = nta_decode(pkt, &d);
    if (st->packets == 0)
        st->first_ns = pkt->ts_ns;
    else if (pkt->ts_ns < st->last_ns)
        st->out_of_order = 1;
    if (st->packets == 0 || pkt->ts_ns > st->last_ns)
        st->last_ns = pkt->ts_ns;
    if (pkt->ts_ns < st->first_ns)
        st->first_ns = pkt->ts_ns;
    st->packets++;
    st->bytes += pkt->origlen;
    st->captured += pkt->caplen;
    if (r != NTA_DECODE_OK)
        st->skipped[r]++;
    if (d.ip_ver == 4)
        st->ipv4++;
    else if (d.ip_ver == 6)
        st->ipv6++;
    else
        st->non_ip++;
    if (d.ip_ver == 0 || r == NTA_SKIP_FRAGMENT || r == NTA_SKIP_BAD_HEADER)
        return 0;
    switch (d.proto) {
    case 6: st->tcp++; break;
    case 17: st->udp++; break;
    case 1: st->icmp++; break;
    case 58: st->icmpv6++; break;
    default: st->other_l4++; break;
    }
    return 0;
}

static void fmt_time(uint64_t ns, char *out, size_t cap)
{
    time_t s = (time_t)(ns / 1000000000u);
    struct tm tm;
    gmtime_r(&s, &tm);
    char b[32];
    strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out, cap, "%s.%09llu UTC", b, (unsigned long long)(ns % 1000000000u));
}

/* Interface names may hold any byte (pcapng test102 has CR/LF); text output shows them escaped. */
static void print_escaped(FILE *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\')
            fputs("\\\\", o);
        else if (c == '\n')
            fputs("\\n", o);
        else if (c == '\r')
            fputs("\\r", o);
        else if (c == '\t')
            fputs("\\t", o);
        else if (c < 0x20 || c == 0x7f)
            fprintf(o, "\\x%02x", c);
        else
            fputc(c, o);
    }
}

static void print_text(FILE *o, const nta_trace *t, const info_stats *st)
{
    char lt[32];
    for (int i = 0; i < nta_trace_nfiles(t); i++) {
        const nta_trace_file *f = nta_trace_file_info(t, i);
        fprintf(o, "file:          %s\n", f->path);
        fprintf(o, "  format:      %s\n", f->format[0] ? f->format : "(unreadable)");
        fprintf(o, "  compression: %s\n", f->compression);
        fprintf(o, "  packets:     %llu%s\n", (unsigned long long)f->packets,
                f->err.code ? " (read stopped early, see stderr)" : "");
    }
    fprintf(o, "interfaces:    %u\n", nta_trace_nifaces(t));
    fprintf(o, "  %-5s %-16s %-12s %8s %10s %12s\n", "index", "name", "link type", "snaplen",
            "packets", "bytes");
    for (uint32_t i = 0; i < nta_trace_nifaces(t); i++) {
        const nta_iface *f = nta_trace_iface(t, i);
        fprintf(o, "  %-5u ", i);
        print_escaped(o, f->name);
        size_t n = strlen(f->name);
        for (size_t k = n; k < 16; k++)
            fputc(' ', o);
        fprintf(o, " %-12s %8u %10llu %12llu", nta_linktype_name(f->linktype, lt, sizeof lt),
                f->snaplen, (unsigned long long)f->packets, (unsigned long long)f->bytes);
        if (f->desc[0]) {
            fputs("  (", o);
            print_escaped(o, f->desc);
            fputc(')', o);
        }
        if (f->ifdrop >= 0)
            fprintf(o, "  dropped by interface: %lld", (long long)f->ifdrop);
        fputc('\n', o);
    }
    fprintf(o, "packets:       %llu\n", (unsigned long long)st->packets);
    fprintf(o, "bytes:         %llu (captured %llu)\n", (unsigned long long)st->bytes,
            (unsigned long long)st->captured);
    if (st->packets > 0) {
        char a[64], b[64];
        fmt_time(st->first_ns, a, sizeof a);
        fmt_time(st->last_ns, b, sizeof b);
        uint64_t dur = st->last_ns - st->first_ns;
        fprintf(o, "first packet:  %s\n", a);
        fprintf(o, "last packet:   %s\n", b);
        fprintf(o, "duration:      %llu.%09llu s\n", (unsigned long long)(dur / 1000000000u),
                (unsigned long long)(dur % 1000000000u));
        fprintf(o, "time order:    %s\n", st->out_of_order ? "not strict" : "strict");
    }
    fprintf(o, "network:       ipv4 %llu, ipv6 %llu, other %llu\n", (unsigned long long)st->ipv4,
            (unsigned long long)st->ipv6, (unsigned long long)st->non_ip);
    fprintf(o, "transport:     tcp %llu, udp %llu, icmp %llu, icmpv6 %llu, other %llu\n",
            (unsigned long long)st->tcp, (unsigned long long)st->udp, (unsigned long long)st->icmp,
            (unsigned long long)st->icmpv6, (unsigned long long)st->other_l4);
    fprintf(o, "skipped:      ");
    uint64_t bad = 0;
    for (int i = 0; i < nta_trace_nfiles(t); i++)
        bad += nta_trace_file_info(t, i)->bad_records;
    for (int r = 1; r < NTA_SKIP__COUNT; r++) {
        uint64_t v = st->skipped[r] + (r == NTA_SKIP_BAD_RECORD ? bad : 0);
        fprintf(o, " %s %llu%s", nta_skip_name((nta_skip_reason)r), (unsigned long long)v,
                r + 1 < NTA_SKIP__COUNT ? "," : "\n");
    }
    if (nta_trace_filtered(t) > 0)
        fprintf(o, "filtered out:  %llu\n", (unsigned long long)nta_trace_filtered(t));
}

static json_t *err_json(const nta_err *e)
{
    if (e->code == 0)
        return json_null();
    return json_pack("{s:s, s:o, s:I}", "code", nta_strerror(e->code), "message", nta_jstring(e->msg),
                     "offset", (json_int_t)e->offset);
}

static int print_json(FILE *o, const nta_trace *t, const info_stats *st)
{
    char lt[32];
    json_t *root = json_object();
    json_object_set_new(root, "schema_version", json_integer(1));
    json_t *files = json_array();
    uint64_t bad = 0;
    for (int i = 0; i < nta_trace_nfiles(t); i++) {
        const nta_trace_file *f = nta_trace_file_info(t, i);
        bad += f->bad_records;
        json_array_append_new(files, json_pack("{s:o, s:s?, s:s, s:I, s:I, s:o}", "path", nta_jstring(f->path),
                                               "format", f->format[0] ? f->format : NULL,
                                               "compression", f->compression, "packets",
                                               (json_int_t)f->packets, "bad_records",
                                               (json_int_t)f->bad_records, "error",
                                               err_json(&f->err)));
    }
    json_object_set_new(root, "files", files);
    json_object_set_new(root, "packets", json_integer((json_int_t)st->packets));
    json_object_set_new(root, "bytes", json_integer((json_int_t)st->bytes));
    json_object_set_new(root, "captured_bytes", json_integer((json_int_t)st->captured));
    json_t *ifs = json_array();
    json_t *lts = json_array();
    for (uint32_t i = 0; i < nta_trace_nifaces(t); i++) {
        const nta_iface *f = nta_trace_iface(t, i);
        const char *ltn = nta_linktype_name(f->linktype, lt, sizeof lt);
        json_t *j = json_pack("{s:i, s:o, s:o, s:i, s:s, s:i, s:I, s:I}", "index", (int)i, "name",
                              nta_jstring(f->name), "description", nta_jstring(f->desc),
                              "linktype", (int)f->linktype,
                              "linktype_name", ltn, "snaplen", (int)f->snaplen, "packets",
                              (json_int_t)f->packets, "bytes", (json_int_t)f->bytes);
        if (f->ifdrop >= 0)
            json_object_set_new(j, "ifdrop", json_integer(f->ifdrop));
        json_array_append_new(ifs, j);
        int seen = 0;
        for (size_t k = 0; k < json_array_size(lts); k++)
            if (strcmp(json_string_value(json_array_get(lts, k)), ltn) == 0)
                seen = 1;
        if (!seen)
            json_array_append_new(lts, json_string(ltn));
    }
    json_object_set_new(root, "link_types", lts);
    json_object_set_new(root, "interfaces", ifs);
    json_object_set_new(root, "first_ts_ns", st->packets ? json_integer((json_int_t)st->first_ns)
                                                         : json_null());
    json_object_set_new(root, "last_ts_ns", st->packets ? json_integer((json_int_t)st->last_ns)
                                                        : json_null());
    json_object_set_new(root, "duration_ns",
                        json_integer((json_int_t)(st->packets ? st->last_ns - st->first_ns : 0)));
    json_object_set_new(root, "strict_time_order", json_boolean(!st->out_of_order));
    json_object_set_new(root, "network", json_pack("{s:I, s:I, s:I}", "ipv4", (json_int_t)st->ipv4,
                                                   "ipv6", (json_int_t)st->ipv6, "other",
                                                   (json_int_t)st->non_ip));
    json_object_set_new(root, "transport",
                        json_pack("{s:I, s:I, s:I, s:I, s:I}", "tcp", (json_int_t)st->tcp, "udp",
                                  (json_int_t)st->udp, "icmp", (json_int_t)st->icmp, "icmpv6",
                                  (json_int_t)st->icmpv6, "other", (json_int_t)st->other_l4));
    json_t *sk = json_object();
    for (int r = 1; r < NTA_SKIP__COUNT; r++)
        json_object_set_new(sk, nta_skip_name((nta_skip_reason)r),
                            json_integer((json_int_t)(st->skipped[r]
                                                      + (r == NTA_SKIP_BAD_RECORD ? bad : 0))));
    json_object_set_new(root, "skipped", sk);
    json_object_set_new(root, "filtered", json_integer((json_int_t)nta_trace_filtered(t)));
    int rc = json_dumpf(root, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc == 0 && fputc('\n', o) == EOF)
        rc = -1;
    return rc;
}

static const char info_help[] =
    "Usage: nta info [OPTIONS] FILE...\n"
    "Describe captures: format and compression, interfaces, packet and byte counts, time span,\n"
    "protocols, and packets nta could not decode (by reason). Several files are one trace,\n"
    "merged in timestamp order. FILE may be '-' (standard input) or a libtrace URI (erf:PATH).\n"
    "\n"
    "Options:\n"
    "  -f, --filter EXPR   only packets matching the tcpdump (BPF) filter EXPR\n"
    "      --ifname NAME   interface name for captures that do not name theirs\n"
    "                      (default: the file's base name)\n"
    "      --format FMT    text (default) or json\n"
    "  -o, --output FILE   write the report to FILE instead of standard output\n"
    "  -q, --quiet         no progress line on a terminal\n"
    "  -h, --help          this help\n"
    "\n"
    "Exit status: 0 ok, 1 input partly unreadable (what was read is reported), 2 usage error,\n"
    "3 input unreadable.\n";

/* dtrace text instead of a capture: which script wrote it, its lines, events per probe and
 * the fields it shows (dtext/dtrace_in.h). */
static int count_event(void *ctx, const nta_event *ev)
{
    ((uint64_t *)ctx)[ev->probe]++;
    return 0;
}

static int dtext_info(nta_source *src, char **paths, int npaths, const char *format,
                      const char *output)
{
    uint64_t per[NTA_PROBE__COUNT] = { 0 };
    nta_sink sink = { .on_event = count_event, .ctx = per };
    cli_run quiet = { .cmd = "info", .quiet = 1 };
    int status = cli_source_run(&quiet, src, &sink);
    const nta_run_info *st = nta_source_info(src);
    uint32_t fields = st->known;
    cli_out out;
    int ost = cli_out_open(&out, output);
    if (ost != 0)
        return ost;
    FILE *o = out.f;
    if (strcmp(format, "json") == 0) {
        json_t *probes = json_object(), *missing = json_array(), *inputs = json_array();
        for (int i = 0; i < NTA_PROBE__COUNT; i++)
            if (per[i])
                json_object_set_new(probes, nta_probe_name((nta_probe)i), json_integer((json_int_t)per[i]));
        for (uint32_t bit = 1; bit < NTA_F_ALL; bit <<= 1)
            if (!(fields & bit) && !(bit == NTA_F_CONNTIME && !(fields & NTA_F_TS)))
                json_array_append_new(missing, json_string(nta_field_group_name(bit)));
        for (int i = 0; i < npaths; i++)
            json_array_append_new(inputs, nta_jstring(paths[i]));
        json_t *j = json_pack("{s:i, s:o, s:s, s:I, s:I, s:I, s:o, s:o}", "schema_version", 1, "inputs",
                              inputs, "dtrace_output", st->dtext_kind, "lines",
                              (json_int_t)st->lines, "events", (json_int_t)st->events,
                              "malformed_lines", (json_int_t)st->malformed, "probes", probes,
                              "fields_not_shown", missing);
        json_dumpf(j, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', o);
        json_decref(j);
    } else {
        for (int i = 0; i < npaths; i++)
            fprintf(o, "%s%s", i ? ", " : "", paths[i]);
        fprintf(o, ": %s\n  lines %llu, events %llu, malformed lines %llu\n", st->dtext_kind,
                (unsigned long long)st->lines, (unsigned long long)st->events,
                (unsigned long long)st->malformed);
        for (int i = 0; i < NTA_PROBE__COUNT; i++)
            if (per[i])
                fprintf(o, "  %-26s %llu\n", nta_probe_name((nta_probe)i), (unsigned long long)per[i]);
        int any = 0;
        for (uint32_t bit = 1; bit < NTA_F_ALL; bit <<= 1)
            if (!(fields & bit) && !(bit == NTA_F_CONNTIME && !(fields & NTA_F_TS)))
                fprintf(o, "%s%s", any++ ? "; " : "  not shown: ", nta_field_group_name(bit));
        if (any)
            fputc('\n', o);
    }
    if (cli_out_close(&out, quiet.interrupted) < 0)
        status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    return status;
}

int cli_cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "filter", required_argument, NULL, 'f' }, { "ifname", required_argument, NULL, 'I' },
        { "format", required_argument, NULL, 'F' }, { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    nta_source_opts so;
    nta_source_opts_init(&so);
    cli_run run = { .cmd = "info" };
    const char *format = "text", *output = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': so.filter = optarg; break;
        case 'I': so.ifname = optarg; break;
        case 'F': format = optarg; break;
        case 'o': output = optarg; break;
        case 'q': run.quiet = 1; break;
        case 'h': fputs(info_help, stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("info", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("info", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return cli_usage_error("info", "--format must be text or json, not '%s'", format);
    if (optind >= argc)
        return cli_usage_error("info", "no capture file given");

    int status;
    if (cli_check_inputs(argv + optind, argc - optind) != 0
        || cli_check_output(output, argv + optind, argc - optind) != 0)
        return CLI_EXIT_USAGE;
    nta_source *src = cli_source_open(&run, argv + optind, argc - optind, &so, &status);
    if (src == NULL)
        return status;
    if (nta_source_info(src)->dtext) {
        status = dtext_info(src, argv + optind, argc - optind, format, output);
        nta_source_free(src);
        return status;
    }
    info_stats st;
    memset(&st, 0, sizeof st);
    status = cli_source_packets(&run, src, count, &st);
    if (run.run_failed) {
        nta_source_free(src);
        return status;
    }
    const nta_trace *t = nta_source_trace(src);
    cli_out out;
    int ost = cli_out_open(&out, output);
    if (ost != 0) {
        nta_source_free(src);
        return ost;
    }
    if (strcmp(format, "json") == 0)
        print_json(out.f, t, &st);
    else
        print_text(out.f, t, &st);
    if (cli_out_close(&out, run.interrupted) < 0)
        status = cli_status_worse(status, CLI_EXIT_UNREADABLE);
    nta_source_free(src);
    return status;
}
