/* formats/decode.h: link layer -> IPv4/IPv6 -> TCP/UDP/ICMP decoding of one captured packet.
 *
 * The decoded view points into the packet's bytes (no copy) and holds every header field the
 * analyzer needs. Lengths come from the IP headers, never from the captured length, so a packet
 * cut by a short snaplen still has its true payload length (TSO packets with IPv4 total length 0
 * are the exception: their length is taken from the capture, and `tso` says so).
 * Problems are not errors: nta_decode() returns why a packet could not be fully decoded and the
 * caller counts it by that reason (DESIGN.md, "every count of skipped input is reported"). */
#ifndef NTA_FORMATS_DECODE_H
#define NTA_FORMATS_DECODE_H

#include <stdint.h>

#include "formats/capture.h"

/* Why a packet was not fully decoded; 0 (NTA_DECODE_OK) means it was. Values index counters. */
typedef enum nta_skip_reason {
    NTA_DECODE_OK = 0,
    NTA_SKIP_TRUNCATED,         /**< snaplen cut it before the end of a header nta needs */
    NTA_SKIP_NON_IP,            /**< the link layer carries something else (ARP, LLDP, ...) */
    NTA_SKIP_UNKNOWN_LINKTYPE,  /**< nta cannot decode this link type */
    NTA_SKIP_FRAGMENT,          /**< a non-first IP fragment: IP is known, the L4 header is not there */
    NTA_SKIP_BAD_HEADER,        /**< an impossible header (IP version, header or total length, TCP offset) */
    NTA_SKIP_BAD_RECORD,        /**< the capture record itself was unusable (counted by readers) */
    NTA_SKIP__COUNT
} nta_skip_reason;

/* Stable snake_case name of a reason ("truncated", "non_ip", ...), used in text and JSON. */
const char *nta_skip_name(nta_skip_reason r);

#define NTA_TCP_MAX_SACK 4

typedef struct nta_tcp_opts {
    uint16_t mss;            /**< 0 when absent */
    int8_t wscale;           /**< -1 when absent */
    uint8_t sack_permitted;
    uint8_t has_ts;
    uint8_t nsack;           /**< SACK blocks present (<= NTA_TCP_MAX_SACK) */
    uint8_t truncated;       /**< the option area was cut by snaplen or malformed: later options unknown */
    uint32_t tsval, tsecr;
    uint32_t sack[NTA_TCP_MAX_SACK][2];   /**< left, right edges */
} nta_tcp_opts;

typedef struct nta_decoded {
    uint8_t ip_ver;          /**< 4 or 6; 0 when no IP header was found */
    uint8_t proto;           /**< final transport protocol number (after IPv6 extension headers) */
    uint8_t fragment;        /**< part of a fragmented datagram (first fragments included) */
    uint8_t tso;             /**< IPv4 total length was 0; lengths are taken from the capture */
    uint8_t nvlan;           /**< 802.1Q/802.1ad tags crossed */
    uint16_t vlan[2];        /**< outermost two VLAN ids */
    const uint8_t *ip;       /**< the IP header */
    const uint8_t *saddr;    /**< 4 or 16 bytes, inside the IP header */
    const uint8_t *daddr;
    uint32_t ip_hlen;        /**< IPv4 IHL*4; IPv6 40 + extension headers */
    uint32_t ip_plength;     /**< IPv4 total length - IHL*4; IPv6 payload length (ext headers incl.) */
    uint32_t ip_total;       /**< whole IP datagram length per its header */
    uint8_t ttl;             /**< IPv4 TTL or IPv6 hop limit */
    const uint8_t *l4;       /**< transport header; NULL when absent (fragment, truncated) */
    uint32_t l4_len;         /**< transport header + payload length per the IP header */
    uint32_t l4_caplen;      /**< transport bytes actually captured */
    uint16_t sport, dport;
    uint32_t payload_len;    /**< TCP/UDP payload bytes per the headers */
    /* TCP */
    uint32_t seq, ack;
    uint8_t tcp_flags;       /**< the raw flags byte (TH_FIN 0x01 ... TH_CWR 0x80) */
    uint8_t tcp_hlen;        /**< header length in bytes, options included */
    uint16_t win, urp, tcp_sum;
    nta_tcp_opts opts;
    /* UDP */
    uint16_t udp_len;
    /* ICMP / ICMPv6 */
    uint8_t icmp_type, icmp_code;
} nta_decoded;

/* Decode pkt into d (fully overwritten). Returns NTA_DECODE_OK or the reason it stopped; fields
 * decoded before the stop stay valid (e.g. ip_ver and addresses of a non-first fragment). */
nta_skip_reason nta_decode(const nta_packet *pkt, nta_decoded *d);

#endif
