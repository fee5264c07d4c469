/* analyzer/tcp_fsm.h: one traced endpoint's TCP state machine, driven by the segments it sends
 * and receives, firing tcp probes where FreeBSD 14 fires them.
 *
 * Follows shared/reference/dtrace-providers.md sections 1.4-1.6: receive fires before the
 * segment is applied, send before the send variables advance; passive opens live in the
 * syncache (NULL tcpcb) until the final ACK creates the socket (CLOSED -> SYN_RECEIVED ->
 * ESTABLISHED in one segment); RSTs answering segments with no tcpcb fire accept-refused.
 * nta_fsm_set_state() is the only place that fires tcp:::state-change. */
#ifndef NTA_ANALYZER_TCP_FSM_H
#define NTA_ANALYZER_TCP_FSM_H

#include <stdint.h>

#include "event/probes.h"
#include "analyzer/tcb.h"
#include "formats/decode.h"

/* One segment as the endpoint sends or receives it. */
typedef struct nta_seg {
    uint64_t ts_ns;
    uint32_t seq, ack, len;   /**< len: payload bytes (SYN and FIN not counted) */
    uint16_t win;             /**< raw, unscaled */
    uint8_t flags;
    const nta_tcp_opts *opts;
} nta_seg;

/* How the state machine reaches the world. */
typedef struct nta_fsm_env {
    /* Fire probe p on the endpoint. t is the tcpcb to describe, NULL for a NULL tcpcb; old is
     * the previous state (state-change only); with_seg says whether the segment's ip/tcp
     * arguments are passed (all probes but state-change); ts is the event time. */
    void (*fire)(void *ctx, nta_probe p, const nta_tcb *t, int32_t old, int with_seg, uint64_t ts);
    uint64_t (*new_cid)(void *ctx);
    void *ctx;
    int peer_is_local;        /**< the peer is a local address: TIME_WAIT ends at once (FreeBSD
                                   14, net.inet.tcp.nolocaltimewait=1) */
    uint64_t midstream;       /**< pickups counted here */
    int deferred;             /**< set while a held FIN is applied: its events belong to that
                                   FIN's moment, not to the segment being handled */
} nta_fsm_env;

void nta_fsm_send(nta_fsm_env *env, nta_tcb *t, const nta_seg *s);
void nta_fsm_receive(nta_fsm_env *env, nta_tcb *t, const nta_seg *s);

/* The only place that fires tcp:::state-change (at time ts). */
void nta_fsm_set_state(nta_fsm_env *env, nta_tcb *t, int32_t state, uint64_t ts);

/* Apply a FIN held back in ESTABLISHED (see tcp_fsm.c, fin_arrived) at time ts; the analyzer
 * calls it at the end of input and before forgetting a connection. */
void nta_fsm_apply_deferred(nta_fsm_env *env, nta_tcb *t, uint64_t ts);

/* 2*MSL of capture time has passed in TIME_WAIT: TIME_WAIT -> CLOSED at ts. */
void nta_fsm_timewait_done(nta_fsm_env *env, nta_tcb *t, uint64_t ts);

/* Nonzero while the endpoint holds an open connection (not CLOSED, not TIME_WAIT). */
int nta_fsm_is_open(const nta_tcb *t);

/* Sequence comparisons modulo 2^32 (TCP/IP Illustrated vol. 2, p. 810). */
static inline int nta_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int nta_seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline int nta_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline int nta_seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

#endif
