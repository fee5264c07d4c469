/* agg/agg_serial.c: saving and merging aggregation tables (see agg_serial.h).
 *
 * Only agg.h's public interface: nta_agg_entry and nta_agg_key_of to read a table,
 * nta_agg_merge_one to fold an entry in. Loading checks every count against what is left of
 * the input before it allocates, so a damaged shard cannot ask for huge memory. */
#include "agg/agg_serial.h"

#include <stdlib.h>
#include <string.h>

#define TAG_STR 0x80u
#define TAG_UNSIGNED 0x10u

static void save_key(const nta_aggkey *k, nta_buf *b)
{
    nta_buf_u8(b, k->n);
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        if (p->is_str) {
            nta_buf_u8(b, TAG_STR);
            nta_buf_blob(b, p->s, p->len);
        } else {
            nta_buf_u8(b, (uint8_t)(p->size | (p->is_unsigned ? TAG_UNSIGNED : 0)));
            nta_buf_sv(b, p->i);
        }
    }
}

void nta_agg_save(const nta_agg *a, nta_buf *b)
{
    const nta_aggparams *par = nta_agg_params(a);
    nta_buf_u8(b, (uint8_t)par->fn);
    nta_buf_sv(b, par->lq_low);
    nta_buf_sv(b, par->lq_high);
    nta_buf_sv(b, par->lq_step);
    nta_buf_sv(b, par->llq_factor);
    nta_buf_sv(b, par->llq_low);
    nta_buf_sv(b, par->llq_high);
    nta_buf_sv(b, par->llq_nsteps);
    nta_buf_uv(b, par->strsize);
    size_t n = nta_agg_count(a);
    int nb = nta_agg_nbuckets(a);
    nta_buf_uv(b, n);
    nta_aggkey *view = malloc(sizeof *view);
    if (view == NULL) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const nta_aggent *e = nta_agg_entry(a, i);
        nta_agg_key_of(a, e, view);
        save_key(view, b);
        nta_buf_sv(b, e->v);
        nta_buf_sv(b, e->n);
        nta_buf_uv(b, e->sq[0]);
        nta_buf_uv(b, e->sq[1]);
        if (nb > 0) {
            uint64_t nz = 0;
            for (int k = 0; k < nb; k++)
                nz += e->buckets[k] != 0;
            nta_buf_uv(b, nz);
            for (int k = 0; k < nb; k++)
                if (e->buckets[k] != 0) {
                    nta_buf_uv(b, (uint64_t)k);
                    nta_buf_sv(b, e->buckets[k]);
                }
        }
    }
    free(view);
}

static int corrupt(nta_err *err, const char *what)
{
    return nta_err_set(err, NTA_ECORRUPT, "damaged aggregation: %s", what);
}

static int load_key(nta_cur *c, nta_aggkey *k, nta_err *err)
{
    uint8_t n;
    if (nta_cur_u8(c, &n) < 0 || n > NTA_AGG_MAXKEY)
        return corrupt(err, "key component count");
    nta_aggkey_init(k);
    for (int i = 0; i < n; i++) {
        uint8_t tag;
        if (nta_cur_u8(c, &tag) < 0)
            return corrupt(err, "key cut short");
        if (tag == TAG_STR) {
            const uint8_t *s;
            size_t len;
            if (nta_cur_blob(c, 1u << 20, &s, &len) < 0)
                return corrupt(err, "key string");
            nta_aggkey_strref(k, (const char *)s, len);   /* valid during the merge call */
            continue;
        }
        int size = tag & 0x0f;
        int64_t v;
        if ((tag & ~(0x0fu | TAG_UNSIGNED)) != 0 || (size != 1 && size != 2 && size != 4 && size != 8)
            || nta_cur_sv(c, &v) < 0)
            return corrupt(err, "key integer");
        if (tag & TAG_UNSIGNED)
            nta_aggkey_uint(k, (uint64_t)v, size);
        else
            nta_aggkey_int(k, v, size);
    }
    return 0;
}

static int same_params(const nta_aggparams *x, const nta_aggparams *y)
{
    return x->fn == y->fn && x->lq_low == y->lq_low && x->lq_high == y->lq_high
           && x->lq_step == y->lq_step && x->llq_factor == y->llq_factor && x->llq_low == y->llq_low
           && x->llq_high == y->llq_high && x->llq_nsteps == y->llq_nsteps
           && x->strsize == y->strsize;
}

static int load_entry(nta_agg *a, nta_cur *c, nta_aggkey *key, int64_t *buckets, int nb,
                      nta_err *err)
{
    int rc = load_key(c, key, err);
    if (rc < 0)
        return rc;
    nta_aggent e;
    memset(&e, 0, sizeof e);
    if (nta_cur_sv(c, &e.v) < 0 || nta_cur_sv(c, &e.n) < 0 || nta_cur_uv(c, &e.sq[0]) < 0
        || nta_cur_uv(c, &e.sq[1]) < 0)
        return corrupt(err, "entry values");
    if (nb > 0) {
        uint64_t nz, prev = 0;
        memset(buckets, 0, (size_t)nb * sizeof *buckets);
        if (nta_cur_uv_max(c, (uint64_t)nb, &nz) < 0)
            return corrupt(err, "bucket count");
        for (uint64_t i = 0; i < nz; i++) {
            uint64_t k;
            int64_t v;
            if (nta_cur_uv_max(c, (uint64_t)nb - 1, &k) < 0 || (i > 0 && k <= prev)
                || nta_cur_sv(c, &v) < 0)
                return corrupt(err, "bucket");
            buckets[k] = v;
            prev = k;
        }
        e.buckets = buckets;
    }
    rc = nta_agg_merge_one(a, key, &e);
    return rc == NTA_EUSAGE ? corrupt(err, "key") : rc == NTA_ENOMEM
           ? nta_err_set(err, NTA_ENOMEM, "out of memory") : rc;
}

int nta_agg_load_merge(nta_agg *a, nta_cur *c, nta_err *err)
{
    nta_aggparams par;
    memset(&par, 0, sizeof par);
    uint8_t fn;
    uint64_t strsize, n;
    if (nta_cur_u8(c, &fn) < 0 || nta_cur_sv(c, &par.lq_low) < 0 || nta_cur_sv(c, &par.lq_high) < 0
        || nta_cur_sv(c, &par.lq_step) < 0 || nta_cur_sv(c, &par.llq_factor) < 0
        || nta_cur_sv(c, &par.llq_low) < 0 || nta_cur_sv(c, &par.llq_high) < 0
        || nta_cur_sv(c, &par.llq_nsteps) < 0 || nta_cur_uv(c, &strsize) < 0
        || nta_cur_uv(c, &n) < 0)
        return corrupt(err, "table header");
    par.fn = (nta_aggfn)fn;
    par.strsize = (size_t)strsize;
    if (!same_params(&par, nta_agg_params(a)))
        return nta_err_set(err, NTA_EUSAGE, "aggregations of different functions or parameters");
    /* an entry takes at least 5 bytes: a key of no components (D's @x = count()), v, n and
     * the two square-sum words of one byte each */
    if (n > c->left / 5)
        return corrupt(err, "entry count larger than the data");
    int nb = nta_agg_nbuckets(a);
    nta_aggkey *key = malloc(sizeof *key);
    int64_t *buckets = nb > 0 ? malloc((size_t)nb * sizeof *buckets) : NULL;
    int rc = key == NULL || (nb > 0 && buckets == NULL) ? nta_err_set(err, NTA_ENOMEM, "out of memory") : 0;
    if (rc == 0 && nta_agg_reserve(a, (size_t)n) < 0)
        rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < n && rc == 0; i++)
        rc = load_entry(a, c, key, buckets, nb, err);
    free(key);
    free(buckets);
    return rc;
}
