/* tests/formats/test_pcapng.c: the pcapng block reader.
 *
 * Truth: capinfos (fixtures/groundtruth/two-links.pcapng.capinfos.txt: interfaces vfx-s/Ethernet
 * and any/Linux cooked, 22 packets each), pcapng-test-generator's block descriptions
 * (../shared/fixtures/public/groundtruth/pcapnggen-le-test006.pcapng.pcapng-blocks.txt: IDB eth0
 * Ethernet, IDB en1 NULL), and for the big-endian and damaged cases byte layouts written by hand
 * from the pcapng specification around a real packet of veth-scenarios.pcap; Apple's process
 * blocks from the codes in Apple's libpcap pcap-ng.h (tshark's reading of them is compared in
 * tests/dscript/test_darwin.py). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "formats/decode.h"
#include "testutil.h"

START_TEST(two_link_types_keep_their_names)
{
    tu_capture *c = tu_read(tu_fixture("two-links.pcapng"));
    ck_assert_int_eq(c->err_code, 0);
    ck_assert_uint_eq(c->nifs, 2);
    ck_assert_str_eq(c->ifs[0].name, "vfx-s");
    ck_assert_uint_eq(c->ifs[0].linktype, NTA_LINK_ETHERNET);
    ck_assert_str_eq(c->ifs[1].name, "any");
    ck_assert_uint_eq(c->ifs[1].linktype, NTA_LINK_LINUX_SLL);
    size_t per[2] = { 0, 0 }, ip = 0;
    for (size_t i = 0; i < c->n; i++) {
        per[c->pkts[i].ifindex]++;
        nta_packet p = { c->pkts[i].ts_ns, c->pkts[i].ifindex, c->pkts[i].linktype,
                         c->pkts[i].caplen, c->pkts[i].origlen, 0, 0, c->pkts[i].data, NULL, 0, 0, 0 };
        nta_decoded d;
        nta_decode(&p, &d);
        ip += d.ip_ver != 0;
    }
    ck_assert_uint_eq(per[0], 22);
    ck_assert_uint_eq(per[1], 22);
    ck_assert_uint_eq(ip, 44);   /* every packet of both link types decodes to IP */
    tu_capture_free(c);
}
END_TEST

START_TEST(generator_file_with_ethernet_and_null)
{
    tu_capture *c = tu_read(tu_public("pcapnggen-le-test006.pcapng"));
    ck_assert_int_eq(c->err_code, 0);
    ck_assert_uint_eq(c->nifs, 2);
    ck_assert_str_eq(c->ifs[0].name, "eth0");
    ck_assert_uint_eq(c->ifs[0].linktype, NTA_LINK_ETHERNET);
    ck_assert_str_eq(c->ifs[1].name, "en1");
    ck_assert_uint_eq(c->ifs[1].linktype, NTA_LINK_NULL);
    ck_assert_uint_eq(c->n, 5);
    tu_capture_free(c);
}
END_TEST

/* ---- hand-written pcapng ---- */

typedef struct wbuf {
    uint8_t b[8192];
    size_t n;
    int be;
} wbuf;

static void w16(wbuf *w, uint16_t v)
{
    if (w->be) {
        w->b[w->n++] = (uint8_t)(v >> 8);
        w->b[w->n++] = (uint8_t)v;
    } else {
        w->b[w->n++] = (uint8_t)v;
        w->b[w->n++] = (uint8_t)(v >> 8);
    }
}

static void w32(wbuf *w, uint32_t v)
{
    if (w->be) {
        w16(w, (uint16_t)(v >> 16));
        w16(w, (uint16_t)v);
    } else {
        w16(w, (uint16_t)v);
        w16(w, (uint16_t)(v >> 16));
    }
}

static void wbytes(wbuf *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
    while (w->n % 4)
        w->b[w->n++] = 0;
}

/* Section header, one Ethernet interface named `name` with if_tsresol `resol` and, when
 * has_off, if_tsoffset `off` seconds, one EPB of `pkt` on interface `ifid` at `ts` units. */
static void build_ts(wbuf *w, int be, const char *name, const tu_pkt *pkt, uint32_t ifid,
                     uint64_t ts, uint8_t resol, int has_off, int64_t off)
{
    memset(w, 0, sizeof *w);
    w->be = be;
    w32(w, 0x0A0D0D0A); w32(w, 28); w32(w, 0x1A2B3C4D); w16(w, 1); w16(w, 0);
    w32(w, 0xffffffff); w32(w, 0xffffffff); w32(w, 28);
    size_t nlen = strlen(name), npad = (nlen + 3) & ~(size_t)3;
    uint32_t idb = (uint32_t)(20 + 4 + npad + 8 + (has_off ? 12 : 0) + 4);
    w32(w, 1); w32(w, idb); w16(w, 1); w16(w, 0); w32(w, 65535);
    w16(w, 2); w16(w, (uint16_t)nlen); wbytes(w, name, nlen);
    w16(w, 9); w16(w, 1); w->b[w->n++] = resol; w->n += 3;
    if (has_off) {
        w16(w, 14); w16(w, 8); w32(w, (uint32_t)((uint64_t)off >> (be ? 32 : 0)));
        w32(w, (uint32_t)((uint64_t)off >> (be ? 0 : 32)));
    }
    w16(w, 0); w16(w, 0);
    w32(w, idb);
    uint32_t epb = (uint32_t)(32 + ((pkt->caplen + 3) & ~3u));
    w32(w, 6); w32(w, epb); w32(w, ifid); w32(w, (uint32_t)(ts >> 32)); w32(w, (uint32_t)ts);
    w32(w, pkt->caplen); w32(w, pkt->origlen); wbytes(w, pkt->data, pkt->caplen);
    w32(w, epb);
}

/* The same with if_tsresol 9 (ns) and no offset: ts_ns is the packet's time. */
static void build(wbuf *w, int be, const char *name, const tu_pkt *pkt, uint32_t ifid, uint64_t ts_ns)
{
    build_ts(w, be, name, pkt, ifid, ts_ns, 9, 0, 0);
}

START_TEST(big_endian_section_reads_like_little_endian)
{
    tu_capture *src = tu_read(tu_fixture("veth-scenarios.pcap"));
    const tu_pkt *syn = &src->pkts[2];   /* the first SYN, a real packet */
    for (int be = 0; be < 2; be++) {
        wbuf w;
        build(&w, be, "be0", syn, 0, 1234567890123456789ull);
        tu_capture *c = tu_read_mem(w.b, w.n);
        ck_assert_msg(c->err_code == 0, "be=%d: %s", be, c->err_msg);
        ck_assert_uint_eq(c->n, 1);
        ck_assert_str_eq(c->ifs[0].name, "be0");
        ck_assert_uint_eq(c->pkts[0].ts_ns, 1234567890123456789ull);
        ck_assert_uint_eq(c->pkts[0].caplen, syn->caplen);
        ck_assert(memcmp(c->pkts[0].data, syn->data, syn->caplen) == 0);
        tu_capture_free(c);
    }
    tu_capture_free(src);
}
END_TEST

START_TEST(damaged_blocks_are_reported_or_skipped)
{
    tu_capture *src = tu_read(tu_fixture("veth-scenarios.pcap"));
    const tu_pkt *syn = &src->pkts[2];
    wbuf w;

    /* a packet naming an interface the section never declared: skipped and counted */
    build(&w, 0, "x", syn, 7, 1);
    tu_capture *c = tu_read_mem(w.b, w.n);
    ck_assert_int_eq(c->err_code, 0);
    ck_assert_uint_eq(c->n, 0);
    ck_assert_uint_eq(c->bad_records, 1);
    tu_capture_free(c);

    /* trailer length disagreeing with the header: corrupt, nothing invented */
    build(&w, 0, "x", syn, 0, 1);
    w.b[w.n - 1] ^= 0x01;
    c = tu_read_mem(w.b, w.n);
    ck_assert_int_eq(c->err_code, NTA_ECORRUPT);
    ck_assert_uint_eq(c->n, 0);
    tu_capture_free(c);

    /* a length of 4 GB - 4 must be refused before any allocation or read of that size */
    build(&w, 0, "x", syn, 0, 1);
    size_t epb_at = 28 + 40;   /* SHB 28 bytes, IDB 20 + 4+4 (if_name "x") + 8 (tsresol) + 4 (end) */
    w.b[epb_at + 4] = 0xfc; w.b[epb_at + 5] = 0xff; w.b[epb_at + 6] = 0xff; w.b[epb_at + 7] = 0xff;
    c = tu_read_mem(w.b, w.n);
    ck_assert_int_eq(c->err_code, NTA_ECORRUPT);
    ck_assert_msg(strstr(c->err_msg, "4294967292") != NULL, "%s", c->err_msg);
    tu_capture_free(c);

    /* section version 2.0 does not exist */
    build(&w, 0, "x", syn, 0, 1);
    w.b[12] = 2;
    c = tu_read_mem(w.b, w.n);
    ck_assert_int_eq(c->err_code, NTA_ECORRUPT);
    ck_assert_msg(strstr(c->err_msg, "version 2.0") != NULL, "%s", c->err_msg);
    tu_capture_free(c);
    tu_capture_free(src);
}
END_TEST

/* ---- Apple's process blocks (formats/pcapng.c; codes from Apple's libpcap pcap-ng.h) ---- */

static void shb_idb(wbuf *w, int be)
{
    w->be = be;
    w32(w, 0x0A0D0D0A); w32(w, 28); w32(w, 0x1A2B3C4D); w16(w, 1); w16(w, 0);
    w32(w, 0xffffffff); w32(w, 0xffffffff); w32(w, 28);
    w32(w, 1); w32(w, 20); w16(w, 1); w16(w, 0); w32(w, 65535); w32(w, 20);
}

/* A Darwin Process Event Block; name NULL: no name option. */
static void dpeb(wbuf *w, uint32_t pid, const char *name)
{
    size_t nlen = name ? strlen(name) : 0, npad = (nlen + 3) & ~(size_t)3;
    uint32_t len = (uint32_t)(12 + 4 + (name ? 4 + npad : 0) + 4);
    w32(w, 0x80000001); w32(w, len); w32(w, pid);
    if (name) {
        w16(w, 2); w16(w, (uint16_t)nlen); wbytes(w, name, nlen);
    }
    w16(w, 0); w16(w, 0);
    w32(w, len);
}

/* An EPB of pkt with epb_flags and, when ix >= 0, process index ix. */
static void epb_ix(wbuf *w, const tu_pkt *pkt, long ix)
{
    uint32_t len = (uint32_t)(32 + ((pkt->caplen + 3) & ~3u) + 8 + (ix >= 0 ? 8 : 0) + 4);
    w32(w, 6); w32(w, len); w32(w, 0); w32(w, 0); w32(w, 1000);
    w32(w, pkt->caplen); w32(w, pkt->origlen); wbytes(w, pkt->data, pkt->caplen);
    w16(w, 2); w16(w, 4); w32(w, 1);
    if (ix >= 0) {
        w16(w, 0x8001); w16(w, 4); w32(w, (uint32_t)ix);
    }
    w16(w, 0); w16(w, 0);
    w32(w, len);
}

START_TEST(darwin_process_blocks_name_each_packets_process)
{
    tu_capture *src = tu_read(tu_fixture("veth-scenarios.pcap"));
    const tu_pkt *syn = &src->pkts[2];
    static const char long_name[] = "a-process-name-longer-than-the-sixty-three-bytes-nta-keeps-0123456789";
    static wbuf w;
    memset(&w, 0, sizeof w);
    /* section 1, big-endian: two processes, the second without a name */
    shb_idb(&w, 1);
    dpeb(&w, 0x01020304, long_name);
    dpeb(&w, 7, NULL);
    epb_ix(&w, syn, 1);
    epb_ix(&w, syn, 0);
    epb_ix(&w, syn, -1);
    /* section 2, little-endian: indexes start again; its index 1 was never declared here */
    shb_idb(&w, 0);
    dpeb(&w, 9, "x");
    epb_ix(&w, syn, 0);
    epb_ix(&w, syn, 1);
    /* a DPEB too short for its process id: unusable, but it takes index 1 */
    w32(&w, 0x80000001); w32(&w, 12); w32(&w, 12);
    dpeb(&w, 11, "after");
    epb_ix(&w, syn, 1);
    epb_ix(&w, syn, 2);
    /* a name option running past its DPEB: unusable too, index 3, and the read goes on */
    w32(&w, 0x80000001); w32(&w, 24); w32(&w, 5); w16(&w, 2); w16(&w, 200); w32(&w, 0); w32(&w, 24);
    epb_ix(&w, syn, 3);
    tu_capture *c = tu_read_mem(w.b, w.n);
    ck_assert_msg(c->err_code == 0, "%s", c->err_msg);
    ck_assert_uint_eq(c->n, 8);
    ck_assert_uint_eq(c->bad_records, 2);   /* the damaged DPEBs; the dangling index is none */
    ck_assert(!c->pkts[7].has_proc);
    ck_assert(c->pkts[0].has_proc && c->pkts[0].pid == 7 && c->pkts[0].pname[0] == '\0');
    ck_assert(c->pkts[1].has_proc && c->pkts[1].pid == 0x01020304);
    ck_assert_uint_eq(strlen(c->pkts[1].pname), NTA_PROC_NAME_MAX - 1);
    ck_assert(strncmp(c->pkts[1].pname, long_name, NTA_PROC_NAME_MAX - 1) == 0);
    ck_assert(!c->pkts[2].has_proc);
    ck_assert(c->pkts[3].has_proc && c->pkts[3].pid == 9 && strcmp(c->pkts[3].pname, "x") == 0);
    ck_assert(!c->pkts[4].has_proc);
    ck_assert(!c->pkts[5].has_proc);
    ck_assert(c->pkts[6].has_proc && c->pkts[6].pid == 11 && strcmp(c->pkts[6].pname, "after") == 0);
    for (size_t i = 0; i < c->n; i++)   /* the packets themselves are intact */
        ck_assert(c->pkts[i].caplen == syn->caplen && memcmp(c->pkts[i].data, syn->data, syn->caplen) == 0);
    tu_capture_free(c);
    tu_capture_free(src);
}
END_TEST

START_TEST(nanosecond_and_microsecond_interfaces_in_one_file)
{
    /* capinfos: first packet 2026-01-06 01:31:29.500330493 (eth0, if_tsresol 9),
     * last 01:37:17.140942 (the NPF interface, microseconds). */
    tu_capture *c = tu_read(tu_public("zeek-pcapng-multi-interface.pcapng"));
    ck_assert_int_eq(c->err_code, 0);
    ck_assert_uint_eq(c->pkts[0].ts_ns, 1767663089500330493ull);
    ck_assert_uint_eq(c->pkts[c->n - 1].ts_ns, 1767663437140942000ull);
    tu_capture_free(c);
}
END_TEST

/* A time nta_packet cannot hold (before 1970, or past 2^63 - 1 ns = 2262-04-11 23:47:16.854775807
 * UTC) is a bad record, counted, never saturated: an all-ones timestamp made --bytes --interval
 * print empty blocks without end. Hand-derived: 2^40 units of 1 s (if_tsresol 0x80, 2^-0) are
 * 1.1e21 ns; an offset of 9223372036 s (2^63 ns) plus the packet's 1.8e18 ns exceeds 2^63. */
START_TEST(times_beyond_63_bits_are_bad_records)
{
    tu_capture *src = tu_read(tu_fixture("veth-scenarios.pcap"));
    const tu_pkt *syn = &src->pkts[2];
    static const struct {
        uint64_t ts;
        uint8_t resol;
        int has_off;
        int64_t off;
        int ok;
        uint64_t want;
    } cases[] = {
        { UINT64_MAX, 9, 0, 0, 0, 0 },
        { (uint64_t)INT64_MAX, 9, 0, 0, 1, (uint64_t)INT64_MAX },
        { (uint64_t)INT64_MAX + 1, 9, 0, 0, 0, 0 },
        { 1ull << 40, 0x80, 0, 0, 0, 0 },
        { 1795454472ull, 0x80, 0, 0, 1, 1795454472000000000ull },
        { 1795454472000000000ull, 9, 1, INT64_MAX / 1000000000, 0, 0 },
        { 1795454472000000000ull, 9, 1, -1795454473ll, 0, 0 },
        { 1795454472000000000ull, 9, 1, -1795454472ll, 1, 0 },
        { UINT64_MAX, 19, 0, 0, 1, 1844674407ull },   /* 10^-19 s units: 1.8 s */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int be = 0; be < 2; be++) {
            wbuf w;
            build_ts(&w, be, "t0", syn, 0, cases[i].ts, cases[i].resol, cases[i].has_off,
                     cases[i].off);
            tu_capture *c = tu_read_mem(w.b, w.n);
            ck_assert_msg(c->err_code == 0, "case %zu: %s", i, c->err_msg);
            ck_assert_msg(c->n == (size_t)cases[i].ok && c->bad_records == (uint64_t)!cases[i].ok,
                          "case %zu be=%d: %zu packets, %llu bad", i, be, c->n,
                          (unsigned long long)c->bad_records);
            if (cases[i].ok)
                ck_assert_uint_eq(c->pkts[0].ts_ns, cases[i].want);
            tu_capture_free(c);
        }
    }
    tu_capture_free(src);
}
END_TEST

int main(void)
{
    tu_require_shared("formats/pcapng");
    Suite *s = suite_create("pcapng");
    TCase *tc = tcase_create("pcapng");
    tcase_add_test(tc, two_link_types_keep_their_names);
    tcase_add_test(tc, generator_file_with_ethernet_and_null);
    tcase_add_test(tc, big_endian_section_reads_like_little_endian);
    tcase_add_test(tc, damaged_blocks_are_reported_or_skipped);
    tcase_add_test(tc, nanosecond_and_microsecond_interfaces_in_one_file);
    tcase_add_test(tc, times_beyond_63_bits_are_bad_records);
    tcase_add_test(tc, darwin_process_blocks_name_each_packets_process);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
