/* event/event_codec.h: a probe event as bytes and back, for shard files (issue 17).
 *
 * `nta events` and `nta run` shards keep every event they would have written, in order, and
 * `nta merge` hands them to the writer: the bytes carry every argument the event has, field by
 * field through the one field table (event/fields.h), so nothing a writer prints can be lost or
 * differ. Layout (common/varint.h encodings; man/nta.1 "SHARDS"): u8 probe, uv ts_ns, the host
 * (u8 family, then 4 or 16 bytes, none for 0), uv a bit per argument structure present (pkt,
 * cs, ip, ifp, ipv4, ipv6, tcps, tcp, tcpls, udps, udp), then each present structure's held
 * fields in table order: unsigned as uv, signed as sv, addresses as the host, if_name as a
 * blob. The event's position is not in it: the shard file groups events by position. */
#ifndef NTA_EVENT_EVENT_CODEC_H
#define NTA_EVENT_EVENT_CODEC_H

#include "common/varint.h"
#include "event/probes.h"

/* Appends ev to b (b->failed on no memory). */
void nta_event_save(const nta_event *ev, nta_buf *b);

/* Storage for a loaded event: the event points into it. */
typedef struct nta_event_store {
    nta_event ev;
    nta_addr host;
    pktinfo_t pkt;
    csinfo_t cs;
    ipinfo_t ip;
    ifinfo_t ifp;
    ipv4info_t ipv4;
    ipv6info_t ipv6;
    tcpsinfo_t tcps;
    tcpinfo_t tcp;
    tcplsinfo_t tcpls;
    udpsinfo_t udps;
    udpinfo_t udp;
    char if_name[256];
} nta_event_store;

/* The event saved at c into st (its pointers valid until st is loaded again). 0, or -1 when the
 * bytes are not an event (c is then left anywhere). */
int nta_event_load(nta_cur *c, nta_event_store *st);

#endif
