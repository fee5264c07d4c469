/* common/varint.h: a growing byte buffer to encode into, and the matching checked decoders.
 *
 * Integers are LEB128 (7 bits a byte, low first; at most 10 bytes for 64 bits), signed ones
 * zigzag-mapped first so that small negative numbers stay short; strings and blobs are a
 * length then the bytes. Writers never fail mid-way: a failed allocation sets `failed` and
 * later writes do nothing, so a serializer checks once at the end. Readers go through an
 * nta_cur (common/cursor.h): -1 and the cursor untouched when the bytes run out or a varint is
 * longer than 10 bytes, so a damaged shard file cannot walk past its buffer. */
#ifndef NTA_COMMON_VARINT_H
#define NTA_COMMON_VARINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/cursor.h"

typedef struct nta_buf {
    uint8_t *p;
    size_t n, cap;
    int failed;      /**< an allocation failed: the contents are incomplete */
} nta_buf;

/* Room for more bytes; 0, or -1 (and failed set). */
static inline int nta_buf_room(nta_buf *b, size_t more)
{
    if (b->failed)
        return -1;
    if (b->n + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static inline void nta_buf_free(nta_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static inline void nta_buf_bytes(nta_buf *b, const void *p, size_t n)
{
    if (n == 0 || nta_buf_room(b, n) < 0)
        return;
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static inline void nta_buf_u8(nta_buf *b, uint8_t v)
{
    if (nta_buf_room(b, 1) == 0)
        b->p[b->n++] = v;
}

static inline void nta_buf_uv(nta_buf *b, uint64_t v)
{
    if (nta_buf_room(b, 10) < 0)
        return;
    while (v >= 0x80) {
        b->p[b->n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->p[b->n++] = (uint8_t)v;
}

static inline void nta_buf_sv(nta_buf *b, int64_t v)
{
    nta_buf_uv(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* A length, then the bytes. */
static inline void nta_buf_blob(nta_buf *b, const void *p, size_t n)
{
    nta_buf_uv(b, n);
    nta_buf_bytes(b, p, n);
}

static inline void nta_buf_str(nta_buf *b, const char *s)
{
    nta_buf_blob(b, s, strlen(s));
}

static inline int nta_cur_uv(nta_cur *c, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < 10 && i < c->left; i++) {
        uint8_t byte = c->p[i];
        if (i == 9 && byte > 1)
            return -1;   /* more than 64 bits */
        x |= (uint64_t)(byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            c->p += i + 1;
            c->left -= i + 1;
            *v = x;
            return 0;
        }
    }
    return -1;
}

static inline int nta_cur_sv(nta_cur *c, int64_t *v)
{
    uint64_t u;
    if (nta_cur_uv(c, &u) < 0)
        return -1;
    *v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return 0;
}

/* A varint that must fit max; -1 otherwise. */
static inline int nta_cur_uv_max(nta_cur *c, uint64_t max, uint64_t *v)
{
    nta_cur save = *c;
    if (nta_cur_uv(c, v) < 0 || *v > max) {
        *c = save;
        return -1;
    }
    return 0;
}

/* A length-prefixed blob of at most max bytes: *p points into the cursor's buffer. */
static inline int nta_cur_blob(nta_cur *c, size_t max, const uint8_t **p, size_t *n)
{
    nta_cur save = *c;
    uint64_t len;
    if (nta_cur_uv(c, &len) < 0 || len > max || nta_cur_bytes(c, (size_t)len, p) < 0) {
        *c = save;
        return -1;
    }
    *n = (size_t)len;
    return 0;
}

/* An address: its family (0, 4 or 6), then 0, 4 or 16 bytes. */
static inline void nta_buf_addr(nta_buf *b, const nta_addr *a)
{
    nta_buf_u8(b, a->family);
    nta_buf_bytes(b, a->b, a->family == 4 ? 4 : a->family == 6 ? 16 : 0);
}

/* 0, or -1 when the bytes run out or the family is none of those. */
static inline int nta_cur_addr(nta_cur *c, nta_addr *a)
{
    const uint8_t *p;
    memset(a, 0, sizeof *a);
    if (nta_cur_u8(c, &a->family) < 0)
        return -1;
    size_t n = a->family == 4 ? 4 : a->family == 6 ? 16 : a->family == 0 ? 0 : 99;
    if (n == 99 || nta_cur_bytes(c, n, &p) < 0)
        return -1;
    memcpy(a->b, p, n);
    return 0;
}

#endif
