/* reports/event_writer.c: the JSON Lines, CSV and text event sinks (see event_writer.h).
 *
 * JSON is written by hand into a fixed buffer (Jansson would allocate per event); strings are
 * escaped per RFC 8259. Every write is checked: a full disk or closed pipe stops the analysis
 * with NTA_EIO. */
#include "reports/event_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "event/fields.h"

#define BUF_CAP 16384

typedef struct writer {
    FILE *fp;
    nta_evfmt fmt;
    int header_done;
    char buf[BUF_CAP];
    size_t n;
    int first_field;
    uint32_t known;          /* NTA_F_* the input shows; others are written as unknown */
    nta_argtype cur;         /* the structure being visited (for nta_field_group) */
} writer;

/* An input that shows payload bytes but not both lengths they come from (Example 3). */
static int payload_only(const writer *w)
{
    return (w->known & NTA_F_PAYLOAD) && (~w->known & (NTA_F_IP_PLENGTH | NTA_F_TCP_OFFSET));
}

static int unknown(const writer *w, const char *name)
{
    return w->known != NTA_F_ALL && !(w->known & nta_field_group(w->cur, name));
}

static void put(writer *w, const char *s, size_t len)
{
    size_t room = BUF_CAP - 1 - w->n;
    if (len > room)
        len = room;   /* cannot happen with the field set we write; never overflow */
    memcpy(w->buf + w->n, s, len);
    w->n += len;
}

static void puts_(writer *w, const char *s) { put(w, s, strlen(s)); }

static void putf(writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(w->buf + w->n, BUF_CAP - w->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        w->n += (size_t)k < BUF_CAP - w->n ? (size_t)k : BUF_CAP - 1 - w->n;
}

static int flush(writer *w)
{
    if (w->n > 0 && fwrite(w->buf, 1, w->n, w->fp) != w->n)
        return NTA_EIO;
    w->n = 0;
    return ferror(w->fp) ? NTA_EIO : 0;
}

static void json_str(writer *w, const char *s)
{
    put(w, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            put(w, e, 2);
        } else if (c < 0x20) {
            putf(w, "\\u%04x", c);
        } else {
            put(w, (const char *)&c, 1);
        }
    }
    put(w, "\"", 1);
}

static void value_text(writer *w, const nta_fval *v, int quote_strings)
{
    char a[NTA_ADDR_STRLEN];
    switch (v->kind) {
    case NTA_FK_UINT: putf(w, "%" PRIu64, v->u); break;
    case NTA_FK_INT: putf(w, "%" PRId64, v->i); break;
    case NTA_FK_STR:
        if (quote_strings)
            json_str(w, v->s);
        else
            puts_(w, v->s);
        break;
    case NTA_FK_ADDR:
        nta_addr_str(v->a, a);
        if (quote_strings)
            json_str(w, a);
        else
            puts_(w, a);
        break;
    }
}

/* ---- JSON Lines ---- */

static void json_field(void *ctx, const char *name, const nta_fval *v)
{
    writer *w = ctx;
    if (!w->first_field)
        put(w, ",", 1);
    w->first_field = 0;
    putf(w, "\"%s\":", name);
    if (unknown(w, name))
        puts_(w, "null");
    else
        value_text(w, v, 1);
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

static int jsonl_event(writer *w, const nta_event *ev)
{
    char host[NTA_ADDR_STRLEN];
    putf(w, "{\"schema_version\":1,");
    if (w->known & NTA_F_TS)
        putf(w, "\"ts_ns\":%" PRIu64 ",", ev->ts_ns);
    else
        puts_(w, "\"ts_ns\":null,");
    putf(w, "\"probe\":\"%s\",\"host\":\"%s\",", nta_probe_name(ev->probe),
         ev->host->family ? nta_addr_str(ev->host, host) : "");
    if (payload_only(w) && ev->tcp)
        putf(w, "\"tcp_payload\":%u,", ev->ip->ip_plength - ev->tcp->tcp_offset);
    puts_(w, "\"args\":[");
    const nta_argtype *types = nta_probe_args(ev->probe);
    for (int i = 0; i < nargs(ev->probe); i++) {
        if (i)
            put(w, ",", 1);
        const void *p = nta_event_arg(ev, i);
        if (p == NULL) {
            puts_(w, "null");
            continue;
        }
        put(w, "{", 1);
        w->first_field = 1;
        w->cur = types[i];
        nta_fields_visit(types[i], p, json_field, w);
        put(w, "}", 1);
    }
    puts_(w, "]}\n");
    return flush(w);
}

/* ---- CSV ---- */

static void csv_name(void *ctx, const char *name, const nta_fval *v)
{
    writer *w = ctx;
    (void)v;
    putf(w, ",arg%d.%s", w->first_field, name);
}

static void csv_value(void *ctx, const char *name, const nta_fval *v)
{
    writer *w = ctx;
    put(w, ",", 1);
    if (unknown(w, name))
        return;
    if (v->kind == NTA_FK_STR) {
        /* RFC 4180: quote, doubling quotes; interface names may hold commas */
        put(w, "\"", 1);
        for (const char *s = v->s; *s; s++) {
            if (*s == '"')
                put(w, "\"", 1);
            put(w, s, 1);
        }
        put(w, "\"", 1);
    } else {
        value_text(w, v, 0);
    }
}

static void csv_header(writer *w)
{
    puts_(w, "ts_ns,probe,host");
    for (int pos = 0; pos < NTA_MAX_ARGS; pos++) {
        nta_argtype t[4];
        int n = nta_fields_types_at(pos, t);
        w->first_field = pos;   /* carries the position to csv_name */
        for (int k = 0; k < n; k++)
            nta_fields_visit(t[k], NULL, csv_name, w);
    }
    puts_(w, payload_only(w) ? ",tcp_payload\n" : "\n");
}

static int csv_event(writer *w, const nta_event *ev)
{
    char host[NTA_ADDR_STRLEN];
    if (!w->header_done) {
        csv_header(w);
        w->header_done = 1;
    }
    if (w->known & NTA_F_TS)
        putf(w, "%" PRIu64, ev->ts_ns);
    putf(w, ",%s,%s", nta_probe_name(ev->probe), ev->host->family ? nta_addr_str(ev->host, host) : "");
    const nta_argtype *types = nta_probe_args(ev->probe);
    for (int pos = 0; pos < NTA_MAX_ARGS; pos++) {
        nta_argtype t[4];
        int n = nta_fields_types_at(pos, t);
        const void *p = nta_event_arg(ev, pos);
        for (int k = 0; k < n; k++) {
            if (p != NULL && types[pos] == t[k]) {
                w->cur = t[k];
                nta_fields_visit(t[k], p, csv_value, w);
            } else {
                int cells = nta_fields_count(t[k]);
                for (int c = 0; c < cells; c++)
                    put(w, ",", 1);
            }
        }
    }
    if (payload_only(w)) {
        if (ev->tcp != NULL)
            putf(w, ",%u", ev->ip->ip_plength - ev->tcp->tcp_offset);
        else
            put(w, ",", 1);
    }
    puts_(w, "\n");
    return flush(w);
}

/* ---- text ---- */

int nta_probe_id(nta_probe p)
{
    /* FreeBSD assigns SDT probe IDs at boot; these are nta's, fixed so outputs are stable. */
    static const int ids[NTA_PROBE__COUNT] = { 57600, 57601, 57610, 57611, 57612, 57613,
                                               57614, 57615, 57616, 57617, 57620, 57621 };
    return ids[p];
}

static void flags_text(writer *w, uint8_t f)
{
    static const struct { uint8_t bit; const char *name; } names[] = {
        { TH_FIN, "FIN" }, { TH_SYN, "SYN" }, { TH_RST, "RST" }, { TH_PUSH, "PUSH" },
        { TH_ACK, "ACK" }, { TH_URG, "URG" }, { TH_ECE, "ECE" }, { TH_CWR, "CWR" },
    };
    int any = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (f & names[i].bit) {
            putf(w, "%s%s", any ? "|" : "", names[i].name);
            any = 1;
        }
    }
    if (!any)
        puts_(w, "null");
}

static int text_event(writer *w, const nta_event *ev)
{
    char a[NTA_ADDR_STRLEN], b[NTA_ADDR_STRLEN], fn[64];
    if (!w->header_done) {
        putf(w, "%3s %6s %32s\n", "CPU", "ID", "FUNCTION:NAME");
        w->header_done = 1;
    }
    snprintf(fn, sizeof fn, "none:%s", nta_probe_short(ev->probe));
    putf(w, "%3d %6d %32s ", 0, nta_probe_id(ev->probe), fn);
    putf(w, "%" PRIu64 " ", ev->ts_ns);
    if (ev->probe == NTA_PROBE_TCP_STATE_CHANGE) {
        putf(w, "%s:%u -> %s:%u cid %#" PRIx64 " %s -> %s", nta_addr_str(&ev->tcps->tcps_laddr, a),
             ev->tcps->tcps_lport, nta_addr_str(&ev->tcps->tcps_raddr, b), ev->tcps->tcps_rport,
             ev->cs->cs_cid, nta_tcp_state_string(ev->tcpls->tcps_state),
             nta_tcp_state_string(ev->tcps->tcps_state));
    } else if (ev->tcp != NULL) {
        putf(w, "%s:%u -> %s:%u ", nta_addr_str(&ev->ip->ip_saddr, a), ev->tcp->tcp_sport,
             nta_addr_str(&ev->ip->ip_daddr, b), ev->tcp->tcp_dport);
        flags_text(w, ev->tcp->tcp_flags);
        putf(w, " seq %u ack %u len %u %s", ev->tcp->tcp_seq, ev->tcp->tcp_ack,
             ev->ip->ip_plength - ev->tcp->tcp_offset,
             ev->tcps ? nta_tcp_state_string(ev->tcps->tcps_state) : "(no tcpcb)");
    } else if (ev->udp != NULL) {
        putf(w, "%s:%u -> %s:%u len %u", nta_addr_str(&ev->ip->ip_saddr, a), ev->udp->udp_sport,
             nta_addr_str(&ev->ip->ip_daddr, b), ev->udp->udp_dport, ev->udp->udp_length);
    } else if (ev->ip != NULL) {
        putf(w, "%s -> %s ip_plength %u if %s", nta_addr_str(&ev->ip->ip_saddr, a),
             nta_addr_str(&ev->ip->ip_daddr, b), ev->ip->ip_plength,
             ev->ifp ? ev->ifp->if_name : "?");
    }
    puts_(w, "\n");
    return flush(w);
}

/* ---- the lines dtrace/nta-events.d prints ("ntaev1", man/nta.1 "DTRACE INPUT") ---- */

static void dtrace_field(void *ctx, const char *name, const nta_fval *v)
{
    writer *w = ctx;
    if (strcmp(name, "tcps_cookie") == 0)
        return;   /* FreeBSD 14 only: the D script leaves it out to compile on 13 */
    putf(w, " %s=", name);
    value_text(w, v, 0);
}

static int dtrace_event(writer *w, const nta_event *ev)
{
    if (!w->header_done) {
        putf(w, "ntaev1 begin %" PRIu64 " %" PRIu64 "\n", ev->ts_ns, ev->ts_ns);
        w->header_done = 1;
    }
    /* nta's clock is the capture's wall clock: timestamp and walltimestamp are the same */
    putf(w, "%s %" PRIu64 " %" PRIu64, nta_probe_name(ev->probe), ev->ts_ns, ev->ts_ns);
    const nta_argtype *types = nta_probe_args(ev->probe);
    for (int i = 0; i < nargs(ev->probe); i++) {
        if (types[i] == NTA_ARG_VOID)
            continue;
        putf(w, " [%d]", i);
        nta_fields_visit(types[i], nta_event_arg(ev, i), dtrace_field, w);
    }
    puts_(w, "\n");
    return flush(w);
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

static int on_finish(void *ctx)
{
    writer *w = ctx;
    if (w->fmt == NTA_EVFMT_CSV && !w->header_done) {
        csv_header(w);   /* an empty result still has its header row */
        w->header_done = 1;
    }
    int rc = flush(w);
    if (rc == 0 && fflush(w->fp) != 0)
        rc = NTA_EIO;
    return rc;
}

int nta_event_writer_new(nta_sink *out, FILE *fp, nta_evfmt fmt)
{
    writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NTA_ENOMEM;
    w->fp = fp;
    w->fmt = fmt;
    w->known = NTA_F_ALL;
    out->on_event = on_event;
    out->on_finish = on_finish;
    out->ctx = w;
    return 0;
}

void nta_event_writer_set_known(nta_sink *s, uint32_t known)
{
    ((writer *)s->ctx)->known = known;
}

void nta_event_writer_free(nta_sink *s)
{
    if (s != NULL) {
        free(s->ctx);
        s->ctx = NULL;
    }
}
