/* common/addr.h: IPv4/IPv6 addresses as values, their DTrace text form, and address prefixes.
 *
 * Probe events keep addresses binary (DESIGN.md, "The probe event"); sinks turn them into text
 * with nta_addr_str(), which reproduces DTrace's inet_ntoa/inet_ntoa6 subroutines, quirks
 * included (shared/reference/dtrace-providers.md section 4): a single zero group is compressed,
 * IPv4-mapped and IPv4-compatible addresses print as a bare dotted quad. */
#ifndef NTA_COMMON_ADDR_H
#define NTA_COMMON_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct nta_addr {
    uint8_t family;   /**< 4 or 6; 0 = no address (prints as "<unknown>") */
    uint8_t b[16];    /**< network order; IPv4 uses b[0..3], the rest zero */
} nta_addr;

#define NTA_ADDR_STRLEN 48   /* INET6_ADDRSTRLEN plus room */

static inline void nta_addr_set(nta_addr *a, int family, const uint8_t *bytes)
{
    a->family = (uint8_t)family;
    memset(a->b, 0, 16);
    if (family == 4)
        memcpy(a->b, bytes, 4);
    else if (family == 6)
        memcpy(a->b, bytes, 16);
}

/* Inline: the flow table compares addresses for every packet. */
static inline int nta_addr_eq(const nta_addr *a, const nta_addr *b)
{
    uint64_t x[2], y[2];
    memcpy(x, a->b, 16);
    memcpy(y, b->b, 16);
    return a->family == b->family && x[0] == y[0] && x[1] == y[1];
}
/* Slot of a in a direct-mapped cache of 1 << bits entries (bits 1..32): the caches of
 * addresses' text forms, which the output formats keep because a run shows few addresses. */
static inline unsigned nta_addr_slot(const nta_addr *a, unsigned bits)
{
    uint64_t x[2];
    memcpy(x, a->b, 16);
    uint64_t h = (x[0] ^ x[1] * 0x9e3779b97f4a7c15ull ^ a->family) * 0xff51afd7ed558ccdull;
    return (unsigned)(h >> (64 - bits));
}
/* Total order (family, then bytes), for canonical 4-tuples. */
int nta_addr_cmp(const nta_addr *a, const nta_addr *b);
int nta_addr_is_loopback(const nta_addr *a);

/* DTrace's text form into buf (>= NTA_ADDR_STRLEN bytes); returns buf. */
char *nta_addr_str(const nta_addr *a, char *buf);

/* An address with a prefix length: "10.0.0.0/8", "fd00::/8", "192.0.2.1" (host). */
typedef struct nta_prefix {
    nta_addr addr;
    uint8_t len;
} nta_prefix;

/* 0, or -1 when s is not an address with an optional /LEN within range. An IPv4-mapped IPv6
 * prefix of /96 or longer becomes the IPv4 one (::ffff:10.0.0.1 is 10.0.0.1/32). */
int nta_prefix_parse(const char *s, nta_prefix *p);
int nta_prefix_match(const nta_prefix *p, const nta_addr *a);

#endif
