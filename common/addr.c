/* common/addr.c: address comparison, DTrace text forms and prefix matching (see addr.h). */
#include "common/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nta_addr_cmp(const nta_addr *a, const nta_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->b, b->b, 16);
}

int nta_addr_is_loopback(const nta_addr *a)
{
    static const uint8_t v6lo[16] = { [15] = 1 };
    if (a->family == 4)
        return a->b[0] == 127;
    return a->family == 6 && memcmp(a->b, v6lo, 16) == 0;
}

/* inet_ntoa: dotted decimal, no leading zeros. Written by hand: reports format addresses for
 * every event, and snprintf was the largest cost of a report run. */
static char *dotted(const uint8_t *q, char *buf)
{
    char *p = buf;
    for (int i = 0; i < 4; i++) {
        unsigned v = q[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = i < 3 ? '.' : '\0';
    }
    return buf;
}

/* inet_ntoa6 as DTrace's DIF subroutine computes it. The zero run is chosen by scanning bytes:
 * a run may start only on an even byte, and replaces the best so far only when it is longer
 * in bytes than the best's length (which starts at 1), so even one zero group is compressed.
 * The text is then built from the last group backwards, which is what places the "::". */
static char *ntoa6(const uint8_t *b, char *buf)
{
    static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
    int first = -1, num = 1, trying = -1;
    for (int i = 0; i < 16; i++) {
        if (b[i] == 0 && trying == -1 && i % 2 == 0) {
            trying = i;
            continue;
        }
        if (trying != -1 && (b[i] != 0 || i == 15)) {
            if (i - trying <= num) {
                trying = -1;
                continue;
            }
            first = trying;
            num = i - i % 2 - trying;
            trying = -1;
            if (b[i] == 0 && i == 15)
                num += 2;
        }
    }
    int zero12 = 1;
    for (int i = 0; i < 12; i++)
        zero12 &= b[i] == 0;
    int compat = zero12 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1);
    if (memcmp(b, mapped, 12) == 0 || compat)
        return dotted(b + 12, buf);

    char rev[NTA_ADDR_STRLEN];
    int n = 0;
    for (int i = 14; i >= 0; i -= 2) {
        if (i == first + num - 2) {
            rev[n++] = ':';
            rev[n++] = ':';
            i -= num - 2;
            continue;
        }
        if (i < 14 && i != first - 2)
            rev[n++] = ':';
        unsigned v = (unsigned)(b[i] << 8) | b[i + 1];
        if (v == 0)
            rev[n++] = '0';
        for (; v; v /= 16)
            rev[n++] = "0123456789abcdef"[v % 16];
    }
    for (int i = 0; i < n; i++)
        buf[i] = rev[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

char *nta_addr_str(const nta_addr *a, char *buf)
{
    if (a->family == 4)
        return dotted(a->b, buf);
    if (a->family == 6)
        return ntoa6(a->b, buf);
    snprintf(buf, NTA_ADDR_STRLEN, "<unknown>");
    return buf;
}

int nta_prefix_parse(const char *s, nta_prefix *p)
{
    char tmp[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    memset(p, 0, sizeof *p);
    if (inet_pton(AF_INET, tmp, p->addr.b) == 1)
        p->addr.family = 4;
    else if (inet_pton(AF_INET6, tmp, p->addr.b) == 1)
        p->addr.family = 6;
    else
        return -1;
    int max = p->addr.family == 4 ? 32 : 128;
    long len = max;
    if (slash != NULL) {
        char *end;
        len = strtol(slash + 1, &end, 10);
        if (*end != '\0' || end == slash + 1 || len < 0 || len > max)
            return -1;
    }
    p->len = (uint8_t)len;
    /* An IPv4-mapped prefix (::ffff:a.b.c.d/96 and longer) means the IPv4 host or network:
     * packets carry the IPv4 address, never the mapped form, and DTrace's text prints the
     * mapped form as the bare dotted quad, so that is what the user is shown. */
    static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
    if (p->addr.family == 6 && len >= 96 && memcmp(p->addr.b, mapped, 12) == 0) {
        uint8_t v4[4];
        memcpy(v4, p->addr.b + 12, 4);
        nta_addr_set(&p->addr, 4, v4);
        p->len = (uint8_t)(len - 96);
    }
    return 0;
}

int nta_prefix_match(const nta_prefix *p, const nta_addr *a)
{
    if (a->family != p->addr.family)
        return 0;
    int full = p->len / 8, rest = p->len % 8;
    if (memcmp(a->b, p->addr.b, (size_t)full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a->b[full] & mask) == (p->addr.b[full] & mask);
}
