/* reports/report_ooo.c: out-of-order segments per remote host (the article's Example 9).
 *
 * For every tcp:::receive in ESTABLISHED carrying payload (ip_plength - tcp_offset > 0):
 * bytes and packets per args[3]->tcps_raddr, and, when args[4]->tcp_seq differs from
 * args[3]->tcps_rnxt, out-of-order bytes and packets. As the article says, this counts
 * retransmissions too (any segment not at rcv_nxt); tshark's and tcptrace's out-of-order
 * counts use other definitions (man/nta.1). Output: the script's END printf and printa, with
 * the value conversions written %@-12d: as printed in the article ("%-12d") they would be key
 * conversions, which DTrace rejects for a one-component key (D_PRINTF_ARG_PROTO, reference 5.5). */
#include <stdlib.h>
#include <string.h>

#include "agg/agg.h"
#include "agg/agg_serial.h"
#include "agg/agg_text.h"
#include "reports/report.h"

typedef struct ooo {
    nta_report r;
    nta_agg *a[4];   /* valorderb, invorderb, valorderp, invorderp: the printa order */
    /* the key of the previous event's remote address: a connection's segments come in runs,
     * and the address's text form costs more than the four additions */
    nta_addr last;
    int have_last;
    nta_aggkey key;
} ooo;

enum { VB, IB, VP, IP };

static int on_event(nta_report *r, const nta_event *ev)
{
    ooo *s = (ooo *)r;
    if (ev->probe != NTA_PROBE_TCP_RECEIVE || ev->tcps == NULL
        || ev->tcps->tcps_state != TCPS_ESTABLISHED)
        return 0;
    int64_t len = (int64_t)ev->ip->ip_plength - ev->tcp->tcp_offset;
    if (len <= 0)
        return 0;
    if (!s->have_last || !nta_addr_eq(&s->last, &ev->tcps->tcps_raddr)) {
        char raddr[NTA_ADDR_STRLEN];
        nta_aggkey_init(&s->key);
        nta_aggkey_str(&s->key, nta_addr_str(&ev->tcps->tcps_raddr, raddr));
        s->last = ev->tcps->tcps_raddr;
        s->have_last = 1;
    }
    const nta_aggkey *k = &s->key;
    int rc = nta_agg_add(s->a[VB], k, len, 1) | nta_agg_add(s->a[VP], k, 0, 1);
    if (ev->tcps->tcps_rnxt != ev->tcp->tcp_seq)
        rc |= nta_agg_add(s->a[IB], k, len, 1) | nta_agg_add(s->a[IP], k, 0, 1);
    return rc;
}

static int write_text(nta_report *r, FILE *o)
{
    ooo *s = (ooo *)r;
    if (fprintf(o, "%-30s %-12s %-12s %-12s %-12s\n", "RADDR", "BYTES", "OOO BYTES", "PACKETS",
                "OOO PACKETS") < 0)
        return -1;
    if (nta_text_printa(o, "%-30s %@-12d %@-12d %@-12d %@-12d\n", s->a, 4) < 0)
        return -1;
    return fputc('\n', o) == EOF ? -1 : 0;   /* dtrace's newline at exit */
}

/* The rows in DTrace's printa order. */
static size_t rows(ooo *s, const nta_aggkey ***keys)
{
    size_t n = nta_agg_union_count(s->a, 4);
    *keys = malloc((n ? n : 1) * sizeof **keys);
    if (*keys == NULL)
        return 0;
    return nta_agg_sorted(s->a, 4, *keys, n);
}

static int64_t val(ooo *s, int i, const nta_aggkey *k)
{
    return nta_agg_value(s->a[i], nta_agg_find(s->a[i], k));
}

static int write_csv(nta_report *r, FILE *o)
{
    ooo *s = (ooo *)r;
    const nta_aggkey **keys;
    size_t n = rows(s, &keys);
    int rc = fprintf(o, "raddr,bytes,ooo_bytes,packets,ooo_packets\n") < 0 ? -1 : 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (fprintf(o, "%s,%lld,%lld,%lld,%lld\n", keys[i]->p[0].s, (long long)val(s, VB, keys[i]),
                    (long long)val(s, IB, keys[i]), (long long)val(s, VP, keys[i]),
                    (long long)val(s, IP, keys[i])) < 0)
            rc = -1;
    free(keys);
    return rc;
}

static json_t *json_rows(nta_report *r)
{
    ooo *s = (ooo *)r;
    const nta_aggkey **keys;
    size_t n = rows(s, &keys);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I, s:I}", "raddr", keys[i]->p[0].s,
                                           "bytes", (json_int_t)val(s, VB, keys[i]), "ooo_bytes",
                                           (json_int_t)val(s, IB, keys[i]), "packets",
                                           (json_int_t)val(s, VP, keys[i]), "ooo_packets",
                                           (json_int_t)val(s, IP, keys[i])));
    free(keys);
    return a;
}

static double total(nta_agg *a)
{
    double t = 0;
    const nta_aggkey **keys;
    size_t n = nta_agg_count(a);
    keys = malloc((n ? n : 1) * sizeof *keys);
    if (keys == NULL)
        return 0;
    n = nta_agg_sorted(&a, 1, keys, n);
    for (size_t i = 0; i < n; i++)
        t += (double)nta_agg_value(a, nta_agg_find(a, keys[i]));
    free(keys);
    return t;
}

static int metric(nta_report *r, const char *name, double *v)
{
    ooo *s = (ooo *)r;
    if (strcmp(name, "ooo.packets") == 0)
        *v = total(s->a[IP]);
    else if (strcmp(name, "ooo.bytes") == 0)
        *v = total(s->a[IB]);
    else if (strcmp(name, "ooo.total_packets") == 0)
        *v = total(s->a[VP]);
    else if (strcmp(name, "ooo.total_bytes") == 0)
        *v = total(s->a[VB]);
    else if (strcmp(name, "ooo.packets_ratio") == 0) {
        double t = total(s->a[VP]);
        *v = t > 0 ? total(s->a[IP]) / t : 0;
    } else if (strcmp(name, "ooo.bytes_ratio") == 0) {
        double t = total(s->a[VB]);
        *v = t > 0 ? total(s->a[IB]) / t : 0;
    } else
        return -1;
    return 0;
}

/* ---- shards: the four tables ---- */

static int save(nta_report *r)
{
    ooo *s = (ooo *)r;
    nta_buf b = { 0 };
    nta_buf_uv(&b, 0);   /* order key: one chunk per shard */
    for (int i = 0; i < 4; i++)
        nta_agg_save(s->a[i], &b);
    int rc = b.failed ? -1 : r->opts.saver->state(r->opts.saver->ctx, r->opts.chan, b.p, b.n);
    nta_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static int load(nta_report *r, uint64_t key, const uint8_t *p, size_t n, nta_err *err)
{
    (void)key;
    ooo *s = (ooo *)r;
    if (p == NULL)
        return 0;
    nta_cur c = nta_cur_make(p, n);
    for (int i = 0; i < 4; i++) {
        int rc = nta_agg_load_merge(s->a[i], &c, err);
        if (rc < 0)
            return rc;
    }
    s->have_last = 0;   /* the key cache describes no table entry any more */
    return c.left == 0 ? 0 : nta_err_set(err, NTA_ECORRUPT, "damaged ooo state");
}

static void free_ooo(nta_report *r)
{
    ooo *s = (ooo *)r;
    for (int i = 0; i < 4; i++)
        nta_agg_free(s->a[i]);
    free(s);
}

nta_report *nta_report_ooo(const nta_report_opts *o)
{
    ooo *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->a[VB] = nta_agg_new(NTA_AGG_SUM, 0, 0, 0);
    s->a[IB] = nta_agg_new(NTA_AGG_SUM, 0, 0, 0);
    s->a[VP] = nta_agg_new(NTA_AGG_COUNT, 0, 0, 0);
    s->a[IP] = nta_agg_new(NTA_AGG_COUNT, 0, 0, 0);
    s->r.name = "ooo";
    s->r.on_event = on_event;
    s->r.write_text = write_text;
    s->r.write_csv = write_csv;
    s->r.json_rows = json_rows;
    s->r.metric = metric;
    s->r.free = free_ooo;
    s->r.save = save;
    s->r.load = load;
    s->r.opts = *o;
    for (int i = 0; i < 4; i++)
        if (s->a[i] == NULL) {
            free_ooo(&s->r);
            return NULL;
        }
    return &s->r;
}
