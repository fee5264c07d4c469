/* formats/decode.c: the packet decoder (see decode.h).
 *
 * Link layers: Ethernet (802.1Q/802.1ad/QinQ tags, MPLS label stacks, PPPoE sessions), Linux
 * cooked SLL and SLL2, BSD NULL and OpenBSD LOOP, NFLOG, raw IP, IPv4, IPv6.
 * IPv4 options are skipped by IHL; IPv6 extension headers walked: hop-by-hop (0), routing (43),
 * fragment (44), destination options (60), AH (51). Every read is bounds-checked against the
 * captured length; lengths come from IP headers (RFC 791, RFC 8200, RFC 9293 for TCP options). */
#include "formats/decode.h"

#include <string.h>

#include "common/cursor.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864
#define LINKTYPE_NFLOG 239

const char *nta_skip_name(nta_skip_reason r)
{
    switch (r) {
    case NTA_DECODE_OK: return "ok";
    case NTA_SKIP_TRUNCATED: return "truncated";
    case NTA_SKIP_NON_IP: return "non_ip";
    case NTA_SKIP_UNKNOWN_LINKTYPE: return "unknown_linktype";
    case NTA_SKIP_FRAGMENT: return "fragment";
    case NTA_SKIP_BAD_HEADER: return "bad_header";
    case NTA_SKIP_BAD_RECORD: return "bad_record";
    case NTA_SKIP__COUNT: break;
    }
    return "unknown";
}

static void tcp_options(const uint8_t *p, uint32_t n, int cut, nta_tcp_opts *o)
{
    uint32_t i = 0;
    o->truncated = (uint8_t)cut;
    /* NOP, NOP, timestamps (RFC 7323 appendix A layout) is nearly every segment of a connection
     * that uses timestamps: read it directly */
    if (n == 12 && p[0] == 1 && p[1] == 1 && p[2] == 8 && p[3] == 10) {
        o->has_ts = 1;
        o->tsval = nta_be32(p + 4);
        o->tsecr = nta_be32(p + 8);
        return;
    }
    while (i < n) {
        uint8_t kind = p[i];
        if (kind == 0)
            return;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || p[i + 1] < 2 || i + p[i + 1] > n) {
            o->truncated = 1;
            return;
        }
        uint8_t len = p[i + 1];
        const uint8_t *v = p + i + 2;
        switch (kind) {
        case 2:
            if (len == 4)
                o->mss = nta_be16(v);
            break;
        case 3:
            if (len == 3)
                o->wscale = (int8_t)(v[0] > 14 ? 14 : v[0]);   /* RFC 7323 2.3: larger is taken as 14 */
            break;
        case 4:
            o->sack_permitted = 1;
            break;
        case 5:
            for (uint32_t k = 0; k + 8 <= (uint32_t)len - 2 && o->nsack < NTA_TCP_MAX_SACK; k += 8) {
                o->sack[o->nsack][0] = nta_be32(v + k);
                o->sack[o->nsack][1] = nta_be32(v + k + 4);
                o->nsack++;
            }
            break;
        case 8:
            if (len == 10) {
                o->has_ts = 1;
                o->tsval = nta_be32(v);
                o->tsecr = nta_be32(v + 4);
            }
            break;
        default:
            break;
        }
        i += len;
    }
}

static nta_skip_reason transport(nta_decoded *d, const uint8_t *p, uint32_t cap)
{
    d->l4 = p;
    d->l4_caplen = cap;
    switch (d->proto) {
    case 6: {
        if (cap < 20)
            return NTA_SKIP_TRUNCATED;
        d->sport = nta_be16(p);
        d->dport = nta_be16(p + 2);
        d->seq = nta_be32(p + 4);
        d->ack = nta_be32(p + 8);
        d->tcp_hlen = (uint8_t)((p[12] >> 4) * 4);
        d->tcp_flags = p[13];
        d->win = nta_be16(p + 14);
        d->tcp_sum = nta_be16(p + 16);
        d->urp = nta_be16(p + 18);
        if (d->tcp_hlen < 20 || d->tcp_hlen > d->l4_len)
            return NTA_SKIP_BAD_HEADER;
        d->payload_len = d->l4_len - d->tcp_hlen;
        uint32_t optcap = cap < d->tcp_hlen ? cap - 20 : (uint32_t)d->tcp_hlen - 20;
        tcp_options(p + 20, optcap, cap < d->tcp_hlen, &d->opts);
        return NTA_DECODE_OK;
    }
    case 17:
        if (cap < 8)
            return NTA_SKIP_TRUNCATED;
        d->sport = nta_be16(p);
        d->dport = nta_be16(p + 2);
        d->udp_len = nta_be16(p + 4);
        if (d->l4_len < 8)
            return NTA_SKIP_BAD_HEADER;
        d->payload_len = d->l4_len - 8;
        return NTA_DECODE_OK;
    case 1:
    case 58:
        if (cap < 2)
            return NTA_SKIP_TRUNCATED;
        d->icmp_type = p[0];
        d->icmp_code = p[1];
        return NTA_DECODE_OK;
    default:
        return NTA_DECODE_OK;   /* other protocols: IP is decoded, transport is not interpreted */
    }
}

static nta_skip_reason ipv4(nta_decoded *d, const uint8_t *p, uint32_t cap)
{
    if (cap < 20)
        return NTA_SKIP_TRUNCATED;
    if ((p[0] >> 4) != 4)
        return NTA_SKIP_BAD_HEADER;
    uint32_t hl = (uint32_t)(p[0] & 0x0f) * 4;
    if (hl < 20)
        return NTA_SKIP_BAD_HEADER;
    d->ip_ver = 4;
    d->ip = p;
    d->saddr = p + 12;
    d->daddr = p + 16;
    d->ttl = p[8];
    d->proto = p[9];
    d->ip_hlen = hl;
    uint32_t total = nta_be16(p + 2);
    if (total == 0) {
        /* TCP segmentation offload: the stack had not filled in the length yet (tcpdump does the
         * same: presume the captured length). */
        d->tso = 1;
        total = cap;
    }
    if (total < hl)
        return NTA_SKIP_BAD_HEADER;
    if (cap < hl)
        return NTA_SKIP_TRUNCATED;
    d->ip_total = total;
    d->ip_plength = total - hl;
    uint16_t off = nta_be16(p + 6);
    if (off & 0x3fff) {
        d->fragment = 1;
        if (off & 0x1fff)
            return NTA_SKIP_FRAGMENT;
    }
    d->l4_len = total - hl;
    uint32_t l4cap = cap - hl;
    if (l4cap > d->l4_len)
        l4cap = d->l4_len;   /* Ethernet padding after a short datagram is not transport data */
    return transport(d, p + hl, l4cap);
}

static nta_skip_reason ipv6(nta_decoded *d, const uint8_t *p, uint32_t cap)
{
    if (cap < 40)
        return NTA_SKIP_TRUNCATED;
    if ((p[0] >> 4) != 6)
        return NTA_SKIP_BAD_HEADER;
    d->ip_ver = 6;
    d->ip = p;
    d->saddr = p + 8;
    d->daddr = p + 24;
    d->ttl = p[7];
    uint32_t plen = nta_be16(p + 4);
    if (plen == 0) {   /* jumbogram or offload: presume the captured length, as for IPv4 */
        d->tso = 1;
        plen = cap - 40;
    }
    d->ip_plength = plen;
    d->ip_total = plen + 40;
    uint8_t nh = p[6];
    uint32_t off = 40;
    for (int guard = 0; guard < 16; guard++) {
        uint32_t len;
        if (nh == 0 || nh == 43 || nh == 60) {
            if (cap < off + 2)
                return NTA_SKIP_TRUNCATED;
            len = ((uint32_t)p[off + 1] + 1) * 8;
        } else if (nh == 44) {
            if (cap < off + 8)
                return NTA_SKIP_TRUNCATED;
            d->fragment = 1;
            len = 8;
            if ((nta_be16(p + off + 2) & 0xfff8) != 0) {
                d->proto = p[off];
                d->ip_hlen = off + 8;
                return NTA_SKIP_FRAGMENT;
            }
        } else if (nh == 51) {
            if (cap < off + 2)
                return NTA_SKIP_TRUNCATED;
            len = ((uint32_t)p[off + 1] + 2) * 4;
        } else {
            break;
        }
        nh = p[off];
        off += len;
        if (off > plen + 40)
            return NTA_SKIP_BAD_HEADER;
    }
    d->proto = nh;
    d->ip_hlen = off;
    if (off > plen + 40)
        return NTA_SKIP_BAD_HEADER;
    d->l4_len = plen + 40 - off;
    if (cap < off)
        return NTA_SKIP_TRUNCATED;
    uint32_t l4cap = cap - off;
    if (l4cap > d->l4_len)
        l4cap = d->l4_len;
    return transport(d, p + off, l4cap);
}

static nta_skip_reason by_version(nta_decoded *d, const uint8_t *p, uint32_t cap)
{
    if (cap < 1)
        return NTA_SKIP_TRUNCATED;
    switch (p[0] >> 4) {
    case 4: return ipv4(d, p, cap);
    case 6: return ipv6(d, p, cap);
    default: return NTA_SKIP_NON_IP;
    }
}

static nta_skip_reason by_ethertype(nta_decoded *d, uint16_t type, const uint8_t *p, uint32_t cap)
{
    switch (type) {
    case ETH_IPV4: return ipv4(d, p, cap);
    case ETH_IPV6: return ipv6(d, p, cap);
    default: return NTA_SKIP_NON_IP;
    }
}

static nta_skip_reason ethernet(nta_decoded *d, const uint8_t *p, uint32_t cap)
{
    if (cap < 14)
        return NTA_SKIP_TRUNCATED;
    uint16_t type = nta_be16(p + 12);
    uint32_t off = 14;
    for (int tags = 0; tags < 8; tags++) {
        if (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
            if (cap < off + 4)
                return NTA_SKIP_TRUNCATED;
            if (d->nvlan < 2)
                d->vlan[d->nvlan] = nta_be16(p + off) & 0x0fff;
            d->nvlan++;
            type = nta_be16(p + off + 2);
            off += 4;
        } else if (type == ETH_MPLS || type == ETH_MPLS_MC) {
            /* Label stack until the bottom-of-stack bit; the payload's version nibble says IPv4
             * or IPv6 (RFC 3032 carries no payload type). */
            for (;;) {
                if (cap < off + 4)
                    return NTA_SKIP_TRUNCATED;
                int bottom = (p[off + 2] & 0x01) != 0;
                off += 4;
                if (bottom)
                    break;
            }
            return by_version(d, p + off, cap - off);
        } else if (type == ETH_PPPOE) {
            if (cap < off + 8)
                return NTA_SKIP_TRUNCATED;
            uint16_t ppp = nta_be16(p + off + 6);
            off += 8;
            if (ppp == 0x0021)
                return ipv4(d, p + off, cap - off);
            if (ppp == 0x0057)
                return ipv6(d, p + off, cap - off);
            return NTA_SKIP_NON_IP;
        } else {
            break;
        }
    }
    return by_ethertype(d, type, p + off, cap - off);
}

static nta_skip_reason bsd_loopback(nta_decoded *d, const uint8_t *p, uint32_t cap, int network)
{
    if (cap < 4)
        return NTA_SKIP_TRUNCATED;
    uint32_t af = network ? nta_be32(p) : nta_le32(p);
    if (!network && af > 0xffff)
        af = nta_be32(p);   /* written by a big-endian host */
    switch (af) {
    case 2: return ipv4(d, p + 4, cap - 4);
    case 10: case 24: case 28: case 30: return ipv6(d, p + 4, cap - 4);   /* Linux, NetBSD/OpenBSD, FreeBSD, macOS */
    default: return NTA_SKIP_NON_IP;
    }
}

/* NFLOG: 4-byte header (family, version, resource id), then TLVs whose length and type are in
 * the capturing host's byte order (little endian on every Linux that writes these files);
 * the packet is TLV type 9 (NFULA_PAYLOAD). */
static nta_skip_reason nflog(nta_decoded *d, const uint8_t *p, uint32_t cap)
{
    if (cap < 4)
        return NTA_SKIP_TRUNCATED;
    uint8_t family = p[0];
    uint32_t off = 4;
    while (off + 4 <= cap) {
        uint16_t len = (uint16_t)(p[off] | (p[off + 1] << 8));
        uint16_t type = (uint16_t)(p[off + 2] | (p[off + 3] << 8));
        if (len < 4)
            return NTA_SKIP_BAD_HEADER;
        if (type == 9) {
            uint32_t n = len - 4u;
            if (off + 4 + n > cap)
                n = cap - off - 4;
            if (family == 2)
                return ipv4(d, p + off + 4, n);
            if (family == 10)
                return ipv6(d, p + off + 4, n);
            return by_version(d, p + off + 4, n);
        }
        off += (len + 3u) & ~3u;
    }
    return NTA_SKIP_NON_IP;
}

nta_skip_reason nta_decode(const nta_packet *pkt, nta_decoded *d)
{
    memset(d, 0, sizeof *d);
    d->opts.wscale = -1;
    const uint8_t *p = pkt->data;
    uint32_t cap = pkt->caplen;
    switch (pkt->linktype) {
    case NTA_LINK_ETHERNET:
        return ethernet(d, p, cap);
    case NTA_LINK_LINUX_SLL:
        if (cap < 16)
            return NTA_SKIP_TRUNCATED;
        return by_ethertype(d, nta_be16(p + 14), p + 16, cap - 16);
    case NTA_LINK_LINUX_SLL2:
        if (cap < 20)
            return NTA_SKIP_TRUNCATED;
        return by_ethertype(d, nta_be16(p), p + 20, cap - 20);
    case NTA_LINK_NULL:
        return bsd_loopback(d, p, cap, 0);
    case NTA_LINK_LOOP:
        return bsd_loopback(d, p, cap, 1);
    case NTA_LINK_RAW:
    case 12:   /* DLT_RAW as some writers store it */
    case 14:
        return by_version(d, p, cap);
    case NTA_LINK_IPV4:
        return ipv4(d, p, cap);
    case NTA_LINK_IPV6:
        return ipv6(d, p, cap);
    case LINKTYPE_NFLOG:
        return nflog(d, p, cap);
    default:
        return NTA_SKIP_UNKNOWN_LINKTYPE;
    }
}
