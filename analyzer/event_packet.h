/* analyzer/event_packet.h: a packet made up from a TCP or UDP probe event, for turning a
 * dtrace run into a capture Wireshark and tcpdump can open (`nta convert --to pcap`).
 *
 * The IPv4/IPv6 and TCP/UDP headers are built from the fields the event shows (NTA_F_*); the
 * payload is zero-filled with the logged length. Fields the input does not show get neutral
 * values: TTL/hop limit 64, header lengths 20, seq/ack/window 0; checksums are computed over
 * the headers as written (the payload being zeros). The link type is LINKTYPE_RAW. */
#ifndef NTA_ANALYZER_EVENT_PACKET_H
#define NTA_ANALYZER_EVENT_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "event/probes.h"

#define NTA_EVPKT_MAX (60 + 60 + 65535)

/* Build the packet of ev (tcp:::send/receive, udp:::send/receive) into buf (NTA_EVPKT_MAX
 * bytes). Returns its length, 0 when ev carries no segment (other probes). */
size_t nta_event_packet(const nta_event *ev, uint32_t known, uint8_t *buf);

#endif
