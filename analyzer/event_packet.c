/* analyzer/event_packet.c: headers from probe event fields (see event_packet.h). */
#include "analyzer/event_packet.h"

#include <string.h>

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

size_t nta_event_packet(const nta_event *ev, uint32_t known, uint8_t *buf)
{
    int tcp = ev->probe == NTA_PROBE_TCP_SEND || ev->probe == NTA_PROBE_TCP_RECEIVE;
    int udp = ev->probe == NTA_PROBE_UDP_SEND || ev->probe == NTA_PROBE_UDP_RECEIVE;
    if ((!tcp && !udp) || ev->ip == NULL)
        return 0;
    const ipinfo_t *ip = ev->ip;
    int v6 = ip->ip_saddr.family == 6;
    size_t iph = v6 ? 40 : 20;
    /* the L4 header and payload */
    uint32_t l4h, payload;
    if (tcp) {
        l4h = (known & NTA_F_TCP_OFFSET) && ev->tcp->tcp_offset >= 20 ? ev->tcp->tcp_offset : 20;
        payload = ip->ip_plength - ev->tcp->tcp_offset;   /* right with or without the offset shown */
        if ((known & NTA_F_TCP_OFFSET) && ev->tcp->tcp_offset > ip->ip_plength)
            payload = 0;
    } else {
        l4h = 8;
        payload = ev->udp->udp_length >= 8 ? ev->udp->udp_length - 8u : 0;
    }
    if (payload > 65535 - 60 - l4h)
        payload = 65535 - 60 - l4h;
    uint32_t l4len = l4h + payload;
    uint8_t *l4 = buf + iph;
    memset(buf, 0, iph + l4len);
    uint8_t proto = tcp ? 6 : 17;
    if (v6) {
        const ipv6info_t *x = (known & NTA_F_IPV46) ? ev->ipv6 : NULL;
        uint32_t w0 = 6u << 28 | (x ? (uint32_t)x->ipv6_tclass << 20 | (x->ipv6_flow & 0xfffff) : 0);
        put32(buf, w0);
        put16(buf + 4, l4len);
        buf[6] = proto;
        buf[7] = x ? x->ipv6_hlim : 64;
        memcpy(buf + 8, ip->ip_saddr.b, 16);
        memcpy(buf + 24, ip->ip_daddr.b, 16);
    } else {
        const ipv4info_t *x = (known & NTA_F_IPV46) ? ev->ipv4 : NULL;
        buf[0] = 0x45;
        buf[1] = x ? x->ipv4_tos : 0;
        put16(buf + 2, 20 + l4len);
        if (x != NULL) {
            put16(buf + 4, x->ipv4_ident);
            put16(buf + 6, (uint32_t)(x->ipv4_flags & 0xe0) << 8 | (x->ipv4_offset & 0x1fff));
        }
        buf[8] = x ? x->ipv4_ttl : 64;
        buf[9] = proto;
        memcpy(buf + 12, ip->ip_saddr.b, 4);
        memcpy(buf + 16, ip->ip_daddr.b, 4);
        put16(buf + 10, fold(sum16(buf, 20, 0)));
    }
    if (tcp) {
        const tcpinfo_t *t = ev->tcp;
        put16(l4, t->tcp_sport);
        put16(l4 + 2, t->tcp_dport);
        if (known & NTA_F_TCP_SEQ) {
            put32(l4 + 4, t->tcp_seq);
            put32(l4 + 8, t->tcp_ack);
        }
        l4[12] = (uint8_t)(l4h / 4) << 4;
        l4[13] = t->tcp_flags;
        if (known & NTA_F_TCP_HDR) {
            put16(l4 + 14, t->tcp_window);
            put16(l4 + 18, t->tcp_urgent);
        }
    } else {
        put16(l4, ev->udp->udp_sport);
        put16(l4 + 2, ev->udp->udp_dport);
        put16(l4 + 4, l4len);
    }
    /* checksum over the pseudo-header and the segment as written (zero payload) */
    uint32_t s = 0;
    size_t alen = v6 ? 16 : 4;
    s = sum16(ip->ip_saddr.b, alen, s);
    s = sum16(ip->ip_daddr.b, alen, s);
    s += proto;
    s += l4len;
    s = sum16(l4, l4h, s);
    uint16_t c = fold(s);
    if (udp && c == 0)
        c = 0xffff;
    put16(l4 + (tcp ? 16 : 6), c);
    return iph + l4len;
}
