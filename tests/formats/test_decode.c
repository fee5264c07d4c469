/* tests/formats/test_decode.c: the packet decoder against tshark.
 *
 * Truth: ../shared/fixtures/public/groundtruth/FILE.tshark-{tcp,udp}-streams.tsv (per-stream
 * frames and payload bytes) and FILE.tshark-ippayload-quantize.tsv (IP payload length per
 * interface, bucketed like quantize()), and nta's own fixtures/groundtruth/FILE.tshark-fields.tsv
 * (every header field of every packet). Known, explained differences are listed where they
 * are allowed. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/decode.h"
#include "testutil.h"

static nta_packet as_packet(const tu_pkt *t)
{
    nta_packet p = { t->ts_ns, t->ifindex, t->linktype, t->caplen, t->origlen, 0, 0, t->data, NULL, 0, 0, 0 };
    return p;
}

typedef struct totals {
    uint64_t tcp_frames, tcp_payload, udp_frames, udp_payload;
} totals;

static void nta_totals(const tu_capture *c, totals *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < c->n; i++) {
        nta_packet p = as_packet(&c->pkts[i]);
        nta_decoded d;
        nta_skip_reason r = nta_decode(&p, &d);
        if (r != NTA_DECODE_OK || d.l4 == NULL)
            continue;
        if (d.proto == 6) {
            t->tcp_frames++;
            t->tcp_payload += d.payload_len;
        } else if (d.proto == 17) {
            t->udp_frames++;
            t->udp_payload += d.payload_len;
        }
    }
}

static void tshark_totals(const char *name, totals *t)
{
    memset(t, 0, sizeof *t);
    char path[512];
    snprintf(path, sizeof path, "groundtruth/%s.tshark-tcp-streams.tsv", name);
    tu_tsv *s = tu_tsv_read(tu_public(path));
    if (s != NULL) {
        int a = tu_tsv_col(s, "AtoB_frames"), b = tu_tsv_col(s, "BtoA_frames"),
            pa = tu_tsv_col(s, "AtoB_tcp_payload"), pb = tu_tsv_col(s, "BtoA_tcp_payload");
        for (int r = 0; r < s->nrows; r++) {
            t->tcp_frames += (uint64_t)atoll(s->rows[r][a]) + (uint64_t)atoll(s->rows[r][b]);
            t->tcp_payload += (uint64_t)atoll(s->rows[r][pa]) + (uint64_t)atoll(s->rows[r][pb]);
        }
        tu_tsv_free(s);
    }
    snprintf(path, sizeof path, "groundtruth/%s.tshark-udp-streams.tsv", name);
    s = tu_tsv_read(tu_public(path));
    if (s != NULL) {
        int a = tu_tsv_col(s, "AtoB_frames"), b = tu_tsv_col(s, "BtoA_frames"),
            pa = tu_tsv_col(s, "AtoB_udp_payload"), pb = tu_tsv_col(s, "BtoA_udp_payload");
        for (int r = 0; r < s->nrows; r++) {
            t->udp_frames += (uint64_t)atoll(s->rows[r][a]) + (uint64_t)atoll(s->rows[r][b]);
            t->udp_payload += (uint64_t)atoll(s->rows[r][pa]) + (uint64_t)atoll(s->rows[r][pb]);
        }
        tu_tsv_free(s);
    }
}

/* Where nta and tshark count differently on purpose; every other file must match exactly.
 *  - IP fragments: tshark reassembles and counts the datagram's payload at its last fragment;
 *    nta does not reassemble (ip:::receive fires per fragment), so the first fragment carries
 *    the transport header and its own IP length: same frames, fewer payload bytes.
 *  - ICMPv6 errors quote the UDP header of the packet they answer; tshark's -E occurrence=l
 *    takes that inner UDP, nta (like the udp provider) sees an ICMPv6 packet. arkime-v6.pcap
 *    has 13 of them: tshark -r arkime-v6.pcap -Y "udp && icmpv6" | wc -l. */
typedef struct known_diff {
    const char *file;
    int64_t tcp_frames, tcp_payload, udp_frames, udp_payload;   /* nta minus tshark; -1 = "less" */
} known_diff;

static const known_diff known[] = {
    { "zeek-ipv6-fragmented-dns.pcap", 0, 0, 0, -1 },
    { "arkime-socks5-http-302-frag.pcap", 0, -1, 0, 0 },
    { "arkime-v6.pcap", 0, 0, -13, -334 },
};

static int fits(int64_t want_delta, uint64_t got, uint64_t tshark)
{
    if (want_delta == -1)
        return got < tshark;
    return (int64_t)got - (int64_t)tshark == want_delta;
}

START_TEST(public_tcp_udp_totals_match_tshark)
{
    tu_tsv *man = tu_tsv_read(tu_public("MANIFEST.tsv"));
    int cf = tu_tsv_col(man, "filename");
    char *log = strdup(""), *m;
    for (int r = 0; r < man->nrows; r++) {
        const char *name = man->rows[r][cf];
        totals want, got;
        tshark_totals(name, &want);
        tu_capture *c = tu_read(tu_public(name));
        nta_totals(c, &got);
        tu_capture_free(c);
        const known_diff *k = NULL;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strcmp(known[i].file, name) == 0)
                k = &known[i];
        int ok = k ? fits(k->tcp_frames, got.tcp_frames, want.tcp_frames)
                         && fits(k->tcp_payload, got.tcp_payload, want.tcp_payload)
                         && fits(k->udp_frames, got.udp_frames, want.udp_frames)
                         && fits(k->udp_payload, got.udp_payload, want.udp_payload)
                   : memcmp(&want, &got, sizeof want) == 0;
        if (!ok) {
            asprintf(&m, "%s  %s: tcp %llu/%llu udp %llu/%llu; tshark tcp %llu/%llu udp %llu/%llu\n",
                     log, name, (unsigned long long)got.tcp_frames,
                     (unsigned long long)got.tcp_payload, (unsigned long long)got.udp_frames,
                     (unsigned long long)got.udp_payload, (unsigned long long)want.tcp_frames,
                     (unsigned long long)want.tcp_payload, (unsigned long long)want.udp_frames,
                     (unsigned long long)want.udp_payload);
            free(log);
            log = m;
        }
    }
    tu_tsv_free(man);
    ck_assert_msg(log[0] == '\0', "frames/payload differ from tshark:\n%s", log);
    free(log);
}
END_TEST

/* quantize() bucket label of v: the largest power of two <= v, 0 for 0. */
static uint64_t bucket(uint64_t v)
{
    if (v == 0)
        return 0;
    uint64_t b = 1;
    while (b <= v / 2)
        b *= 2;
    return b;
}

START_TEST(public_ip_payload_histograms_match_tshark)
{
    tu_tsv *man = tu_tsv_read(tu_public("MANIFEST.tsv"));
    int cf = tu_tsv_col(man, "filename");
    char *log = strdup(""), *m;
    int files = 0;
    for (int r = 0; r < man->nrows; r++) {
        const char *name = man->rows[r][cf];
        char path[512];
        snprintf(path, sizeof path, "groundtruth/%s.tshark-ippayload-quantize.tsv", name);
        tu_tsv *q = tu_tsv_read(tu_public(path));
        if (q == NULL || q->nrows == 0) {
            tu_tsv_free(q);
            continue;
        }
        files++;
        tu_capture *c = tu_read(tu_public(name));
        int ci = tu_tsv_col(q, "interface_id"), cb = tu_tsv_col(q, "bucket"),
            cc = tu_tsv_col(q, "count");
        for (int k = 0; k < q->nrows; k++) {
            uint64_t b = (uint64_t)atoll(q->rows[k][cb]), want = (uint64_t)atoll(q->rows[k][cc]);
            long ifid = q->rows[k][ci][0] == '-' ? -1 : atol(q->rows[k][ci]);
            uint64_t got = 0;
            for (size_t i = 0; i < c->n; i++) {
                if (ifid >= 0 && c->pkts[i].ifindex != (uint32_t)ifid)
                    continue;
                nta_packet p = as_packet(&c->pkts[i]);
                nta_decoded d;
                nta_decode(&p, &d);
                if (d.ip_ver != 0 && bucket(d.ip_plength) == b)
                    got++;
            }
            /* zeek-ip4-trunc.pcap captured 6 bytes of its IPv4 header: tshark still reads the
             * total length from them; nta needs the whole header (addresses) and counts the
             * packet as truncated, as no ip probe could fire for it. */
            if (strcmp(name, "zeek-ip4-trunc.pcap") == 0 && b == 8 && want == 1 && got == 0)
                continue;
            if (got != want) {
                asprintf(&m, "%s  %s if %ld bucket %llu: nta %llu, tshark %llu\n", log, name, ifid,
                         (unsigned long long)b, (unsigned long long)got, (unsigned long long)want);
                free(log);
                log = m;
            }
        }
        tu_capture_free(c);
        tu_tsv_free(q);
    }
    tu_tsv_free(man);
    ck_assert_int_ge(files, 40);
    ck_assert_msg(log[0] == '\0', "ip_plength histograms differ:\n%s", log);
    free(log);
}
END_TEST

/* Every field of every packet of nta's own captures against tshark's dissection of it. */
static void compare_fields(const char *fixture)
{
    char path[512];
    snprintf(path, sizeof path, "groundtruth/%s.tshark-fields.tsv", fixture);
    tu_tsv *t = tu_tsv_read(tu_fixture(path));
    ck_assert_ptr_nonnull(t);
    tu_capture *c = tu_read(tu_fixture(fixture));
    ck_assert_uint_eq((size_t)t->nrows, c->n);
    static const char *names[] = { "ip.len", "ip.hdr_len", "ipv6.plen", "tcp.srcport",
                                   "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags",
                                   "tcp.hdr_len", "tcp.len", "tcp.window_size_value",
                                   "tcp.options.mss_val", "tcp.options.wscale.shift",
                                   "tcp.options.sack_perm", "tcp.options.timestamp.tsval",
                                   "tcp.options.timestamp.tsecr", "udp.srcport", "udp.dstport",
                                   "udp.length" };
    enum { NF = sizeof names / sizeof names[0] };
    int col[NF];
    for (int f = 0; f < NF; f++) {
        col[f] = tu_tsv_col(t, names[f]);
        ck_assert_msg(col[f] >= 0, "%s lacks %s", path, names[f]);
    }
    int tcp_seen = 0, opts_seen = 0;
    for (size_t i = 0; i < c->n; i++) {
        nta_packet p = as_packet(&c->pkts[i]);
        nta_decoded d;
        nta_decode(&p, &d);
        char **row = t->rows[i];
        int is_tcp = row[col[3]][0] != '\0', is_udp = row[col[16]][0] != '\0';
        int in_icmp_error = (is_tcp || is_udp) && d.proto == 58;   /* quoted header, see above */
        if (in_icmp_error)
            continue;
        if (row[col[0]][0])
            ck_assert_msg(d.ip_ver == 4 && d.ip_plength == (uint32_t)(atol(row[col[0]]) - atol(row[col[1]])),
                          "%s frame %zu: ip_plength %u", fixture, i + 1, d.ip_plength);
        if (row[col[2]][0])
            ck_assert_msg(d.ip_ver == 6 && d.ip_plength == (uint32_t)atol(row[col[2]]),
                          "%s frame %zu: ipv6 plen %u", fixture, i + 1, d.ip_plength);
        ck_assert_msg(is_tcp == (d.proto == 6 && d.l4 != NULL), "%s frame %zu: tcp?", fixture, i + 1);
        ck_assert_msg(is_udp == (d.proto == 17 && d.l4 != NULL), "%s frame %zu: udp?", fixture, i + 1);
        if (is_tcp) {
            tcp_seen++;
            uint64_t want[11] = { 0 };
            for (int f = 3; f <= 10; f++)
                want[f] = strtoull(row[col[f]], NULL, 0);
            ck_assert_msg(d.sport == want[3] && d.dport == want[4] && d.seq == want[5]
                              && d.ack == want[6] && d.tcp_flags == (want[7] & 0xff)
                              && d.tcp_hlen == want[8] && d.payload_len == want[9]
                              && d.win == want[10],
                          "%s frame %zu: tcp header fields differ", fixture, i + 1);
            const char *mss = row[col[11]], *ws = row[col[12]], *sp = row[col[13]],
                       *tsv = row[col[14]], *tse = row[col[15]];
            ck_assert_msg(d.opts.mss == (mss[0] ? atol(mss) : 0), "%s frame %zu: mss", fixture, i + 1);
            ck_assert_msg(d.opts.wscale == (ws[0] ? atol(ws) : -1), "%s frame %zu: wscale", fixture, i + 1);
            ck_assert_msg(d.opts.sack_permitted == (sp[0] != '\0'), "%s frame %zu: sackok", fixture, i + 1);
            ck_assert_msg(d.opts.has_ts == (tsv[0] != '\0'), "%s frame %zu: ts", fixture, i + 1);
            if (tsv[0]) {
                ck_assert_uint_eq(d.opts.tsval, strtoul(tsv, NULL, 10));
                ck_assert_uint_eq(d.opts.tsecr, strtoul(tse, NULL, 10));
            }
            opts_seen += mss[0] != '\0';
        }
        if (is_udp)
            ck_assert_msg(d.sport == atol(row[col[16]]) && d.dport == atol(row[col[17]])
                              && d.udp_len == atol(row[col[18]]),
                          "%s frame %zu: udp fields", fixture, i + 1);
    }
    ck_assert_int_gt(tcp_seen, 0);
    if (strcmp(fixture, "veth-midstream.pcap") != 0)
        ck_assert_int_gt(opts_seen, 0);
    tu_capture_free(c);
    tu_tsv_free(t);
}

START_TEST(own_captures_every_field_matches_tshark)
{
    compare_fields("veth-scenarios.pcap");
    compare_fields("veth-midstream.pcap");
    compare_fields("two-links.pcapng");
    compare_fields("loopback.pcap");
}
END_TEST

int main(void)
{
    tu_require_shared("formats/decode");
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("decode");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, public_tcp_udp_totals_match_tshark);
    tcase_add_test(tc, public_ip_payload_histograms_match_tshark);
    tcase_add_test(tc, own_captures_every_field_matches_tshark);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
