/* tests/analyzer/test_memory.c: memory follows connections alive at once, not their number.
 *
 * The first connection of fixtures/veth-scenarios.pcap (a real client-close exchange: 14
 * frames over about 1 ms, per fixtures/groundtruth/veth-scenarios.pcap.tshark-conv.txt) is replayed N times, copy i starting i*10 ms later with client port
 * 20000+i. Every copy ends with the client in TIME_WAIT, which FreeBSD 14 ends 2*MSL (60 s)
 * later: at any moment about 60 s / 10 ms = 6000 connections are alive, whatever N is. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/synth.h"
#include "formats/decode.h"
#include "testutil.h"

typedef struct counts {
    uint64_t tw_closed, state_changes;
} counts;

static int on_event(void *ctx, const nta_event *ev)
{
    counts *c = ctx;
    if (ev->probe == NTA_PROBE_TCP_STATE_CHANGE) {
        c->state_changes++;
        if (ev->tcpls->tcps_state == 10 && ev->tcps->tcps_state == 0)
            c->tw_closed++;
    }
    return 0;
}

typedef struct result {
    nta_analyzer_stats st;
    counts c;
    uint64_t expected_tw_closed;
} result;

static void replay(uint32_t n, uint32_t max_flows, result *res)
{
    tu_capture *cap = tu_read(tu_fixture("veth-scenarios.pcap"));
    /* the first connection: the packets sharing the first SYN's ports */
    tu_pkt *conn[32];
    int k = 0;
    uint16_t cport = 0;
    for (size_t i = 0; i < cap->n && k < 32; i++) {
        nta_packet p = { cap->pkts[i].ts_ns, 0, cap->pkts[i].linktype, cap->pkts[i].caplen,
                         cap->pkts[i].origlen, 0, 0, cap->pkts[i].data, NULL, 0, 0, 0 };
        nta_decoded d;
        if (nta_decode(&p, &d) != NTA_DECODE_OK || d.proto != 6)
            continue;
        if (cport == 0 && (d.tcp_flags & 0x12) == 0x02)
            cport = d.sport;
        if (cport && (d.sport == cport || d.dport == cport))
            conn[k++] = &cap->pkts[i];
    }
    ck_assert_int_eq(k, 14);   /* tshark -z conv,tcp: 10.77.0.2:37486 <-> 10.77.0.1:8080, 14 frames */

    memset(res, 0, sizeof *res);
    nta_locals loc;
    memset(&loc, 0, sizeof loc);
    loc.all = 1;
    nta_analyzer_opts o = { .locals = &loc, .probes = 1u << NTA_PROBE_TCP_STATE_CHANGE,
                            .msl_ns = 30000000000ull, .idle_ns = 600000000000ull,
                            .max_flows = max_flows };
    nta_sink sink = { .on_event = on_event, .ctx = &res->c };
    nta_analyzer *an = nta_analyzer_new(&o, &sink);
    uint8_t buf[2048];
    uint64_t t0 = conn[0]->ts_ns, last_ts = 0;
    uint64_t span = conn[k - 1]->ts_ns - t0;
    for (uint32_t i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
            memcpy(buf, conn[j]->data, conn[j]->caplen);
            nta_packet p = { conn[j]->ts_ns + (uint64_t)i * 10000000u, 0, conn[j]->linktype,
                             conn[j]->caplen, conn[j]->origlen, 0, 0, buf, NULL, 0, 0, 0 };
            nta_decoded d;
            nta_decode(&p, &d);
            /* rewrite the client port in place (Ethernet + IPv4 without options: TCP at 34) */
            uint8_t *tcp = buf + 14 + d.ip_hlen;
            uint16_t port = (uint16_t)(20000 + i);
            uint8_t *field = d.sport == cport ? tcp : tcp + 2;
            field[0] = (uint8_t)(port >> 8);
            field[1] = (uint8_t)port;
            nta_decode(&p, &d);
            ck_assert_int_eq(nta_analyzer_packet(an, &p, &d), 0);
            last_ts = p.ts_ns;
        }
    }
    /* copy i's TIME_WAIT ends at its last packet + 60 s; timers run when a packet at or after
     * that time arrives, so the copies whose end fell before the last packet have fired */
    for (uint32_t i = 0; i < n; i++)
        if (t0 + span + (uint64_t)i * 10000000u + 60000000000ull <= last_ts)
            res->expected_tw_closed++;
    nta_analyzer_finish(an);
    nta_analyzer_get_stats(an, &res->st);
    nta_analyzer_free(an);
    tu_capture_free(cap);
}

START_TEST(peak_is_flat_in_closed_connections)
{
    result small, big;
    replay(8000, 0, &small);
    replay(24000, 0, &big);
    ck_assert_uint_eq(big.st.connections, 2 * 24000);   /* one tcpcb per end per copy */
    /* the client-close sequence is 10 state changes (test_fsm.c), plus TIME_WAIT -> CLOSED */
    ck_assert_uint_eq(big.c.state_changes, 24000 * 10 + big.c.tw_closed);
    ck_assert_uint_eq(big.c.tw_closed, big.expected_tw_closed);
    ck_assert_uint_eq(small.c.tw_closed, small.expected_tw_closed);
    /* 6000-odd alive at once in both runs: the peak does not grow with the number of copies */
    ck_assert_uint_le(big.st.peak_flows, 6010);
    ck_assert_uint_ge(big.st.peak_flows, 5990);
    ck_assert_uint_eq(big.st.peak_flows, small.st.peak_flows);
    /* and the table stays within 1 KiB per live connection */
    ck_assert_uint_le(big.st.flow_bytes, 1024u * big.st.peak_flows);
}
END_TEST

START_TEST(max_flows_caps_and_counts)
{
    result r;
    replay(3000, 500, &r);
    ck_assert_uint_le(r.st.peak_flows, 500);
    ck_assert_uint_gt(r.st.evicted, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("memory");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, peak_is_flat_in_closed_connections);
    tcase_add_test(tc, max_flows_caps_and_counts);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
