/* reports/report_log.c: the article's per-event logs, Examples 6 and 3.
 *
 * --states (Example 6): a header, then per tcp:::state-change the 4-tuple, the microseconds
 * since that connection's previous change (0 for its first; last[cid] is cleared when it
 * enters CLOSING, FIN_WAIT_2 or LAST_ACK, as the script does), and old -> new.
 * --packets (Example 3): a header and a blank line, then per tcp:::send and tcp:::receive the
 * 4-tuple, payload bytes and the flags as "(FIN|SYN|...|\b)": the script ends the list with a
 * backspace to hide the last "|", and a file gets that 0x08 byte (reference 5.6).
 * Lines are written to opts.stream as events arrive (as dtrace prints them); the final write
 * adds only dtrace's newline at exit. CSV rows likewise. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/u64map.h"
#include "reports/report.h"

/* Address text of recently seen addresses: a packet's two addresses are usually those of the
 * packet before, and inet_ntoa6's rules are not free. Direct-mapped, exact (the whole address
 * is compared). */
#define ADDR_CACHE 256
typedef struct addr_slot {
    nta_addr a;
    uint8_t len;
    char s[NTA_ADDR_STRLEN];
} addr_slot;

typedef struct logr {
    nta_report r;
    addr_slot cache[ADDR_CACHE];
    nta_u64map last;      /* --states: last[cs_cid] */
    int started;
    uint64_t lines;
    json_t *unused;
} logr;

/* ---- the text lines, formatted by hand ----
 * The packet log is the bulk of a report run's output; printf's "%30s %-6u" machinery was
 * 40 % of its time. These produce the same bytes as the scripts' printf formats. */

typedef struct line {
    char b[512];
    size_t n;
} line;

static void put_str_right(line *l, const char *s, size_t width)   /* "%Ns" */
{
    size_t len = strlen(s);
    for (; width > len && l->n < sizeof l->b; width--)
        l->b[l->n++] = ' ';
    if (len > sizeof l->b - l->n)
        len = sizeof l->b - l->n;
    memcpy(l->b + l->n, s, len);
    l->n += len;
}

static void put_str(line *l, const char *s)
{
    size_t len = strlen(s);
    if (len > sizeof l->b - l->n)
        len = sizeof l->b - l->n;
    memcpy(l->b + l->n, s, len);
    l->n += len;
}

static void put_uint_left(line *l, uint64_t v, size_t width)   /* "%-Nu" */
{
    char d[24];
    size_t k = 0;
    do {
        d[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t len = k;
    while (k > 0 && l->n < sizeof l->b)
        l->b[l->n++] = d[--k];
    for (; width > len && l->n < sizeof l->b; width--)
        l->b[l->n++] = ' ';
}

static const char *addr_text(logr *lg, const nta_addr *a, char *buf)
{
    uint64_t x[2];
    memcpy(x, a->b, 16);
    uint64_t h = (x[0] ^ x[1] * 0x9e3779b97f4a7c15ull ^ a->family) * 0xff51afd7ed558ccdull;
    addr_slot *s = &lg->cache[h >> 56];
    if (s->len == 0 || !nta_addr_eq(&s->a, a)) {
        nta_addr_str(a, s->s);
        s->a = *a;
        s->len = 1;
    }
    return strcpy(buf, s->s);
}

/* " %30s %-6u": an address and its port, as both scripts print them */
static void put_endpoint(line *l, const char *addr, unsigned port)
{
    put_str(l, " ");
    put_str_right(l, addr, 30);
    put_str(l, " ");
    put_uint_left(l, port, 6);
}

static int put_line(const line *l, FILE *o)
{
    return fwrite(l->b, 1, l->n, o) == l->n ? 0 : -1;
}

static int header(logr *l)
{
    if (l->started)
        return 0;
    l->started = 1;
    FILE *o = l->r.opts.stream;
    int states = strcmp(l->r.name, "states") == 0;
    if (l->r.opts.fmt == NTA_RFMT_TEXT) {
        if (states)
            return fprintf(o, " %30s %-6s %30s %-6s %-9s\n", "LADDR", "LPORT", "RADDR", "RPORT",
                           "DELTA(us)") < 0 ? -1 : 0;
        return fprintf(o, " %30s %-6s %30s %-6s %-6s %s\n\n", "SADDR", "SPORT", "DADDR", "DPORT",
                       "BYTES", "FLAGS") < 0 ? -1 : 0;
    }
    if (l->r.opts.fmt == NTA_RFMT_CSV)
        return fputs(states ? "ts_ns,host,laddr,lport,raddr,rport,delta_us,old,new\n"
                            : "ts_ns,probe,host,saddr,sport,daddr,dport,bytes,flags\n", o) == EOF ? -1 : 0;
    return 0;
}

/* JSON rows stream too: the command wrote the object's head ({"...","rows":[) before the first
 * event and writes its tail after the last; a packet log never sits in memory. */
static int json_row(logr *l, json_t *row)
{
    if (row == NULL)
        return -1;
    int rc = fputs(l->lines > 1 ? ",\n" : "\n", l->r.opts.stream) == EOF
             || json_dumpf(row, l->r.opts.stream, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0;
    json_decref(row);
    return rc ? -1 : 0;
}

/* null when the input has no clock (dtrace text that printed none) */
static json_t *ts_json(const nta_report *r, const nta_event *ev)
{
    return (r->opts.known & NTA_F_TS) ? json_integer((json_int_t)ev->ts_ns) : json_null();
}

static int states_event(nta_report *r, const nta_event *ev)
{
    logr *l = (logr *)r;
    if (ev->probe != NTA_PROBE_TCP_STATE_CHANGE || header(l) < 0)
        return ev->probe != NTA_PROBE_TCP_STATE_CHANGE ? 0 : -1;
    uint64_t cid = ev->cs->cs_cid;
    uint64_t *last = nta_u64map_get(&l->last, cid);
    uint64_t delta = last != NULL && *last != 0 ? (ev->ts_ns - *last) / 1000 : 0;
    int32_t to = ev->tcps->tcps_state;
    /* last[cid] = timestamp, then cleared (deleted) at the end states; CLOSED too, which the
     * script leaves set: the next incarnation has another cid, so only memory differs */
    if (to == TCPS_CLOSING || to == TCPS_FIN_WAIT_2 || to == TCPS_LAST_ACK || to == TCPS_CLOSED)
        nta_u64map_del(&l->last, cid);
    else if (nta_u64map_set(&l->last, cid, ev->ts_ns) < 0)
        return -1;
    char la[NTA_ADDR_STRLEN], ra[NTA_ADDR_STRLEN], host[NTA_ADDR_STRLEN];
    addr_text(l, &ev->tcps->tcps_laddr, la);
    addr_text(l, &ev->tcps->tcps_raddr, ra);
    const char *from = nta_tcp_state_string(ev->tcpls->tcps_state), *tos = nta_tcp_state_string(to);
    FILE *o = r->opts.stream;
    l->lines++;
    switch (r->opts.fmt) {
    case NTA_RFMT_TEXT: {
        /* " %30s %-6u %30s %-6u %-9u %s -> %s\n" */
        line t;
        t.n = 0;
        put_endpoint(&t, la, ev->tcps->tcps_lport);
        put_endpoint(&t, ra, ev->tcps->tcps_rport);
        put_str(&t, " ");
        put_uint_left(&t, delta, 9);
        put_str(&t, " ");
        put_str(&t, from);
        put_str(&t, " -> ");
        put_str(&t, tos);
        put_str(&t, "\n");
        return put_line(&t, o);
    }
    case NTA_RFMT_CSV:
        if ((r->opts.known & NTA_F_TS) && fprintf(o, "%" PRIu64, ev->ts_ns) < 0)
            return -1;
        return fprintf(o, ",%s,%s,%u,%s,%u,%" PRIu64 ",%s,%s\n",
                       nta_addr_str(ev->host, host), la, ev->tcps->tcps_lport, ra,
                       ev->tcps->tcps_rport, delta, from, tos) < 0 ? -1 : 0;
    case NTA_RFMT_JSON:
        return json_row(l, json_pack("{s:o, s:s, s:s, s:i, s:s, s:i, s:I, s:s, s:s}", "ts_ns",
                                     ts_json(r, ev), "host", nta_addr_str(ev->host, host),
                                     "laddr", la, "lport", ev->tcps->tcps_lport, "raddr", ra,
                                     "rport", ev->tcps->tcps_rport, "delta_us", (json_int_t)delta,
                                     "old", from, "new", tos));
    }
    return 0;
}

static void flag_text(char *out, size_t cap, uint8_t f, const char *sep, int dtrace)
{
    static const struct { uint8_t bit; const char *name; } names[] = {
        { TH_FIN, "FIN" }, { TH_SYN, "SYN" }, { TH_RST, "RST" }, { TH_PUSH, "PSH" },
        { TH_ACK, "ACK" }, { TH_URG, "URG" },
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(f & names[i].bit))
            continue;
        size_t len = strlen(names[i].name);
        if (!dtrace && n > 0 && n + strlen(sep) < cap) {
            memcpy(out + n, sep, strlen(sep));
            n += strlen(sep);
        }
        if (n + len + 1 < cap) {
            memcpy(out + n, names[i].name, len);
            n += len;
        }
        if (dtrace && n + 1 < cap)
            out[n++] = '|';
    }
    out[n] = '\0';
}

static int packets_event(nta_report *r, const nta_event *ev)
{
    logr *l = (logr *)r;
    if (ev->probe != NTA_PROBE_TCP_SEND && ev->probe != NTA_PROBE_TCP_RECEIVE)
        return 0;
    if (header(l) < 0)
        return -1;
    char sa[NTA_ADDR_STRLEN], da[NTA_ADDR_STRLEN], host[NTA_ADDR_STRLEN], flags[64];
    addr_text(l, &ev->ip->ip_saddr, sa);
    addr_text(l, &ev->ip->ip_daddr, da);
    uint32_t bytes = ev->ip->ip_plength - ev->tcp->tcp_offset;
    FILE *o = r->opts.stream;
    l->lines++;
    switch (r->opts.fmt) {
    case NTA_RFMT_TEXT: {
        /* " %30s %-6u %30s %-6u %-6u (%s%s%s%s%s%s\b)\n" */
        line t;
        t.n = 0;
        flag_text(flags, sizeof flags, ev->tcp->tcp_flags, "", 1);
        put_endpoint(&t, sa, ev->tcp->tcp_sport);
        put_endpoint(&t, da, ev->tcp->tcp_dport);
        put_str(&t, " ");
        put_uint_left(&t, bytes, 6);
        put_str(&t, " (");
        put_str(&t, flags);
        put_str(&t, "\b)\n");
        return put_line(&t, o);
    }
    case NTA_RFMT_CSV:
        flag_text(flags, sizeof flags, ev->tcp->tcp_flags, "|", 0);
        if ((r->opts.known & NTA_F_TS) && fprintf(o, "%" PRIu64, ev->ts_ns) < 0)
            return -1;
        return fprintf(o, ",%s,%s,%s,%u,%s,%u,%u,%s\n",
                       nta_probe_name(ev->probe), nta_addr_str(ev->host, host), sa,
                       ev->tcp->tcp_sport, da, ev->tcp->tcp_dport, bytes, flags) < 0 ? -1 : 0;
    case NTA_RFMT_JSON:
        flag_text(flags, sizeof flags, ev->tcp->tcp_flags, "|", 0);
        return json_row(l, json_pack("{s:o, s:s, s:s, s:s, s:i, s:s, s:i, s:I, s:s}", "ts_ns",
                                     ts_json(r, ev), "probe", nta_probe_name(ev->probe),
                                     "host", nta_addr_str(ev->host, host), "saddr", sa, "sport",
                                     ev->tcp->tcp_sport, "daddr", da, "dport", ev->tcp->tcp_dport,
                                     "bytes", (json_int_t)bytes, "flags", flags));
    }
    return 0;
}

/* End of the stream: a header even when nothing happened, then dtrace's newline at exit. */
static int write_text(nta_report *r, FILE *o)
{
    logr *l = (logr *)r;
    (void)o;
    if (header(l) < 0)
        return -1;
    return fputc('\n', r->opts.stream) == EOF ? -1 : 0;
}

static int write_csv(nta_report *r, FILE *o)
{
    (void)o;
    return header((logr *)r);
}

static json_t *json_rows(nta_report *r)
{
    (void)r;
    return NULL;   /* streamed: see json_row */
}

static int metric(nta_report *r, const char *name, double *v)
{
    logr *l = (logr *)r;
    char want[32];
    snprintf(want, sizeof want, "%s.lines", r->name);
    if (strcmp(name, want) != 0)
        return -1;
    *v = (double)l->lines;
    return 0;
}

static void free_log(nta_report *r)
{
    logr *l = (logr *)r;
    nta_u64map_fini(&l->last);
    free(l);
}

static nta_report *make(const nta_report_opts *o, const char *name)
{
    logr *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    nta_u64map_init(&l->last);
    l->r.name = name;
    l->r.streaming = 1;
    l->r.write_text = write_text;
    l->r.write_csv = write_csv;
    l->r.json_rows = json_rows;
    l->r.metric = metric;
    l->r.free = free_log;
    l->r.opts = *o;
    return &l->r;
}

nta_report *nta_report_states(const nta_report_opts *o)
{
    nta_report *r = make(o, "states");
    if (r) {
        r->probes = 1u << NTA_PROBE_TCP_STATE_CHANGE;
        r->needs_tcpsinfo = 1;
        r->needs = NTA_F_TCPS_CONN | NTA_F_TCPS_STATE | NTA_F_LSTATE | NTA_F_CID | NTA_F_CONNTIME;
        r->on_event = states_event;
    }
    return r;
}

nta_report *nta_report_packets(const nta_report_opts *o)
{
    nta_report *r = make(o, "packets");
    if (r) {
        r->probes = (1u << NTA_PROBE_TCP_SEND) | (1u << NTA_PROBE_TCP_RECEIVE);
        r->needs = NTA_F_IP_SADDR | NTA_F_IP_DADDR | NTA_F_TCP_PORTS | NTA_F_PAYLOAD | NTA_F_TCP_FLAGS;
        r->on_event = packets_event;
    }
    return r;
}
