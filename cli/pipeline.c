/* cli/pipeline.c: trace -> (lookahead, inference) -> analyzer -> sink (see pipeline.h). */
#include "cli/pipeline.h"

#include "formats/stream.h"

#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#define LOOKAHEAD_PKTS 20000
#define LOOKAHEAD_BYTES (16u * 1024u * 1024u)

void cli_pipeline_defaults(cli_pipeline *p)
{
    memset(p, 0, sizeof *p);
    p->probes = (1u << NTA_PROBE__COUNT) - 1;
    p->msl_ns = 30ull * 1000000000ull;     /* net.inet.tcp.msl = 30 s */
    p->idle_ns = 600ull * 1000000000ull;
    p->announce = 1;
}

static int parse_seconds(const char *s, uint64_t *ns)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || v < 0 || v > 1e9)
        return -1;
    *ns = (uint64_t)(v * 1e9);
    return 0;
}

int cli_pipeline_option(cli_pipeline *p, const char *cmd, const char *opt, const char *val)
{
    if (strcmp(opt, "local") == 0) {
        if (nta_locals_add(&p->locals, val) < 0) {
            cli_usage_error(cmd, "--local takes ADDR[/LEN] or all, not '%s'", val);
            return -1;
        }
        p->locals_given = 1;
        return 1;
    }
    if (strcmp(opt, "msl") == 0 || strcmp(opt, "idle-timeout") == 0) {
        uint64_t ns;
        if (parse_seconds(val, &ns) < 0) {
            cli_usage_error(cmd, "--%s takes seconds, not '%s'", opt, val);
            return -1;
        }
        if (opt[0] == 'm')
            p->msl_ns = ns;
        else
            p->idle_ns = ns;
        return 1;
    }
    if (strcmp(opt, "max-flows") == 0) {
        char *end;
        unsigned long v = strtoul(val, &end, 10);
        if (end == val || *end != '\0' || v > 0xffffffffu || val[0] == '-') {
            cli_usage_error(cmd, "--max-flows takes a count, not '%s'", val);
            return -1;
        }
        p->max_flows = (uint32_t)v;
        return 1;
    }
    return 0;
}

typedef struct lookahead {
    nta_packet *pkts;
    uint8_t *data;
    size_t n, used;
} lookahead;

static int feed(cli_pipeline *p, nta_analyzer *an, const nta_packet *pkt)
{
    nta_decoded d;
    nta_skip_reason r = nta_decode(pkt, &d);
    if (r != NTA_DECODE_OK)
        p->skipped[r]++;
    return nta_analyzer_packet(an, pkt, &d);
}

int cli_pipeline_run(cli_pipeline *p, nta_trace *t, const nta_sink *sink)
{
    nta_err err;
    nta_err_clear(&err);
    nta_packet pkt;
    int rc = 0;
    lookahead la = { NULL, NULL, 0, 0 };
    int reading_done = 0;
    cli_progress prog;
    cli_progress_init(&prog, p->quiet);
    uint64_t count = 0;

    if (!p->locals_given) {
        nta_infer *inf = nta_infer_new();
        la.pkts = malloc(LOOKAHEAD_PKTS * sizeof *la.pkts);
        la.data = malloc(LOOKAHEAD_BYTES);
        if (inf == NULL || la.pkts == NULL || la.data == NULL) {
            nta_infer_free(inf);
            free(la.pkts);
            free(la.data);
            cli_errorf("out of memory");
            return CLI_EXIT_UNREADABLE;
        }
        while (la.n < LOOKAHEAD_PKTS) {
            rc = nta_trace_next(t, &pkt, &err);
            if (rc <= 0) {
                reading_done = 1;
                break;
            }
            count++;
            if (la.used + pkt.caplen > LOOKAHEAD_BYTES) {
                /* keep this packet outside the buffer: it is fed first after the replay */
                break;
            }
            memcpy(la.data + la.used, pkt.data, pkt.caplen);
            la.pkts[la.n] = pkt;
            la.pkts[la.n].data = la.data + la.used;
            la.used += pkt.caplen;
            la.n++;
            nta_decoded d;
            nta_decode(&pkt, &d);
            nta_infer_add(inf, &d);
        }
        nta_infer_decide(inf, &p->locals);
        nta_infer_free(inf);
        if (la.n == LOOKAHEAD_PKTS)
            rc = 0;   /* nothing pending beyond the buffer */
    } else {
        snprintf(p->locals.why, sizeof p->locals.why, "given with --local");
    }
    if (p->announce) {
        char desc[1024];
        nta_locals_describe(&p->locals, desc, sizeof desc);
        cli_errorf("traced endpoints: %s (%s; loopback is always traced)", desc, p->locals.why);
    }

    if (p->on_decided != NULL)
        p->on_decided(p->decided_ctx, &p->locals);
    nta_analyzer_opts ao = { &p->locals, p->probes, p->msl_ns, p->idle_ns, p->max_flows, t, p->skip,
                              p->tcps_probes };
    nta_analyzer *an = nta_analyzer_new(&ao, sink);
    if (an == NULL) {
        free(la.pkts);
        free(la.data);
        cli_errorf("out of memory");
        return CLI_EXIT_UNREADABLE;
    }
    int sink_rc = 0;
    for (size_t i = 0; i < la.n && sink_rc == 0; i++)
        sink_rc = feed(p, an, &la.pkts[i]);
    /* a packet read but not buffered (lookahead full of bytes) is still pending in pkt */
    if (sink_rc == 0 && !reading_done && rc == 1 && la.pkts != NULL && la.n < LOOKAHEAD_PKTS)
        sink_rc = feed(p, an, &pkt);
    free(la.pkts);
    free(la.data);
    if (!reading_done) {
        while (sink_rc == 0 && (rc = nta_trace_next(t, &pkt, &err)) == 1) {
            count++;
            sink_rc = feed(p, an, &pkt);
            cli_progress_tick(&prog, t, count);
        }
    }
    cli_progress_done(&prog);
    if (sink_rc == 0)
        sink_rc = nta_analyzer_finish(an);
    nta_analyzer_get_stats(an, &p->stats);
    nta_analyzer_free(an);
    if (rc < 0) {
        cli_report_err(&err);
        cli_hint_dtext(&err);
        return rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
    }
    int status = cli_trace_status(t);
    if (sink_rc < 0) {
        cli_errorf("writing the output failed: %s", nta_strerror(sink_rc));
        return CLI_EXIT_UNREADABLE;
    }
    if (p->stats.evicted > 0)
        cli_errorf("%llu connections evicted by --max-flows %u; their later segments were picked "
                   "up mid-stream", (unsigned long long)p->stats.evicted, p->max_flows);
    return status;
}

int cli_input_is_dtext(char *const *paths, int npaths)
{
    struct stat st;
    /* sniffing reads: only a regular file can be read again (a FIFO's bytes would be gone) */
    if (npaths < 1 || stat(paths[0], &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    nta_err err;
    nta_err_clear(&err);
    nta_stream *s;
    if (nta_stream_open_file(&s, paths[0], &err) < 0)
        return 0;   /* the capture reader reports it */
    const uint8_t *p;
    size_t got;
    nta_dtext_kind k = NTA_DTEXT_NONE;
    if (nta_stream_peek(s, 65536, &p, &got, &err) == 0)
        k = nta_dtext_sniff(p, got);
    nta_stream_free(s);
    return k != NTA_DTEXT_NONE;
}

nta_dtext *cli_dtext_open(char *const *paths, int npaths, int *status)
{
    nta_err err;
    nta_err_clear(&err);
    nta_dtext *d;
    int rc = nta_dtext_open(&d, (const char *const *)paths, npaths, &err);
    if (rc < 0) {
        cli_report_err(&err);
        *status = CLI_EXIT_UNREADABLE;
        return NULL;
    }
    return d;
}

int cli_pipeline_run_dtext(cli_pipeline *p, nta_dtext *d, const nta_sink *sink)
{
    nta_err err;
    nta_err_clear(&err);
    if (p->locals_given)
        snprintf(p->locals.why, sizeof p->locals.why, "given with --local");
    if (p->on_decided != NULL)
        nta_dtext_on_decided(d, p->on_decided, p->decided_ctx);
    int rc = nta_dtext_run(d, &p->locals, p->probes, sink, &err);
    const nta_dtext_stats *st = nta_dtext_stats_of(d);
    if (p->announce) {
        char desc[1024];
        nta_locals_describe(&p->locals, desc, sizeof desc);
        cli_errorf("read %s: %llu events from %llu lines; traced: %s (%s)",
                   nta_dtext_kind_name(nta_dtext_kind_of(d)), (unsigned long long)st->events,
                   (unsigned long long)st->lines, desc, p->locals.why);
    }
    if (rc < 0) {
        cli_report_err(&err);
        return CLI_EXIT_UNREADABLE;
    }
    if (st->malformed > 0) {
        cli_errorf("%llu malformed line%s skipped (the rest was used):",
                   (unsigned long long)st->malformed, st->malformed == 1 ? "" : "s");
        for (int i = 0; i < st->nbad; i++)
            fprintf(stderr, "  %s\n", st->first_bad[i]);
        if (st->malformed > (uint64_t)st->nbad)
            fprintf(stderr, "  ... and %llu more\n", (unsigned long long)(st->malformed - (uint64_t)st->nbad));
        return CLI_EXIT_PARTIAL;
    }
    return CLI_EXIT_OK;
}

int cli_looks_like_text(const uint8_t *p, size_t n)
{
    if (n > 4096)
        n = 4096;
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0x20 || p[i] == '\n' || p[i] == '\t' || p[i] == '\r' || p[i] == '\b'))
            return 0;
    return n > 0;
}

void cli_hint_dtext(const nta_err *e)
{
    if (e->code != NTA_EFORMAT || e->file[0] == '\0' || strcmp(e->file, "-") == 0)
        return;
    nta_err err;
    nta_err_clear(&err);
    nta_stream *s;
    if (nta_stream_open_file(&s, e->file, &err) < 0)
        return;
    const uint8_t *p;
    size_t got;
    int text = nta_stream_peek(s, 4096, &p, &got, &err) == 0 && cli_looks_like_text(p, got);
    nta_stream_free(s);
    if (text)
        cli_errorf("%s is text, but not dtrace output nta reads either: expected %s", e->file,
                   nta_dtext_expected);
}
