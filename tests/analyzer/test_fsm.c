/* tests/analyzer/test_fsm.c: state-change sequences against transitions derived by hand.
 *
 * Each expected list below was written from the packets (tcpdump -nr FILE) and FreeBSD's
 * transitions (shared/reference/dtrace-providers.md 1.5, 1.6): the derivation is in the
 * comments. Endpoints are C (client, 10.77.0.2 / fd77::2, or the non-8080 side on loopback) and
 * S (server); a number is the connection's order of appearance. Every endpoint is traced
 * (--local all, as inference decides for these captures). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/synth.h"
#include "analyzer/tcp_fsm.h"
#include "formats/decode.h"
#include "testutil.h"

typedef struct collect {
    char lines[256][64];
    int n;
    uint16_t ports[32];   /* client port of connection k */
    int nports;
    uint64_t cids[256];
    int probes[NTA_PROBE__COUNT];
    int ip_send, ip_recv;
    int null_tcpcb_receives;
} collect;

static const char *short_state(int32_t s)
{
    return nta_tcp_state_string(s) + 6;   /* drop "state-" */
}

static int on_event(void *ctx, const nta_event *ev)
{
    collect *c = ctx;
    c->probes[ev->probe]++;
    if (ev->probe == NTA_PROBE_TCP_RECEIVE && ev->tcps == NULL)
        c->null_tcpcb_receives++;
    if (ev->probe != NTA_PROBE_TCP_STATE_CHANGE)
        return 0;
    const tcpsinfo_t *t = ev->tcps;
    char a[NTA_ADDR_STRLEN];
    nta_addr_str(&t->tcps_laddr, a);
    int client = strcmp(a, "10.77.0.2") == 0 || strcmp(a, "fd77::2") == 0
                 || (strcmp(a, "127.0.0.1") == 0 && t->tcps_lport != 8080)
                 || strcmp(a, "1.1.1.1") == 0 || strcmp(a, "172.16.16.128") == 0
                 || strcmp(a, "192.168.100.138") == 0;
    uint16_t cport = client ? t->tcps_lport : t->tcps_rport;
    int k = 0;
    while (k < c->nports && c->ports[k] != cport)
        k++;
    if (k == c->nports && c->nports < 32)
        c->ports[c->nports++] = cport;
    ck_assert_int_lt(c->n, 256);
    c->cids[c->n] = ev->cs->cs_cid;
    snprintf(c->lines[c->n++], 64, "%d %c %s>%s", k + 1, client ? 'C' : 'S',
             short_state(ev->tcpls->tcps_state), short_state(t->tcps_state));
    return 0;
}

static void run(const char *path, collect *c)
{
    memset(c, 0, sizeof *c);
    nta_sink sink = { .on_event = on_event, .ctx = c };
    tu_analyze(path, (1u << NTA_PROBE__COUNT) - 1, &sink);
}

static void expect(const collect *c, const char *const *want, int n, const char *what)
{
    char got[8192] = "";
    for (int i = 0; i < c->n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "  %s\n", c->lines[i]);
    ck_assert_msg(c->n == n, "%s: %d state changes, wanted %d:\n%s", what, c->n, n, got);
    for (int i = 0; i < n; i++)
        ck_assert_msg(strcmp(c->lines[i], want[i]) == 0, "%s: change %d is '%s', wanted '%s':\n%s",
                      what, i + 1, c->lines[i], want[i], got);
}

/* A normal open. C sends SYN: CLOSED->SYN_SENT. S's SYN goes to the syncache (no event). C gets
 * the SYN|ACK: SYN_SENT->ESTABLISHED. S gets the final ACK: the syncache creates the socket,
 * CLOSED->SYN_RECEIVED->ESTABLISHED in that one segment. */
#define OPEN(k) k " C closed>syn-sent", k " C syn-sent>established", \
                k " S closed>syn-received", k " S syn-received>established"
/* X closes first. X sends FIN: ESTABLISHED->FIN_WAIT_1 (before the send). Y gets it and
 * answers with its FIN|ACK at once (the held FIN applies at Y's next segment):
 * ESTABLISHED->CLOSE_WAIT, then its own close CLOSE_WAIT->LAST_ACK. X gets that FIN|ACK, which
 * acknowledges X's FIN and carries Y's: FIN_WAIT_1->FIN_WAIT_2->TIME_WAIT (two events). Y gets
 * X's last ACK: LAST_ACK->CLOSED. */
#define CLOSE(k, X, Y) k " " X " established>fin-wait-1", k " " Y " established>close-wait", \
                       k " " Y " close-wait>last-ack", k " " X " fin-wait-1>fin-wait-2",        \
                       k " " X " fin-wait-2>time-wait", k " " Y " last-ack>closed"

START_TEST(own_scenarios)
{
    static const char *const want[] = {
        OPEN("1"), CLOSE("1", "C", "S"),   /* client-close */
        OPEN("2"), CLOSE("2", "S", "C"),   /* server-close */
        /* server-rst: S aborts: tcp_drop sets CLOSED, then the RST goes out; C accepts the RST
         * (seq = its rcv_nxt): ESTABLISHED->CLOSED */
        OPEN("3"), "3 S established>closed", "3 C established>closed",
        /* client-rst: the same the other way */
        OPEN("4"), "4 C established>closed", "4 S established>closed",
        /* refused: C's SYN to port 8081 is answered by RST|ACK acknowledging it:
         * connect-refused, SYN_SENT->CLOSED. S has no socket: no state at all. */
        "5 C closed>syn-sent", "5 C syn-sent>closed",
        /* port-reuse: a server-close on 40404, then the same 4-tuple again: S gets the new SYN
         * in TIME_WAIT, which ends that incarnation (TIME_WAIT->CLOSED) and opens a new one */
        OPEN("6"), CLOSE("6", "S", "C"),
        "6 C closed>syn-sent", "6 S time-wait>closed", "6 C syn-sent>established",
        "6 S closed>syn-received", "6 S syn-received>established", CLOSE("6", "S", "C"),
        /* ipv6: a client-close over IPv6 */
        OPEN("7"), CLOSE("7", "C", "S"),
        /* simultaneous: both first FINs were lost; the capture (at S) shows S's FIN, then C's
         * FIN, which does not acknowledge S's: C sent it before S's FIN arrived. S:
         * ESTABLISHED->FIN_WAIT_1 on sending; C: ESTABLISHED->FIN_WAIT_1 on sending, then
         * S's FIN arrives: FIN_WAIT_1->CLOSING; S gets C's FIN not acknowledging its own:
         * FIN_WAIT_1->CLOSING. Each then gets the ACK of its FIN: CLOSING->TIME_WAIT. */
        OPEN("8"), "8 S established>fin-wait-1", "8 C established>fin-wait-1",
        "8 C fin-wait-1>closing", "8 S fin-wait-1>closing", "8 C closing>time-wait",
        "8 S closing>time-wait",
    };
    collect *c = malloc(sizeof *c);
    run(tu_fixture("veth-scenarios.pcap"), c);
    expect(c, want, (int)(sizeof want / sizeof want[0]), "veth-scenarios.pcap");
    /* port reuse: connection 6's first incarnation is changes 35-44 (index 34-43); then C's new
     * SYN (44) has a new cs_cid, S's TIME_WAIT->CLOSED (45) still the old one, S's new socket
     * (47) a new one */
    ck_assert_str_eq(c->lines[44], "6 C closed>syn-sent");
    ck_assert(c->cids[44] != c->cids[34]);
    ck_assert(c->cids[45] == c->cids[36]);
    ck_assert(c->cids[47] != c->cids[36] && c->cids[47] != c->cids[44]);
    /* refused: one accept-refused at S (the RST it sends), one connect-refused at C */
    ck_assert_int_eq(c->probes[NTA_PROBE_TCP_ACCEPT_REFUSED], 1);
    ck_assert_int_eq(c->probes[NTA_PROBE_TCP_CONNECT_REFUSED], 1);
    /* 8 connect-established (every open but the refused one; 40404 opens twice), as many
     * accept-established */
    ck_assert_int_eq(c->probes[NTA_PROBE_TCP_CONNECT_ESTABLISHED], 8);
    ck_assert_int_eq(c->probes[NTA_PROBE_TCP_ACCEPT_ESTABLISHED], 8);
    /* every IP packet is sent by one traced host and received by the other: capinfos counts 105
     * frames, 2 of them ARP */
    ck_assert_int_eq(c->probes[NTA_PROBE_IP_SEND], 103);
    ck_assert_int_eq(c->probes[NTA_PROBE_IP_RECEIVE], 103);
    /* 3 UDP datagrams each way: udp:::send and udp:::receive for each of the 6 */
    ck_assert_int_eq(c->probes[NTA_PROBE_UDP_SEND], 6);
    ck_assert_int_eq(c->probes[NTA_PROBE_UDP_RECEIVE], 6);
    free(c);
}
END_TEST

START_TEST(own_midstream_and_loopback)
{
    collect *c = malloc(sizeof *c);
    /* midstream: the capture starts after the handshake; data, then C closes first: both ends
     * are picked up in ESTABLISHED without any probe, then the close runs as usual */
    static const char *const mid[] = { CLOSE("1", "C", "S") };
    run(tu_fixture("veth-midstream.pcap"), c);
    expect(c, mid, 1 * 6, "veth-midstream.pcap");
    ck_assert_int_eq(c->probes[NTA_PROBE_TCP_CONNECT_REQUEST], 0);
    ck_assert_int_eq(c->probes[NTA_PROBE_TCP_ACCEPT_ESTABLISHED], 0);
    /* loopback: both ends local; C's TIME_WAIT ends at once (nolocaltimewait for local peers) */
    static const char *const lo[] = {
        OPEN("1"), "1 C established>fin-wait-1", "1 S established>close-wait",
        "1 S close-wait>last-ack", "1 C fin-wait-1>fin-wait-2", "1 C fin-wait-2>time-wait",
        "1 C time-wait>closed", "1 S last-ack>closed",
    };
    run(tu_fixture("loopback.pcap"), c);
    expect(c, lo, (int)(sizeof lo / sizeof lo[0]), "loopback.pcap");
    free(c);
}
END_TEST

START_TEST(public_handshake_variants)
{
    collect *c = malloc(sizeof *c);
    /* sv-tcp-split-handshake-4whs.pcap, A = 1.1.1.1:12345 (C), B = 2.2.2.2:80 (S):
     * 1 A SYN: A CLOSED->SYN_SENT (B: syncache).  2 B bare SYN: B CLOSED->SYN_SENT; A gets a
     * SYN in SYN_SENT: simultaneous open, SYN_SENT->SYN_RECEIVED.  3 A SYN|ACK: B in SYN_SENT
     * gets an acceptable SYN|ACK: SYN_SENT->ESTABLISHED.  4 B ACK: A SYN_RECEIVED->ESTABLISHED.
     * 5-6 data and ACK.  7 A RST: A ESTABLISHED->CLOSED; B accepts it (seq 1005 = rcv_nxt). */
    static const char *const split[] = {
        "1 C closed>syn-sent", "1 S closed>syn-sent", "1 C syn-sent>syn-received",
        "1 S syn-sent>established", "1 C syn-received>established", "1 C established>closed",
        "1 S established>closed",
    };
    run(tu_public("sv-tcp-split-handshake-4whs.pcap"), c);
    expect(c, split, 7, "sv-tcp-split-handshake-4whs.pcap");
    /* ppa-tcp_teardown.pcapng, S = 67.228.110.120:80, C = 172.16.16.128:3363, mid-stream:
     * 1 S FIN|ACK: S ESTABLISHED->FIN_WAIT_1 (C holds the FIN).  2 C ACK of it: C
     * ESTABLISHED->CLOSE_WAIT; S FIN_WAIT_1->FIN_WAIT_2.  3 C FIN: CLOSE_WAIT->LAST_ACK; S
     * FIN_WAIT_2->TIME_WAIT.  4 S ACK: C LAST_ACK->CLOSED. */
    static const char *const teardown[] = {
        "1 S established>fin-wait-1", "1 C established>close-wait", "1 S fin-wait-1>fin-wait-2",
        "1 C close-wait>last-ack", "1 S fin-wait-2>time-wait", "1 C last-ack>closed",
    };
    run(tu_public("ppa-tcp_teardown.pcapng"), c);
    expect(c, teardown, 6, "ppa-tcp_teardown.pcapng");
    /* ppa-tcp_refuseconnection.pcapng: SYN, RST|ACK: C CLOSED->SYN_SENT->CLOSED; S has no
     * socket: its receive has a NULL tcpcb and its RST fires accept-refused */
    static const char *const refused[] = { "1 C closed>syn-sent", "1 C syn-sent>closed" };
    run(tu_public("ppa-tcp_refuseconnection.pcapng"), c);
    expect(c, refused, 2, "ppa-tcp_refuseconnection.pcapng");
    ck_assert_int_eq(c->probes[NTA_PROBE_TCP_ACCEPT_REFUSED], 1);
    ck_assert_int_eq(c->probes[NTA_PROBE_TCP_CONNECT_REFUSED], 1);
    ck_assert_int_eq(c->null_tcpcb_receives, 1);
    free(c);
}
END_TEST

/* ---- the reassembly queue, driven segment by segment ----
 * Expected values derived by hand from FreeBSD's tcp_reass() (stable/13 and 14): a segment
 * beyond rcv_nxt that touches no queued entry starts a new one only while the queue holds
 * fewer than min(sb_hiwat / t_maxseg + 1, net.inet.tcp.reass.maxqueuelen = 100); otherwise it
 * is dropped. Touching or overlapping segments join the entries they meet. */

static void rig_fire(void *ctx, nta_probe p, const nta_tcb *t, int32_t old, int with_seg, uint64_t ts)
{
    (void)ctx; (void)p; (void)t; (void)old; (void)with_seg; (void)ts;
}

static uint64_t rig_cid(void *ctx)
{
    return ++*(uint64_t *)ctx;
}

typedef struct rig {
    uint64_t cids;
    nta_fsm_env env;
    nta_tcb t;
    nta_tcp_opts none;
} rig;

/* A passive open: the peer's SYN (seq 1000, MSS 1460, window scale ws or none), our SYN|ACK
 * (seq 5000, MSS 1460, the same scale, window `win`, or 65535 with scaling), the peer's ACK:
 * ESTABLISHED with rcv_nxt 1001. Then we advertise `win` (scaled by ws when negotiated). */
static void rig_open(rig *r, int8_t ws, uint16_t win)
{
    memset(r, 0, sizeof *r);
    r->env.fire = rig_fire;
    r->env.new_cid = rig_cid;
    r->env.ctx = &r->cids;
    r->t.my_ws = r->t.peer_ws = -1;
    r->t.srtt_us = -1;
    nta_tcp_opts syn = { 1460, ws, 1, 0, 0, 0, 0, 0, { { 0, 0 } } };
    r->none.wscale = -1;
    nta_seg s1 = { 1, 1000, 0, 0, 65535, TH_SYN, &syn };
    nta_fsm_receive(&r->env, &r->t, &s1);
    nta_seg s2 = { 2, 5000, 1001, 0, ws < 0 ? win : 65535, TH_SYN | TH_ACK, &syn };
    nta_fsm_send(&r->env, &r->t, &s2);
    nta_seg s3 = { 3, 1001, 5001, 0, 512, TH_ACK, &r->none };
    nta_fsm_receive(&r->env, &r->t, &s3);
    ck_assert_int_eq(r->t.state, TCPS_ESTABLISHED);
    ck_assert_uint_eq(r->t.rcv_nxt, 1001);
    nta_seg s4 = { 4, 5001, 1001, 0, win, TH_ACK, &r->none };
    nta_fsm_send(&r->env, &r->t, &s4);
}

static void rig_data(rig *r, uint32_t seq, uint32_t len)
{
    nta_seg s = { 5, seq, 5001, len, 512, TH_ACK, &r->none };
    nta_fsm_receive(&r->env, &r->t, &s);
}

/* n segments of 100 bytes at 1001 + 200k (k = 1..n), each after a 100-byte hole (the first
 * hole is [1001, 1201)), then the holes filled in order; rcv_nxt after filling hole k is the
 * end of range k (1101 + 200k) while range k was queued, and stops at the first one dropped. */
static void holes_then_fill(rig *r, int n, int kept)
{
    for (int k = 1; k <= n; k++)
        rig_data(r, 1001 + 200u * k, 100);
    ck_assert_int_eq(r->t.nooo, kept);
    rig_data(r, 1001, 200);
    ck_assert_uint_eq(r->t.rcv_nxt, 1301);
    for (int k = 2; k <= n; k++) {
        rig_data(r, 901 + 200u * k, 100);
        uint32_t want = k <= kept ? 1101 + 200u * k : 1001 + 200u * (kept + 1);
        ck_assert_msg(r->t.rcv_nxt == want, "after hole %d: rcv_nxt %u, want %u", k, r->t.rcv_nxt, want);
        if (k > kept)
            break;
    }
    nta_tcb_release(&r->t);
}

START_TEST(reassembly_queue_holds_what_freebsd_holds)
{
    rig r;
    /* more than 16 holes, a large buffer (65535 << 7): the fixed limit, 100 entries */
    rig_open(&r, 7, 65535);
    holes_then_fill(&r, 150, 100);
    /* no window scaling, 65535 advertised, t_maxseg 1460: 65535 / 1460 + 1 = 45 entries */
    rig_open(&r, -1, 65535);
    holes_then_fill(&r, 60, 45);
    /* a smaller buffer: 8760 / 1460 + 1 = 7 (all inline in the tcb) */
    rig_open(&r, -1, 8760);
    holes_then_fill(&r, 10, 7);
    ck_assert_ptr_null(r.t.ooo_heap);
}
END_TEST

START_TEST(reassembly_queue_merges_touching_ranges)
{
    rig r;
    rig_open(&r, 7, 65535);
    /* [1201,1301) [1401,1501) [1601,1701): three entries */
    rig_data(&r, 1201, 100);
    rig_data(&r, 1401, 100);
    rig_data(&r, 1601, 100);
    ck_assert_int_eq(r.t.nooo, 3);
    /* [1301,1401) touches the first two: they become [1201,1501) */
    rig_data(&r, 1301, 100);
    ck_assert_int_eq(r.t.nooo, 2);
    /* [1150,1800) overlaps both and more: one entry [1150,1800) */
    rig_data(&r, 1150, 650);
    ck_assert_int_eq(r.t.nooo, 1);
    /* [1001,1150) fills the hole: rcv_nxt jumps to 1800, the queue is empty */
    rig_data(&r, 1001, 149);
    ck_assert_uint_eq(r.t.rcv_nxt, 1800);
    ck_assert_int_eq(r.t.nooo, 0);
    /* with the queue full, a segment touching an entry still joins it (tcp_reass appends) */
    rig_open(&r, -1, 8760);
    for (int k = 1; k <= 7; k++)
        rig_data(&r, 1001 + 200u * k, 100);
    rig_data(&r, 1301, 50);   /* touches [1201,1301) */
    ck_assert_int_eq(r.t.nooo, 7);
    rig_data(&r, 1001, 200);
    ck_assert_uint_eq(r.t.rcv_nxt, 1351);
    nta_tcb_release(&r.t);
}
END_TEST

int main(void)
{
    tu_require_shared("analyzer/fsm");
    Suite *s = suite_create("fsm");
    TCase *tc = tcase_create("fsm");
    tcase_add_test(tc, own_scenarios);
    tcase_add_test(tc, own_midstream_and_loopback);
    tcase_add_test(tc, public_handshake_variants);
    tcase_add_test(tc, reassembly_queue_holds_what_freebsd_holds);
    tcase_add_test(tc, reassembly_queue_merges_touching_ranges);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
