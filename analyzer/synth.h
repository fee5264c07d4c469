/* analyzer/synth.h: from decoded packets to probe events on every traced endpoint.
 *
 * For each IP packet: if its source is traced, that host's send-side probes fire (tcp/udp
 * first, then ip:::send); if its destination is traced, ip:::receive then the receive-side
 * probes (loopback traffic gives both, sender first). TCP segments drive the endpoint's state
 * machine (tcp_fsm.c); connections live in the flow table (flow.c). Timers run on capture
 * time: TIME_WAIT ends 2*MSL after a connection's last segment, idle connections are
 * forgotten after the idle timeout (no probe: DTrace would see nothing either).
 * No allocation per packet: argument structures are built in the analyzer's own storage. */
#ifndef NTA_ANALYZER_SYNTH_H
#define NTA_ANALYZER_SYNTH_H

#include <stdint.h>

#include "event/probes.h"
#include "event/traced.h"
#include "formats/decode.h"

typedef struct nta_analyzer nta_analyzer;

typedef struct nta_analyzer_opts {
    const nta_locals *locals;     /**< traced endpoints (decided before the first packet) */
    uint32_t probes;              /**< bit per nta_probe: which probes reach the sink */
    uint64_t msl_ns;              /**< MSL; TIME_WAIT lasts 2*MSL (FreeBSD default 30 s) */
    uint64_t idle_ns;             /**< forget connections idle this long */
    uint32_t max_flows;           /**< 0 = no cap */
    /* The name of interface ifindex (nta_packet.ifindex), valid for the whole run; NULL
     * function, or a NULL name: "unknown". */
    const char *(*ifname)(void *ctx, uint32_t ifindex);
    void *ifname_ctx;
    uint32_t skip;                /**< NTA_SKIP_* translators no consumer reads */
    uint32_t tcps_probes;         /**< with NTA_SKIP_TCPSINFO: probes (bits) still given one */
} nta_analyzer_opts;

typedef struct nta_analyzer_stats {
    uint64_t packets, events, tcp_segments, udp_datagrams;
    uint64_t connections;         /**< tcpcbs created (cs_cid handed out) */
    uint64_t midstream;           /**< connections picked up without their handshake */
    uint64_t idle_expired, evicted;
    uint64_t peak_flows, flow_bytes;
} nta_analyzer_stats;

/* Only sink->on_event and ctx are used; on_event may be NULL: events are synthesised and
 * dropped (measuring the analyzer). */
nta_analyzer *nta_analyzer_new(const nta_analyzer_opts *o, const nta_sink *sink);
void nta_analyzer_free(nta_analyzer *an);

/* Feed one packet (d from nta_decode). Returns 0, or the sink's negative error. Packets must
 * come in nondecreasing time per connection; small disorder across interfaces is tolerated.
 * Timers (TIME_WAIT's end, the idle timeout) run on the run's clock, the latest capture time
 * seen so far, first. */
int nta_analyzer_packet(nta_analyzer *an, const nta_packet *pkt, const nta_decoded *d);

/* The same for a packet whose place in the whole input is known (a shard's packets, of which
 * it sees some): index is its position among all the input's packets (nta_analyzer_packet
 * counts them itself: 0, 1, ...; indices must increase), clock_ns the latest capture time of
 * any packet up to and including it, on which timers run. Cids and event positions
 * (event/probes.h) derive from these two, so a shard emits what one run over all packets
 * would for its connections. */
int nta_analyzer_packet_at(nta_analyzer *an, const nta_packet *pkt, const nta_decoded *d,
                           uint64_t index, uint64_t clock_ns);

/* Capture time reached clock_ns without a packet for this analyzer (a shard after its last
 * packet, when the whole input went on): timers due by then fire, as the next packet would
 * have fired them. Returns 0 or the sink's negative error. */
int nta_analyzer_tick(nta_analyzer *an, uint64_t clock_ns);

/* End of input (the caller then finishes the sink). Pending TIME_WAIT timers do not fire (the capture
 * ended before 2*MSL passed). */
int nta_analyzer_finish(nta_analyzer *an);

void nta_analyzer_get_stats(const nta_analyzer *an, nta_analyzer_stats *st);

/* 1 when a packet makes the analyzer fire tcp or udp send or receive probes with these traced
 * hosts (it has a TCP or UDP header the analyzer reads and a traced end): the packets --bytes
 * counts, for a plan that fixes where --bytes --interval's blocks start. */
int nta_analyzer_fires_l4(const nta_locals *l, const nta_decoded *d);

#endif
