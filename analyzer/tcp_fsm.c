/* analyzer/tcp_fsm.c: per-endpoint TCP state machine and probe firing points (see tcp_fsm.h).
 *
 * What a capture cannot show is estimated where the estimate is honest and documented in
 * man/nta.1: RTT (RFC 6298 from data sent and the ACK covering it, Karn's rule), RTO
 * (srtt + 4*rttvar, FreeBSD's 30 ms floor), retransmission (data sent below snd_max).
 * Not done here: payload reassembly (bytes are counted, never stored), congestion window. */
#include "analyzer/tcp_fsm.h"

#include <stdlib.h>
#include <string.h>

#define RTO_MIN_MS 30u       /* FreeBSD net.inet.tcp.rexmit_min */
#define RTO_INIT_MS 1000u    /* tcp_rexmit_initial */

static int has(const nta_seg *s, uint8_t f) { return (s->flags & f) != 0; }

/* Window scaling applies only when both SYNs carried the option (RFC 7323 2.2). */
static void negotiate(nta_tcb *t)
{
    if (t->my_ws >= 0 && t->peer_ws >= 0) {
        t->snd_scale = t->peer_ws;
        t->rcv_scale = t->my_ws;
    } else {
        t->snd_scale = t->rcv_scale = 0;
    }
}

static void new_tcb(nta_fsm_env *env, nta_tcb *t)
{
    int8_t my_ws = t->my_ws, peer_ws = t->peer_ws;
    uint16_t my_mss = t->my_mss, peer_mss = t->peer_mss;
    uint32_t sc_iss = t->sc_iss, sc_irs = t->sc_irs, sc_wnd = t->sc_wnd;
    uint32_t (*heap)[2] = t->ooo_heap;   /* kept for the next incarnation: allocated once */
    memset(t, 0, sizeof *t);
    t->ooo_heap = heap;
    t->my_ws = my_ws;
    t->peer_ws = peer_ws;
    t->my_mss = my_mss;
    t->peer_mss = peer_mss;
    t->sc_iss = sc_iss;
    t->sc_irs = sc_irs;
    t->sc_wnd = sc_wnd;
    t->exists = 1;
    t->state = TCPS_CLOSED;
    t->cid = env->new_cid(env->ctx);
    t->srtt_us = -1;
    t->rto_ms = RTO_INIT_MS;
}

static void fresh_options(nta_tcb *t)
{
    t->my_ws = t->peer_ws = -1;
    t->my_mss = t->peer_mss = 0;
}

int nta_fsm_is_open(const nta_tcb *t)
{
    return t->exists && t->state != TCPS_CLOSED && t->state != TCPS_TIME_WAIT;
}

void nta_fsm_set_state(nta_fsm_env *env, nta_tcb *t, int32_t state, uint64_t ts)
{
    if (t->state == state)
        return;
    int32_t old = t->state;
    t->state = state;
    env->fire(env->ctx, NTA_PROBE_TCP_STATE_CHANGE, t, old, 0, ts);
    if (state == TCPS_CLOSED) {
        t->exists = 0;
        t->closed = 1;
        t->syncache = 0;
    } else if (state == TCPS_TIME_WAIT && env->peer_is_local) {
        nta_fsm_set_state(env, t, TCPS_CLOSED, ts);
    }
}

void nta_fsm_timewait_done(nta_fsm_env *env, nta_tcb *t, uint64_t ts)
{
    if (t->exists && t->state == TCPS_TIME_WAIT)
        nta_fsm_set_state(env, t, TCPS_CLOSED, ts);
}

/* A connection seen without its handshake: ESTABLISHED, no probes, values taken from the first
 * segment (guessed, and flagged midstream). */
static void pickup(nta_fsm_env *env, nta_tcb *t, uint32_t snd, uint32_t rcv, int have_rcv)
{
    new_tcb(env, t);
    t->state = TCPS_ESTABLISHED;   /* set directly: nothing fired, as DTrace saw no change */
    t->midstream = 1;
    t->iss = t->snd_una = t->snd_nxt = t->snd_max = snd;
    if (have_rcv)
        t->irs = t->rcv_nxt = rcv;
    t->snd_scale = t->rcv_scale = 0;   /* unknown without SYNs; windows read unscaled */
    env->midstream++;
}

/* ---- sending ---- */

static void rtt_sample(nta_tcb *t, uint64_t now)
{
    int64_t r = (int64_t)((now - t->rtt_start_ns) / 1000);
    if (t->srtt_us < 0) {
        t->srtt_us = r;
        t->rttvar_us = r / 2;
    } else {
        int64_t d = t->srtt_us - r;
        t->rttvar_us = (3 * t->rttvar_us + (d < 0 ? -d : d)) / 4;
        t->srtt_us = (7 * t->srtt_us + r) / 8;
    }
    uint64_t rto = (uint64_t)(t->srtt_us + 4 * t->rttvar_us) / 1000;
    t->rto_ms = rto < RTO_MIN_MS ? RTO_MIN_MS : (uint32_t)rto;
    t->timing = 0;
}

/* After the send probe: what tcp_output does at its label `out:`. */
static void after_send(nta_tcb *t, const nta_seg *s)
{
    uint32_t seglen = s->len + has(s, TH_SYN) + has(s, TH_FIN);
    if (seglen > 0) {
        if (nta_seq_lt(s->seq, t->snd_max)) {
            t->retransmit = 1;
            if (t->timing && nta_seq_leq(s->seq, t->rtseq))
                t->timing = 0;   /* Karn: no sample from a retransmitted segment */
        } else {
            t->retransmit = 0;
            if (!t->timing) {
                t->timing = 1;
                t->rtseq = s->seq;
                t->rtt_start_ns = s->ts_ns;
            }
        }
        uint32_t end = s->seq + seglen;
        t->snd_nxt = end;
        if (nta_seq_gt(end, t->snd_max))
            t->snd_max = end;
    }
    if (has(s, TH_FIN)) {
        t->fin_sent = 1;
        t->fin_seq = s->seq + s->len;
    }
    if (has(s, TH_ACK)) {
        t->last_ack_sent = s->ack;
        uint32_t wnd = has(s, TH_SYN) ? s->win : (uint32_t)s->win << t->rcv_scale;
        t->rcv_wnd = wnd;
        t->rcv_adv = s->ack + wnd;
        if (wnd > t->rcv_hiwat)
            t->rcv_hiwat = wnd;
    }
}

static void remember_my_options(nta_tcb *t, const nta_seg *s)
{
    t->my_ws = s->opts->wscale;
    t->my_mss = s->opts->mss;
}

void nta_fsm_send(nta_fsm_env *env, nta_tcb *t, const nta_seg *s)
{
    uint64_t ts = s->ts_ns;
    int simultaneous = 0;
    if (t->fin_deferred) {
        /* our FIN not acknowledging the peer's FIN was sent before that FIN arrived */
        simultaneous = has(s, TH_FIN) && has(s, TH_ACK) && nta_seq_lt(s->ack, t->rcv_nxt);
        if (!simultaneous)
            nta_fsm_apply_deferred(env, t, t->fin_deferred_ns);
    }
    if (simultaneous) {
        nta_fsm_set_state(env, t, TCPS_FIN_WAIT_1, ts);
        env->fire(env->ctx, NTA_PROBE_TCP_SEND, t, 0, 1, ts);
        after_send(t, s);
        nta_fsm_apply_deferred(env, t, ts);
        return;
    }
    if (!t->exists) {
        if (has(s, TH_SYN) && !has(s, TH_ACK) && !has(s, TH_RST)) {
            /* connect(): CLOSED -> SYN_SENT fires before the ISS is chosen */
            fresh_options(t);
            remember_my_options(t, s);
            new_tcb(env, t);
            nta_fsm_set_state(env, t, TCPS_SYN_SENT, ts);
            t->iss = t->snd_una = t->snd_nxt = t->snd_max = s->seq;
            env->fire(env->ctx, NTA_PROBE_TCP_CONNECT_REQUEST, t, 0, 1, ts);
            env->fire(env->ctx, NTA_PROBE_TCP_SEND, t, 0, 1, ts);
            after_send(t, s);
            return;
        }
        if (has(s, TH_SYN) && has(s, TH_ACK) && t->syncache) {
            /* the syncache answers: no tcpcb */
            t->sc_iss = s->seq;
            t->sc_wnd = s->win;
            remember_my_options(t, s);
            env->fire(env->ctx, NTA_PROBE_TCP_SEND, NULL, 0, 1, ts);
            return;
        }
        if (has(s, TH_RST)) {
            /* tcp_respond() for a segment no tcpcb took: accept-refused, then send */
            t->syncache = 0;
            env->fire(env->ctx, NTA_PROBE_TCP_ACCEPT_REFUSED, NULL, 0, 1, ts);
            env->fire(env->ctx, NTA_PROBE_TCP_SEND, NULL, 0, 1, ts);
            return;
        }
        if (t->closed) {
            /* late segment after the tcpcb closed (e.g. an ACK racing the close) */
            env->fire(env->ctx, NTA_PROBE_TCP_SEND, NULL, 0, 1, ts);
            return;
        }
        fresh_options(t);
        pickup(env, t, s->seq, s->ack, has(s, TH_ACK));
    }

    if (t->state == TCPS_SYN_SENT && has(s, TH_SYN) && !has(s, TH_ACK)) {
        /* connect-request fires for every SYN sent in SYN_SENT, retransmissions included */
        env->fire(env->ctx, NTA_PROBE_TCP_CONNECT_REQUEST, t, 0, 1, ts);
        env->fire(env->ctx, NTA_PROBE_TCP_SEND, t, 0, 1, ts);
        after_send(t, s);
        return;
    }
    if (has(s, TH_RST)) {
        /* tcp_drop(): CLOSED first, then tcp_output sends the RST with that tcpcb, state
         * CLOSED (no accept-refused: that is tcp_respond's) */
        nta_fsm_set_state(env, t, TCPS_CLOSED, ts);
        env->fire(env->ctx, NTA_PROBE_TCP_SEND, t, 0, 1, ts);
        return;
    }
    if (has(s, TH_FIN)) {
        /* the user closed: the state changes before the FIN is sent */
        if (t->state == TCPS_ESTABLISHED || t->state == TCPS_SYN_RECEIVED)
            nta_fsm_set_state(env, t, TCPS_FIN_WAIT_1, ts);
        else if (t->state == TCPS_CLOSE_WAIT)
            nta_fsm_set_state(env, t, TCPS_LAST_ACK, ts);
    }
    if (has(s, TH_SYN) && has(s, TH_ACK) && t->state == TCPS_SYN_RECEIVED)
        remember_my_options(t, s);   /* simultaneous open: our SYN|ACK */
    env->fire(env->ctx, NTA_PROBE_TCP_SEND, t, 0, 1, ts);
    after_send(t, s);
}

/* ---- receiving ---- */

static void take_peer_options(nta_tcb *t, const nta_seg *s)
{
    t->peer_ws = s->opts->wscale;
    t->peer_mss = s->opts->mss;
}

static void process_ack(nta_fsm_env *env, nta_tcb *t, const nta_seg *s)
{
    if (!has(s, TH_ACK))
        return;
    for (int i = 0; i < s->opts->nsack; i++)
        if (nta_seq_gt(s->opts->sack[i][1], t->sack_fack))
            t->sack_fack = s->opts->sack[i][1];
    if (s->opts->has_ts)
        t->ts_recent = s->opts->tsval;
    if (nta_seq_gt(s->ack, t->snd_una) && nta_seq_leq(s->ack, t->snd_max)) {
        if (t->timing && nta_seq_gt(s->ack, t->rtseq))
            rtt_sample(t, s->ts_ns);
        t->snd_una = s->ack;
        t->dupacks = 0;
        if (nta_seq_lt(t->snd_nxt, t->snd_una))
            t->snd_nxt = t->snd_una;
    } else if (s->ack == t->snd_una && s->len == 0 && !has(s, TH_SYN | TH_FIN)
               && t->snd_max != t->snd_una) {
        t->dupacks++;
    }
    if (nta_seq_lt(t->snd_wl1, s->seq) || (t->snd_wl1 == s->seq && nta_seq_leq(t->snd_wl2, s->ack))
        || (t->snd_wl1 == 0 && t->snd_wl2 == 0)) {
        t->snd_wnd = (uint32_t)s->win << t->snd_scale;
        t->snd_wl1 = s->seq;
        t->snd_wl2 = s->ack;
    }
    if (t->fin_sent && nta_seq_geq(s->ack, t->fin_seq + 1)) {
        if (t->state == TCPS_FIN_WAIT_1)
            nta_fsm_set_state(env, t, TCPS_FIN_WAIT_2, s->ts_ns);
        else if (t->state == TCPS_CLOSING)
            nta_fsm_set_state(env, t, TCPS_TIME_WAIT, s->ts_ns);
        else if (t->state == TCPS_LAST_ACK)
            nta_fsm_set_state(env, t, TCPS_CLOSED, s->ts_ns);
    }
}

/* The peer's FIN is consumed once everything before it has arrived.
 *
 * Capture order is not each host's order: a capture taken near one host sees the other host's
 * segments late and its receipts early. When both ends close at once, the far end's FIN may be
 * captured after the near end's FIN although it was sent before that FIN reached it. So a FIN
 * received in ESTABLISHED is held (fin_deferred) until the endpoint's next segment: a FIN that
 * does not acknowledge the peer's proves it was sent first (simultaneous close: FIN_WAIT_1 then
 * CLOSING); anything else applies the ordinary ESTABLISHED -> CLOSE_WAIT at the FIN's time. */
static void fin_arrived(nta_fsm_env *env, nta_tcb *t, uint64_t ts)
{
    t->rcv_nxt++;
    t->fin_rcvd = 1;
    t->fin_pending = 0;
    if (t->state == TCPS_ESTABLISHED && !t->fin_deferred) {
        t->fin_deferred = 1;
        t->fin_deferred_ns = ts;
        return;
    }
    switch (t->state) {
    case TCPS_SYN_RECEIVED:
    case TCPS_ESTABLISHED:
        nta_fsm_set_state(env, t, TCPS_CLOSE_WAIT, ts);
        break;
    case TCPS_FIN_WAIT_1:
        nta_fsm_set_state(env, t, TCPS_CLOSING, ts);
        break;
    case TCPS_FIN_WAIT_2:
        nta_fsm_set_state(env, t, TCPS_TIME_WAIT, ts);
        break;
    default:
        break;
    }
}

/* ---- the reassembly queue (tcb.h): sorted disjoint ranges beyond rcv_nxt ---- */

static uint32_t (*queue(nta_tcb *t))[2]
{
    return t->ooo_heap != NULL ? t->ooo_heap : t->ooo_in;
}

/* How many queue entries FreeBSD's tcp_reass() lets a new one join (tcb.h). sb_hiwat is not in
 * a capture: the largest window the endpoint advertised stands for it (a window never exceeds
 * the buffer; the sender keeps its segments within it, so the estimate binds only when
 * segments are much smaller than t_maxseg). t_maxseg is the peer's MSS option, bounded by the
 * endpoint's own. Without the handshake windows are unscaled and MSS unknown: only the fixed
 * limit applies. */
static unsigned queue_limit(const nta_tcb *t)
{
    unsigned mss = t->peer_mss;
    if (t->my_mss != 0 && (mss == 0 || t->my_mss < mss))
        mss = t->my_mss;
    if (t->midstream || mss == 0 || t->rcv_hiwat == 0)
        return NTA_TCB_OOO_MAX;
    uint32_t by_buffer = t->rcv_hiwat / mss + 1;
    return by_buffer < NTA_TCB_OOO_MAX ? by_buffer : NTA_TCB_OOO_MAX;
}

/* A segment [seq, end) beyond rcv_nxt joins every range it overlaps or touches (as tcp_reass
 * appends, prepends and merges forward, so a burst overtaking one late segment is one entry);
 * one touching none is a new entry, dropped when the queue is full (tcps_rcvreassfull). */
static void ooo_insert(nta_tcb *t, uint32_t seq, uint32_t end)
{
    uint32_t (*q)[2] = queue(t);
    int n = t->nooo, i = 0;
    while (i < n && nta_seq_lt(q[i][1], seq))
        i++;   /* q[i] is the first range ending at or after seq */
    int j = i;
    while (j < n && nta_seq_leq(q[j][0], end))
        j++;   /* q[i..j) overlap or touch [seq, end) */
    if (j > i) {
        if (nta_seq_lt(q[i][0], seq))
            seq = q[i][0];
        if (nta_seq_gt(q[j - 1][1], end))
            end = q[j - 1][1];
        q[i][0] = seq;
        q[i][1] = end;
        memmove(q[i + 1], q[j], (size_t)(n - j) * sizeof q[0]);
        t->nooo = (uint8_t)(n - (j - i - 1));
        return;
    }
    if ((unsigned)n >= queue_limit(t))
        return;
    if (n == NTA_TCB_OOO_INLINE && t->ooo_heap == NULL) {
        t->ooo_heap = malloc(NTA_TCB_OOO_MAX * sizeof *t->ooo_heap);
        if (t->ooo_heap == NULL)
            return;   /* no memory: the queue stays at the inline ranges, as if full */
        memcpy(t->ooo_heap, t->ooo_in, sizeof t->ooo_in);
        q = t->ooo_heap;
    }
    memmove(q[i + 1], q[i], (size_t)(n - i) * sizeof q[0]);
    q[i][0] = seq;
    q[i][1] = end;
    t->nooo = (uint8_t)(n + 1);
}

/* rcv_nxt moved: past every queued range it now reaches, which leave the queue. */
static void ooo_reach(nta_tcb *t)
{
    uint32_t (*q)[2] = queue(t);
    int k = 0;
    while (k < t->nooo && nta_seq_leq(q[k][0], t->rcv_nxt)) {
        if (nta_seq_gt(q[k][1], t->rcv_nxt))
            t->rcv_nxt = q[k][1];
        k++;
    }
    if (k > 0) {
        memmove(q[0], q[k], (size_t)(t->nooo - k) * sizeof q[0]);
        t->nooo = (uint8_t)(t->nooo - k);
    }
}

/* Data moves rcv_nxt when in order, then past every held range it now reaches. */
static void process_data(nta_fsm_env *env, nta_tcb *t, const nta_seg *s)
{
    uint32_t seq = s->seq, end = s->seq + s->len;
    if (s->len > 0) {
        if (nta_seq_leq(seq, t->rcv_nxt) && nta_seq_gt(end, t->rcv_nxt)) {
            t->rcv_nxt = end;
            if (t->nooo > 0)
                ooo_reach(t);
        } else if (nta_seq_gt(seq, t->rcv_nxt)) {
            ooo_insert(t, seq, end);
        }
    }
    if (has(s, TH_FIN)) {
        if (end == t->rcv_nxt && !t->fin_rcvd) {
            fin_arrived(env, t, s->ts_ns);
        } else if (nta_seq_gt(end, t->rcv_nxt)) {
            t->fin_pending = 1;
            t->peer_fin_seq = end;
        }
    } else if (t->fin_pending && t->peer_fin_seq == t->rcv_nxt) {
        fin_arrived(env, t, s->ts_ns);
    }
}

void nta_fsm_apply_deferred(nta_fsm_env *env, nta_tcb *t, uint64_t ts)
{
    if (!t->fin_deferred)
        return;
    t->fin_deferred = 0;
    if (!t->exists)
        return;
    if (t->state == TCPS_ESTABLISHED || t->state == TCPS_SYN_RECEIVED)
        nta_fsm_set_state(env, t, TCPS_CLOSE_WAIT, ts);
    else if (t->state == TCPS_FIN_WAIT_1)
        nta_fsm_set_state(env, t, TCPS_CLOSING, ts);
    else if (t->state == TCPS_FIN_WAIT_2)
        nta_fsm_set_state(env, t, TCPS_TIME_WAIT, ts);
}

static int rst_acceptable(const nta_tcb *t, const nta_seg *s)
{
    /* RFC 5961: exactly rcv_nxt is accepted; a capture loses nothing by also taking the window
     * (the host would answer anything else with a challenge ACK, visible as a send). */
    uint32_t wnd = t->rcv_wnd ? t->rcv_wnd : 65535;
    return nta_seq_geq(s->seq, t->rcv_nxt) && nta_seq_lt(s->seq, t->rcv_nxt + wnd);
}

static void syncache_expand(nta_fsm_env *env, nta_tcb *t, const nta_seg *s)
{
    uint64_t ts = s->ts_ns;
    new_tcb(env, t);
    /* the socket is created CLOSED -> SYN_RECEIVED before iss/irs/rcv_nxt are copied in */
    nta_fsm_set_state(env, t, TCPS_SYN_RECEIVED, ts);
    t->iss = t->sc_iss;
    t->irs = t->sc_irs;
    t->rcv_nxt = t->rcv_adv = t->irs + 1;
    t->snd_una = t->iss;
    t->snd_nxt = t->snd_max = t->iss + 1;
    t->last_ack_sent = t->irs + 1;   /* what the syncache's SYN|ACK acknowledged */
    t->rcv_wnd = t->sc_wnd;          /* and advertised (a SYN's window is never scaled) */
    t->rcv_hiwat = t->rcv_wnd;
    t->rcv_adv = t->rcv_nxt + t->rcv_wnd;
    negotiate(t);
    env->fire(env->ctx, NTA_PROBE_TCP_RECEIVE, t, 0, 1, ts);
    t->snd_wnd = (uint32_t)s->win << t->snd_scale;
    t->snd_wl1 = s->seq;
    t->snd_wl2 = s->ack;
    nta_fsm_set_state(env, t, TCPS_ESTABLISHED, ts);
    /* ACK processing (snd_una = ack) happens after accept-established */
    env->fire(env->ctx, NTA_PROBE_TCP_ACCEPT_ESTABLISHED, t, 0, 1, ts);
    process_ack(env, t, s);
    process_data(env, t, s);
}

static void receive_syn_sent(nta_fsm_env *env, nta_tcb *t, const nta_seg *s)
{
    uint64_t ts = s->ts_ns;
    int ack_ok = has(s, TH_ACK) && nta_seq_gt(s->ack, t->iss) && nta_seq_leq(s->ack, t->snd_max);
    if (has(s, TH_RST)) {
        if (ack_ok) {
            env->fire(env->ctx, NTA_PROBE_TCP_CONNECT_REFUSED, t, 0, 1, ts);
            nta_fsm_set_state(env, t, TCPS_CLOSED, ts);
        }
        return;   /* a bare RST in SYN_SENT is dropped */
    }
    if (!has(s, TH_SYN))
        return;
    take_peer_options(t, s);
    negotiate(t);
    t->irs = s->seq;
    t->rcv_nxt = t->rcv_adv = s->seq + 1;
    t->snd_wnd = s->win;   /* windows in SYNs are never scaled */
    t->snd_wl1 = s->seq;
    t->snd_wl2 = s->ack;
    if (ack_ok) {
        if (t->timing && nta_seq_gt(s->ack, t->rtseq))
            rtt_sample(t, ts);
        t->snd_una = s->ack;
        nta_fsm_set_state(env, t, TCPS_ESTABLISHED, ts);
        env->fire(env->ctx, NTA_PROBE_TCP_CONNECT_ESTABLISHED, t, 0, 1, ts);
        nta_seg rest = *s;
        rest.seq = s->seq + 1;
        rest.flags &= (uint8_t)~TH_SYN;
        process_data(env, t, &rest);
    } else {
        nta_fsm_set_state(env, t, TCPS_SYN_RECEIVED, ts);   /* simultaneous open */
    }
}

void nta_fsm_receive(nta_fsm_env *env, nta_tcb *t, const nta_seg *s)
{
    uint64_t ts = s->ts_ns;
    nta_fsm_apply_deferred(env, t, t->fin_deferred_ns);
    if (!t->exists) {
        if (has(s, TH_SYN) && !has(s, TH_ACK) && !has(s, TH_RST)) {
            /* a SYN for a listener: it lives in the syncache, the probe sees no tcpcb */
            fresh_options(t);
            take_peer_options(t, s);
            t->syncache = 1;
            t->sc_irs = s->seq;
            env->fire(env->ctx, NTA_PROBE_TCP_RECEIVE, NULL, 0, 1, ts);
            return;
        }
        if (t->syncache && has(s, TH_ACK) && !has(s, TH_SYN | TH_RST) && s->ack == t->sc_iss + 1) {
            syncache_expand(env, t, s);
            return;
        }
        if (has(s, TH_RST) || t->closed || t->syncache) {
            /* to a closed port or to no socket: the probe fires with a NULL tcpcb */
            if (has(s, TH_RST))
                t->syncache = 0;
            env->fire(env->ctx, NTA_PROBE_TCP_RECEIVE, NULL, 0, 1, ts);
            return;
        }
        fresh_options(t);
        pickup(env, t, s->ack, has(s, TH_SYN) ? s->seq + 1 : s->seq, 1);
        if (!has(s, TH_ACK))
            t->snd_una = t->snd_nxt = t->snd_max = 0;
    }
    if (t->state == TCPS_TIME_WAIT) {
        /* TIME_WAIT segments are handled by tcp_twcheck() with a NULL tcpcb; a new SYN there
         * ends the old incarnation and starts a passive open */
        env->fire(env->ctx, NTA_PROBE_TCP_RECEIVE, NULL, 0, 1, ts);
        if (has(s, TH_SYN) && !has(s, TH_ACK) && !has(s, TH_RST)) {
            nta_fsm_set_state(env, t, TCPS_CLOSED, ts);
            t->closed = 0;
            fresh_options(t);
            take_peer_options(t, s);
            t->syncache = 1;
            t->sc_irs = s->seq;
        }
        return;
    }
    env->fire(env->ctx, NTA_PROBE_TCP_RECEIVE, t, 0, 1, ts);
    if (t->state == TCPS_SYN_SENT) {
        receive_syn_sent(env, t, s);
        return;
    }
    if (has(s, TH_RST)) {
        if (rst_acceptable(t, s))
            nta_fsm_set_state(env, t, TCPS_CLOSED, ts);
        return;
    }
    if (has(s, TH_SYN)) {
        if (t->state == TCPS_SYN_RECEIVED && has(s, TH_ACK)) {
            /* simultaneous open: the peer's SYN|ACK completes it */
            take_peer_options(t, s);
            negotiate(t);
        } else {
            return;   /* a SYN on a synchronized connection only draws a challenge ACK */
        }
    }
    if (t->state == TCPS_SYN_RECEIVED) {
        if (!has(s, TH_ACK) || !nta_seq_gt(s->ack, t->snd_una))
            return;
        nta_fsm_set_state(env, t, TCPS_ESTABLISHED, ts);
        env->fire(env->ctx, NTA_PROBE_TCP_ACCEPT_ESTABLISHED, t, 0, 1, ts);
    }
    process_ack(env, t, s);
    if (!t->exists)
        return;   /* LAST_ACK -> CLOSED */
    nta_seg data = *s;
    if (has(s, TH_SYN)) {
        data.seq = s->seq + 1;
        data.flags &= (uint8_t)~TH_SYN;
    }
    process_data(env, t, &data);
}
