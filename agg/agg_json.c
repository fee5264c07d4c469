/* agg/agg_json.c: aggregation entries as JSON and CSV (see agg_json.h): one function per
 * aggregating function per format, dispatched by table. */
#include "agg/agg_json.h"

#include <inttypes.h>
#include <string.h>

#include "common/err.h"

static const char *const fn_names[] = {
    [NTA_AGG_COUNT] = "count",       [NTA_AGG_SUM] = "sum",
    [NTA_AGG_MIN] = "min",           [NTA_AGG_MAX] = "max",
    [NTA_AGG_AVG] = "avg",           [NTA_AGG_QUANTIZE] = "quantize",
    [NTA_AGG_LQUANTIZE] = "lquantize", [NTA_AGG_STDDEV] = "stddev",
    [NTA_AGG_LLQUANTIZE] = "llquantize",
};

/* ---- JSON ---- */

static json_t *json_key(const nta_aggkey *k)
{
    json_t *a = json_array();
    for (int i = 0; a != NULL && i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        json_t *v = p->is_str ? json_stringn(p->s, p->len) : json_integer((json_int_t)p->i);
        if (v == NULL || json_array_append_new(a, v) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static int set_int(json_t *o, const char *name, int64_t v)
{
    return json_object_set_new(o, name, json_integer((json_int_t)v));
}

static int json_scalar(json_t *o, const nta_agg *a, const nta_aggent *e)
{
    (void)a;
    return set_int(o, "value", e ? e->v : 0);
}

static int json_avg(json_t *o, const nta_agg *a, const nta_aggent *e)
{
    return set_int(o, "value", nta_agg_value(a, e)) | set_int(o, "count", e ? e->n : 0)
           | set_int(o, "sum", e ? e->v : 0);
}

static int json_stddev(json_t *o, const nta_agg *a, const nta_aggent *e)
{
    (void)a;
    return set_int(o, "value", (int64_t)nta_agg_stddev(e, 1)) | set_int(o, "count", e ? e->n : 0)
           | set_int(o, "sum", e ? e->v : 0);
}

/* Every non-zero bucket as {"value": its value, "count"}. */
static int json_buckets(json_t *o, const nta_agg *a, const nta_aggent *e)
{
    json_t *b = json_array();
    if (b == NULL)
        return -1;
    for (int i = 0; e != NULL && i < nta_agg_nbuckets(a); i++) {
        if (e->buckets[i] == 0)
            continue;
        json_t *x = json_pack("{s:I, s:I}", "value", (json_int_t)nta_agg_bucket_value(a, i),
                              "count", (json_int_t)e->buckets[i]);
        if (x == NULL || json_array_append_new(b, x) < 0) {
            json_decref(b);
            return -1;
        }
    }
    return json_object_set_new(o, "buckets", b);
}

static int json_quantize(json_t *o, const nta_agg *a, const nta_aggent *e)
{
    return json_buckets(o, a, e);
}

static int json_lquantize(json_t *o, const nta_agg *a, const nta_aggent *e)
{
    const nta_aggparams *p = nta_agg_params(a);
    int64_t top = p->lq_low + (int64_t)(nta_agg_nbuckets(a) - 2) * p->lq_step;
    return set_int(o, "low", p->lq_low) | set_int(o, "high", top) | set_int(o, "step", p->lq_step)
           | json_buckets(o, a, e);
}

static int json_llquantize(json_t *o, const nta_agg *a, const nta_aggent *e)
{
    const nta_aggparams *p = nta_agg_params(a);
    return set_int(o, "factor", p->llq_factor) | set_int(o, "low", p->llq_low)
           | set_int(o, "high", p->llq_high) | set_int(o, "nsteps", p->llq_nsteps)
           | json_buckets(o, a, e);
}

typedef int json_fn(json_t *o, const nta_agg *a, const nta_aggent *e);

static json_fn *const json_fns[] = {
    [NTA_AGG_COUNT] = json_scalar,         [NTA_AGG_SUM] = json_scalar,
    [NTA_AGG_MIN] = json_scalar,           [NTA_AGG_MAX] = json_scalar,
    [NTA_AGG_AVG] = json_avg,              [NTA_AGG_STDDEV] = json_stddev,
    [NTA_AGG_QUANTIZE] = json_quantize,    [NTA_AGG_LQUANTIZE] = json_lquantize,
    [NTA_AGG_LLQUANTIZE] = json_llquantize,
};

json_t *nta_json_entry(const nta_agg *a, const nta_aggkey *key, const nta_aggent *e)
{
    nta_aggfn fn = nta_agg_fn(a);
    json_t *o = json_object(), *k = json_key(key);
    if (o == NULL || k == NULL || json_object_set_new(o, "key", k) < 0
        || json_object_set_new(o, "function", json_string(fn_names[fn])) < 0 || json_fns[fn](o, a, e) < 0
        || (nta_agg_normal(a, e) != 1 && set_int(o, "normal", (int64_t)nta_agg_normal(a, e)) < 0)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- CSV ---- */

static int is_dist(const nta_agg *a)
{
    nta_aggfn f = nta_agg_fn(a);
    return f == NTA_AGG_QUANTIZE || f == NTA_AGG_LQUANTIZE || f == NTA_AGG_LLQUANTIZE;
}

int nta_csv_header(FILE *o, const nta_agg *a, int nkeys)
{
    for (int i = 0; i < nkeys; i++)
        if (fprintf(o, "key%d,", i + 1) < 0)
            return NTA_EIO;
    nta_aggfn f = nta_agg_fn(a);
    const char *rest = is_dist(a) ? "function,bucket,count\n"
                       : f == NTA_AGG_AVG || f == NTA_AGG_STDDEV ? "function,value,count,sum\n"
                                                                  : "function,value\n";
    return fputs(rest, o) == EOF ? NTA_EIO : 0;
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break, quotes doubled. */
static int csv_str(FILE *o, const char *s, size_t len)
{
    size_t plain = 0;
    while (plain < len && s[plain] != ',' && s[plain] != '"' && s[plain] != '\r' && s[plain] != '\n')
        plain++;
    if (plain == len)
        return fwrite(s, 1, len, o) == len ? 0 : NTA_EIO;
    if (fputc('"', o) == EOF)
        return NTA_EIO;
    for (size_t i = 0; i < len; i++)
        if ((s[i] == '"' && fputc('"', o) == EOF) || fputc(s[i], o) == EOF)
            return NTA_EIO;
    return fputc('"', o) == EOF ? NTA_EIO : 0;
}

static int csv_key(FILE *o, const nta_agg *a, const nta_aggkey *k)
{
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        int rc = p->is_str ? csv_str(o, p->s, p->len) : fprintf(o, "%" PRId64, p->i) < 0 ? NTA_EIO : 0;
        if (rc < 0 || fputc(',', o) == EOF)
            return NTA_EIO;
    }
    return fprintf(o, "%s,", fn_names[nta_agg_fn(a)]) < 0 ? NTA_EIO : 0;
}

static int csv_scalar(FILE *o, const nta_agg *a, const nta_aggkey *k, const nta_aggent *e)
{
    if (csv_key(o, a, k) < 0)
        return NTA_EIO;
    return fprintf(o, "%" PRId64 "\n", e ? e->v : 0) < 0 ? NTA_EIO : 0;
}

static int csv_avg(FILE *o, const nta_agg *a, const nta_aggkey *k, const nta_aggent *e)
{
    if (csv_key(o, a, k) < 0)
        return NTA_EIO;
    return fprintf(o, "%" PRId64 ",%" PRId64 ",%" PRId64 "\n", nta_agg_value(a, e), e ? e->n : 0,
                   e ? e->v : 0) < 0 ? NTA_EIO : 0;
}

static int csv_stddev(FILE *o, const nta_agg *a, const nta_aggkey *k, const nta_aggent *e)
{
    if (csv_key(o, a, k) < 0)
        return NTA_EIO;
    return fprintf(o, "%" PRIu64 ",%" PRId64 ",%" PRId64 "\n", nta_agg_stddev(e, 1), e ? e->n : 0,
                   e ? e->v : 0) < 0 ? NTA_EIO : 0;
}

/* quantize, lquantize and llquantize alike: a row per non-zero bucket */
static int csv_dist(FILE *o, const nta_agg *a, const nta_aggkey *k, const nta_aggent *e)
{
    for (int i = 0; e != NULL && i < nta_agg_nbuckets(a); i++) {
        if (e->buckets[i] == 0)
            continue;
        if (csv_key(o, a, k) < 0
            || fprintf(o, "%" PRId64 ",%" PRId64 "\n", nta_agg_bucket_value(a, i), e->buckets[i]) < 0)
            return NTA_EIO;
    }
    return 0;
}

typedef int csv_fn(FILE *o, const nta_agg *a, const nta_aggkey *k, const nta_aggent *e);

static csv_fn *const csv_fns[] = {
    [NTA_AGG_COUNT] = csv_scalar,        [NTA_AGG_SUM] = csv_scalar,
    [NTA_AGG_MIN] = csv_scalar,          [NTA_AGG_MAX] = csv_scalar,
    [NTA_AGG_AVG] = csv_avg,             [NTA_AGG_STDDEV] = csv_stddev,
    [NTA_AGG_QUANTIZE] = csv_dist,       [NTA_AGG_LQUANTIZE] = csv_dist,
    [NTA_AGG_LLQUANTIZE] = csv_dist,
};

int nta_csv_entry(FILE *o, const nta_agg *a, const nta_aggkey *key, const nta_aggent *e)
{
    return csv_fns[nta_agg_fn(a)](o, a, key, e);
}
