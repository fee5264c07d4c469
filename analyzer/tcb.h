/* analyzer/tcb.h: one traced endpoint's view of a TCP connection (a FreeBSD tcpcb, as far as a
 * capture shows it) and the connection that holds the two endpoints.
 *
 * Fields mirror the tcpcb members that tcpsinfo_t translates (shared/reference section 2.6).
 * Owned by the flow table (flow.c); changed only by tcp_fsm.c. About 400 bytes per connection,
 * plus 800 for each endpoint that once held more than 8 out-of-order ranges; no allocation per
 * segment. */
#ifndef NTA_ANALYZER_TCB_H
#define NTA_ANALYZER_TCB_H

#include <stdint.h>
#include <stdlib.h>

#include "common/addr.h"

/* The reassembly queue: disjoint ranges of sequence space received beyond rcv_nxt (merged as
 * they grow and touch), so a filled hole moves rcv_nxt past what the host had queued. FreeBSD's
 * tcp_reass() starts a new queue entry only while it holds fewer than
 * min(sb_hiwat / t_maxseg + 1, net.inet.tcp.reass.maxqueuelen = 100) and drops the segment
 * otherwise; nta holds the same. The first NTA_TCB_OOO_INLINE ranges live in the tcb; beyond
 * them one block of NTA_TCB_OOO_MAX (800 bytes) is allocated for the endpoint's lifetime. */
#define NTA_TCB_OOO_INLINE 8
#define NTA_TCB_OOO_MAX 100

typedef struct nta_tcb {
    uint64_t cid;             /**< cs_cid of this incarnation; 0 while no tcpcb exists */
    int32_t state;            /**< TCPS_*; meaningful only when exists */
    uint8_t exists;           /**< a tcpcb exists (FreeBSD created a socket for it) */
    uint8_t closed;           /**< the tcpcb went to CLOSED: the port is closed for this 4-tuple */
    uint8_t syncache;         /**< a SYN arrived and lives in the syncache (no tcpcb yet) */
    uint8_t midstream;        /**< picked up without seeing the handshake (values guessed) */
    uint8_t fin_sent, fin_rcvd, fin_pending;
    uint8_t fin_deferred;     /**< a FIN received in ESTABLISHED waits for the endpoint's next
                                   segment to show which came first (tcp_fsm.c) */
    uint8_t retransmit;       /**< tcps_retransmit: the last data sent was a retransmission */
    uint8_t timing;           /**< an RTT measurement is running (rtseq, rtt_start_ns) */
    int8_t snd_scale, rcv_scale;
    int8_t my_ws, peer_ws;    /**< window scale options offered, -1 none */
    uint16_t my_mss, peer_mss;   /**< MSS options offered, 0 none */
    uint32_t iss, irs, snd_una, snd_nxt, snd_max, rcv_nxt, rcv_adv, last_ack_sent;
    uint32_t snd_wnd, snd_wl1, snd_wl2, rcv_wnd;
    uint32_t fin_seq;         /**< sequence number of our FIN */
    uint32_t peer_fin_seq;    /**< sequence number of the peer's FIN waiting for a hole to fill */
    uint32_t sack_fack, ts_recent, rtseq;
    uint32_t sc_iss, sc_irs;  /**< syncache entry: the SYN|ACK's and the SYN's sequence numbers */
    uint32_t sc_wnd;          /**< the window the SYN|ACK advertised */
    int32_t dupacks;
    uint64_t rtt_start_ns;
    uint64_t fin_deferred_ns; /**< when that FIN was captured */
    int64_t srtt_us, rttvar_us;   /**< RFC 6298 state; srtt_us < 0 before the first sample */
    uint32_t rto_ms;
    uint32_t rcv_hiwat;       /**< largest window advertised: stands for FreeBSD's sb_hiwat */
    uint32_t ooo_in[NTA_TCB_OOO_INLINE][2];   /**< the queue while it fits, sorted by start */
    uint32_t (*ooo_heap)[2];  /**< NTA_TCB_OOO_MAX ranges once it did not fit, else NULL */
    uint8_t nooo;             /**< ranges held */
} nta_tcb;

/* Frees what the tcb holds outside itself (the overflow block); the tcb stays usable, with an
 * empty queue. The flow table calls it before forgetting a connection. */
static inline void nta_tcb_release(nta_tcb *t)
{
    free(t->ooo_heap);
    t->ooo_heap = NULL;
    t->nooo = 0;
}

typedef struct nta_conn {
    nta_addr addr[2];         /**< the two endpoints, canonical order (addr[0] < addr[1]) */
    uint16_t port[2];
    uint8_t proto;
    uint8_t traced;           /**< bit i: endpoint i is a traced (local) host (fixed per
                                   connection: computed once, when it is created) */
    uint8_t loopback;         /**< bit i: endpoint i is a loopback address */
    uint8_t list;             /**< which recency list it is on (flow.c) */
    uint64_t last_ns;         /**< capture time of its last packet (the latest, if packets
                                   came out of time order) */
    uint64_t last_pkt;        /**< index of its last packet in the whole input: orders its
                                   timer and end-of-input events (event/probes.h) */
    uint32_t prev, next;      /**< recency list links (indices; 0 = none) */
    nta_tcb t[2];             /**< t[i] is endpoint i's tcpcb */
} nta_conn;

#endif
