/* common/cursor.h: bounds-checked reading of untrusted bytes.
 *
 * Every parser of capture bytes goes through an nta_cur: a pointer and the count of bytes left.
 * Loaders return 0 and advance, or -1 and leave the cursor untouched when fewer bytes remain,
 * so a corrupt length can never walk past the buffer (STYLE.md, "Untrusted bytes").
 * `swapped` means the field is stored in the opposite byte order to the host's; big-endian
 * loaders (`_be`) are for network headers. */
#ifndef NTA_COMMON_CURSOR_H
#define NTA_COMMON_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct nta_cur {
    const uint8_t *p;  /**< next unread byte */
    size_t left;       /**< bytes readable from p; never more than the buffer holds */
} nta_cur;

static inline nta_cur nta_cur_make(const void *p, size_t n)
{
    nta_cur c = { (const uint8_t *)p, n };
    return c;
}

static inline int nta_cur_skip(nta_cur *c, size_t n)
{
    if (c->left < n)
        return -1;
    c->p += n;
    c->left -= n;
    return 0;
}

static inline int nta_cur_bytes(nta_cur *c, size_t n, const uint8_t **out)
{
    if (c->left < n)
        return -1;
    *out = c->p;
    c->p += n;
    c->left -= n;
    return 0;
}

static inline uint16_t nta_bswap16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }
static inline uint32_t nta_bswap32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t nta_bswap64(uint64_t v) { return __builtin_bswap64(v); }

static inline int nta_cur_u8(nta_cur *c, uint8_t *v)
{
    if (c->left < 1)
        return -1;
    *v = c->p[0];
    c->p++;
    c->left--;
    return 0;
}

static inline int nta_cur_u16(nta_cur *c, int swapped, uint16_t *v)
{
    uint16_t x;
    if (c->left < 2)
        return -1;
    memcpy(&x, c->p, 2);
    *v = swapped ? nta_bswap16(x) : x;
    c->p += 2;
    c->left -= 2;
    return 0;
}

static inline int nta_cur_u32(nta_cur *c, int swapped, uint32_t *v)
{
    uint32_t x;
    if (c->left < 4)
        return -1;
    memcpy(&x, c->p, 4);
    *v = swapped ? nta_bswap32(x) : x;
    c->p += 4;
    c->left -= 4;
    return 0;
}

static inline int nta_cur_u64(nta_cur *c, int swapped, uint64_t *v)
{
    uint64_t x;
    if (c->left < 8)
        return -1;
    memcpy(&x, c->p, 8);
    *v = swapped ? nta_bswap64(x) : x;
    c->p += 8;
    c->left -= 8;
    return 0;
}

/* Big-endian (network order) loads at a fixed offset of a buffer the caller has already
 * length-checked; used by the packet decoder, whose bounds are checked per header. */
static inline uint16_t nta_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t nta_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint32_t nta_le32(const uint8_t *p)
{
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

#endif
