/* reports/report_log.c: the article's per-event logs, Examples 6 and 3.
 *
 * --states (Example 6): a header, then per tcp:::state-change the 4-tuple, the microseconds
 * since that connection's previous change (0 for its first; last[cid] is cleared when it
 * enters CLOSING, FIN_WAIT_2 or LAST_ACK, as the script does), and old -> new.
 * --packets (Example 3): a header and a blank line, then per tcp:::send and tcp:::receive the
 * 4-tuple, payload bytes and the flags as "(FIN|SYN|...|\b)": the script ends the list with a
 * backspace to hide the last "|", and a file gets that 0x08 byte (reference 5.6).
 * Lines are written to opts.stream as events arrive (as dtrace prints them); the final write
 * adds only dtrace's newline at exit. CSV rows likewise.
 * Each event becomes a small record of what its line shows (logrec, taken on the analysing
 * thread, where the per-connection clock of --states lives); the line is formatted from it
 * either at once or, with opts.writer, on the writer thread (reports/log_writer.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/linebuf.h"
#include "common/varint.h"
#include "common/u64map.h"
#include "reports/log_writer.h"
#include "reports/report.h"

/* Address text of recently seen addresses: a packet's two addresses are usually those of the
 * packet before, and inet_ntoa6's rules are not free. Direct-mapped, exact (the whole address
 * is compared). */
#define ADDR_CACHE_BITS 8
#define ADDR_CACHE (1u << ADDR_CACHE_BITS)
typedef struct addr_slot {
    nta_addr a;
    uint8_t used;
    uint8_t padlen;                  /* length of padded */
    char s[NTA_ADDR_STRLEN];
    char padded[NTA_ADDR_STRLEN + 32];   /* " %30s ", as put_endpoint starts */
} addr_slot;

/* What one line shows, taken from the event on the analysing thread. */
typedef struct logrec {
    uint64_t ts_ns;
    uint64_t delta;       /* --states: microseconds since the connection's previous change */
    nta_addr host, a, b;  /* traced host; saddr/daddr (--packets) or laddr/raddr (--states) */
    uint16_t pa, pb;
    uint32_t bytes;       /* --packets: payload */
    int32_t from, to;     /* --states */
    uint8_t flags;
    uint8_t probe;
} logrec;

/* Text lines are gathered here and written PEND_CAP bytes at a time: one fwrite per line cost
 * more than formatting the line, and stdio writes a write this large straight from here
 * instead of copying it into its own buffer first. */
#define PEND_CAP (256u * 1024u)

typedef struct logr {
    nta_report r;
    char *pend;                    /* text lines not yet handed to opts.stream */
    size_t pn;
    addr_slot cache[ADDR_CACHE];   /* formatting side */
    char flagtext[64][40];         /* --packets text: "(SYN|ACK|\b)\n" per flag set */
    uint8_t flaglen[64];
    char flagcsv[64][32];          /* --packets CSV and JSON: "SYN|ACK" per flag set */
    uint8_t flagcsvlen[64];
    nta_u64map last;      /* --states: last[cs_cid] (analysing side) */
    int started;
    uint64_t lines;
    nta_buf rec;          /* a shard's record being saved */
} logr;

/* ---- the text lines, formatted by hand (common/linebuf.h) ---- */

static const addr_slot *addr_slot_of(logr *lg, const nta_addr *a)
{
    addr_slot *s = &lg->cache[nta_addr_slot(a, ADDR_CACHE_BITS)];
    if (!s->used || !nta_addr_eq(&s->a, a)) {
        nta_addr_str(a, s->s);
        nta_line t;
        t.n = 0;
        nta_line_str(&t, " ");
        nta_line_str_w(&t, s->s, 30, 0);
        nta_line_str(&t, " ");
        memcpy(s->padded, t.b, t.n);
        s->padlen = (uint8_t)t.n;
        s->a = *a;
        s->used = 1;
    }
    return s;
}

static const char *addr_text(logr *lg, const nta_addr *a)
{
    return addr_slot_of(lg, a)->s;
}

/* " %30s %-6u": an address and its port, as both scripts print them */
static void put_endpoint(logr *lg, nta_line *l, const nta_addr *a, uint16_t port)
{
    const addr_slot *s = addr_slot_of(lg, a);
    /* the line has room: 2 x 80 + 60 < 512. An address of up to 30 characters pads to 32:
     * a copy of constant size is two moves, a variable one a slow "rep movs" */
    if (s->padlen == 32)
        memcpy(l->b + l->n, s->padded, 32);
    else
        memcpy(l->b + l->n, s->padded, s->padlen);
    l->n += s->padlen;
    nta_line_u16_left6(l, port);
}

/* Only one thread writes a log's FILE while events come (the analysing one or the writer). */
static int drain(nta_report *r)
{
    logr *lg = (logr *)r;
    size_t n = lg->pn;
    lg->pn = 0;
    return n == 0 || fwrite_unlocked(lg->pend, 1, n, r->opts.stream) == n ? 0 : -1;
}

/* Text lines gather in pend (see PEND_CAP); CSV and JSON lines go to the stream at once, as
 * rows did when Jansson printed them: stdio buffers them (1 MiB for a log of its own). */
static int put_line(logr *lg, const nta_line *l)
{
    if (lg->pend == NULL)
        return fwrite_unlocked(l->b, 1, l->n, lg->r.opts.stream) == l->n ? 0 : -1;
    if (lg->pn + l->n > PEND_CAP && drain(&lg->r) < 0)
        return -1;
    memcpy(lg->pend + lg->pn, l->b, l->n);
    lg->pn += l->n;
    return 0;
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

/* JSON rows stream too: the report set wrote the object's head ({"...","rows":[) before the
 * first event and writes its tail after the last; a packet log never sits in memory. Rows are
 * formatted by hand into the line buffer, as JSON_COMPACT Jansson would print them (a row per
 * segment through json_pack cost thirteen times the text log). Addresses, probe and state names
 * need no escaping. */
static void json_sep(const logr *l, nta_line *t)
{
    nta_line_str(t, l->lines > 1 ? ",\n" : "\n");
}

static void json_key(nta_line *t, const char *key_and_quote)
{
    nta_line_str(t, key_and_quote);
}

/* "ts_ns":N or null when the input has no clock (dtrace text that printed none); Jansson's
 * integers are signed */
static void json_ts(const nta_report *r, nta_line *t, uint64_t ts_ns)
{
    if (r->opts.known & NTA_F_TS)
        nta_line_int_w(t, (int64_t)ts_ns, 0, 0);
    else
        nta_line_str(t, "null");
}

/* CSV's first column: the time, empty without a clock */
static void csv_ts(const nta_report *r, nta_line *t, uint64_t ts_ns)
{
    if (r->opts.known & NTA_F_TS)
        nta_line_num_w(t, ts_ns, 0, 0, 0);
}

static int states_line(nta_report *r, const void *p)
{
    logr *l = (logr *)r;
    const logrec *e = p;
    if (header(l) < 0)
        return -1;
    const char *from = nta_tcp_state_string(e->from), *tos = nta_tcp_state_string(e->to);
    l->lines++;
    switch (r->opts.fmt) {
    case NTA_RFMT_TEXT: {
        /* " %30s %-6u %30s %-6u %-9u %s -> %s\n" */
        nta_line t;
        t.n = 0;
        put_endpoint(l, &t, &e->a, e->pa);
        put_endpoint(l, &t, &e->b, e->pb);
        nta_line_str(&t, " ");
        nta_line_num_w(&t, e->delta, 0, 9, 1);
        nta_line_str(&t, " ");
        nta_line_str(&t, from);
        nta_line_str(&t, " -> ");
        nta_line_str(&t, tos);
        nta_line_str(&t, "\n");
        return put_line(l, &t);
    }
    case NTA_RFMT_CSV: {
        nta_line t;
        t.n = 0;
        csv_ts(r, &t, e->ts_ns);
        nta_line_str(&t, ",");
        nta_line_str(&t, addr_text(l, &e->host));
        nta_line_str(&t, ",");
        nta_line_str(&t, addr_text(l, &e->a));
        nta_line_str(&t, ",");
        nta_line_num_w(&t, e->pa, 0, 0, 0);
        nta_line_str(&t, ",");
        nta_line_str(&t, addr_text(l, &e->b));
        nta_line_str(&t, ",");
        nta_line_num_w(&t, e->pb, 0, 0, 0);
        nta_line_str(&t, ",");
        nta_line_num_w(&t, e->delta, 0, 0, 0);
        nta_line_str(&t, ",");
        nta_line_str(&t, from);
        nta_line_str(&t, ",");
        nta_line_str(&t, tos);
        nta_line_str(&t, "\n");
        return put_line(l, &t);
    }
    case NTA_RFMT_JSON: {
        nta_line t;
        t.n = 0;
        json_sep(l, &t);
        json_key(&t, "{\"ts_ns\":");
        json_ts(r, &t, e->ts_ns);
        json_key(&t, ",\"host\":\"");
        nta_line_str(&t, addr_text(l, &e->host));
        json_key(&t, "\",\"laddr\":\"");
        nta_line_str(&t, addr_text(l, &e->a));
        json_key(&t, "\",\"lport\":");
        nta_line_num_w(&t, e->pa, 0, 0, 0);
        json_key(&t, ",\"raddr\":\"");
        nta_line_str(&t, addr_text(l, &e->b));
        json_key(&t, "\",\"rport\":");
        nta_line_num_w(&t, e->pb, 0, 0, 0);
        json_key(&t, ",\"delta_us\":");
        nta_line_int_w(&t, (int64_t)e->delta, 0, 0);
        json_key(&t, ",\"old\":\"");
        nta_line_str(&t, from);
        json_key(&t, "\",\"new\":\"");
        nta_line_str(&t, tos);
        nta_line_str(&t, "\"}");
        return put_line(l, &t);
    }
    }
    return 0;
}

/* ---- shards: a line's record as bytes (what the line shows, never the line) ---- */

static void save_rec(const logrec *e, nta_buf *b)
{
    nta_buf_uv(b, e->ts_ns);
    nta_buf_uv(b, e->delta);
    nta_buf_addr(b, &e->host);
    nta_buf_addr(b, &e->a);
    nta_buf_addr(b, &e->b);
    nta_buf_uv(b, e->pa);
    nta_buf_uv(b, e->pb);
    nta_buf_uv(b, e->bytes);
    nta_buf_sv(b, e->from);
    nta_buf_sv(b, e->to);
    nta_buf_u8(b, e->flags);
    nta_buf_u8(b, e->probe);
}

static int load_rec(nta_cur *c, logrec *e)
{
    uint64_t pa, pb, bytes;
    int64_t from, to;
    if (nta_cur_uv(c, &e->ts_ns) < 0 || nta_cur_uv(c, &e->delta) < 0 || nta_cur_addr(c, &e->host) < 0
        || nta_cur_addr(c, &e->a) < 0 || nta_cur_addr(c, &e->b) < 0 || nta_cur_uv_max(c, 65535, &pa) < 0
        || nta_cur_uv_max(c, 65535, &pb) < 0 || nta_cur_uv_max(c, UINT32_MAX, &bytes) < 0
        || nta_cur_sv(c, &from) < 0 || nta_cur_sv(c, &to) < 0 || from < INT32_MIN || from > INT32_MAX
        || to < INT32_MIN || to > INT32_MAX || nta_cur_u8(c, &e->flags) < 0
        || nta_cur_u8(c, &e->probe) < 0 || e->probe >= NTA_PROBE__COUNT || c->left != 0)
        return -1;
    e->pa = (uint16_t)pa;
    e->pb = (uint16_t)pb;
    e->bytes = (uint32_t)bytes;
    e->from = (int32_t)from;
    e->to = (int32_t)to;
    return 0;
}

/* Formats rec now, hands it to the writer thread, or (a shard) saves it for the merge. */
static int emit(logr *l, nta_logw_fmt fmt, const logrec *rec)
{
    const nta_report_saver *sv = l->r.opts.saver;
    if (sv != NULL) {
        l->rec.n = 0;   /* grown once, reused for every record */
        save_rec(rec, &l->rec);
        return !l->rec.failed ? sv->record(sv->ctx, l->r.opts.chan, l->rec.p, l->rec.n) : -1;
    }
    if (l->r.opts.writer == NULL)
        return fmt(&l->r, rec);
    void *d = nta_logw_push(l->r.opts.writer, &l->r, fmt, sizeof *rec);
    if (d == NULL)
        return -1;
    memcpy(d, rec, sizeof *rec);
    return 0;
}

static int states_event(nta_report *r, const nta_event *ev)
{
    logr *l = (logr *)r;
    if (ev->probe != NTA_PROBE_TCP_STATE_CHANGE)
        return 0;
    uint64_t cid = ev->cs->cs_cid;
    uint64_t *last = nta_u64map_get(&l->last, cid);
    logrec e;
    e.delta = last != NULL && *last != 0 ? (ev->ts_ns - *last) / 1000 : 0;
    e.to = ev->tcps->tcps_state;
    /* last[cid] = timestamp, then cleared (deleted) at the end states; CLOSED too, which the
     * script leaves set: the next incarnation has another cid, so only memory differs */
    if (e.to == TCPS_CLOSING || e.to == TCPS_FIN_WAIT_2 || e.to == TCPS_LAST_ACK || e.to == TCPS_CLOSED)
        nta_u64map_del(&l->last, cid);
    else if (nta_u64map_set(&l->last, cid, ev->ts_ns) < 0)
        return -1;
    e.ts_ns = ev->ts_ns;
    e.host = *ev->host;
    e.a = ev->tcps->tcps_laddr;
    e.b = ev->tcps->tcps_raddr;
    e.pa = ev->tcps->tcps_lport;
    e.pb = ev->tcps->tcps_rport;
    e.from = ev->tcpls->tcps_state;
    e.bytes = 0;
    e.flags = 0;
    e.probe = (uint8_t)ev->probe;
    return emit(l, states_line, &e);
}

/* The six flags Example 3 prints, with its spellings ("PSH"): "FIN|SYN" (sep "|", for CSV and
 * JSON), or "FIN|SYN|" (dtrace: every name followed by '|', which the script's "\b" hides). */
static void flag_text(char *out, size_t cap, uint8_t f, const char *sep, int dtrace)
{
    size_t n = 0;
    for (int i = 0; i < 6; i++) {   /* FIN SYN RST PSH ACK URG: the script tests these six */
        const nta_tcp_flag *fl = &nta_tcp_flags[i];
        if (!(f & fl->bit))
            continue;
        size_t len = strlen(fl->abbrev);
        if (!dtrace && n > 0 && n + strlen(sep) < cap) {
            memcpy(out + n, sep, strlen(sep));
            n += strlen(sep);
        }
        if (n + len + 1 < cap) {
            memcpy(out + n, fl->abbrev, len);
            n += len;
        }
        if (dtrace && n + 1 < cap)
            out[n++] = '|';
    }
    out[n] = '\0';
}

static int packets_line(nta_report *r, const void *p)
{
    logr *l = (logr *)r;
    const logrec *e = p;
    if (header(l) < 0)
        return -1;
    l->lines++;
    switch (r->opts.fmt) {
    case NTA_RFMT_TEXT: {
        /* " %30s %-6u %30s %-6u %-6u (%s%s%s%s%s%s\b)\n" */
        nta_line t;
        t.n = 0;
        put_endpoint(l, &t, &e->a, e->pa);
        put_endpoint(l, &t, &e->b, e->pb);
        nta_line_str(&t, " ");
        if (e->bytes <= UINT16_MAX)
            nta_line_u16_left6(&t, (uint16_t)e->bytes);
        else
            nta_line_num_w(&t, e->bytes, 0, 6, 1);
        nta_line_mem(&t, l->flagtext[e->flags & 0x3f], l->flaglen[e->flags & 0x3f]);
        return put_line(l, &t);
    }
    case NTA_RFMT_CSV: {
        nta_line t;
        t.n = 0;
        csv_ts(r, &t, e->ts_ns);
        nta_line_str(&t, ",");
        nta_line_str(&t, nta_probe_name((nta_probe)e->probe));
        nta_line_str(&t, ",");
        nta_line_str(&t, addr_text(l, &e->host));
        nta_line_str(&t, ",");
        nta_line_str(&t, addr_text(l, &e->a));
        nta_line_str(&t, ",");
        nta_line_num_w(&t, e->pa, 0, 0, 0);
        nta_line_str(&t, ",");
        nta_line_str(&t, addr_text(l, &e->b));
        nta_line_str(&t, ",");
        nta_line_num_w(&t, e->pb, 0, 0, 0);
        nta_line_str(&t, ",");
        nta_line_num_w(&t, e->bytes, 0, 0, 0);
        nta_line_str(&t, ",");
        nta_line_mem(&t, l->flagcsv[e->flags & 0x3f], l->flagcsvlen[e->flags & 0x3f]);
        nta_line_str(&t, "\n");
        return put_line(l, &t);
    }
    case NTA_RFMT_JSON: {
        nta_line t;
        t.n = 0;
        json_sep(l, &t);
        json_key(&t, "{\"ts_ns\":");
        json_ts(r, &t, e->ts_ns);
        json_key(&t, ",\"probe\":\"");
        nta_line_str(&t, nta_probe_name((nta_probe)e->probe));
        json_key(&t, "\",\"host\":\"");
        nta_line_str(&t, addr_text(l, &e->host));
        json_key(&t, "\",\"saddr\":\"");
        nta_line_str(&t, addr_text(l, &e->a));
        json_key(&t, "\",\"sport\":");
        nta_line_num_w(&t, e->pa, 0, 0, 0);
        json_key(&t, ",\"daddr\":\"");
        nta_line_str(&t, addr_text(l, &e->b));
        json_key(&t, "\",\"dport\":");
        nta_line_num_w(&t, e->pb, 0, 0, 0);
        json_key(&t, ",\"bytes\":");
        nta_line_num_w(&t, e->bytes, 0, 0, 0);
        json_key(&t, ",\"flags\":\"");
        nta_line_mem(&t, l->flagcsv[e->flags & 0x3f], l->flagcsvlen[e->flags & 0x3f]);
        nta_line_str(&t, "\"}");
        return put_line(l, &t);
    }
    }
    return 0;
}

static int packets_event(nta_report *r, const nta_event *ev)
{
    logr *l = (logr *)r;
    if (ev->probe != NTA_PROBE_TCP_SEND && ev->probe != NTA_PROBE_TCP_RECEIVE)
        return 0;
    logrec e;
    e.ts_ns = ev->ts_ns;
    e.delta = 0;
    e.host = *ev->host;
    e.a = ev->ip->ip_saddr;
    e.b = ev->ip->ip_daddr;
    e.pa = ev->tcp->tcp_sport;
    e.pb = ev->tcp->tcp_dport;
    e.bytes = ev->ip->ip_plength - ev->tcp->tcp_offset;
    e.from = e.to = 0;
    e.flags = ev->tcp->tcp_flags;
    e.probe = (uint8_t)ev->probe;
    return emit(l, packets_line, &e);
}

/* End of the stream: a header even when nothing happened, then dtrace's newline at exit. */
static int write_text(nta_report *r, FILE *o)
{
    logr *l = (logr *)r;
    (void)o;
    if (header(l) < 0 || drain(r) < 0)
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

/* A merge: one record of a shard, in the order one run emitted it. */
static int replay(nta_report *r, const uint8_t *p, size_t n)
{
    logr *l = (logr *)r;
    logrec e;
    nta_cur c = nta_cur_make(p, n);
    if (load_rec(&c, &e) < 0)
        return -1;
    return emit(l, strcmp(r->name, "states") == 0 ? states_line : packets_line, &e);
}

static void free_log(nta_report *r)
{
    logr *l = (logr *)r;
    nta_u64map_fini(&l->last);
    nta_buf_free(&l->rec);
    free(l->pend);
    free(l);
}

static nta_report *make(const nta_report_opts *o, const char *name)
{
    logr *l = calloc(1, sizeof *l);
    if (l == NULL || (o->fmt == NTA_RFMT_TEXT && (l->pend = malloc(PEND_CAP)) == NULL)) {
        free(l);
        return NULL;
    }
    nta_u64map_init(&l->last);
    for (int f = 0; f < 64; f++) {   /* " (%s%s%s%s%s%s\b)\n" for each set of the six flags */
        char names[32];   /* "FIN|SYN|RST|PSH|ACK|URG|" at most */
        flag_text(names, sizeof names, (uint8_t)f, "", 1);
        snprintf(l->flagtext[f], sizeof l->flagtext[f], " (%s\b)\n", names);
        l->flaglen[f] = (uint8_t)strlen(l->flagtext[f]);
        flag_text(l->flagcsv[f], sizeof l->flagcsv[f], (uint8_t)f, "|", 0);
        l->flagcsvlen[f] = (uint8_t)strlen(l->flagcsv[f]);
    }
    l->r.name = name;
    l->r.streaming = 1;
    l->r.write_text = write_text;
    l->r.write_csv = write_csv;
    l->r.json_rows = json_rows;
    l->r.metric = metric;
    l->r.free = free_log;
    l->r.drain = drain;
    l->r.replay = replay;
    l->r.opts = *o;
    return &l->r;
}

nta_report *nta_report_states(const nta_report_opts *o)
{
    nta_report *r = make(o, "states");
    if (r) {
        r->on_event = states_event;
    }
    return r;
}

nta_report *nta_report_packets(const nta_report_opts *o)
{
    nta_report *r = make(o, "packets");
    if (r) {
        r->on_event = packets_event;
    }
    return r;
}
