/* reports/event_writer.c: the JSON Lines, CSV, text and ntaev1 event sinks (see event_writer.h).
 *
 * Every format walks the one field table (event/fields.h), so names, order and the known/
 * unknown decision cannot differ between them. Lines are formatted by hand into a buffer the
 * writer owns and handed to stdio 64 KiB at a time: printf's machinery per number, and one
 * fwrite per event, cost more than the analysis behind the event (issue 13 asked for every
 * format at >= 400 MB/s). Address texts come from a small cache, as a run shows few addresses.
 * Every write is checked: a full disk or closed pipe stops the analysis with NTA_EIO. */
#define _GNU_SOURCE
#include "reports/event_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonesc.h"
#include "event/fields.h"

#define BUF_CAP (64u * 1024u)
#define ADDR_CACHE_BITS 8

typedef struct addr_slot {
    nta_addr a;
    uint8_t used, len;
    char s[NTA_ADDR_STRLEN];
} addr_slot;

typedef struct writer {
    FILE *fp;
    nta_evfmt fmt;
    int header_done;
    int failed;              /* 0, or the errno of the write that failed */
    uint32_t known;          /* NTA_F_* the input shows; others are written as unknown */
    char *buf;
    size_t n;
    addr_slot cache[1u << ADDR_CACHE_BITS];
    /* the field table's slices and the CSV columns, looked up once instead of per event */
    const nta_field *fields[NTA_NARGTYPES];
    int nfields[NTA_NARGTYPES];
    uint8_t *namelen[NTA_NARGTYPES];   /* strlen of each field's name (into names) */
    uint8_t names[256];
    nta_argtype types_at[NTA_MAX_ARGS][4];
    int ntypes_at[NTA_MAX_ARGS];
} writer;

/* ---- the buffer ---- */

static void drain(writer *w)
{
    if (w->n > 0 && !w->failed && fwrite_unlocked(w->buf, 1, w->n, w->fp) != w->n)
        w->failed = errno ? errno : EIO;
    w->n = 0;
}

/* Room for len more bytes (len <= BUF_CAP), draining what is held when needed. */
static char *room(writer *w, size_t len)
{
    if (w->n + len > BUF_CAP)
        drain(w);
    return w->buf + w->n;
}

static void put_long(writer *w, const char *s, size_t len)
{
    while (len > BUF_CAP / 2) {   /* only a pathological interface name is this long */
        memcpy(room(w, BUF_CAP / 2), s, BUF_CAP / 2);
        w->n += BUF_CAP / 2;
        s += BUF_CAP / 2;
        len -= BUF_CAP / 2;
    }
    memcpy(room(w, len), s, len);
    w->n += len;
}

static void put(writer *w, const char *s, size_t len)
{
    if (len > BUF_CAP / 2) {
        put_long(w, s, len);
        return;
    }
    memcpy(room(w, len), s, len);
    w->n += len;
}

#define PUTS(w, lit) put(w, lit, sizeof lit - 1)

static void put_str(writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_char(writer *w, char c)
{
    *room(w, 1) = c;
    w->n++;
}

static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                            "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                            "8081828384858687888990919293949596979899";

/* printf's %llu / %lld, two digits per division */
static int digits(uint64_t v)
{
    int n = 1;
    for (; v >= 10000; v /= 10000)
        n += 4;
    return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* written straight into the buffer from the right, no copy */
static void put_u64(writer *w, uint64_t v)
{
    int len = digits(v);
    char *d = room(w, (size_t)len);
    w->n += (size_t)len;
    size_t k = (size_t)len;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        k -= 2;
        memcpy(d + k, pairs + 2 * r, 2);
    }
    if (v >= 10)
        memcpy(d, pairs + 2 * v, 2);
    else
        d[0] = (char)('0' + v);
}

static void put_i64(writer *w, int64_t v)
{
    if (v < 0) {
        put_char(w, '-');
        put_u64(w, 0 - (uint64_t)v);
    } else {
        put_u64(w, (uint64_t)v);
    }
}

/* printf's "%#llx": 0x prefix, except for zero */
static void put_hex(writer *w, uint64_t v)
{
    char d[18];
    size_t k = sizeof d;
    do {
        d[--k] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v != 0);
    if (k < sizeof d - 1 || d[k] != '0') {
        d[--k] = 'x';
        d[--k] = '0';
    }
    put(w, d + k, sizeof d - k);
}

/* "%Nd" / "%Ns" with N <= 40 */
static void put_padded(writer *w, const char *s, size_t len, size_t width)
{
    static const char spaces[] = "                                        ";
    if (width > len)
        put(w, spaces, width - len);
    put(w, s, len);
}

static const addr_slot *addr_of(writer *w, const nta_addr *a)
{
    addr_slot *s = &w->cache[nta_addr_slot(a, ADDR_CACHE_BITS)];
    if (!s->used || !nta_addr_eq(&s->a, a)) {
        nta_addr_str(a, s->s);
        s->len = (uint8_t)strlen(s->s);
        s->a = *a;
        s->used = 1;
    }
    return s;
}

static void put_addr(writer *w, const nta_addr *a)
{
    const addr_slot *s = addr_of(w, a);
    put(w, s->s, s->len);
}

static void put_json_str(writer *w, const char *s)
{
    size_t n = strlen(s);
    if (n > BUF_CAP / 8)
        n = BUF_CAP / 8;   /* an interface name longer than 8 KiB is cut there */
    char *o = room(w, NTA_JSON_QUOTED_MAX(n));
    w->n += nta_json_quote(o, s, n);
}

static int finish_line(writer *w)
{
    return w->failed ? NTA_EIO : 0;
}

/* ---- shared pieces ---- */

/* An input that shows payload bytes but not both lengths they come from (Example 3). */
static int payload_only(const writer *w)
{
    return (w->known & NTA_F_PAYLOAD) && (~w->known & (NTA_F_IP_PLENGTH | NTA_F_TCP_OFFSET));
}

static int unknown(const writer *w, const nta_field *f)
{
    return w->known != NTA_F_ALL && !(w->known & f->group);
}

static int nargs(nta_probe p)
{
    const nta_argtype *t = nta_probe_args(p);
    int n = 0;
    for (int i = 0; i < NTA_MAX_ARGS; i++)
        if (t[i] != NTA_ARG_NONE)
            n = i + 1;
    return n;
}

/* A value unquoted: numbers, an address's text, a string as it is. */
static void put_value(writer *w, const nta_fval *v)
{
    switch (v->kind) {
    case NTA_FK_UINT: put_u64(w, v->u); break;
    case NTA_FK_INT: put_i64(w, v->i); break;
    case NTA_FK_STR: put_str(w, v->s); break;
    case NTA_FK_ADDR: put_addr(w, v->a); break;
    }
}

static void put_host(writer *w, const nta_event *ev)
{
    if (ev->host->family)
        put_addr(w, ev->host);
}

/* ---- JSON Lines ---- */

static void json_fields(writer *w, nta_argtype t, const void *p)
{
    int n = w->nfields[t];
    const nta_field *f = w->fields[t];
    for (int i = 0; i < n; i++) {
        put_char(w, i ? ',' : '{');
        put_char(w, '"');
        put(w, f[i].name, w->namelen[t][i]);
        PUTS(w, "\":");
        if (unknown(w, &f[i])) {
            PUTS(w, "null");
            continue;
        }
        nta_fval v;
        nta_field_value(&f[i], p, &v);
        if (v.kind == NTA_FK_STR) {
            put_json_str(w, v.s);
        } else if (v.kind == NTA_FK_ADDR) {
            put_char(w, '"');   /* an address's text needs no escaping */
            put_addr(w, v.a);
            put_char(w, '"');
        } else {
            put_value(w, &v);
        }
    }
    put_char(w, '}');
}

static int jsonl_event(writer *w, const nta_event *ev)
{
    if (w->known & NTA_F_TS) {
        PUTS(w, "{\"schema_version\":1,\"ts_ns\":");
        put_u64(w, ev->ts_ns);
        PUTS(w, ",\"probe\":\"");
    } else {
        PUTS(w, "{\"schema_version\":1,\"ts_ns\":null,\"probe\":\"");
    }
    put_str(w, nta_probe_name(ev->probe));
    PUTS(w, "\",\"host\":\"");
    put_host(w, ev);
    PUTS(w, "\",");
    if (payload_only(w) && ev->tcp) {
        PUTS(w, "\"tcp_payload\":");
        put_u64(w, (uint32_t)(ev->ip->ip_plength - ev->tcp->tcp_offset));
        put_char(w, ',');
    }
    PUTS(w, "\"args\":[");
    const nta_argtype *types = nta_probe_args(ev->probe);
    for (int i = 0; i < nargs(ev->probe); i++) {
        if (i)
            put_char(w, ',');
        const void *p = nta_event_arg(ev, i);
        if (p == NULL)
            PUTS(w, "null");
        else
            json_fields(w, types[i], p);
    }
    PUTS(w, "]}\n");
    return finish_line(w);
}

/* ---- CSV ---- */

static void csv_header(writer *w)
{
    PUTS(w, "ts_ns,probe,host");
    for (int pos = 0; pos < NTA_MAX_ARGS; pos++) {
        const nta_argtype *t = w->types_at[pos];
        int nt = w->ntypes_at[pos];
        for (int k = 0; k < nt; k++) {
            int n = w->nfields[t[k]];
            const nta_field *f = w->fields[t[k]];
            for (int i = 0; i < n; i++) {
                PUTS(w, ",arg");
                put_char(w, (char)('0' + pos));
                put_char(w, '.');
                put_str(w, f[i].name);
            }
        }
    }
    if (payload_only(w))
        PUTS(w, ",tcp_payload\n");
    else
        put_char(w, '\n');
}

static void csv_fields(writer *w, nta_argtype t, const void *p)
{
    int n = w->nfields[t];
    const nta_field *f = w->fields[t];
    for (int i = 0; i < n; i++) {
        put_char(w, ',');
        if (unknown(w, &f[i]))
            continue;
        nta_fval v;
        nta_field_value(&f[i], p, &v);
        if (v.kind == NTA_FK_STR) {
            /* RFC 4180: quoted, quotes doubled; interface names may hold commas */
            size_t len = strlen(v.s);
            if (len > BUF_CAP / 4)
                len = BUF_CAP / 4;
            char *o = room(w, 2 * len + 2);
            w->n += nta_csv_quote(o, v.s, len);
        } else {
            put_value(w, &v);
        }
    }
}

static void csv_empty(writer *w, nta_argtype t)
{
    static const char commas[] = ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,";
    put(w, commas, (size_t)w->nfields[t]);
}

static int csv_event(writer *w, const nta_event *ev)
{
    if (!w->header_done) {
        csv_header(w);
        w->header_done = 1;
    }
    if (w->known & NTA_F_TS)
        put_u64(w, ev->ts_ns);
    put_char(w, ',');
    put_str(w, nta_probe_name(ev->probe));
    put_char(w, ',');
    put_host(w, ev);
    const nta_argtype *types = nta_probe_args(ev->probe);
    for (int pos = 0; pos < NTA_MAX_ARGS; pos++) {
        const nta_argtype *t = w->types_at[pos];
        int nt = w->ntypes_at[pos];
        const void *p = nta_event_arg(ev, pos);
        for (int k = 0; k < nt; k++) {
            if (p != NULL && types[pos] == t[k])
                csv_fields(w, t[k], p);
            else
                csv_empty(w, t[k]);
        }
    }
    if (payload_only(w)) {
        put_char(w, ',');
        if (ev->tcp != NULL)
            put_u64(w, (uint32_t)(ev->ip->ip_plength - ev->tcp->tcp_offset));
    }
    put_char(w, '\n');
    return finish_line(w);
}

/* ---- text: dtrace's not-quiet layout, then the main fields ---- */

static void put_flags(writer *w, uint8_t flags)
{
    int any = 0;
    for (int i = 0; i < NTA_TCP_NFLAGS; i++) {
        if (!(flags & nta_tcp_flags[i].bit))
            continue;
        if (any)
            put_char(w, '|');
        put_str(w, nta_tcp_flags[i].name);
        any = 1;
    }
    if (!any)
        PUTS(w, "null");
}

static void put_endpoint(writer *w, const nta_addr *a, unsigned port)
{
    put_addr(w, a);
    put_char(w, ':');
    put_u64(w, port);
}

static int text_event(writer *w, const nta_event *ev)
{
    if (!w->header_done) {
        PUTS(w, "CPU     ID                    FUNCTION:NAME\n");   /* "%3s %6s %32s\n" */
        w->header_done = 1;
    }
    char id[8], fn[48];
    int idlen = snprintf(id, sizeof id, "%d", nta_probe_id(ev->probe));
    size_t fnlen = (size_t)snprintf(fn, sizeof fn, "none:%s", nta_probe_short(ev->probe));
    PUTS(w, "  0 ");
    put_padded(w, id, (size_t)idlen, 6);
    put_char(w, ' ');
    put_padded(w, fn, fnlen, 32);
    put_char(w, ' ');
    put_u64(w, ev->ts_ns);
    put_char(w, ' ');
    if (ev->probe == NTA_PROBE_TCP_STATE_CHANGE) {
        put_endpoint(w, &ev->tcps->tcps_laddr, ev->tcps->tcps_lport);
        PUTS(w, " -> ");
        put_endpoint(w, &ev->tcps->tcps_raddr, ev->tcps->tcps_rport);
        PUTS(w, " cid ");
        put_hex(w, ev->cs->cs_cid);
        put_char(w, ' ');
        put_str(w, nta_tcp_state_string(ev->tcpls->tcps_state));
        PUTS(w, " -> ");
        put_str(w, nta_tcp_state_string(ev->tcps->tcps_state));
    } else if (ev->tcp != NULL) {
        put_endpoint(w, &ev->ip->ip_saddr, ev->tcp->tcp_sport);
        PUTS(w, " -> ");
        put_endpoint(w, &ev->ip->ip_daddr, ev->tcp->tcp_dport);
        put_char(w, ' ');
        put_flags(w, ev->tcp->tcp_flags);
        PUTS(w, " seq ");
        put_u64(w, ev->tcp->tcp_seq);
        PUTS(w, " ack ");
        put_u64(w, ev->tcp->tcp_ack);
        PUTS(w, " len ");
        put_u64(w, (uint32_t)(ev->ip->ip_plength - ev->tcp->tcp_offset));
        put_char(w, ' ');
        put_str(w, ev->tcps ? nta_tcp_state_string(ev->tcps->tcps_state) : "(no tcpcb)");
    } else if (ev->udp != NULL) {
        put_endpoint(w, &ev->ip->ip_saddr, ev->udp->udp_sport);
        PUTS(w, " -> ");
        put_endpoint(w, &ev->ip->ip_daddr, ev->udp->udp_dport);
        PUTS(w, " len ");
        put_u64(w, ev->udp->udp_length);
    } else if (ev->ip != NULL) {
        put_addr(w, &ev->ip->ip_saddr);
        PUTS(w, " -> ");
        put_addr(w, &ev->ip->ip_daddr);
        PUTS(w, " ip_plength ");
        put_u64(w, ev->ip->ip_plength);
        PUTS(w, " if ");
        put_str(w, ev->ifp ? ev->ifp->if_name : "?");
    }
    put_char(w, '\n');
    return finish_line(w);
}

/* ---- the lines dtrace/nta-events.d prints ("ntaev1", man/nta.1 "DTRACE INPUT") ---- */

static int dtrace_event(writer *w, const nta_event *ev)
{
    if (!w->header_done) {
        PUTS(w, "ntaev1 begin ");
        put_u64(w, ev->ts_ns);
        put_char(w, ' ');
        put_u64(w, ev->ts_ns);
        put_char(w, '\n');
        w->header_done = 1;
    }
    /* nta's clock is the capture's wall clock: timestamp and walltimestamp are the same */
    put_str(w, nta_probe_name(ev->probe));
    put_char(w, ' ');
    put_u64(w, ev->ts_ns);
    put_char(w, ' ');
    put_u64(w, ev->ts_ns);
    const nta_argtype *types = nta_probe_args(ev->probe);
    for (int i = 0; i < nargs(ev->probe); i++) {
        if (types[i] == NTA_ARG_VOID)
            continue;
        PUTS(w, " [");
        put_char(w, (char)('0' + i));
        put_char(w, ']');
        const void *p = nta_event_arg(ev, i);
        int n = w->nfields[types[i]];
        const nta_field *f = w->fields[types[i]];
        for (int k = 0; k < n; k++) {
            if (types[i] == NTA_ARG_TCPSINFO && strcmp(f[k].name, "tcps_cookie") == 0)
                continue;   /* FreeBSD 14 only: the D script leaves it out to compile on 13 */
            nta_fval v;
            nta_field_value(&f[k], p, &v);
            put_char(w, ' ');
            put(w, f[k].name, w->namelen[types[i]][k]);
            put_char(w, '=');
            put_value(w, &v);
        }
    }
    put_char(w, '\n');
    return finish_line(w);
}

static int on_event(void *ctx, const nta_event *ev)
{
    writer *w = ctx;
    switch (w->fmt) {
    case NTA_EVFMT_JSONL: return jsonl_event(w, ev);
    case NTA_EVFMT_CSV: return csv_event(w, ev);
    case NTA_EVFMT_TEXT: return text_event(w, ev);
    case NTA_EVFMT_DTRACE: return dtrace_event(w, ev);
    case NTA_EVFMT_NONE: return 0;
    }
    return 0;
}

/* Everything held goes to stdio and on to the file. */
static int flush_all(writer *w)
{
    drain(w);
    if (!w->failed && (fflush(w->fp) != 0 || ferror(w->fp)))
        w->failed = errno ? errno : EIO;
    return w->failed ? NTA_EIO : 0;
}

static int on_finish(void *ctx, const struct nta_run_info *info)
{
    writer *w = ctx;
    (void)info;
    if (w->fmt == NTA_EVFMT_CSV && !w->header_done) {
        csv_header(w);   /* an empty result still has its header row */
        w->header_done = 1;
    }
    return flush_all(w);
}

int nta_event_writer_flush(const nta_sink *s)
{
    return flush_all(s->ctx);
}

int nta_event_writer_new(nta_sink *out, FILE *fp, nta_evfmt fmt)
{
    int nnames = 0;
    writer *w = calloc(1, sizeof *w);
    if (w == NULL || (w->buf = malloc(BUF_CAP)) == NULL) {
        free(w);
        return NTA_ENOMEM;
    }
    w->fp = fp;
    w->fmt = fmt;
    w->known = NTA_F_ALL;
    for (int t = 0; t < NTA_NARGTYPES; t++) {
        w->fields[t] = nta_fields_of((nta_argtype)t, &w->nfields[t]);
        w->namelen[t] = w->names + nnames;
        for (int i = 0; i < w->nfields[t] && nnames < (int)sizeof w->names; i++)
            w->names[nnames++] = (uint8_t)strlen(w->fields[t][i].name);
    }
    for (int pos = 0; pos < NTA_MAX_ARGS; pos++)
        w->ntypes_at[pos] = nta_fields_types_at(pos, w->types_at[pos]);
    out->on_event = on_event;
    out->on_finish = on_finish;
    out->ctx = w;
    return 0;
}

int nta_event_writer_errno(const nta_sink *s)
{
    return ((const writer *)s->ctx)->failed;
}

void nta_event_writer_set_known(nta_sink *s, uint32_t known)
{
    ((writer *)s->ctx)->known = known;
}

void nta_event_writer_free(nta_sink *s)
{
    if (s != NULL && s->ctx != NULL) {
        writer *w = s->ctx;
        free(w->buf);
        free(w);
        s->ctx = NULL;
    }
}
