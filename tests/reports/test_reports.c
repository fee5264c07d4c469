/* tests/reports/test_reports.c: the article's reports against peers on real captures.
 *
 * Truth: Zeek's conn.log (../shared/fixtures/public/zeek-ftp-ipv6.pcap.zeek-conn.log: 6 TCP
 * connections, each with history starting "S" (SYN seen) and state SF, durations 0.109 s to
 * 26.658 s) and capinfos/tshark counts of nta's own captures. Where nta's definition differs
 * from the peer's, the expected relation is stated and explained next to the check. */
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/synth.h"
#include "reports/log_writer.h"
#include "reports/report.h"
#include "testutil.h"

static int feed(void *ctx, const nta_event *ev)
{
    nta_report *r = ctx;
    return ((r->kind->probes >> ev->probe) & 1u) ? r->on_event(r, ev) : 0;
}

static nta_report *run(nta_report *(*make)(const nta_report_opts *), const char *path, FILE *stream)
{
    nta_report_opts o = { NTA_RFMT_TEXT, stream, 0, NTA_F_ALL, NULL, NULL, 0, NULL, 0, NULL };
    nta_report *r = make(&o);
    ck_assert_ptr_nonnull(r);
    r->kind = nta_report_kind_named(r->name);   /* as nta_report_new does */
    nta_sink sink = { .on_event = feed, .ctx = r };
    tu_analyze(path, r->kind->probes, &sink);
    return r;
}

static double metric(nta_report *r, const char *name)
{
    double v;
    ck_assert_msg(r->metric(r, name, &v) == 0, "no metric %s", name);
    return v;
}

/* Zeek's duration runs from the SYN to the last packet before the final ACK; the article's
 * from entering SYN_SENT (the SYN, on the client) or SYN_RECEIVED (the third packet, on the
 * server) to entering FIN_WAIT_2, CLOSING or LAST_ACK, which happens before that last packet.
 * So each end's duration is at most its connection's Zeek duration, and with both ends traced
 * each of the 6 connections gives 2: 12. The longest Zeek connection lasts 26.658219 s. */
START_TEST(durations_within_zeek)
{
    nta_report *r = run(nta_report_durations, tu_public("zeek-ftp-ipv6.pcap"), NULL);
    ck_assert_int_eq((int)metric(r, "durations.count"), 12);
    double max = metric(r, "durations.max_ms");
    ck_assert_msg(max <= 26658 && max >= 26000, "max %g ms", max);
    ck_assert(metric(r, "durations.p50_ms") <= 219);   /* 4 of 6 Zeek durations are under 0.22 s */
    r->free(r);
}
END_TEST

/* Example 4 counts every ip:::send and ip:::receive: with both hosts traced each IP packet of
 * veth-scenarios.pcap counts twice. capinfos: 105 frames, 2 of them ARP: 103 IP packets. */
START_TEST(ifhist_counts_every_ip_packet_twice)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    nta_report *r = run(nta_report_ifhist, tu_fixture("veth-scenarios.pcap"), o);
    json_t *rows = r->json_rows(r);
    json_int_t total = 0;
    size_t i, k;
    json_t *row, *b;
    json_array_foreach(rows, i, row)
        json_array_foreach(json_object_get(row, "buckets"), k, b)
            total += json_integer_value(json_object_get(b, "count"));
    ck_assert_int_eq((int)total, 2 * 103);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_array_get(rows, 0), "key"), 0)),
                     "veth-scenarios.pcap");
    json_decref(rows);
    r->free(r);
    fclose(o);
    free(buf);
}
END_TEST

/* One log, all of its output, formatted inline or on the writer thread. */
static char *log_output(nta_report *(*make)(const nta_report_opts *), nta_rfmt fmt,
                        const char *path, int threaded, double *lines)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    nta_logw *w = threaded ? nta_logw_new() : NULL;
    ck_assert(!threaded || w != NULL);
    nta_report_opts opts = { fmt, o, 0, NTA_F_ALL, w, NULL, 0, NULL, 0, NULL };
    nta_report *r = make(&opts);
    ck_assert_ptr_nonnull(r);
    r->kind = nta_report_kind_named(r->name);   /* as nta_report_new does */
    nta_sink sink = { .on_event = feed, .ctx = r };
    tu_analyze(path, r->kind->probes, &sink);
    if (w != NULL)
        ck_assert_int_eq(nta_logw_finish(w), 0);
    if (fmt == NTA_RFMT_TEXT)
        ck_assert_int_eq(r->write_text(r, o), 0);
    *lines = metric(r, make == nta_report_packets ? "packets.lines" : "states.lines");
    r->free(r);
    nta_logw_free(w);
    fclose(o);
    return buf;
}

/* The writer thread (reports/log_writer.c) changes nothing in the logs: every format of
 * --packets and --states is byte for byte what formatting as events come gives, on captures
 * with IPv4, IPv6 and both ends traced. The packet log has a line per tcp:::send and
 * tcp:::receive: with both ends of veth-scenarios.pcap traced, 2 x its 85 TCP frames
 * (tshark -Y tcp). */
START_TEST(writer_thread_writes_what_inline_writes)
{
    const char *paths[] = { tu_fixture("veth-scenarios.pcap"), tu_public("zeek-ftp-ipv6.pcap") };
    nta_report *(*makes[])(const nta_report_opts *) = { nta_report_packets, nta_report_states };
    nta_rfmt fmts[] = { NTA_RFMT_TEXT, NTA_RFMT_CSV, NTA_RFMT_JSON };
    for (int p = 0; p < 2; p++)
        for (int m = 0; m < 2; m++)
            for (int f = 0; f < 3; f++) {
                double l1, l2;
                char *a = log_output(makes[m], fmts[f], paths[p], 0, &l1);
                char *b = log_output(makes[m], fmts[f], paths[p], 1, &l2);
                ck_assert_msg(strlen(a) > 100 && strcmp(a, b) == 0 && l1 == l2,
                              "%s log %d format %d differs with the writer thread", paths[p], m, f);
                if (p == 0 && m == 0)
                    ck_assert_int_eq((int)l1, 2 * 85);
                free(a);
                free(b);
            }
}
END_TEST

/* A log's old file is cut on the writer thread (nta_logw_truncate): what was already written
 * through the stream (a JSON head, on the analysing thread) stays, then the lines follow; none
 * of the old bytes survive. Compared with the same log written to an empty file. */
START_TEST(writer_cuts_an_old_log_after_what_was_written)
{
    char path[] = "/tmp/nta-oldlog-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    char junk[65536];
    memset(junk, 'x', sizeof junk);
    for (int i = 0; i < 64; i++)
        ck_assert_int_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    FILE *o = fdopen(fd, "w");
    ck_assert_ptr_nonnull(o);
    fputs("{\"head\":1,\"rows\":[", o);   /* written before the writer gets to the cut */
    nta_logw *w = nta_logw_new();
    ck_assert_ptr_nonnull(w);
    nta_report_opts opts = { NTA_RFMT_JSON, o, 0, NTA_F_ALL, w, NULL, 0, NULL, 0, NULL };
    nta_report *r = nta_report_new(nta_report_kind_named("packets"), &opts);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(nta_logw_truncate(w, r), 0);
    nta_sink sink = { .on_event = feed, .ctx = r };
    tu_analyze(tu_fixture("veth-scenarios.pcap"), r->kind->probes, &sink);
    ck_assert_int_eq(nta_logw_finish(w), 0);
    r->free(r);
    nta_logw_free(w);
    ck_assert_int_eq(fclose(o), 0);
    size_t len;
    char *got = (char *)tu_slurp(path, &len);
    unlink(path);
    double lines;
    char *rows = log_output(nta_report_packets, NTA_RFMT_JSON, tu_fixture("veth-scenarios.pcap"), 1, &lines);
    char *want = NULL;
    ck_assert_int_ge(asprintf(&want, "{\"head\":1,\"rows\":[%s", rows), 0);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_msg(memcmp(got, want, len) == 0, "the cut log differs from a fresh one");
    free(got);
    free(want);
    free(rows);
}
END_TEST

/* --bytes prints its text rows from the 4-tuple table, not through printa: the order must stay
 * printa's (the value, then the key parts: address text by strcmp, so "10.0.0.10" before
 * "10.0.0.2", then the port), and keys that print alike must merge as the aggregation merges
 * them (an IPv4-mapped IPv6 address prints as its dotted quad). Expected rows derived by hand
 * from those rules, in "%-15s %5d %-15s %5d %9d". */
static char *bytes_tcp_rows(int mapped)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(o);
    nta_report_opts opts = { NTA_RFMT_TEXT, o, 0, NTA_F_ALL, NULL, NULL, 0, NULL, 0, NULL };
    nta_report *r = nta_report_bytes(&opts);
    ck_assert_ptr_nonnull(r);
    r->kind = nta_report_kind_named(r->name);   /* as nta_report_new does */
    static const struct { uint8_t last; uint16_t sport, dport; uint32_t payload; } sends[] = {
        { 2, 80, 5000, 100 }, { 3, 80, 5001, 150 }, { 10, 443, 5002, 150 }, { 9, 22, 5003, 7 },
    };
    for (int i = 0; i < 4 + mapped; i++) {
        int m = i == 4;   /* the first send again, from the IPv4-mapped form of its address */
        int k = m ? 0 : i;
        uint8_t src[16] = { 0 }, dst[16] = { 0 };
        if (m) {
            src[10] = src[11] = dst[10] = dst[11] = 0xff;
        }
        uint8_t *s4 = m ? src + 12 : src, *d4 = m ? dst + 12 : dst;
        s4[0] = d4[0] = 10;
        s4[3] = sends[k].last;
        d4[3] = 1;
        ipinfo_t ip;
        memset(&ip, 0, sizeof ip);
        nta_addr_set(&ip.ip_saddr, m ? 6 : 4, src);
        nta_addr_set(&ip.ip_daddr, m ? 6 : 4, dst);
        ip.ip_plength = 20 + (m ? 50 : sends[k].payload);
        tcpinfo_t tcp;
        memset(&tcp, 0, sizeof tcp);
        tcp.tcp_sport = sends[k].sport;
        tcp.tcp_dport = sends[k].dport;
        tcp.tcp_offset = 20;
        nta_event ev;
        memset(&ev, 0, sizeof ev);
        ev.probe = NTA_PROBE_TCP_SEND;
        ev.ts_ns = 1700000000000000000ull + (uint64_t)i;
        ev.host = &ip.ip_saddr;
        ev.ip = &ip;
        ev.tcp = &tcp;
        ck_assert_int_eq(r->on_event(r, &ev), 0);
    }
    ck_assert_int_eq(r->write_text(r, o), 0);
    ck_assert_int_eq(fclose(o), 0);
    r->free(r);
    char *head = strstr(buf, "SIZE\n");   /* the TCP block's column header comes first */
    ck_assert_ptr_nonnull(head);
    head += 5;
    char *end = strstr(head, "\n\n");
    ck_assert_ptr_nonnull(end);
    char *rows = strndup(head, (size_t)(end - head) + 1);
    free(buf);
    return rows;
}

START_TEST(bytes_rows_in_printa_order)
{
    char *rows = bytes_tcp_rows(0);
    /* 7, 100, then the two of 150 by address text: "10.0.0.10" < "10.0.0.3" */
    ck_assert_str_eq(rows, "10.0.0.9           22 10.0.0.1         5003         7\n"
                           "10.0.0.2           80 10.0.0.1         5000       100\n"
                           "10.0.0.10         443 10.0.0.1         5002       150\n"
                           "10.0.0.3           80 10.0.0.1         5001       150\n");
    free(rows);
}
END_TEST

START_TEST(bytes_rows_merge_keys_that_print_alike)
{
    /* ::ffff:10.0.0.2 prints as 10.0.0.2: its 50 bytes join the 100 of the same 4-tuple's
     * text, and the 150 then sorts with the others of 150, by address text */
    char *rows = bytes_tcp_rows(1);
    ck_assert_str_eq(rows, "10.0.0.9           22 10.0.0.1         5003         7\n"
                           "10.0.0.10         443 10.0.0.1         5002       150\n"
                           "10.0.0.2           80 10.0.0.1         5000       150\n"
                           "10.0.0.3           80 10.0.0.1         5001       150\n");
    free(rows);
}
END_TEST

int main(void)
{
    tu_require_shared("reports/reports");
    Suite *s = suite_create("reports");
    TCase *tc = tcase_create("reports");
    tcase_add_test(tc, durations_within_zeek);
    tcase_add_test(tc, ifhist_counts_every_ip_packet_twice);
    tcase_add_test(tc, writer_thread_writes_what_inline_writes);
    tcase_add_test(tc, writer_cuts_an_old_log_after_what_was_written);
    tcase_add_test(tc, bytes_rows_in_printa_order);
    tcase_add_test(tc, bytes_rows_merge_keys_that_print_alike);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
