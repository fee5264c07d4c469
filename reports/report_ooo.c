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

/* A row in DTrace's printa order: the union of the four tables' keys (nta_agg_walk_joined).
 * A key missing from a table reads 0 there, as printa prints it. */
static int64_t val(const ooo *s, int i, const nta_aggent *const *ents)
{
    return nta_agg_value(s->a[i], ents[i]);
}

typedef struct rows_ctx {
    const ooo *s;
    FILE *o;
    json_t *a;
} rows_ctx;

static int csv_row(const nta_aggkey *k, const nta_aggent *const *ents, int naggs, void *ctx)
{
    rows_ctx *c = ctx;
    (void)naggs;
    return fprintf(c->o, "%s,%lld,%lld,%lld,%lld\n", k->p[0].s, (long long)val(c->s, VB, ents),
                   (long long)val(c->s, IB, ents), (long long)val(c->s, VP, ents),
                   (long long)val(c->s, IP, ents)) < 0 ? -1 : 0;
}

static int write_csv(nta_report *r, FILE *o)
{
    ooo *s = (ooo *)r;
    rows_ctx c = { s, o, NULL };
    if (fprintf(o, "raddr,bytes,ooo_bytes,packets,ooo_packets\n") < 0)
        return -1;
    return nta_agg_walk_joined(s->a, 4, NULL, csv_row, &c) == 0 ? 0 : -1;
}

static int json_row(const nta_aggkey *k, const nta_aggent *const *ents, int naggs, void *ctx)
{
    rows_ctx *c = ctx;
    (void)naggs;
    json_array_append_new(c->a, json_pack("{s:s, s:I, s:I, s:I, s:I}", "raddr", k->p[0].s,
                                          "bytes", (json_int_t)val(c->s, VB, ents), "ooo_bytes",
                                          (json_int_t)val(c->s, IB, ents), "packets",
                                          (json_int_t)val(c->s, VP, ents), "ooo_packets",
                                          (json_int_t)val(c->s, IP, ents)));
    return 0;
}

static json_t *json_rows(nta_report *r)
{
    ooo *s = (ooo *)r;
    rows_ctx c = { s, NULL, json_array() };
    nta_agg_walk_joined(s->a, 4, NULL, json_row, &c);
    return c.a;
}

typedef struct sum_ctx {
    const nta_agg *a;
    double total;
} sum_ctx;

static int add_value(const nta_aggkey *k, const nta_aggent *const *ents, int naggs, void *ctx)
{
    sum_ctx *c = ctx;
    (void)k;
    (void)naggs;
    c->total += (double)nta_agg_value(c->a, ents[0]);
    return 0;
}

/* Sums of integers below 2^53: exact as doubles in any order, so no sort is needed. */
static double total(nta_agg *a)
{
    sum_ctx c = { a, 0 };
    nta_agg_walk(a, NTA_ORDER_NONE, add_value, &c);
    return c.total;
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
