/* tests/analyzer/test_conn.c: per-connection figures from the event stream against peers.
 *
 * With every host traced, each TCP segment fires tcp:::send on its sender; summing those per
 * direction gives frames and payload bytes (ip_plength - tcp_offset, the dtrace-tcp(4)
 * example's formula), and their first/last timestamps the connection's span. Truth:
 *   tshark: ../shared/fixtures/public/groundtruth/FILE.tshark-tcp-streams.tsv (per stream);
 *   Zeek:   ../shared/fixtures/public/FILE.zeek-conn.log (orig_pkts, resp_pkts, duration).
 * Differences that are expected are listed with their reason next to the comparison. */
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/synth.h"
#include "formats/decode.h"
#include "testutil.h"

typedef struct conn_sum {
    char a[NTA_ADDR_STRLEN], b[NTA_ADDR_STRLEN];   /* canonical: a < b as strings, then ports */
    uint16_t pa, pb;
    uint64_t frames[2], payload[2];   /* [0] a->b, [1] b->a */
    uint64_t first_ns, last_ns;
    uint64_t last_but_final_ack_ns;   /* last segment that is not a pure ACK after both FINs */
    int fins;                         /* bit per direction that sent a FIN */
} conn_sum;

typedef struct sums {
    conn_sum c[4096];
    int n;
} sums;

/* Peers print IPv6 per RFC 5952, DTrace compresses single zero groups: compare as nta prints. */
static const char *norm(const char *in, char *out)
{
    nta_prefix p;
    if (nta_prefix_parse(in, &p) == 0)
        return nta_addr_str(&p.addr, out);
    snprintf(out, NTA_ADDR_STRLEN, "%s", in);
    return out;
}

static conn_sum *find(sums *s, const char *x0, uint16_t px, const char *y0, uint16_t py, int *dir,
                      int create)
{
    char xb[NTA_ADDR_STRLEN], yb[NTA_ADDR_STRLEN];
    const char *x = norm(x0, xb), *y = norm(y0, yb);
    int swap = strcmp(x, y) > 0 || (strcmp(x, y) == 0 && px > py);
    const char *a = swap ? y : x, *b = swap ? x : y;
    uint16_t pa = swap ? py : px, pb = swap ? px : py;
    *dir = swap;
    for (int i = 0; i < s->n; i++)
        if (s->c[i].pa == pa && s->c[i].pb == pb && strcmp(s->c[i].a, a) == 0
            && strcmp(s->c[i].b, b) == 0)
            return &s->c[i];
    if (!create || s->n == 4096)
        return NULL;
    conn_sum *c = &s->c[s->n++];
    memset(c, 0, sizeof *c);
    snprintf(c->a, sizeof c->a, "%s", a);
    snprintf(c->b, sizeof c->b, "%s", b);
    c->pa = pa;
    c->pb = pb;
    return c;
}

static int on_event(void *ctx, const nta_event *ev)
{
    if (ev->probe != NTA_PROBE_TCP_SEND)
        return 0;
    char x[NTA_ADDR_STRLEN], y[NTA_ADDR_STRLEN];
    nta_addr_str(&ev->ip->ip_saddr, x);
    nta_addr_str(&ev->ip->ip_daddr, y);
    int dir;
    conn_sum *c = find(ctx, x, ev->tcp->tcp_sport, y, ev->tcp->tcp_dport, &dir, 1);
    ck_assert_ptr_nonnull(c);
    if (c->frames[0] + c->frames[1] == 0)
        c->first_ns = ev->ts_ns;
    c->last_ns = ev->ts_ns;
    uint32_t payload = ev->ip->ip_plength - ev->tcp->tcp_offset;
    int pure_ack = payload == 0 && (ev->tcp->tcp_flags & (TH_SYN | TH_FIN | TH_RST)) == 0;
    if (!(pure_ack && c->fins == 3))
        c->last_but_final_ack_ns = ev->ts_ns;
    if (ev->tcp->tcp_flags & TH_FIN)
        c->fins |= 1 << dir;
    c->frames[dir]++;
    c->payload[dir] += ev->ip->ip_plength - ev->tcp->tcp_offset;
    return 0;
}

static void run(const char *path, sums *s)
{
    memset(s, 0, sizeof *s);
    nta_sink sink = { .on_event = on_event, .ctx = s };
    tu_analyze(path, 1u << NTA_PROBE_TCP_SEND, &sink);
}

static void append(char **log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **log, const char *fmt, ...)
{
    char *line, *m;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&line, fmt, ap) < 0)
        line = NULL;
    va_end(ap);
    if (asprintf(&m, "%s%s", *log, line ? line : "") < 0)
        m = NULL;
    free(line);
    free(*log);
    *log = m;
}

/* tshark reassembles IP fragments (payload counted at the last fragment) and counts TCP headers
 * quoted in ICMP errors; nta does neither (the tcp provider sees neither). */
static int tshark_payload_differs_by_design(const char *name)
{
    return strcmp(name, "arkime-socks5-http-302-frag.pcap") == 0;
}

START_TEST(every_public_stream_matches_tshark)
{
    tu_tsv *man = tu_tsv_read(tu_public("MANIFEST.tsv"));
    int cf = tu_tsv_col(man, "filename");
    sums *s = malloc(sizeof *s);
    char *log = strdup("");
    int streams = 0;
    for (int r = 0; r < man->nrows; r++) {
        const char *name = man->rows[r][cf];
        char path[512];
        snprintf(path, sizeof path, "groundtruth/%s.tshark-tcp-streams.tsv", name);
        tu_tsv *ts = tu_tsv_read(tu_public(path));
        if (ts == NULL || ts->nrows == 0) {
            tu_tsv_free(ts);
            continue;
        }
        run(tu_public(name), s);
        int ca = tu_tsv_col(ts, "A_addr"), cpa = tu_tsv_col(ts, "A_port"),
            cb = tu_tsv_col(ts, "B_addr"), cpb = tu_tsv_col(ts, "B_port"),
            cfe = tu_tsv_col(ts, "first_epoch"), cdu = tu_tsv_col(ts, "duration_s"),
            caf = tu_tsv_col(ts, "AtoB_frames"), cbf = tu_tsv_col(ts, "BtoA_frames"),
            cap = tu_tsv_col(ts, "AtoB_tcp_payload"), cbp = tu_tsv_col(ts, "BtoA_tcp_payload");
        /* several tshark streams can share a 4-tuple (port reuse): sum them first */
        for (int k = 0; k < ts->nrows; k++) {
            char **row = ts->rows[k];
            int dir, dup = 0;
            for (int j = 0; j < k; j++)
                dup |= strcmp(ts->rows[j][ca], row[ca]) == 0 && strcmp(ts->rows[j][cpa], row[cpa]) == 0
                       && strcmp(ts->rows[j][cb], row[cb]) == 0 && strcmp(ts->rows[j][cpb], row[cpb]) == 0;
            if (dup)
                continue;
            uint64_t fa = 0, fb = 0, pa = 0, pb = 0;
            double first = 1e300, last = 0;
            for (int j = k; j < ts->nrows; j++) {
                char **o = ts->rows[j];
                if (strcmp(o[ca], row[ca]) || strcmp(o[cpa], row[cpa]) || strcmp(o[cb], row[cb])
                    || strcmp(o[cpb], row[cpb]))
                    continue;
                fa += strtoull(o[caf], NULL, 10);
                fb += strtoull(o[cbf], NULL, 10);
                pa += strtoull(o[cap], NULL, 10);
                pb += strtoull(o[cbp], NULL, 10);
                double f = strtod(o[cfe], NULL), l = f + strtod(o[cdu], NULL);
                first = f < first ? f : first;
                last = l > last ? l : last;
            }
            streams++;
            conn_sum *c = find(s, row[ca], (uint16_t)atoi(row[cpa]), row[cb],
                               (uint16_t)atoi(row[cpb]), &dir, 0);
            if (c == NULL) {
                append(&log, "  %s %s:%s-%s:%s: no tcp:::send at all\n", name, row[ca], row[cpa],
                       row[cb], row[cpb]);
                continue;
            }
            uint64_t nf_a = c->frames[dir], nf_b = c->frames[1 - dir];
            uint64_t np_a = c->payload[dir], np_b = c->payload[1 - dir];
            int payload_ok = (np_a == pa && np_b == pb)
                             || (tshark_payload_differs_by_design(name) && np_a + np_b < pa + pb);
            double nfirst = (double)c->first_ns / 1e9, nlast = (double)c->last_ns / 1e9;
            if (nf_a != fa || nf_b != fb || !payload_ok || fabs(nfirst - first) > 2e-6
                || fabs(nlast - last) > 2e-6)
                append(&log, "  %s %s:%s-%s:%s: nta frames %llu/%llu payload %llu/%llu span "
                       "%.6f+%.6f; tshark %llu/%llu %llu/%llu %.6f+%.6f\n", name, row[ca], row[cpa],
                       row[cb], row[cpb], (unsigned long long)nf_a, (unsigned long long)nf_b,
                       (unsigned long long)np_a, (unsigned long long)np_b, nfirst, nlast - nfirst,
                       (unsigned long long)fa, (unsigned long long)fb, (unsigned long long)pa,
                       (unsigned long long)pb, first, last - first);
        }
        tu_tsv_free(ts);
    }
    tu_tsv_free(man);
    free(s);
    ck_assert_int_ge(streams, 2000);
    ck_assert_msg(log[0] == '\0', "per-connection figures differ from tshark:\n%s", log);
    free(log);
}
END_TEST

/* Zeek conn.log: TCP rows with a duration. The column set is given either by "#fields" or, for
 * zeek-cut subsets, by the first non-comment line. */
START_TEST(zeek_connections_match)
{
    static const char *logs[] = {
        "zeek-ftp-ipv6.pcap", "zeek-http-on-irc-port-missing-syn.pcapng", "zeek-miss_end_data.pcap",
        "zeek-missing-syn.pcap", "zeek-retransmit-fast009.pcap", "zeek-tcp-http-with-padding.pcap",
        "zeek-wikipedia.pcap", "zeek-ssh-server-side-half-duplex.pcap", "zeek-get-to-ssh-server.pcap",
        "zeek-ctu-64702-888.pcap",
    };
    sums *s = malloc(sizeof *s);
    char *log = strdup("");
    int rows = 0;
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s.zeek-conn.log", logs[i]);
        FILE *f = fopen(tu_public(path), "r");
        ck_assert_msg(f != NULL, "%s", path);
        run(tu_public(logs[i]), s);
        char line[4096];
        char *cols[64];
        int ncols = 0;
        char header[4096] = "";
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            if (strncmp(line, "#fields\t", 8) == 0) {
                snprintf(header, sizeof header, "%s", line + 8);
                continue;
            }
            if (line[0] == '#' || line[0] == '\0')
                continue;
            if (header[0] == '\0') {   /* zeek-cut subset: this line names the columns */
                snprintf(header, sizeof header, "%s", line);
                continue;
            }
            char hcopy[4096];
            snprintf(hcopy, sizeof hcopy, "%s", header);
            ncols = 0;
            for (char *tok = strtok(hcopy, "\t "); tok && ncols < 64; tok = strtok(NULL, "\t "))
                cols[ncols++] = tok;
            char *vals[64];
            int nv = 0;
            for (char *tok = strtok(line, "\t "); tok && nv < 64; tok = strtok(NULL, "\t "))
                vals[nv++] = tok;
            const char *oh = NULL, *op = NULL, *rh = NULL, *rp = NULL, *proto = "tcp",
                       *dur = NULL, *opk = NULL, *rpk = NULL;
            for (int k = 0; k < ncols && k < nv; k++) {
                if (!strcmp(cols[k], "id.orig_h")) oh = vals[k];
                if (!strcmp(cols[k], "id.orig_p")) op = vals[k];
                if (!strcmp(cols[k], "id.resp_h")) rh = vals[k];
                if (!strcmp(cols[k], "id.resp_p")) rp = vals[k];
                if (!strcmp(cols[k], "proto")) proto = vals[k];
                if (!strcmp(cols[k], "duration")) dur = vals[k];
                if (!strcmp(cols[k], "orig_pkts")) opk = vals[k];
                if (!strcmp(cols[k], "resp_pkts")) rpk = vals[k];
            }
            if (!oh || !op || !rh || !rp || strcmp(proto, "tcp") != 0 || !opk || !rpk)
                continue;
            rows++;
            int dir;
            conn_sum *c = find(s, oh, (uint16_t)atoi(op), rh, (uint16_t)atoi(rp), &dir, 0);
            if (c == NULL) {
                append(&log, "  %s %s:%s-%s:%s: not seen\n", logs[i], oh, op, rh, rp);
                continue;
            }
            /* Zeek counts every packet it saw, retransmissions included, like tcp:::send. Its
             * duration stops before the final ACK that follows both FINs (the ACK is counted
             * in orig/resp_pkts but does not extend the duration); a "-" duration is a
             * connection with one packet, and zeek-cut subsets may leave the column out. */
            double nd = (double)(c->last_but_final_ack_ns - c->first_ns) / 1e9;
            int dur_ok = dur == NULL || (strcmp(dur, "-") == 0 ? nd == 0
                                                                : fabs(strtod(dur, NULL) - nd) <= 1.5e-6);
            if (c->frames[dir] != strtoull(opk, NULL, 10) || c->frames[1 - dir] != strtoull(rpk, NULL, 10)
                || !dur_ok)
                append(&log, "  %s %s:%s-%s:%s: nta pkts %llu/%llu dur %.6f; zeek %s/%s %s\n",
                       logs[i], oh, op, rh, rp, (unsigned long long)c->frames[dir],
                       (unsigned long long)c->frames[1 - dir], nd, opk, rpk, dur ? dur : "?");
        }
        fclose(f);
    }
    free(s);
    ck_assert_int_ge(rows, 15);
    ck_assert_msg(log[0] == '\0', "per-connection figures differ from Zeek:\n%s", log);
    free(log);
}
END_TEST

int main(void)
{
    tu_require_shared("analyzer/conn");
    Suite *s = suite_create("conn");
    TCase *tc = tcase_create("conn");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_public_stream_matches_tshark);
    tcase_add_test(tc, zeek_connections_match);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
