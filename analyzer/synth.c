/* analyzer/synth.c: the analyzer: packets in, probe events out (see synth.h).
 *
 * cs_cid values look like pointers (0xf80000100000 + 0x400 per slot) and are unique per
 * endpoint and incarnation. The slot is 4 x the index of the packet that made the tcpcb, plus
 * which tcpcb of that packet it is (a packet makes at most one per endpoint): a shard, which
 * sees only some of the packets, hands out the same values as one run over all of them
 * (DESIGN.md, "Beyond one machine"). They stay below 2^53 for inputs of up to 2^41 packets, so
 * that JSON tools reading numbers as doubles (jq) keep them exact; FreeBSD's real
 * 0xfffff800... values would not survive that.
 * udps_addr is derived from the local address and port (a socket is bound to them), so UDP
 * needs no table.
 * A packet's process (nta_packet.proc) goes to every probe its handling fires: ip, tcp and udp
 * send/receive and the tcp state changes and connect/accept probes it causes. Timers and held
 * FINs applied later fire with no process: no packet of that moment says whose they are. */
#include "analyzer/synth.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/flow.h"
#include "analyzer/tcp_fsm.h"
#include "common/cursor.h"

#define CID_BASE 0xf80000100000ull
#define IFADDR_BASE 0xf80000010000ull

struct nta_analyzer {
    nta_analyzer_opts o;
    nta_sink sink;
    nta_flow_table *ft;
    nta_fsm_env env;
    nta_analyzer_stats st;
    uint64_t next_pkt;           /* index nta_analyzer_packet gives the next packet */
    uint64_t clock;              /* latest capture time of any packet so far: timers run on it */
    uint64_t last_pkt;           /* index of the last packet handled */
    unsigned cids_in_pkt;        /* tcpcbs the current packet made so far */
    nta_event_pos pos;           /* where the events being emitted stand */
    int rc;                      /* first sink error; stops further output */

    /* the packet being processed and its argument structures */
    const nta_packet *pkt;
    const nta_proc *proc;        /* its process; NULL while timers fire */
    const nta_decoded *d;
    pktinfo_t pktinfo;
    csinfo_t cs_none;
    ipinfo_t ip;
    ifinfo_t ifinfo;
    ipv4info_t ipv4;
    ipv6info_t ipv6;
    tcpinfo_t tcp;
    udpinfo_t udp;
    udpsinfo_t udps;
    nta_addr src, dst;
    /* the last addresses asked about and whether they are traced: consecutive packets mostly
     * belong to the same few conversations, and the prefix match costs more than this */
    nta_addr lc_addr[4];
    uint8_t lc_local[4];
    unsigned lc_next;
    /* per-interface values, computed once per interface instead of once per packet */
    struct { const char *name; int8_t local; uint8_t known; } ifcache[64];
    /* the connection endpoint the state machine is working for */
    nta_conn *conn;
    int side;
};

static int enabled(const nta_analyzer *an, nta_probe p) { return (an->o.probes >> p) & 1u; }

static void emit(nta_analyzer *an, nta_event *ev)
{
    if (an->rc < 0 || an->sink.on_event == NULL)
        return;   /* no consumer: the event was built, nobody takes it */
    an->st.events++;
    an->rc = an->sink.on_event(an->sink.ctx, ev);
}

static uint32_t tcb_mss(const nta_tcb *t, int family)
{
    if (t->peer_mss && t->my_mss)
        return t->peer_mss < t->my_mss ? t->peer_mss : t->my_mss;
    if (t->peer_mss)
        return t->peer_mss;
    if (t->my_mss)
        return t->my_mss;
    return family == 6 ? 1220 : 536;   /* net.inet.tcp.mssdflt / v6mssdflt */
}

/* Every field is assigned: no memset on this per-event path. */
static void fill_tcpsinfo(tcpsinfo_t *s, const nta_tcb *t, const nta_conn *c, int side)
{
    s->tcps_addr = (uintptr_t)t->cid;
    s->tcps_local = s->tcps_active = -1;
    s->tcps_lport = c->port[side];
    s->tcps_rport = c->port[1 - side];
    s->tcps_laddr = c->addr[side];
    s->tcps_raddr = c->addr[1 - side];
    s->tcps_state = t->state;
    s->tcps_iss = t->iss;
    s->tcps_irs = t->irs;
    s->tcps_suna = t->snd_una;
    s->tcps_smax = t->snd_max;
    s->tcps_snxt = t->snd_nxt;
    s->tcps_rack = t->last_ack_sent;
    s->tcps_rnxt = t->rcv_nxt;
    s->tcps_swnd = t->snd_wnd;
    s->tcps_snd_ws = t->snd_scale;
    s->tcps_swl1 = t->snd_wl1;
    s->tcps_swl2 = t->snd_wl2;
    s->tcps_rup = t->rcv_nxt;
    s->tcps_radv = t->rcv_adv;
    s->tcps_rwnd = t->rcv_wnd;
    s->tcps_rcv_ws = t->rcv_scale;
    s->tcps_cwnd = 0xffffffffu;           /* not visible in a capture */
    s->tcps_cwnd_ssthresh = 0xffffffffu;
    s->tcps_srecover = t->iss;            /* FreeBSD initialises snd_recover to iss */
    s->tcps_sack_fack = t->sack_fack;
    s->tcps_sack_snxt = 0;
    s->tcps_rto = t->rto_ms;
    s->tcps_mss = t->exists || t->closed ? tcb_mss(t, c->addr[side].family) : 0;
    s->tcps_retransmit = t->retransmit;
    /* t_srtt is ticks << 5 (TCP_RTT_SCALE) at hz = 1000: ms * 32 */
    s->tcps_srtt = t->srtt_us < 0 ? 0 : (int32_t)(t->srtt_us * 32 / 1000);
    s->tcps_debug = 0;
    s->tcps_cookie = -1;
    s->tcps_dupacks = t->dupacks;
    s->tcps_rtttime = t->timing ? (uint32_t)(t->rtt_start_ns / 1000000u) : 0;
    s->tcps_rtseq = t->rtseq;
    s->tcps_ts_recent = t->ts_recent;
}

/* nta_fsm_env.fire: build the event for the endpoint an->conn/an->side. */
static void fire(void *ctx, nta_probe p, const nta_tcb *t, int32_t old, int with_seg, uint64_t ts)
{
    nta_analyzer *an = ctx;
    if (!enabled(an, p))
        return;
    nta_event ev = { 0 };   /* stores in place; memset() was a call per event */
    csinfo_t cs = { 0, t ? t->cid : 0, 0, 0 };
    tcpsinfo_t tcps;
    tcplsinfo_t ls = { old };
    ev.probe = p;
    ev.ts_ns = ts;
    ev.host = &an->conn->addr[an->side];
    ev.cs = &cs;
    ev.proc = an->env.deferred ? NULL : an->proc;
    ev.pos = &an->pos;
    if (t != NULL && (!(an->o.skip & NTA_SKIP_TCPSINFO) || ((an->o.tcps_probes >> p) & 1u))) {
        fill_tcpsinfo(&tcps, t, an->conn, an->side);
        ev.tcps = &tcps;
    }
    if (with_seg) {
        ev.pkt = &an->pktinfo;
        ev.ip = &an->ip;
        ev.tcp = &an->tcp;
    }
    if (p == NTA_PROBE_TCP_STATE_CHANGE)
        ev.tcpls = &ls;
    emit(an, &ev);
}

static uint64_t new_cid(void *ctx)
{
    nta_analyzer *an = ctx;
    an->st.connections++;
    /* timers and the end of input make no tcpcb: only packets do, at most one per endpoint
     * (the & 3 keeps a slot of this packet whatever happens) */
    return CID_BASE + 0x400u * (4 * an->last_pkt + (an->cids_in_pkt++ & 3));
}

nta_analyzer *nta_analyzer_new(const nta_analyzer_opts *o, const nta_sink *sink)
{
    nta_analyzer *an = calloc(1, sizeof *an);
    if (an == NULL)
        return NULL;
    an->o = *o;
    an->sink = *sink;
    an->ft = nta_flow_new(o->max_flows);
    if (an->ft == NULL) {
        free(an);
        return NULL;
    }
    an->env.fire = fire;
    an->env.new_cid = new_cid;
    an->env.ctx = an;
    return an;
}

void nta_analyzer_free(nta_analyzer *an)
{
    if (an == NULL)
        return;
    nta_flow_free(an->ft);
    free(an);
}

/* ---- timers ---- */

static int all_closing(const nta_conn *c)
{
    for (int i = 0; i < 2; i++)
        if (((c->traced >> i) & 1) && nta_fsm_is_open(&c->t[i]))
            return 0;
    return 1;
}

static void apply_deferred(nta_analyzer *an, nta_conn *c)
{
    for (int i = 0; i < 2; i++) {
        if (c->t[i].fin_deferred) {
            an->conn = c;
            an->side = i;
            an->env.peer_is_local = (c->loopback >> (1 - i)) & 1;
            nta_fsm_apply_deferred(&an->env, &c->t[i], c->t[i].fin_deferred_ns);
        }
    }
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* When the oldest connection of list comes due (UINT64_MAX: none), into *idx. */
static uint64_t due(nta_analyzer *an, int list, uint64_t after, uint32_t *idx)
{
    *idx = nta_flow_oldest(an->ft, list);
    return *idx ? add_sat(nta_flow_at(an->ft, *idx)->last_ns, after) : UINT64_MAX;
}

/* Every timer due by now, earliest deadline first (TIME_WAIT's end before an idle timeout at
 * the same time): the order depends on the deadlines alone, so a shard holding some of the
 * connections fires its timers in the order one run would (event/probes.h, TIMER). */
static void run_timers(nta_analyzer *an, uint64_t now)
{
    uint64_t tw = add_sat(an->o.msl_ns, an->o.msl_ns);
    for (;;) {
        uint32_t ci, oi;
        uint64_t cd = due(an, NTA_FLOW_CLOSING, tw, &ci), od = due(an, NTA_FLOW_OPEN, an->o.idle_ns, &oi);
        int closing = ci != 0 && cd <= od;
        uint32_t idx = closing ? ci : oi;
        uint64_t deadline = closing ? cd : od;
        if (idx == 0 || deadline > now)
            break;
        nta_conn *c = nta_flow_at(an->ft, idx);
        an->pos = (nta_event_pos){ NTA_WHEN_TIMER, (uint8_t)!closing, c->last_pkt, deadline };
        if (closing) {
            for (int i = 0; i < 2; i++) {
                if (c->t[i].exists && c->t[i].state == TCPS_TIME_WAIT) {
                    an->conn = c;
                    an->side = i;
                    an->env.peer_is_local = 0;
                    nta_fsm_timewait_done(&an->env, &c->t[i], deadline);
                }
            }
        } else {
            apply_deferred(an, c);
            an->st.idle_expired++;
        }
        nta_flow_remove(an->ft, idx);
    }
}

/* ---- per packet ---- */

static void build_ip_args(nta_analyzer *an)
{
    const nta_decoded *d = an->d;
    const nta_packet *pkt = an->pkt;
    nta_addr_set(&an->src, d->ip_ver, d->saddr);
    nta_addr_set(&an->dst, d->ip_ver, d->daddr);
    an->ip.ip_ver = d->ip_ver;
    an->ip.ip_plength = d->ip_plength;
    an->ip.ip_saddr = an->src;
    an->ip.ip_daddr = an->dst;
    uint32_t ix = pkt->ifindex;
    if (ix >= 64 || !an->ifcache[ix].known) {
        const char *name = an->o.ifname != NULL ? an->o.ifname(an->o.ifname_ctx, ix) : NULL;
        if (name == NULL)
            name = "unknown";
        /* IFF_LOOPBACK: a loopback link type or name */
        int8_t local = (int8_t)(pkt->linktype == NTA_LINK_NULL || pkt->linktype == NTA_LINK_LOOP
                                || strcmp(name, "lo") == 0 || strcmp(name, "lo0") == 0);
        an->ifinfo.if_name = name;
        an->ifinfo.if_local = local;
        if (ix < 64) {
            an->ifcache[ix].name = name;
            an->ifcache[ix].local = local;
            an->ifcache[ix].known = 1;
        }
    } else {
        an->ifinfo.if_name = an->ifcache[ix].name;
        an->ifinfo.if_local = an->ifcache[ix].local;
    }
    if (!an->ifinfo.if_local && nta_addr_is_loopback(&an->src) && nta_addr_is_loopback(&an->dst))
        an->ifinfo.if_local = 1;   /* loopback traffic on a capture interface not named lo */
    an->ifinfo.if_addr = (uintptr_t)(IFADDR_BASE + 0x800u * ix);
    if (!(an->o.probes & ((1u << NTA_PROBE_IP_SEND) | (1u << NTA_PROBE_IP_RECEIVE)))
        || (an->o.skip & NTA_SKIP_IPV46INFO))
        return;   /* ipv4info/ipv6info are read only by the ip probes, and only if wanted */
    if (d->ip_ver == 4) {
        const uint8_t *h = d->ip;
        an->ipv4.ipv4_ver = 4;
        an->ipv4.ipv4_ihl = (uint8_t)(h[0] & 0x0f);
        an->ipv4.ipv4_tos = h[1];
        an->ipv4.ipv4_length = nta_be16(h + 2);
        an->ipv4.ipv4_ident = nta_be16(h + 4);
        an->ipv4.ipv4_flags = (uint8_t)(h[6] & 0xe0);
        an->ipv4.ipv4_offset = (uint16_t)(nta_be16(h + 6) & 0x1fff);
        an->ipv4.ipv4_ttl = h[8];
        an->ipv4.ipv4_protocol = h[9];
        an->ipv4.ipv4_checksum = nta_be16(h + 10);
        an->ipv4.ipv4_saddr = an->src;
        an->ipv4.ipv4_daddr = an->dst;
    } else {
        const uint8_t *h = d->ip;
        uint32_t w = nta_be32(h);
        an->ipv6.ipv6_ver = (uint8_t)(w >> 28);
        an->ipv6.ipv6_tclass = (uint8_t)(w >> 20);
        an->ipv6.ipv6_flow = w & 0xfffff;
        an->ipv6.ipv6_plen = nta_be16(h + 4);
        an->ipv6.ipv6_nexthdr = h[6];
        an->ipv6.ipv6_hlim = h[7];
        an->ipv6.ipv6_saddr = an->src;
        an->ipv6.ipv6_daddr = an->dst;
    }
}

static void fire_ip(nta_analyzer *an, nta_probe p, const nta_addr *host)
{
    if (!enabled(an, p))
        return;
    nta_event ev = { 0 };   /* stores in place; memset() was a call per event */
    ev.probe = p;
    ev.ts_ns = an->pkt->ts_ns;
    ev.host = host;
    ev.pos = &an->pos;
    ev.pkt = &an->pktinfo;
    ev.cs = &an->cs_none;
    ev.ip = &an->ip;
    ev.ifp = &an->ifinfo;
    ev.proc = an->proc;
    if (an->o.skip & NTA_SKIP_IPV46INFO)
        ;   /* not built: the consumer reads neither */
    else if (an->d->ip_ver == 4)
        ev.ipv4 = &an->ipv4;
    else
        ev.ipv6 = &an->ipv6;
    emit(an, &ev);
}

static void fire_udp(nta_analyzer *an, nta_probe p, int sending)
{
    if (!enabled(an, p))
        return;
    const nta_decoded *d = an->d;
    const nta_addr *l = sending ? &an->src : &an->dst, *r = sending ? &an->dst : &an->src;
    uint16_t lport = sending ? d->sport : d->dport, rport = sending ? d->dport : d->sport;
    csinfo_t cs;
    memset(&cs, 0, sizeof cs);
    an->udps.udps_lport = lport;
    an->udps.udps_rport = rport;
    an->udps.udps_laddr = *l;
    an->udps.udps_raddr = *r;
    /* the socket is bound to the local address and port: derive a stable pointer from them */
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 16; i++)
        h = (h ^ l->b[i]) * 1099511628211ull;
    h = (h ^ lport) * 1099511628211ull;
    an->udps.udps_addr = (uintptr_t)(CID_BASE + 0x1000000000ull + ((h & 0xffffffu) << 8));
    cs.cs_cid = an->udps.udps_addr;
    nta_event ev = { 0 };   /* stores in place; memset() was a call per event */
    ev.probe = p;
    ev.ts_ns = an->pkt->ts_ns;
    ev.host = l;
    ev.pos = &an->pos;
    ev.pkt = &an->pktinfo;
    ev.cs = &cs;
    ev.ip = &an->ip;
    ev.udps = &an->udps;
    ev.udp = &an->udp;
    ev.proc = an->proc;
    emit(an, &ev);
}

static int is_local(nta_analyzer *an, const nta_addr *a);

/* A transport header the analyzer reads: TCP's 20 bytes (and a sane offset), UDP's 8. */
static int readable_l4(const nta_decoded *d)
{
    return d->l4 != NULL && d->l4_caplen >= (d->proto == 6 ? 20u : 8u)
           && (d->proto != 6 || d->tcp_hlen >= 20);
}

int nta_analyzer_fires_l4(const nta_locals *l, const nta_decoded *d)
{
    if (d->ip_ver == 0 || (d->proto != 6 && d->proto != 17) || !readable_l4(d))
        return 0;
    nta_addr s, t;
    nta_addr_set(&s, d->ip_ver, d->saddr);
    nta_addr_set(&t, d->ip_ver, d->daddr);
    return nta_locals_is_local(l, &s) || nta_locals_is_local(l, &t);
}

static void tcp_packet(nta_analyzer *an)
{
    const nta_decoded *d = an->d;
    an->tcp.tcp_sport = d->sport;
    an->tcp.tcp_dport = d->dport;
    an->tcp.tcp_seq = d->seq;
    an->tcp.tcp_ack = d->ack;
    an->tcp.tcp_offset = d->tcp_hlen;
    an->tcp.tcp_flags = d->tcp_flags;
    an->tcp.tcp_window = d->win;
    an->tcp.tcp_checksum = d->tcp_sum;
    an->tcp.tcp_urgent = d->urp;
    an->st.tcp_segments++;

    int side, created;
    uint32_t idx = nta_flow_get(an->ft, 6, &an->src, d->sport, &an->dst, d->dport, &side, &created);
    if (idx == 0)
        return;   /* out of memory for the table: the segment is not analysed */
    nta_conn *c = nta_flow_at(an->ft, idx);
    if (created) {
        for (int i = 0; i < 2; i++) {
            c->t[i].my_ws = c->t[i].peer_ws = -1;
            c->t[i].srtt_us = -1;
            c->traced |= (uint8_t)(is_local(an, &c->addr[i]) << i);
            c->loopback |= (uint8_t)(nta_addr_is_loopback(&c->addr[i]) << i);
        }
    }
    int src_traced = (c->traced >> side) & 1, dst_traced = (c->traced >> (1 - side)) & 1;
    nta_seg s = { an->pkt->ts_ns, d->seq, d->ack, d->payload_len, d->win, d->tcp_flags, &d->opts };

    if (src_traced) {
        an->conn = c;
        an->side = side;
        an->env.peer_is_local = (c->loopback >> (1 - side)) & 1;
        nta_fsm_send(&an->env, &c->t[side], &s);
        fire_ip(an, NTA_PROBE_IP_SEND, &an->src);
    }
    if (dst_traced) {
        fire_ip(an, NTA_PROBE_IP_RECEIVE, &an->dst);
        an->conn = c;
        an->side = 1 - side;
        an->env.peer_is_local = (c->loopback >> side) & 1;
        nta_fsm_receive(&an->env, &c->t[1 - side], &s);
    }
    nta_flow_touch(an->ft, idx, an->pkt->ts_ns, an->last_pkt,
                   all_closing(c) ? NTA_FLOW_CLOSING : NTA_FLOW_OPEN);
}

static int is_local(nta_analyzer *an, const nta_addr *a)
{
    for (int i = 0; i < 4; i++)
        if (nta_addr_eq(&an->lc_addr[i], a))
            return an->lc_local[i];
    int v = nta_locals_is_local(an->o.locals, a);
    unsigned k = an->lc_next++ & 3;
    an->lc_addr[k] = *a;
    an->lc_local[k] = (uint8_t)v;
    return v;
}

int nta_analyzer_packet(nta_analyzer *an, const nta_packet *pkt, const nta_decoded *d)
{
    uint64_t clock = pkt->ts_ns > an->clock ? pkt->ts_ns : an->clock;
    return nta_analyzer_packet_at(an, pkt, d, an->next_pkt, clock);
}

int nta_analyzer_tick(nta_analyzer *an, uint64_t clock_ns)
{
    if (clock_ns > an->clock)
        an->clock = clock_ns;
    run_timers(an, an->clock);
    return an->rc;
}

int nta_analyzer_packet_at(nta_analyzer *an, const nta_packet *pkt, const nta_decoded *d,
                           uint64_t index, uint64_t clock_ns)
{
    an->st.packets++;
    an->next_pkt = index + 1;
    an->proc = NULL;   /* the timers' probes are no packet's */
    if (clock_ns > an->clock)
        an->clock = clock_ns;
    run_timers(an, an->clock);
    an->last_pkt = index;
    an->cids_in_pkt = 0;
    an->pos = (nta_event_pos){ NTA_WHEN_PACKET, 0, index, an->clock };
    if (d->ip_ver == 0)
        return an->rc;
    an->pkt = pkt;
    an->proc = pkt->proc;
    an->d = d;
    build_ip_args(an);
    int has_l4 = readable_l4(d);
    if (d->proto == 6 && has_l4) {
        tcp_packet(an);   /* which ends are traced is a property of the connection */
        return an->rc;
    }
    int src_traced = is_local(an, &an->src);
    int dst_traced = is_local(an, &an->dst);
    if (d->proto == 17 && has_l4) {
        an->udp.udp_sport = d->sport;
        an->udp.udp_dport = d->dport;
        an->udp.udp_length = d->udp_len;
        an->udp.udp_checksum = nta_be16(d->l4 + 6);
        an->st.udp_datagrams++;
        if (src_traced) {
            fire_udp(an, NTA_PROBE_UDP_SEND, 1);
            fire_ip(an, NTA_PROBE_IP_SEND, &an->src);
        }
        if (dst_traced) {
            fire_ip(an, NTA_PROBE_IP_RECEIVE, &an->dst);
            fire_udp(an, NTA_PROBE_UDP_RECEIVE, 0);
        }
    } else {
        if (src_traced)
            fire_ip(an, NTA_PROBE_IP_SEND, &an->src);
        if (dst_traced)
            fire_ip(an, NTA_PROBE_IP_RECEIVE, &an->dst);
    }
    return an->rc;
}

int nta_analyzer_finish(nta_analyzer *an)
{
    an->proc = NULL;
    /* FINs still held at the end: nothing later can reorder them */
    for (int list = NTA_FLOW_OPEN; list <= NTA_FLOW_CLOSING; list++)
        for (uint32_t idx = nta_flow_oldest(an->ft, list); idx; idx = nta_flow_at(an->ft, idx)->next) {
            nta_conn *c = nta_flow_at(an->ft, idx);
            an->pos = (nta_event_pos){ NTA_WHEN_END, (uint8_t)(list == NTA_FLOW_CLOSING),
                                       c->last_pkt, c->last_ns };
            apply_deferred(an, c);
        }
    if (an->rc < 0)
        return an->rc;
    return 0;
}

void nta_analyzer_get_stats(const nta_analyzer *an, nta_analyzer_stats *st)
{
    *st = an->st;
    st->midstream = an->env.midstream;
    st->evicted = nta_flow_evictions(an->ft);
    st->peak_flows = nta_flow_peak(an->ft);
    st->flow_bytes = nta_flow_bytes(an->ft);
}
