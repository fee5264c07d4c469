/* reports/report_dist.c: the article's histogram reports, Examples 4 and 5.
 *
 * --durations (Example 5): a connection starts when it enters SYN_SENT from CLOSED, or
 * SYN_RECEIVED (decision 5 of shared/reference: FreeBSD's passive opens go CLOSED ->
 * SYN_RECEIVED, so the script's LISTEN -> SYN_RECEIVED would never match; the intent, passive
 * opens counted, is followed), and ends when it enters CLOSING, FIN_WAIT_2 or LAST_ACK;
 * quantize((end - start) / 1000000) under "Connection duration (ms)". Connections open before
 * the capture never started, so they are skipped, as the script skips them.
 * --ifhist (Example 4): per args[3]->if_name, lquantize(args[2]->ip_plength, 0, 1500, 100)
 * over ip:::send and ip:::receive. Both print as dtrace does at exit. */
#include <stdlib.h>
#include <string.h>

#include "common/u64map.h"
#include "agg/agg.h"
#include "agg/agg_serial.h"
#include "agg/agg_text.h"
#include "reports/report.h"
#include "common/jstring.h"

#define DUR_KEY "Connection duration (ms)"

typedef struct dist {
    nta_report r;
    nta_agg *a;
    nta_u64map starts;   /* durations: start time per cs_cid (the script's dur[] array) */
    int64_t *ms;
    size_t nms, capms;
} dist;

static int durations_event(nta_report *r, const nta_event *ev)
{
    dist *d = (dist *)r;
    if (ev->probe != NTA_PROBE_TCP_STATE_CHANGE)
        return 0;
    int32_t from = ev->tcpls->tcps_state, to = ev->tcps->tcps_state;
    uint64_t cid = ev->cs->cs_cid;
    if ((from == TCPS_CLOSED && to == TCPS_SYN_SENT) || to == TCPS_SYN_RECEIVED) {
        if (to == TCPS_SYN_RECEIVED && from != TCPS_CLOSED && from != TCPS_LISTEN)
            return 0;   /* SYN_SENT -> SYN_RECEIVED (simultaneous open) is no new start */
        return nta_u64map_set(&d->starts, cid, ev->ts_ns);
    }
    if (to == TCPS_CLOSING || to == TCPS_FIN_WAIT_2 || to == TCPS_LAST_ACK) {
        uint64_t *slot = nta_u64map_get(&d->starts, cid);
        if (slot == NULL)
            return 0;
        int64_t ms = (int64_t)(ev->ts_ns - *slot) / 1000000;
        nta_u64map_del(&d->starts, cid);   /* dur[cid] = 0 deletes it, as in DTrace */
        nta_aggkey k;
        nta_aggkey_init(&k);
        nta_aggkey_str(&k, DUR_KEY);
        if (d->nms == d->capms) {
            size_t cap = d->capms ? d->capms * 2 : 256;
            int64_t *n = realloc(d->ms, cap * sizeof *n);
            if (n == NULL)
                return -1;
            d->ms = n;
            d->capms = cap;
        }
        d->ms[d->nms++] = ms;
        return nta_agg_add(d->a, &k, ms, 1);
    }
    if (to == TCPS_CLOSED)
        nta_u64map_del(&d->starts, cid);   /* reset or refused before it ended: no duration */
    return 0;
}

static int ifhist_event(nta_report *r, const nta_event *ev)
{
    dist *d = (dist *)r;
    if (ev->probe != NTA_PROBE_IP_SEND && ev->probe != NTA_PROBE_IP_RECEIVE)
        return 0;
    return nta_agg_add_str(d->a, ev->ifp->if_name, ev->ip->ip_plength, 1);
}

static int write_text(nta_report *r, FILE *o)
{
    dist *d = (dist *)r;
    if (fputc('\n', o) == EOF)   /* dtrace's newline before the aggregations at exit */
        return -1;
    return nta_text_print_aggs(o, &d->a, 1);
}

/* An interface name as one RFC 4180 field: quoted, its quotes doubled. */
static int csv_field(FILE *o, const char *s)
{
    size_t n = strlen(s);
    char *buf = malloc(2 * n + 2);
    if (buf == NULL)
        return -1;
    size_t len = nta_csv_quote(buf, s, n);
    int rc = fwrite(buf, 1, len, o) == len ? 0 : -1;
    free(buf);
    return rc;
}

typedef struct rows_ctx {
    const dist *d;
    FILE *o;
    json_t *rows;
} rows_ctx;

/* Every non-zero bucket of one key: "key",value,count */
static int csv_rows(const nta_aggkey *k, const nta_aggent *const *ents, int naggs, void *ctx)
{
    rows_ctx *c = ctx;
    (void)naggs;
    const nta_aggent *e = ents[0];
    for (int b = 0; b < nta_agg_nbuckets(c->d->a); b++)
        if (e->buckets[b] != 0
            && (csv_field(c->o, k->p[0].s) < 0
                || fprintf(c->o, ",%lld,%lld\n", (long long)nta_agg_bucket_value(c->d->a, b),
                           (long long)e->buckets[b]) < 0))
            return -1;
    return 0;
}

static int write_csv(nta_report *r, FILE *o)
{
    dist *d = (dist *)r;
    rows_ctx c = { d, o, NULL };
    if (fprintf(o, "%s,value,count\n", strcmp(r->name, "ifhist") == 0 ? "if_name" : "key") < 0)
        return -1;
    return nta_agg_walk(d->a, NTA_ORDER_VAL_KEY, csv_rows, &c) == 0 ? 0 : -1;
}

/* {"key":[...],"function":...,"buckets":[{"value","count"}...]}, every non-zero bucket; the
 * lquantize underflow bucket's value is low - 1 and the overflow's is the top boundary. */
static int json_row(const nta_aggkey *k, const nta_aggent *const *ents, int naggs, void *ctx)
{
    rows_ctx *c = ctx;
    const nta_agg *a = c->d->a;
    const nta_aggent *e = ents[0];
    (void)naggs;
    int lq = nta_agg_fn(a) == NTA_AGG_LQUANTIZE;
    json_t *b = json_array();
    for (int i = 0; i < nta_agg_nbuckets(a); i++)
        if (e->buckets[i] != 0)
            json_array_append_new(b, json_pack("{s:I, s:I}", "value",
                                               (json_int_t)nta_agg_bucket_value(a, i), "count",
                                               (json_int_t)e->buckets[i]));
    json_t *row = json_pack("{s:[o], s:s, s:o}", "key", nta_jstring(k->p[0].s), "function",
                            lq ? "lquantize" : "quantize", "buckets", b);
    if (lq) {
        int64_t low, step;
        int levels;
        nta_agg_lq_params(a, &low, &step, &levels);
        json_object_set_new(row, "low", json_integer(low));
        json_object_set_new(row, "high", json_integer(low + step * levels));
        json_object_set_new(row, "step", json_integer(step));
    }
    json_array_append_new(c->rows, row);
    return 0;
}

static json_t *json_rows(nta_report *r)
{
    dist *d = (dist *)r;
    rows_ctx c = { d, NULL, json_array() };
    nta_agg_walk(d->a, NTA_ORDER_VAL_KEY, json_row, &c);
    return c.rows;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Percentiles are exact (nearest rank over every duration), not bucket bounds. */
static int durations_metric(nta_report *r, const char *name, double *v)
{
    dist *d = (dist *)r;
    if (strcmp(name, "durations.count") == 0) {
        *v = (double)d->nms;
        return 0;
    }
    double q;
    if (strcmp(name, "durations.p50_ms") == 0)
        q = 0.50;
    else if (strcmp(name, "durations.p90_ms") == 0)
        q = 0.90;
    else if (strcmp(name, "durations.p99_ms") == 0)
        q = 0.99;
    else if (strcmp(name, "durations.max_ms") == 0)
        q = 1.0;
    else
        return -1;
    if (d->nms == 0) {
        *v = 0;
        return 0;
    }
    qsort(d->ms, d->nms, sizeof *d->ms, cmp_i64);
    size_t rank = (size_t)(q * (double)d->nms + 0.999999);
    if (rank < 1)
        rank = 1;
    *v = (double)d->ms[rank - 1];
    return 0;
}

static int no_metric(nta_report *r, const char *name, double *v)
{
    (void)r; (void)name; (void)v;
    return -1;
}

/* ---- shards: the table (and, for --durations, every duration for the percentiles) ---- */

static int save(nta_report *r)
{
    dist *d = (dist *)r;
    nta_buf b = { 0 };
    nta_buf_uv(&b, 0);   /* order key: one chunk per shard */
    nta_agg_save(d->a, &b);
    if (strcmp(r->name, "durations") == 0) {
        nta_buf_uv(&b, d->nms);
        for (size_t i = 0; i < d->nms; i++)
            nta_buf_sv(&b, d->ms[i]);
    }
    int rc = b.failed ? -1 : r->opts.saver->state(r->opts.saver->ctx, r->opts.chan, b.p, b.n);
    nta_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static int load(nta_report *r, uint64_t key, const uint8_t *p, size_t n, nta_err *err)
{
    (void)key;
    dist *d = (dist *)r;
    if (p == NULL)
        return 0;
    nta_cur c = nta_cur_make(p, n);
    int rc = nta_agg_load_merge(d->a, &c, err);
    if (rc < 0)
        return rc;
    if (strcmp(r->name, "durations") == 0) {
        uint64_t k;
        if (nta_cur_uv(&c, &k) < 0 || k > c.left)
            return nta_err_set(err, NTA_ECORRUPT, "damaged durations");
        if (d->nms + k > d->capms) {
            int64_t *m = realloc(d->ms, (d->nms + (size_t)k + 1) * sizeof *m);
            if (m == NULL)
                return nta_err_set(err, NTA_ENOMEM, "out of memory");
            d->ms = m;
            d->capms = d->nms + (size_t)k + 1;
        }
        for (uint64_t i = 0; i < k; i++)
            if (nta_cur_sv(&c, &d->ms[d->nms++]) < 0)
                return nta_err_set(err, NTA_ECORRUPT, "damaged durations");
    }
    return c.left == 0 ? 0 : nta_err_set(err, NTA_ECORRUPT, "damaged %s state", r->name);
}

static void free_dist(nta_report *r)
{
    dist *d = (dist *)r;
    nta_agg_free(d->a);
    nta_u64map_fini(&d->starts);
    free(d->ms);
    free(d);
}

static nta_report *make(const nta_report_opts *o, const char *name, nta_agg *a)
{
    dist *d = calloc(1, sizeof *d);
    if (d == NULL || a == NULL) {
        free(d);
        nta_agg_free(a);
        return NULL;
    }
    d->a = a;
    d->r.name = name;
    d->r.write_text = write_text;
    d->r.write_csv = write_csv;
    d->r.json_rows = json_rows;
    d->r.free = free_dist;
    d->r.save = save;
    d->r.load = load;
    d->r.opts = *o;
    return &d->r;
}

nta_report *nta_report_durations(const nta_report_opts *o)
{
    nta_report *r = make(o, "durations", nta_agg_new(NTA_AGG_QUANTIZE, 0, 0, 0));
    if (r) {
        r->on_event = durations_event;
        r->metric = durations_metric;
    }
    return r;
}

nta_report *nta_report_ifhist(const nta_report_opts *o)
{
    nta_report *r = make(o, "ifhist", nta_agg_new(NTA_AGG_LQUANTIZE, 0, 1500, 100));
    if (r) {
        r->on_event = ifhist_event;
        r->metric = no_metric;
    }
    return r;
}
