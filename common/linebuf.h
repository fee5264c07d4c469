/* common/linebuf.h: a line of text built by hand, for the outputs printed once per event or
 * per aggregation key.
 *
 * printf's "%30s %-6u" machinery costs more than the analysis behind a line; these produce the
 * same bytes as printf's %s, %d and %u with a width and the '-' flag. Writing past the end of
 * the buffer is cut off, never overrun: callers size lines so that it does not happen. */
#ifndef NTA_COMMON_LINEBUF_H
#define NTA_COMMON_LINEBUF_H

#include <stdint.h>
#include <string.h>

/* "00".."99": two digits per division or table read, as the log lines print several numbers */
static const char nta_line_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

typedef struct nta_line {
    char b[512];
    size_t n;
} nta_line;

static inline void nta_line_mem(nta_line *l, const char *s, size_t len)
{
    if (len > sizeof l->b - l->n)
        len = sizeof l->b - l->n;
    memcpy(l->b + l->n, s, len);
    l->n += len;
}

static inline void nta_line_str(nta_line *l, const char *s)
{
    nta_line_mem(l, s, strlen(s));
}

static inline void nta_line_pad(nta_line *l, size_t width, size_t len)
{
    for (; width > len && l->n < sizeof l->b; width--)
        l->b[l->n++] = ' ';
}

/* "%Ns" (left = 0) or "%-Ns" (left = 1) */
static inline void nta_line_str_w(nta_line *l, const char *s, size_t width, int left)
{
    size_t len = strlen(s);
    if (!left)
        nta_line_pad(l, width, len);
    nta_line_mem(l, s, len);
    if (left)
        nta_line_pad(l, width, len);
}

/* "%Nd" / "%-Nd" of v, negative as printf shows it; "%Nu" when neg is 0 */
static inline void nta_line_num_w(nta_line *l, uint64_t v, int neg, size_t width, int left)
{
    /* two digits per division: a log line prints several numbers */
    char d[24];
    size_t k = sizeof d;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        d[--k] = nta_line_pairs[2 * r + 1];
        d[--k] = nta_line_pairs[2 * r];
    }
    if (v >= 10) {
        d[--k] = nta_line_pairs[2 * v + 1];
        d[--k] = nta_line_pairs[2 * v];
    } else {
        d[--k] = (char)('0' + v);
    }
    if (neg)
        d[--k] = '-';
    size_t len = sizeof d - k;
    if (!left)
        nta_line_pad(l, width, len);
    nta_line_mem(l, d + k, len);
    if (left)
        nta_line_pad(l, width, len);
}

/* "%-6u" of a 16-bit value (ports, payload lengths on every log line): at most five digits,
 * so always six characters; two digits per table read and no loop */
static inline void nta_line_u16_left6(nta_line *l, uint16_t v)
{
    if (l->n + 8 > sizeof l->b) {
        nta_line_num_w(l, v, 0, 6, 1);
        return;
    }
    char *p = l->b + l->n;
    memcpy(p, "        ", 8);   /* one store; the two after the six are not part of the line */
    unsigned x = v, lo = x % 100, mid = x / 100 % 100, hi = x / 10000;
    if (x >= 10000) {
        p[0] = (char)('0' + hi);
        memcpy(p + 1, nta_line_pairs + 2 * mid, 2);
        memcpy(p + 3, nta_line_pairs + 2 * lo, 2);
    } else if (x >= 1000) {
        memcpy(p, nta_line_pairs + 2 * mid, 2);
        memcpy(p + 2, nta_line_pairs + 2 * lo, 2);
    } else if (x >= 100) {
        p[0] = nta_line_pairs[2 * mid + 1];
        memcpy(p + 1, nta_line_pairs + 2 * lo, 2);
    } else if (x >= 10) {
        memcpy(p, nta_line_pairs + 2 * lo, 2);
    } else {
        p[0] = (char)('0' + lo);
    }
    l->n += 6;
}

static inline void nta_line_int_w(nta_line *l, int64_t v, size_t width, int left)
{
    /* the magnitude of INT64_MIN does not fit an int64_t: negate as unsigned */
    nta_line_num_w(l, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, width, left);
}

#endif
