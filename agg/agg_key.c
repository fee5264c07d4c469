/* agg/agg_key.c: aggregation keys: the stack builder, the encoding a table stores (agg_int.h),
 * its hash and DTrace's key order.
 *
 * The hash reads a key's components, not its encoding, so a builder (strings by reference or
 * copied) and a decoded view of a stored key hash alike; strings are cut at the table's strsize
 * first, as the kernel stores them. Integers are compared and hashed as the bytes of their size
 * plus their tag, so (int)-1 and (long long)-1 are different keys, as their records differ. */
#include <string.h>

#include "agg/agg_int.h"

void nta_aggkey_init(nta_aggkey *k)
{
    k->n = 0;
    k->bad = 0;
    k->used = 0;
}

static nta_aggkey_part *next_part(nta_aggkey *k)
{
    if (k->n >= NTA_AGG_MAXKEY) {
        k->bad = 1;
        return NULL;
    }
    return &k->p[k->n++];
}

/* A string component of len bytes (no NUL among them). */
static void add_str(nta_aggkey *k, const char *s, size_t len)
{
    nta_aggkey_part *p = next_part(k);
    if (p == NULL)
        return;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    p->s = s;
    p->len = (uint32_t)len;
    p->i = 0;
    p->is_str = 1;
    p->size = 0;
    p->is_unsigned = 0;
}

void nta_aggkey_strref(nta_aggkey *k, const char *s, size_t len)
{
    const char *nul = memchr(s, '\0', len);
    add_str(k, s, nul != NULL ? (size_t)(nul - s) : len);
}

void nta_aggkey_strn(nta_aggkey *k, const char *s, size_t len)
{
    if (k->n >= NTA_AGG_MAXKEY) {
        k->bad = 1;
        return;
    }
    len = strnlen(s, len < NTA_AGG_STRSIZE ? len : NTA_AGG_STRSIZE);
    /* the buffer holds NTA_AGG_MAXKEY copies of NTA_AGG_STRSIZE bytes and a NUL: it fits */
    char *d = k->buf + k->used;
    memcpy(d, s, len);
    d[len] = '\0';
    k->used = (uint16_t)(k->used + len + 1);
    add_str(k, d, len);
}

void nta_aggkey_str(nta_aggkey *k, const char *s)
{
    nta_aggkey_strn(k, s, NTA_AGG_STRSIZE);
}

static void add_int(nta_aggkey *k, uint64_t v, int size, int is_unsigned)
{
    nta_aggkey_part *p = next_part(k);
    if (p == NULL)
        return;
    if (size != 1 && size != 2 && size != 4)
        size = 8;
    /* as the D type holds it: cut to size bytes, then sign- or zero-extended */
    int64_t x;
    switch (size) {
    case 1: x = is_unsigned ? (int64_t)(uint8_t)v : (int64_t)(int8_t)v; break;
    case 2: x = is_unsigned ? (int64_t)(uint16_t)v : (int64_t)(int16_t)v; break;
    case 4: x = is_unsigned ? (int64_t)(uint32_t)v : (int64_t)(int32_t)v; break;
    default: x = (int64_t)v; break;
    }
    p->s = NULL;
    p->len = 0;
    p->i = x;
    p->is_str = 0;
    p->size = (uint8_t)size;
    p->is_unsigned = (uint8_t)(is_unsigned != 0);
}

void nta_aggkey_int(nta_aggkey *k, int64_t v, int size)
{
    add_int(k, (uint64_t)v, size, 0);
}

void nta_aggkey_uint(nta_aggkey *k, uint64_t v, int size)
{
    add_int(k, v, size, 1);
}

void nta_aggkey_copy(nta_aggkey *dst, const nta_aggkey *src)
{
    dst->n = src->n;
    dst->bad = src->bad;
    dst->used = src->used;
    memcpy(dst->buf, src->buf, src->used);
    for (int i = 0; i < src->n; i++) {
        dst->p[i] = src->p[i];
        const char *s = src->p[i].s;
        if (s != NULL && s >= src->buf && s < src->buf + sizeof src->buf)
            dst->p[i].s = dst->buf + (s - src->buf);
    }
}

/* ---- encoding ---- */

static size_t cut(const nta_aggkey_part *p, size_t strsize)
{
    return p->len < strsize ? p->len : strsize;
}

static uint8_t int_tag(const nta_aggkey_part *p)
{
    return (uint8_t)(p->size | (p->is_unsigned ? AGGKEY_TAG_UNSIGNED : 0));
}

static size_t leb_len(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

uint64_t aggkey_hash(const nta_aggkey *k, size_t strsize)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ k->n;
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        if (p->is_str) {
            /* 8 bytes at a time: reports hash address keys for every event */
            size_t len = cut(p, strsize), j = 0;
            for (; j + 8 <= len; j += 8) {
                uint64_t w;
                memcpy(&w, p->s + j, 8);
                h = (h ^ w) * 0xff51afd7ed558ccdull;
                h ^= h >> 32;
            }
            /* the tail: the last 8 bytes (overlapping the words above), or the bytes one by
             * one when there are fewer than 8; a memcpy of a variable length is a call */
            uint64_t w = 0;
            if (len >= 8) {
                memcpy(&w, p->s + len - 8, 8);
            } else {
                for (size_t b = 0; b < len; b++)
                    w |= (uint64_t)(unsigned char)p->s[b] << (8 * b);
            }
            h = (h ^ w ^ ((uint64_t)len << 40) ^ ((uint64_t)AGGKEY_TAG_STR << 56))
                * 0xff51afd7ed558ccdull;
        } else {
            uint64_t u = (uint64_t)p->i;
            if (p->size < 8)
                u &= (1ull << (8 * p->size)) - 1;
            h = (h ^ u ^ ((uint64_t)int_tag(p) << 56)) * 0xc4ceb9fe1a85ec53ull;
        }
        h ^= h >> 29;
    }
    /* murmur3's finalizer: the index takes the low bits, and address texts share their
     * leading bytes ("192.168.") */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

size_t aggkey_enclen(const nta_aggkey *k, size_t strsize)
{
    size_t n = 1;
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        if (p->is_str) {
            size_t len = cut(p, strsize);
            n += 1 + leb_len(len) + len + 1;
        } else {
            n += 1 + p->size;
        }
    }
    return n;
}

void aggkey_encode(const nta_aggkey *k, size_t strsize, uint8_t *out)
{
    *out++ = k->n;
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        if (p->is_str) {
            size_t len = cut(p, strsize);
            *out++ = AGGKEY_TAG_STR;
            for (size_t v = len; ; v >>= 7) {
                if (v < 0x80) {
                    *out++ = (uint8_t)v;
                    break;
                }
                *out++ = (uint8_t)(0x80 | (v & 0x7f));
            }
            memcpy(out, p->s, len);
            out += len;
            *out++ = 0;
        } else {
            *out++ = int_tag(p);
            uint64_t u = (uint64_t)p->i;
            for (int b = 0; b < p->size; b++)
                *out++ = (uint8_t)(u >> (8 * b));
        }
    }
}

static const uint8_t *read_leb(const uint8_t *q, size_t *v)
{
    size_t x = 0;
    int shift = 0;
    for (;;) {
        uint8_t c = *q++;
        x |= (size_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            break;
        shift += 7;
    }
    *v = x;
    return q;
}

static uint64_t read_le(const uint8_t *q, int size)
{
    uint64_t u = 0;
    for (int b = 0; b < size; b++)
        u |= (uint64_t)q[b] << (8 * b);
    return u;
}

int aggkey_matches(const uint8_t *enc, uint32_t len, const nta_aggkey *k, size_t strsize)
{
    const uint8_t *q = enc, *end = enc + len;
    if (*q++ != k->n)
        return 0;
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        if (q >= end)
            return 0;
        uint8_t tag = *q++;
        if (p->is_str) {
            if (tag != AGGKEY_TAG_STR)
                return 0;
            size_t l;
            if (*q < 0x80)
                l = *q++;
            else
                q = read_leb(q, &l);
            if (l != cut(p, strsize) || !bytes_eq(q, p->s, l))
                return 0;
            q += l + 1;
        } else {
            if (tag != int_tag(p))
                return 0;
            uint64_t u = (uint64_t)p->i;
            if (p->size < 8)
                u &= (1ull << (8 * p->size)) - 1;
            if (read_le(q, p->size) != u)
                return 0;
            q += p->size;
        }
    }
    return q == end;
}

void aggkey_decode(const uint8_t *enc, nta_aggkey *view)
{
    const uint8_t *q = enc;
    view->n = *q++;
    view->bad = 0;
    view->used = 0;
    for (int i = 0; i < view->n; i++) {
        nta_aggkey_part *p = &view->p[i];
        uint8_t tag = *q++;
        if (tag == AGGKEY_TAG_STR) {
            size_t l;
            q = read_leb(q, &l);
            p->s = (const char *)q;
            p->len = (uint32_t)l;
            p->i = 0;
            p->is_str = 1;
            p->size = 0;
            p->is_unsigned = 0;
            q += l + 1;
        } else {
            int size = tag & 0x0f;
            uint64_t u = read_le(q, size);
            q += size;
            int uns = (tag & AGGKEY_TAG_UNSIGNED) != 0;
            if (size < 8 && !uns && (u >> (8 * size - 1)) & 1)
                u |= ~0ull << (8 * size);   /* sign-extend */
            p->s = NULL;
            p->len = 0;
            p->i = (int64_t)u;
            p->is_str = 0;
            p->size = (uint8_t)size;
            p->is_unsigned = (uint8_t)uns;
        }
    }
}

/* The component after the one at q. */
static const uint8_t *skip_part(const uint8_t *q)
{
    uint8_t tag = *q++;
    if (tag != AGGKEY_TAG_STR)
        return q + (tag & 0x0f);
    size_t l;
    q = read_leb(q, &l);
    return q + l + 1;
}

/* Where each component of an encoded key starts. */
static int offsets(const uint8_t *enc, const uint8_t **at)
{
    const uint8_t *q = enc;
    int n = *q++;
    for (int i = 0; i < n; i++) {
        at[i] = q;
        q = skip_part(q);
    }
    return n;
}

/* memcmp's sign of x[0..n) against y[0..n), 8 bytes at a time (byte-swapped so that the
 * first differing byte decides): sorting 60,000 address keys compares strings of 7 to 15
 * bytes millions of times. */
static int bytes_cmp(const unsigned char *x, const unsigned char *y, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t u, v;
        memcpy(&u, x + i, 8);
        memcpy(&v, y + i, 8);
        if (u != v) {
            u = __builtin_bswap64(u);
            v = __builtin_bswap64(v);
            return u < v ? -1 : 1;
        }
    }
    for (; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* One component against another, both pointers moved past it: dt_aggregate_keycmp compares
 * records of different sizes by size (integers are narrower than any string record),
 * integers as unsigned of their size, strings byte by byte over the zero-padded record (so a
 * prefix sorts first). */
static int part_cmp(const uint8_t **px, const uint8_t **py)
{
    const uint8_t *x = *px, *y = *py;
    uint8_t tx = *x++, ty = *y++;
    int sx = tx == AGGKEY_TAG_STR ? 0x100 : tx & 0x0f, sy = ty == AGGKEY_TAG_STR ? 0x100 : ty & 0x0f;
    int c = 0;
    if (sx != sy) {
        c = sx < sy ? -1 : 1;
    } else if (sx == 0x100) {
        size_t lx, ly;
        if (*x < 0x80)
            lx = *x++;
        else
            x = read_leb(x, &lx);
        if (*y < 0x80)
            ly = *y++;
        else
            y = read_leb(y, &ly);
        c = bytes_cmp(x, y, lx < ly ? lx : ly);
        if (c == 0)
            c = lx < ly ? -1 : lx > ly;
        x += lx + 1;
        y += ly + 1;
    } else {
        uint64_t u = read_le(x, sx), v = read_le(y, sy);
        c = u < v ? -1 : u > v;
        x += sx;
        y += sy;
    }
    *px = x;
    *py = y;
    return c;
}

int aggkey_cmp(const uint8_t *x, const uint8_t *y, int keypos)
{
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;   /* dt_aggregate_hashcmp: fewer records first */
    int n = x[0];
    if (keypos <= 0 || keypos >= n) {
        /* the common order: component 0 first, read in step */
        const uint8_t *qx = x + 1, *qy = y + 1;
        for (int i = 0; i < n; i++) {
            int c = part_cmp(&qx, &qy);
            if (c != 0)
                return c;
        }
        return 0;
    }
    const uint8_t *ax[NTA_AGG_MAXKEY], *ay[NTA_AGG_MAXKEY];
    offsets(x, ax);
    offsets(y, ay);
    for (int i = 0; i < n; i++) {
        int j = (keypos + i) % n;
        const uint8_t *qx = ax[j], *qy = ay[j];
        int c = part_cmp(&qx, &qy);
        if (c != 0)
            return c;
    }
    return 0;
}
