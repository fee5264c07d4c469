/* dtext/dtrace_in.c: reading dtrace text into probe events (see dtrace_in.h).
 *
 * Lines stream through a fixed buffer; the kind of output is fixed by the first file's header
 * and every file must match it. Per-kind parsers are in dtrace_event.c (nta-events.d) and
 * dtrace_scripts.c (the article's and dtrace-tcp(4)'s scripts). */
#include "dtext/dtrace_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtext/dtrace_event.h"
#include "event/infer.h"
#include "common/u64map.h"
#include "formats/stream.h"

#define LINE_MAX_LEN 65536
#define LOOKAHEAD 20000   /* Example 3 lines held to infer the traced host, as for captures */

const char nta_dtext_expected[] =
    "dtrace/nta-events.d output (\"ntaev1 ...\"), dtrace's default output (\"CPU ID "
    "FUNCTION:NAME\", Example 1), or the header line of the article's Example 3 (\"SADDR SPORT "
    "DADDR DPORT BYTES FLAGS\") or Example 6 (\"LADDR LPORT RADDR RPORT DELTA(us)\") or of "
    "dtrace-tcp(4)'s examples (\"CPU LADDR:LPORT RADDR:RPORT BYTES FLAGS\", \"DELTA(us) OLD NEW "
    "TIMESTAMP\")";

static const struct {
    nta_dtext_kind kind;
    const char *name;
    const char *header;   /* the header's words, single-spaced */
    uint32_t fields, probes;
} kinds[] = {
    { NTA_DTEXT_NTAEV, "dtrace/nta-events.d output", NULL, NTA_F_ALL, (1u << NTA_PROBE__COUNT) - 1 },
    { NTA_DTEXT_DEFAULT, "dtrace default output (Example 1)", "CPU ID FUNCTION:NAME", NTA_F_IP_DADDR,
      (1u << NTA_PROBE__COUNT) - 1 },
    { NTA_DTEXT_EX3, "Example 3 segment log", "SADDR SPORT DADDR DPORT BYTES FLAGS",
      NTA_F_IP_VER | NTA_F_IP_SADDR | NTA_F_IP_DADDR | NTA_F_TCP_PORTS | NTA_F_PAYLOAD | NTA_F_TCP_FLAGS,
      1u << NTA_PROBE_TCP_SEND | 1u << NTA_PROBE_TCP_RECEIVE },
    { NTA_DTEXT_TCP4_SEGS, "dtrace-tcp(4) segment log", "CPU LADDR:LPORT RADDR:RPORT BYTES FLAGS",
      NTA_F_IP_VER | NTA_F_IP_SADDR | NTA_F_IP_DADDR | NTA_F_TCP_PORTS | NTA_F_PAYLOAD | NTA_F_TCP_FLAGS,
      1u << NTA_PROBE_TCP_SEND | 1u << NTA_PROBE_TCP_RECEIVE },
    { NTA_DTEXT_EX6, "Example 6 state-change log", "LADDR LPORT RADDR RPORT DELTA(us)",
      NTA_F_CONNTIME | NTA_F_CID | NTA_F_TCPS_CONN | NTA_F_TCPS_STATE | NTA_F_LSTATE,
      1u << NTA_PROBE_TCP_STATE_CHANGE },
    { NTA_DTEXT_TCP4_STATES, "dtrace-tcp(4) state-change log", "DELTA(us) OLD NEW TIMESTAMP",
      NTA_F_TS | NTA_F_CONNTIME | NTA_F_TCPS_STATE | NTA_F_LSTATE, 1u << NTA_PROBE_TCP_STATE_CHANGE },
    { NTA_DTEXT_AGGS, "printed DTrace aggregations", NULL, 0, 0 },
};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };

static int kind_index(nta_dtext_kind k)
{
    for (int i = 0; i < NKINDS; i++)
        if (kinds[i].kind == k)
            return i;
    return -1;
}

const char *nta_dtext_kind_name(nta_dtext_kind k)
{
    int i = kind_index(k);
    return i < 0 ? "unknown" : kinds[i].name;
}

uint32_t nta_dtext_fields(nta_dtext_kind k)
{
    int i = kind_index(k);
    return i < 0 ? 0 : kinds[i].fields;
}

uint32_t nta_dtext_probes(nta_dtext_kind k)
{
    int i = kind_index(k);
    return i < 0 ? 0 : kinds[i].probes;
}

/* The kind a header line announces, NONE when it is no header. */
static nta_dtext_kind header_kind(const char *line)
{
    if (strncmp(line, "ntaev1 ", 7) == 0)
        return NTA_DTEXT_NTAEV;
    char words[256];
    size_t n = 0;
    for (const char *p = line; *p && n + 2 < sizeof words; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\r') {
            if (n > 0 && words[n - 1] != ' ')
                words[n++] = ' ';
        } else {
            words[n++] = *p;
        }
    }
    while (n > 0 && words[n - 1] == ' ')
        n--;
    words[n] = '\0';
    for (int i = 0; i < NKINDS; i++)
        if (kinds[i].header != NULL && strcmp(words, kinds[i].header) == 0)
            return kinds[i].kind;
    if (strstr(words, "------------- Distribution ------------- count") != NULL)
        return NTA_DTEXT_AGGS;
    return NTA_DTEXT_NONE;
}

static int skippable(const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    return *p == '\0' || strncmp(line, "dtrace: ", 8) == 0;
}

int nta_dtext_sniff_more(const uint8_t *buf, size_t n, int complete, nta_dtext_kind *kind)
{
    char line[1024];
    size_t i = 0;
    int lines = 0, first_seen = 0;
    *kind = NTA_DTEXT_NONE;
    while (i < n && lines < 64) {
        size_t len = 0;
        while (i < n && buf[i] != '\n') {
            if (buf[i] == 0)
                return 1;                /* binary */
            if (len + 1 < sizeof line)
                line[len++] = (char)buf[i];
            i++;
        }
        if (i >= n && n >= 65536)
            return 1;                    /* no line end in the first 64 KiB */
        if (i >= n && !complete)
            return 0;                    /* this line may go on */
        i++;
        lines++;
        line[len] = '\0';
        if (skippable(line))
            continue;
        nta_dtext_kind k = header_kind(line);
        /* an events header must come first; a histogram header may follow other lines (its
         * key line, printf output): printed aggregations, which nta convert reads */
        if (!first_seen) {
            if (k != NTA_DTEXT_NONE) {
                *kind = k;
                return 1;
            }
            first_seen = 1;
        } else if (k == NTA_DTEXT_AGGS) {
            *kind = k;
            return 1;
        }
    }
    return complete || lines >= 64;
}

nta_dtext_kind nta_dtext_sniff(const uint8_t *buf, size_t n)
{
    nta_dtext_kind k;
    nta_dtext_sniff_more(buf, n, 1, &k);
    return k;
}

int nta_dtext_is_text(const uint8_t *p, size_t n)
{
    if (n > 4096)
        n = 4096;
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0x20 || p[i] == '\n' || p[i] == '\t' || p[i] == '\r' || p[i] == '\b'))
            return 0;
    return n > 0;
}

/* One Example 3 line held during inference. */
typedef struct held {
    nta_addr s, d;
    uint16_t sp, dp;
    uint32_t bytes;
    uint8_t flags;
} held;

struct nta_dtext {
    nta_dtext_kind kind;
    char **paths;
    int npaths;
    nta_dtext_stats st;
    char *line;               /* LINE_MAX_LEN + 1 */
    uint8_t *buf;             /* read buffer */
    /* nta-events.d clock: ts = wall at begin + (timestamp - timestamp at begin) */
    int have_anchor;
    uint64_t anchor_ts, anchor_wall;
    /* Example 6: 4-tuple -> connection id, id -> its clock (ns) */
    nta_u64map cids, clocks;
    uint64_t next_cid;
    held *held;
    size_t nheld, heldcap;
    /* told once, before the first event, which hosts are traced */
    void (*decided)(void *ctx, const nta_locals *l);
    void *decided_ctx;
    int decided_done;
    const nta_locals *locals;
    nta_stream **streams;    /* one per input, owned */
    uint64_t *file_lines;    /* lines read from each */
};

void nta_dtext_set_wait_hook(nta_dtext *d, void (*fn)(void *), void *ctx)
{
    for (int i = 0; i < d->npaths; i++)
        nta_stream_set_wait_hook(d->streams[i], fn, ctx);
}

uint64_t nta_dtext_lines_of(const nta_dtext *d, int i)
{
    return i >= 0 && i < d->npaths ? d->file_lines[i] : 0;
}

void nta_dtext_on_decided(nta_dtext *d, void (*fn)(void *, const nta_locals *), void *ctx)
{
    d->decided = fn;
    d->decided_ctx = ctx;
}

static void decide_once(nta_dtext *d)
{
    if (!d->decided_done && d->decided != NULL)
        d->decided(d->decided_ctx, d->locals);
    d->decided_done = 1;
}

/* A reader for npaths inputs with its buffers; NULL when out of memory. */
static nta_dtext *reader_new(int npaths)
{
    nta_dtext *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    nta_u64map_init(&d->cids);
    nta_u64map_init(&d->clocks);
    d->next_cid = 1;
    d->npaths = npaths;
    d->paths = calloc((size_t)npaths, sizeof *d->paths);
    d->streams = calloc((size_t)npaths, sizeof *d->streams);
    d->file_lines = calloc((size_t)npaths, sizeof *d->file_lines);
    d->line = malloc(LINE_MAX_LEN + 1);
    d->buf = malloc(65536);
    if (d->paths == NULL || d->streams == NULL || d->file_lines == NULL || d->line == NULL
        || d->buf == NULL) {
        d->npaths = d->paths != NULL ? npaths : 0;
        nta_dtext_free(d);
        return NULL;
    }
    return d;
}

int nta_dtext_open_streams(nta_dtext **out, const char *const *paths, nta_stream **streams,
                           int npaths, nta_err *err)
{
    *out = NULL;
    nta_dtext *d = reader_new(npaths);
    int rc = 0;
    if (d == NULL) {
        rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < npaths; i++) {
        d->streams[i] = streams[i];
        streams[i] = NULL;
    }
    for (int i = 0; i < npaths; i++) {
        const uint8_t *p;
        size_t got;
        d->paths[i] = strdup(paths[i]);
        if (d->paths[i] == NULL) {
            rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
            goto fail;
        }
        if ((rc = nta_stream_peek(d->streams[i], 65536, &p, &got, err)) < 0)
            goto fail;
        nta_dtext_kind k = nta_dtext_sniff(p, got);
        if (k == NTA_DTEXT_NONE || k == NTA_DTEXT_AGGS) {
            rc = nta_err_set(err, NTA_EFORMAT, "%s: not a capture, nor dtrace output nta can read "
                             "events from (expected %s)%s", paths[i], nta_dtext_expected,
                             k == NTA_DTEXT_AGGS ? "; printed aggregations convert with "
                                                   "'nta convert --to json'" : "");
            snprintf(err->file, sizeof err->file, "%s", paths[i]);
            goto fail;
        }
        if (i > 0 && k != d->kind) {
            rc = nta_err_set(err, NTA_EFORMAT, "%s is %s, but %s is %s: read one kind at a time",
                             paths[i], nta_dtext_kind_name(k), paths[0], nta_dtext_kind_name(d->kind));
            goto fail;
        }
        d->kind = k;
    }
    *out = d;
    return 0;
fail:
    for (int i = 0; i < npaths; i++)
        nta_stream_free(streams[i]);
    nta_dtext_free(d);
    return rc;
}

int nta_dtext_open(nta_dtext **out, const char *const *paths, int npaths, nta_err *err)
{
    nta_stream **streams = calloc((size_t)(npaths > 0 ? npaths : 1), sizeof *streams);
    *out = NULL;
    if (streams == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    int rc = 0;
    for (int i = 0; i < npaths && rc == 0; i++)
        if (nta_stream_open_file(&streams[i], paths[i], err) < 0)
            rc = NTA_EIO;
    if (rc == 0)
        rc = nta_dtext_open_streams(out, paths, streams, npaths, err);
    for (int i = 0; i < npaths; i++)
        nta_stream_free(streams[i]);   /* NULL once handed over */
    free(streams);
    return rc;
}

int nta_dtext_open_mem(nta_dtext **out, const void *buf, size_t len, nta_err *err)
{
    static const char *const name[] = { "<memory>" };
    nta_stream *s;
    *out = NULL;
    if (nta_stream_open_mem(&s, buf, len, err) < 0)
        return NTA_ENOMEM;
    int rc = nta_dtext_open_streams(out, name, &s, 1, err);
    if (rc == NTA_EFORMAT)
        nta_err_set(err, NTA_EFORMAT, "not dtrace output nta can read events from");
    return rc;
}

nta_dtext_kind nta_dtext_kind_of(const nta_dtext *d) { return d->kind; }
const nta_dtext_stats *nta_dtext_stats_of(const nta_dtext *d) { return &d->st; }

void nta_dtext_free(nta_dtext *d)
{
    if (d == NULL)
        return;
    for (int i = 0; i < d->npaths; i++) {
        free(d->paths != NULL ? d->paths[i] : NULL);
        nta_stream_free(d->streams != NULL ? d->streams[i] : NULL);
    }
    free(d->paths);
    free(d->streams);
    free(d->file_lines);
    free(d->line);
    free(d->buf);
    free(d->held);
    nta_u64map_fini(&d->cids);
    nta_u64map_fini(&d->clocks);
    free(d);
}

static void malformed(nta_dtext *d, const char *path, uint64_t lineno, const char *why)
{
    d->st.malformed++;
    if (d->st.nbad < 8)
        snprintf(d->st.first_bad[d->st.nbad++], sizeof d->st.first_bad[0], "%s:%llu: %s", path,
                 (unsigned long long)lineno, why);
}

static uint64_t hash_tuple(const tcpsinfo_t *t)
{
    uint64_t h = 1469598103934665603ull;
    const uint8_t *parts[2] = { (const uint8_t *)&t->tcps_laddr, (const uint8_t *)&t->tcps_raddr };
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof(nta_addr); i++)
            h = (h ^ parts[k][i]) * 1099511628211ull;
    h = (h ^ t->tcps_lport) * 1099511628211ull;
    h = (h ^ t->tcps_rport) * 1099511628211ull;
    return h | 1;   /* 0 is the maps' empty key */
}

/* Example 6: the connection's id and clock. A transition out of CLOSED starts a new incarnation
 * (as a new cs_cid would); one into CLOSED ends it, so memory follows open connections. */
static int ex6_clock(nta_dtext *d, dt_event *e, uint64_t delta_us)
{
    uint64_t key = hash_tuple(&e->tcps);
    uint64_t *cid = nta_u64map_get(&d->cids, key);
    if (cid == NULL || e->ls.tcps_state == TCPS_CLOSED) {
        if (cid != NULL)
            nta_u64map_del(&d->clocks, *cid);
        if (nta_u64map_set(&d->cids, key, d->next_cid) < 0)
            return NTA_ENOMEM;
        cid = nta_u64map_get(&d->cids, key);
        /* a clock of 0 would read as "no previous change" to the reports: start at 1 s */
        if (nta_u64map_set(&d->clocks, d->next_cid, 1000000000ull) < 0)
            return NTA_ENOMEM;
        d->next_cid++;
    }
    uint64_t id = *cid;
    uint64_t *clock = nta_u64map_get(&d->clocks, id);
    *clock += delta_us * 1000;
    e->ev.ts_ns = *clock;
    e->cs.cs_cid = id;
    e->tcps.tcps_addr = (uintptr_t)id;
    if (e->tcps.tcps_state == TCPS_CLOSED) {
        nta_u64map_del(&d->clocks, id);
        nta_u64map_del(&d->cids, key);
    }
    return 0;
}

static int deliver(nta_dtext *d, dt_event *e, uint32_t probes, const nta_sink *sink)
{
    dt_event_finish(e);
    d->st.events++;
    decide_once(d);
    if (!(probes >> e->ev.probe & 1u) || sink->on_event == NULL)
        return 0;
    return sink->on_event(sink->ctx, &e->ev);
}

/* Example 3 lines do not say which end is local. */
static void ex3_direction(dt_event *e, const nta_locals *l)
{
    if (!nta_locals_is_local(l, &e->ip.ip_saddr) && nta_locals_is_local(l, &e->ip.ip_daddr))
        e->ev.probe = NTA_PROBE_TCP_RECEIVE;
}

static void held_event(dt_event *e, const held *h)
{
    dt_event_reset(e, NTA_PROBE_TCP_SEND);
    e->ip.ip_ver = h->s.family;
    e->ip.ip_saddr = h->s;
    e->ip.ip_daddr = h->d;
    e->ip.ip_plength = h->bytes;
    e->tcp.tcp_sport = h->sp;
    e->tcp.tcp_dport = h->dp;
    e->tcp.tcp_flags = h->flags;
    e->null_tcps = 1;
}

/* Decide the traced host from the held Example 3 lines and replay them. */
static int ex3_decide(nta_dtext *d, nta_locals *l, uint32_t probes, const nta_sink *sink,
                      dt_event *e)
{
    nta_infer *inf = nta_infer_new();
    if (inf == NULL)
        return NTA_ENOMEM;
    for (size_t i = 0; i < d->nheld; i++)
        nta_infer_add(inf, 6, &d->held[i].s, d->held[i].sp, &d->held[i].d, d->held[i].dp);
    nta_infer_decide(inf, l);
    nta_infer_free(inf);
    for (size_t i = 0; i < d->nheld; i++) {
        held_event(e, &d->held[i]);
        ex3_direction(e, l);
        d->st.events--;   /* counted when held */
        int rc = deliver(d, e, probes, sink);
        if (rc < 0)
            return rc;
    }
    free(d->held);
    d->held = NULL;
    d->nheld = d->heldcap = 0;
    return 0;
}

/* One line: parse, then deliver (or hold). Returns 0 or a negative NTA_E* from the sink. */
static int one_line(nta_dtext *d, const char *path, uint64_t lineno, nta_locals *l,
                    int *inferring, uint32_t probes, const nta_sink *sink, dt_event *e)
{
    char *line = d->line;
    if (skippable(line) || (d->kind != NTA_DTEXT_NTAEV && header_kind(line) == d->kind)) {
        d->st.skipped++;   /* blank, dtrace's stderr, or the header again (-o appends runs) */
        return 0;
    }
    char why[200] = "";
    int rc = 0;
    uint64_t delta = 0, bts = 0, bwall = 0;
    switch (d->kind) {
    case NTA_DTEXT_NTAEV:
        rc = dt_parse_ntaev(line, e, &bts, &bwall, why, sizeof why);
        if (rc == 0) {   /* a run's begin line: its clock anchors the timestamps after it */
            d->have_anchor = 1;
            d->anchor_ts = bts;
            d->anchor_wall = bwall;
            d->st.skipped++;
            return 0;
        }
        if (rc > 0) {
            if (!d->have_anchor) {
                d->have_anchor = 1;
                d->anchor_ts = e->ev.ts_ns;
                d->anchor_wall = e->wall_ns;
            }
            e->ev.ts_ns = d->anchor_wall + (e->ev.ts_ns - d->anchor_ts);
        }
        break;
    case NTA_DTEXT_DEFAULT: rc = dt_parse_default(line, e, why, sizeof why); break;
    case NTA_DTEXT_EX3: rc = dt_parse_ex3(line, e, why, sizeof why); break;
    case NTA_DTEXT_TCP4_SEGS: rc = dt_parse_tcp4_segs(line, e, why, sizeof why); break;
    case NTA_DTEXT_EX6:
        rc = dt_parse_ex6(line, e, &delta, why, sizeof why);
        if (rc > 0 && ex6_clock(d, e, delta) < 0)
            return NTA_ENOMEM;
        break;
    case NTA_DTEXT_TCP4_STATES: rc = dt_parse_tcp4_states(line, e, why, sizeof why); break;
    default: rc = -1; break;
    }
    if (rc < 0) {
        malformed(d, path, lineno, why);
        return 0;
    }
    if (d->kind == NTA_DTEXT_EX3) {
        if (*inferring) {
            if (d->nheld == d->heldcap) {   /* grown as lines come: most inputs are short */
                size_t cap = d->heldcap ? d->heldcap * 2 : 256;
                held *n = realloc(d->held, (cap < LOOKAHEAD ? cap : LOOKAHEAD) * sizeof *n);
                if (n == NULL)
                    return NTA_ENOMEM;
                d->held = n;
                d->heldcap = cap < LOOKAHEAD ? cap : LOOKAHEAD;
            }
            held *h = &d->held[d->nheld++];
            h->s = e->ip.ip_saddr;
            h->d = e->ip.ip_daddr;
            h->sp = e->tcp.tcp_sport;
            h->dp = e->tcp.tcp_dport;
            h->bytes = e->ip.ip_plength;
            h->flags = e->tcp.tcp_flags;
            d->st.events++;
            if (d->nheld == LOOKAHEAD) {
                *inferring = 0;
                return ex3_decide(d, l, probes, sink, e);
            }
            return 0;
        }
        ex3_direction(e, l);
    }
    return deliver(d, e, probes, sink);
}

int nta_dtext_run(nta_dtext *d, nta_locals *l, uint32_t probes, const nta_sink *sink, nta_err *err)
{
    int inferring = 0;
    if (d->kind == NTA_DTEXT_EX3 && l->n == 0 && !l->all) {
        inferring = 1;
    } else if (d->kind != NTA_DTEXT_EX3) {
        l->all = 1;
        l->inferred = 0;
        snprintf(l->why, sizeof l->why, "dtrace text: the host the script ran on");
    }
    d->locals = l;
    dt_event *e = malloc(sizeof *e);
    if (e == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    int rc = 0;
    for (int f = 0; f < d->npaths && rc == 0; f++) {
        nta_stream *s = d->streams[f];
        uint64_t lineno = 0;
        size_t len = 0;
        int toolong = 0;
        for (;;) {
            size_t got;
            rc = nta_stream_read_some(s, d->buf, 65536, &got, err);
            if (rc < 0 || got == 0)
                break;
            for (size_t i = 0; i < got && rc == 0; i++) {
                char c = (char)d->buf[i];
                if (c != '\n') {
                    if (len < LINE_MAX_LEN)
                        d->line[len++] = c;
                    else
                        toolong = 1;
                    continue;
                }
                d->line[len] = '\0';
                lineno++;
                d->st.lines++;
                if (toolong)
                    malformed(d, d->paths[f], lineno, "line longer than 64 KiB");
                else if (memchr(d->line, '\0', len) != NULL)
                    malformed(d, d->paths[f], lineno, "NUL byte in a text line");
                else
                    rc = one_line(d, d->paths[f], lineno, l, &inferring, probes, sink, e);
                len = 0;
                toolong = 0;
            }
            if (rc < 0)
                break;
        }
        if (rc == 0 && len > 0) {   /* a last line without its newline (a cut file) still counts */
            d->line[len] = '\0';
            lineno++;
            d->st.lines++;
            if (toolong || memchr(d->line, '\0', len) != NULL)
                malformed(d, d->paths[f], lineno, "unreadable last line");
            else
                rc = one_line(d, d->paths[f], lineno, l, &inferring, probes, sink, e);
        }
        d->file_lines[f] = lineno;
    }
    if (rc == 0 && inferring)
        rc = ex3_decide(d, l, probes, sink, e);
    if (rc == 0)
        decide_once(d);
    if (rc < 0 && err->code == 0)
        nta_err_set(err, rc, "%s", rc == NTA_ENOMEM ? "out of memory" : "writing the output failed");
    free(e);
    return rc;
}
