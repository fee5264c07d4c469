/* tests/formats/test_readers.c: every capture reader against peers' view of the same files.
 *
 * Truth: ../shared/fixtures/public/MANIFEST.tsv (packet counts by capinfos, "readable=N" for
 * damaged files) and groundtruth/FILE.capinfos.txt (first/last time, interfaces); nta's own
 * fixtures/groundtruth/FILE.capinfos.txt (made by fixtures/make-fixtures.sh with capinfos).
 * Derived forms (compressed, ns, pcapng, ERF) must read packet-for-packet like their source. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/trace.h"
#include "testutil.h"

/* ---- capinfos parsing ---- */

typedef struct cap_iface {
    char name[256];
    char encap[64];   /* short name: ether, linux-sll, null, ... */
    long packets;
} cap_iface;

typedef struct capinfos {
    int have_first;
    uint64_t first_ns, last_ns;
    int first_digits, last_digits;
    cap_iface ifs[8];
    int nifs;
} capinfos;

static int parse_time(const char *s, uint64_t *ns, int *digits)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
    if (rest == NULL)
        return -1;
    uint64_t frac = 0;
    int d = 0;
    if (*rest == '.')
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, d++)
            frac = frac * 10 + (uint64_t)(*rest - '0');
    for (int k = d; k < 9; k++)
        frac *= 10;
    *ns = (uint64_t)timegm(&tm) * 1000000000u + frac;
    *digits = d;
    return 0;
}

static void read_capinfos(const char *path, capinfos *ci)
{
    memset(ci, 0, sizeof *ci);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "missing %s", path);
    char line[1024];
    cap_iface *cur = NULL;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *v;
        if ((v = strstr(line, "First packet time:")) != NULL)
            ci->have_first = parse_time(v + 18 + strspn(v + 18, " "), &ci->first_ns,
                                        &ci->first_digits) == 0;
        else if ((v = strstr(line, "Last packet time:")) != NULL)
            parse_time(v + 17 + strspn(v + 17, " "), &ci->last_ns, &ci->last_digits);
        else if (strncmp(line, "Interface #", 11) == 0 && ci->nifs < 8)
            cur = &ci->ifs[ci->nifs++], cur->packets = -1;
        else if (cur && (v = strstr(line, "Name = ")) != NULL)
            snprintf(cur->name, sizeof cur->name, "%s", v + 7);
        else if (cur && (v = strstr(line, "Encapsulation = ")) != NULL) {
            char *dash = strrchr(v, '-');
            if (dash)
                snprintf(cur->encap, sizeof cur->encap, "%.*s", (int)strcspn(dash + 2, ")"), dash + 2);
        } else if (cur && (v = strstr(line, "Number of packets = ")) != NULL)
            cur->packets = atol(v + 20);
    }
    fclose(f);
}

/* capinfos names encapsulations by Wireshark's short names; these are the LINKTYPE_* values. */
static long encap_linktype(const char *e)
{
    static const struct { const char *n; long lt; } map[] = {
        { "ether", 1 }, { "null", 0 }, { "linux-sll", 113 }, { "linux-sll2", 276 },
        { "rawip", 101 }, { "rawip4", 228 }, { "rawip6", 229 }, { "loop", 108 }, { "nflog", 239 },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].n, e) == 0)
            return map[i].lt;
    return -1;
}

/* Appends every disagreement between nta's reading of path and capinfos to *log. */
static void compare_capinfos(const char *label, const tu_capture *c, const capinfos *ci, char **log)
{
    char *m = NULL;
    if (ci->have_first && c->n > 0) {
        uint64_t lo = c->pkts[0].ts_ns, hi = c->pkts[0].ts_ns;
        for (size_t i = 1; i < c->n; i++) {
            if (c->pkts[i].ts_ns < lo)
                lo = c->pkts[i].ts_ns;
            if (c->pkts[i].ts_ns > hi)
                hi = c->pkts[i].ts_ns;
        }
        /* capinfos prints as many digits as the file's precision: compare at that precision. */
        uint64_t unit_f = 1, unit_l = 1;
        for (int k = ci->first_digits; k < 9; k++)
            unit_f *= 10;
        for (int k = ci->last_digits; k < 9; k++)
            unit_l *= 10;
        if (lo / unit_f != ci->first_ns / unit_f || hi / unit_l != ci->last_ns / unit_l) {
            asprintf(&m, "%s  %s: first/last %llu/%llu, capinfos %llu/%llu\n", *log, label,
                     (unsigned long long)lo, (unsigned long long)hi,
                     (unsigned long long)ci->first_ns, (unsigned long long)ci->last_ns);
            free(*log);
            *log = m;
        }
    }
    for (int i = 0; i < ci->nifs; i++) {
        const cap_iface *ef = &ci->ifs[i];
        if ((uint32_t)i >= c->nifs) {
            asprintf(&m, "%s  %s: interface %d missing\n", *log, label, i);
            free(*log);
            *log = m;
            continue;
        }
        const nta_iface *f = &c->ifs[i];
        long lt = encap_linktype(ef->encap);
        uint64_t pk = 0;
        for (size_t k = 0; k < c->n; k++)
            pk += c->pkts[k].ifindex == (uint32_t)i;
        /* capinfos escapes nothing; nta keeps the raw bytes: compare names only when capinfos
         * printed one that has no control characters to fold. */
        int name_bad = ef->name[0] && strchr(f->name, '\n') == NULL && strcmp(ef->name, f->name) != 0;
        if (name_bad || (lt >= 0 && (long)f->linktype != lt)
            || (ef->packets >= 0 && (long)pk != ef->packets)) {
            asprintf(&m, "%s  %s: interface %d: nta %s/%u/%llu, capinfos %s/%s/%ld\n", *log, label, i,
                     f->name, f->linktype, (unsigned long long)pk, ef->name, ef->encap, ef->packets);
            free(*log);
            *log = m;
        }
    }
}

START_TEST(public_captures_match_capinfos)
{
    tu_tsv *man = tu_tsv_read(tu_public("MANIFEST.tsv"));
    ck_assert_ptr_nonnull(man);
    int cf = tu_tsv_col(man, "filename"), cp = tu_tsv_col(man, "packets"),
        ce = tu_tsv_col(man, "reader_errors");
    char *log = strdup("");
    int checked = 0;
    for (int r = 0; r < man->nrows; r++) {
        const char *name = man->rows[r][cf];
        const char *pk = man->rows[r][cp];
        long want = strncmp(pk, "readable=", 9) == 0 ? atol(pk + 9) : atol(pk);
        int damaged = strcmp(man->rows[r][ce], "none") != 0;
        tu_capture *c = tu_read(tu_public(name));
        char *m = NULL;
        if ((long)c->n != want || (damaged != (c->err_code != 0))) {
            asprintf(&m, "%s  %s: %zu packets (error %d: %s), MANIFEST %s, damaged=%d\n", log, name,
                     c->n, c->err_code, c->err_msg, pk, damaged);
            free(log);
            log = m;
        }
        char gt[600];
        snprintf(gt, sizeof gt, "groundtruth/%s.capinfos.txt", name);
        FILE *probe = fopen(tu_public(gt), "r");
        if (probe) {
            fclose(probe);
            capinfos ci;
            read_capinfos(tu_public(gt), &ci);
            compare_capinfos(name, c, &ci, &log);
        }
        tu_capture_free(c);
        checked++;
    }
    tu_tsv_free(man);
    ck_assert_int_ge(checked, 50);
    ck_assert_msg(log[0] == '\0', "disagreements with capinfos:\n%s", log);
    free(log);
}
END_TEST

START_TEST(own_captures_match_capinfos)
{
    static const char *files[] = { "veth-scenarios.pcap", "veth-midstream.pcap", "two-links.pcapng",
                                   "loopback.pcap", "veth-scenarios-ns.pcap",
                                   "veth-scenarios.pcapng" };
    char *log = strdup("");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char gt[256];
        snprintf(gt, sizeof gt, "groundtruth/%s.capinfos.txt", files[i]);
        capinfos ci;
        read_capinfos(tu_fixture(gt), &ci);
        tu_capture *c = tu_read(tu_fixture(files[i]));
        ck_assert_msg(c->err_code == 0, "%s: %s", files[i], c->err_msg);
        ck_assert_msg(c->n > 0, "%s is empty", files[i]);
        compare_capinfos(files[i], c, &ci, &log);
        tu_capture_free(c);
    }
    ck_assert_msg(log[0] == '\0', "disagreements with capinfos:\n%s", log);
    free(log);
}
END_TEST

/* Same packets, byte for byte; timestamps within tol_ns. */
static void assert_same_packets(const char *a_path, const char *b_path, uint64_t tol_ns)
{
    tu_capture *a = tu_read(a_path), *b = tu_read(b_path);
    ck_assert_msg(a->err_code == 0 && b->err_code == 0, "%s: %s / %s: %s", a_path, a->err_msg,
                  b_path, b->err_msg);
    ck_assert_msg(a->n == b->n, "%s has %zu packets, %s %zu", a_path, a->n, b_path, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const tu_pkt *x = &a->pkts[i], *y = &b->pkts[i];
        uint64_t d = x->ts_ns > y->ts_ns ? x->ts_ns - y->ts_ns : y->ts_ns - x->ts_ns;
        ck_assert_msg(d <= tol_ns, "%s packet %zu: ts %llu vs %llu", b_path, i + 1,
                      (unsigned long long)x->ts_ns, (unsigned long long)y->ts_ns);
        ck_assert_msg(x->caplen == y->caplen && x->origlen == y->origlen
                          && x->linktype == y->linktype,
                      "%s packet %zu: lengths/linktype differ", b_path, i + 1);
        ck_assert_msg(memcmp(x->data, y->data, x->caplen) == 0, "%s packet %zu: bytes differ",
                      b_path, i + 1);
    }
    tu_capture_free(a);
    tu_capture_free(b);
}

START_TEST(own_derived_forms_read_like_the_source)
{
    const char *src = tu_fixture("veth-scenarios.pcap");
    static const char *forms[] = { "veth-scenarios.pcap.gz", "veth-scenarios.pcap.bz2",
                                   "veth-scenarios.pcap.xz", "veth-scenarios.pcap.zst",
                                   "veth-scenarios-ns.pcap", "veth-scenarios.pcapng" };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        assert_same_packets(src, tu_fixture(forms[i]), 0);
    /* ERF stores time as 32.32 fixed point: traceconvert's rounding stays under 1 µs. */
    assert_same_packets(src, tu_fixture("veth-scenarios.erf"), 1000);
}
END_TEST

START_TEST(public_compressed_forms_read_like_the_source)
{
    assert_same_packets(tu_public("zeek-missing-syn.pcap"), tu_public("zeek-missing-syn.pcap.zst"), 0);
    assert_same_packets(tu_public("ppa-http_ip4and6.pcapng"), tu_public("ppa-http_ip4and6.pcapng.xz"), 0);
}
END_TEST

/* A file cut anywhere yields a prefix of its packets, an error unless the cut falls between
 * records, and never a crash or a wrong packet. */
/* mode: 1 plain pcap (boundaries known), 2 compressed, 0 other */
static void cut_buffer(const char *name, const uint8_t *buf, size_t len, size_t step, int plain_pcap)
{
    tu_capture *full = tu_read_mem(buf, len);
    for (size_t cut = 0; cut < len; cut += step) {
        tu_capture *c = tu_read_mem(buf, cut);
        ck_assert_msg(c->n <= full->n, "%s cut at %zu: more packets than the whole file", name, cut);
        for (size_t i = 0; i < c->n; i++)
            ck_assert_msg(c->pkts[i].caplen == full->pkts[i].caplen
                              && memcmp(c->pkts[i].data, full->pkts[i].data, c->pkts[i].caplen) == 0
                              && c->pkts[i].ts_ns == full->pkts[i].ts_ns,
                          "%s cut at %zu: packet %zu differs", name, cut, i + 1);
        if (plain_pcap == 1 && cut >= 24) {
            /* Records end at 24 + sum(16 + caplen): a cut there is a clean, shorter file; any
             * other cut must be reported, with exactly the records before it. */
            size_t end = 24, k = 0;
            while (k < full->n && end + 16 + full->pkts[k].caplen <= cut)
                end += 16 + full->pkts[k++].caplen;
            ck_assert_msg(c->n == k, "%s cut at %zu: %zu packets, %zu complete records", name, cut,
                          c->n, k);
            ck_assert_msg((c->err_code == 0) == (end == cut), "%s cut at %zu: error %d (%s)", name,
                          cut, c->err_code, c->err_msg);
        } else if (cut > 0 && plain_pcap == 2) {
            /* compressed: the end marker is gone, so every cut is noticed */
            ck_assert_msg(c->err_code != 0, "%s cut at %zu: unnoticed", name, cut);
        } else if (cut > 0) {
            ck_assert_msg(c->err_code != 0 || c->n < full->n, "%s cut at %zu: unnoticed", name, cut);
        }
        tu_capture_free(c);
    }
    tu_capture_free(full);
}

static void cut_everywhere(const char *name, size_t step, int plain_pcap)
{
    size_t len;
    uint8_t *buf = tu_slurp(tu_fixture(name), &len);
    cut_buffer(name, buf, len, step, plain_pcap);
    free(buf);
}

/* The decompressed bytes of a fixture (through nta_stream, which test_stream.c checks). */
static uint8_t *decompressed(const char *name, size_t *len)
{
    nta_stream *s;
    nta_err err;
    ck_assert_int_eq(nta_stream_open_file(&s, tu_fixture(name), &err), 0);
    size_t cap = 1 << 20, got;
    uint8_t *buf = malloc(cap);
    ck_assert_int_eq(nta_stream_read(s, buf, cap, &got, &err), 0);
    ck_assert_uint_lt(got, cap);
    nta_stream_free(s);
    *len = got;
    return buf;
}

START_TEST(cut_files_lose_nothing_before_the_cut)
{
    size_t elen;
    uint8_t *erf = decompressed("veth-scenarios.erf", &elen);
    cut_buffer("veth-scenarios.erf (plain)", erf, elen, 11, 0);
    free(erf);
    cut_everywhere("veth-scenarios.erf", 13, 2);
    cut_everywhere("veth-scenarios.pcap", 7, 1);
    cut_everywhere("veth-scenarios.pcapng", 37, 0);
    cut_everywhere("veth-scenarios.pcap.gz", 13, 2);
    cut_everywhere("veth-scenarios.pcap.zst", 13, 2);
    cut_everywhere("veth-scenarios.pcap.xz", 13, 2);
    cut_everywhere("veth-scenarios.pcap.bz2", 13, 2);
}
END_TEST

START_TEST(truncated_file_reports_truncation)
{
    /* zeek-wikipedia-cut.pcap: head -c 20000 of a 136-packet file; capinfos read 92 packets. */
    tu_capture *c = tu_read(tu_public("zeek-wikipedia-cut.pcap"));
    ck_assert_uint_eq(c->n, 92);
    ck_assert_int_eq(c->err_code, NTA_ETRUNC);
    tu_capture_free(c);
    /* sv-smtp-to-comma.pcap: 18 records then a record header claiming 3925868813 bytes. */
    c = tu_read(tu_public("sv-smtp-to-comma.pcap"));
    ck_assert_uint_eq(c->n, 18);
    ck_assert_int_eq(c->err_code, NTA_ECORRUPT);
    ck_assert_msg(strstr(c->err_msg, "3925868813") != NULL, "message names the length: %s", c->err_msg);
    tu_capture_free(c);
}
END_TEST

START_TEST(non_captures_are_named)
{
    const char text[] = "<html>this is no capture at all</html>\n";
    tu_capture *c = tu_read_mem(text, sizeof text - 1);
    ck_assert_int_eq(c->err_code, NTA_EFORMAT);
    ck_assert_msg(strstr(c->err_msg, "3c 68 74 6d") != NULL, "shows the bytes: %s", c->err_msg);
    tu_capture_free(c);
    c = tu_read_mem("", 0);
    ck_assert_int_eq(c->err_code, NTA_EFORMAT);
    ck_assert_msg(strstr(c->err_msg, "empty") != NULL, "%s", c->err_msg);
    tu_capture_free(c);
}
END_TEST

START_TEST(several_files_merge_in_time_order)
{
    const char *paths[3] = { tu_fixture("veth-scenarios.pcap"), tu_fixture("loopback.pcap"),
                             tu_fixture("veth-midstream.pcap") };
    size_t want = 0;
    for (int i = 0; i < 3; i++) {
        tu_capture *c = tu_read(paths[i]);
        want += c->n;
        tu_capture_free(c);
    }
    nta_trace *t;
    nta_err err;
    nta_trace_opts o = { NULL, NULL, 0, 0 };
    ck_assert_int_eq(nta_trace_open(&t, paths, 3, &o, &err), 0);
    nta_packet p;
    size_t n = 0;
    uint64_t last = 0;
    while (nta_trace_next(t, &p, &err) == 1) {
        ck_assert_msg(p.ts_ns >= last, "packet %zu goes back in time", n + 1);
        last = p.ts_ns;
        n++;
    }
    ck_assert_uint_eq(n, want);
    ck_assert_uint_eq(nta_trace_nifaces(t), 3);
    ck_assert_str_eq(nta_trace_iface(t, 1)->name, "loopback.pcap");
    nta_trace_free(t);
}
END_TEST

/* Differences between two reads of one file, appended to *log. */
static void compare_reads(const char *name, const tu_capture *a, const tu_capture *b, char **log)
{
    char *m = NULL;
    const char *what = NULL;
    size_t at = 0;
    if (a->n != b->n)
        what = "packet count";
    for (size_t i = 0; what == NULL && i < a->n; i++) {
        const tu_pkt *x = &a->pkts[i], *y = &b->pkts[i];
        at = i + 1;
        if (x->ts_ns != y->ts_ns || x->ifindex != y->ifindex || x->linktype != y->linktype
            || x->caplen != y->caplen || x->origlen != y->origlen || x->offset != y->offset
            || memcmp(x->data, y->data, x->caplen) != 0)
            what = "packet";
    }
    if (what == NULL && (a->nifs != b->nifs || a->err_code != b->err_code
                         || a->bad_records != b->bad_records || strcmp(a->err_msg, b->err_msg) != 0))
        what = "interfaces or ending";
    for (uint32_t i = 0; what == NULL && i < a->nifs; i++)
        if (strcmp(a->ifs[i].name, b->ifs[i].name) != 0 || a->ifs[i].linktype != b->ifs[i].linktype
            || a->ifs[i].packets != b->ifs[i].packets || a->ifs[i].ifdrop != b->ifs[i].ifdrop)
            what = "interface";
    if (what == NULL)
        return;
    asprintf(&m, "%s  %s: %s differs (packet %zu; %zu vs %zu packets, error %d '%s' vs %d '%s')\n",
             *log, name, what, at, a->n, b->n, a->err_code, a->err_msg, b->err_code, b->err_msg);
    free(*log);
    *log = m;
}

/* The reading thread (formats/prefetch.c) changes nothing a reader produces: every public
 * capture (damaged ones too: the same packets, then the same error) and every own fixture read
 * inline and ahead give the same packets, interfaces (pcapng ones announced between packets
 * included), skipped records and ending. */
START_TEST(reading_ahead_changes_nothing)
{
    tu_tsv *man = tu_tsv_read(tu_public("MANIFEST.tsv"));
    ck_assert_ptr_nonnull(man);
    int cf = tu_tsv_col(man, "filename");
    char *log = strdup("");
    int checked = 0;
    for (int r = 0; r < man->nrows; r++, checked++) {
        const char *path = tu_public(man->rows[r][cf]);
        tu_capture *a = tu_read_opts(path, 1), *b = tu_read_opts(path, 0);
        compare_reads(man->rows[r][cf], a, b, &log);
        tu_capture_free(a);
        tu_capture_free(b);
    }
    static const char *own[] = { "veth-scenarios.pcap", "veth-midstream.pcap", "two-links.pcapng",
                                 "loopback.pcap", "veth-scenarios.pcapng", "veth-scenarios.erf",
                                 "veth-scenarios.pcap.zst", "veth-scenarios.pcap.gz", "reorder.pcap" };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++, checked++) {
        tu_capture *a = tu_read_opts(tu_fixture(own[i]), 1), *b = tu_read_opts(tu_fixture(own[i]), 0);
        ck_assert_uint_gt(a->n, 0);
        compare_reads(own[i], a, b, &log);
        tu_capture_free(a);
        tu_capture_free(b);
    }
    tu_tsv_free(man);
    ck_assert_int_ge(checked, 59);
    ck_assert_msg(log[0] == '\0', "reading ahead differs from reading inline:\n%s", log);
    free(log);
}
END_TEST

static void swap_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

/* Writes len bytes of buf to a temporary file; its path in path (free()d by the caller). */
static char *temp_capture(const uint8_t *buf, size_t len)
{
    char *path = strdup("/tmp/nta-direct-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Read inline, records come from the reader's buffer; read ahead, from the reading thread's
 * chunks, which the records are read into (formats/prefetch.c): both against libpcap alone. */
static void compare_direct(const char *name, const char *path, char **log)
{
    tu_capture *a = tu_read_how(path, 1, 0), *b = tu_read_how(path, 0, 0), *l = tu_read_how(path, 1, 1);
    compare_reads(name, a, l, log);
    compare_reads(name, b, l, log);
    tu_capture_free(a);
    tu_capture_free(b);
    tu_capture_free(l);
}

/* Plain pcap files' records are read without libpcap while libpcap would pass them through
 * untouched, and by libpcap from the first record it would not (formats/pcap_file.c): every
 * public capture, the own pcap fixtures, a file cut at every 7th byte, and files whose header
 * claims a snapshot length some records exceed (libpcap cuts those: the hand-over happens in
 * the middle of the file) read exactly as with libpcap alone: packets, errors, offsets. */
START_TEST(direct_pcap_records_read_as_libpcap_does)
{
    tu_tsv *man = tu_tsv_read(tu_public("MANIFEST.tsv"));
    ck_assert_ptr_nonnull(man);
    int cf = tu_tsv_col(man, "filename");
    char *log = strdup("");
    for (int r = 0; r < man->nrows; r++)
        compare_direct(man->rows[r][cf], tu_public(man->rows[r][cf]), &log);
    tu_tsv_free(man);
    static const char *own[] = { "veth-scenarios.pcap", "veth-midstream.pcap", "loopback.pcap",
                                 "reorder.pcap" };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        compare_direct(own[i], tu_fixture(own[i]), &log);
    size_t len;
    uint8_t *buf = tu_slurp(tu_fixture("veth-scenarios.pcap"), &len);
    for (size_t cut = 0; cut < len; cut += 7) {
        char *path = temp_capture(buf, cut), name[64];
        snprintf(name, sizeof name, "veth-scenarios.pcap cut at %zu", cut);
        compare_direct(name, path, &log);
        unlink(path);
        free(path);
    }
    /* the same file written big-endian: every header field byte-swapped */
    uint8_t *be = malloc(len);
    memcpy(be, buf, len);
    swap_bytes(be, 4);
    swap_bytes(be + 4, 2);
    swap_bytes(be + 6, 2);
    for (size_t f = 8; f < 24; f += 4)
        swap_bytes(be + f, 4);
    for (size_t at = 24; at + 16 <= len;) {
        uint32_t caplen;
        memcpy(&caplen, buf + at + 8, 4);
        for (size_t f = 0; f < 16; f += 4)
            swap_bytes(be + at + f, 4);
        at += 16 + caplen;
    }
    char *bepath = temp_capture(be, len);
    compare_direct("veth-scenarios.pcap big-endian", bepath, &log);
    tu_capture *le = tu_read(tu_fixture("veth-scenarios.pcap")), *bec = tu_read(bepath);
    ck_assert_uint_eq(le->n, bec->n);
    for (size_t i = 0; i < le->n; i++)
        ck_assert_msg(le->pkts[i].ts_ns == bec->pkts[i].ts_ns && le->pkts[i].caplen == bec->pkts[i].caplen
                          && le->pkts[i].origlen == bec->pkts[i].origlen
                          && memcmp(le->pkts[i].data, bec->pkts[i].data, le->pkts[i].caplen) == 0,
                      "big-endian packet %zu differs", i + 1);
    tu_capture_free(le);
    tu_capture_free(bec);
    unlink(bepath);
    free(bepath);
    free(be);
    /* little-endian header: the snapshot length at bytes 16-19 */
    static const uint32_t snaps[] = { 60, 100, 1000 };
    for (size_t i = 0; i < sizeof snaps / sizeof snaps[0]; i++) {
        buf[16] = (uint8_t)snaps[i];
        buf[17] = (uint8_t)(snaps[i] >> 8);
        buf[18] = buf[19] = 0;
        char *path = temp_capture(buf, len), name[64];
        snprintf(name, sizeof name, "veth-scenarios.pcap with snaplen %u", snaps[i]);
        tu_capture *c = tu_read(path);
        ck_assert_uint_gt(c->n, 0);
        tu_capture_free(c);
        compare_direct(name, path, &log);
        unlink(path);
        free(path);
    }
    free(buf);
    ck_assert_msg(log[0] == '\0', "direct pcap reading differs from libpcap's:\n%s", log);
    free(log);
}
END_TEST

/* veth-scenarios.pcap's first six records with their ts_sec and ts_usec fields replaced, as a
 * little-endian microsecond pcap (the file's own header). */
static uint8_t *retimed_pcap(const uint32_t *secs, const uint32_t *usecs, size_t *len)
{
    size_t n;
    uint8_t *src = tu_slurp(tu_fixture("veth-scenarios.pcap"), &n);
    uint8_t *out = malloc(n);
    memcpy(out, src, 24);
    size_t at = 24, o = 24;
    for (int i = 0; i < 6; i++) {
        uint32_t caplen;
        memcpy(&caplen, src + at + 8, 4);
        memcpy(out + o, src + at, 16 + caplen);
        memcpy(out + o, &secs[i], 4);
        memcpy(out + o + 4, &usecs[i], 4);
        at += 16 + caplen;
        o += 16 + caplen;
    }
    free(src);
    *len = o;
    return out;
}

/* Classic pcap's ts_sec is unsigned: tshark -r on these records shows 2040-01-01 00:00:00.42354
 * UTC (2208988800 s, derived: 70 years and 17 leap days after 1970) where libpcap's signed field
 * read 1901, which nta turned into a date in 2488. A microsecond field of 10^6 or more is no time
 * (tshark prints "1795454472.1000000000"): that record is skipped and counted, the rest read. */
START_TEST(pcap_times_past_2038_and_impossible_fractions)
{
    static const uint32_t late[6] = { 2208988800u, 2208988801u, 4294967295u, 2208988803u,
                                      2208988804u, 2208988805u };
    static const uint32_t us[6] = { 423540, 455565, 999999, 615305, 615312, 615328 };
    static const uint32_t bad_us[6] = { 423540, 1000000, 615265, 4294967295u, 615312, 615328 };
    static const uint32_t ok_s[6] = { 1795454472u, 1795454472u, 1795454472u, 1795454472u,
                                      1795454472u, 1795454472u };
    size_t len;
    uint8_t *late_buf = retimed_pcap(late, us, &len);
    char *late_path = temp_capture(late_buf, len);
    uint8_t *bad_buf = retimed_pcap(ok_s, bad_us, &len);
    char *bad_path = temp_capture(bad_buf, len);
    for (int how = 0; how < 4; how++) {   /* memory (libpcap), inline direct, read ahead, libpcap */
        tu_capture *c = how == 0 ? tu_read_mem(late_buf, len) : tu_read_how(late_path, how == 1, how == 3);
        ck_assert_msg(c->err_code == 0 && c->n == 6, "how %d: %zu packets, %s", how, c->n, c->err_msg);
        ck_assert_uint_eq(c->pkts[0].ts_ns, 2208988800423540000ull);
        ck_assert_uint_eq(c->pkts[2].ts_ns, 4294967295999999000ull);   /* 2106-02-07 06:28:15 */
        ck_assert_uint_eq(c->bad_records, 0);
        tu_capture_free(c);
        c = how == 0 ? tu_read_mem(bad_buf, len) : tu_read_how(bad_path, how == 1, how == 3);
        ck_assert_msg(c->err_code == 0 && c->n == 4, "how %d: %zu packets, %s", how, c->n, c->err_msg);
        ck_assert_uint_eq(c->bad_records, 2);
        ck_assert_uint_eq(c->pkts[1].ts_ns, 1795454472615265000ull);
        tu_capture_free(c);
    }
    unlink(late_path);
    unlink(bad_path);
    free(late_path);
    free(bad_path);
    free(late_buf);
    free(bad_buf);
}
END_TEST

static int count_iface(void *ctx, const nta_iface *ifc, uint32_t *index)
{
    uint32_t *n = ctx;
    if (ifc->linktype != UINT32_MAX)
        *index = (*n)++;
    return 0;
}

/* nta's ERF reader against libtrace's, which read ERF before: on the fixture (written by
 * traceconvert, gzip'd by it) the same frames, lengths and link types; times within the 1 ns
 * libtrace's truncating conversion loses. nta rounds, as tshark prints the fixture's first frame
 * (1795454472.423540000, tshark -r veth-scenarios.erf), which is the source pcap's microsecond. */
START_TEST(erf_reader_agrees_with_libtrace)
{
    uint32_t nifs = 0;
    nta_reader_opts o = { NULL, 0, { count_iface, &nifs }, 0 };
    nta_reader lt;
    nta_err err;
    char uri[4200];
    snprintf(uri, sizeof uri, "erf:%s", tu_fixture("veth-scenarios.erf"));
    ck_assert_int_eq(nta_libtrace_open(&lt, uri, &o, &err), 0);
    tu_capture *c = tu_read(tu_fixture("veth-scenarios.erf"));
    ck_assert_msg(c->err_code == 0 && c->bad_records == 0, "%s", c->err_msg);
    ck_assert_str_eq(c->format, "erf");
    size_t i = 0;
    nta_packet p;
    while (lt.next(lt.ctx, &p, &err) == 1) {
        ck_assert_uint_lt(i, c->n);
        const tu_pkt *x = &c->pkts[i++];
        ck_assert_msg(x->caplen == p.caplen && x->origlen == p.origlen && x->linktype == p.linktype,
                      "packet %zu: %u/%u/%u vs libtrace %u/%u/%u", i, x->caplen, x->origlen,
                      x->linktype, p.caplen, p.origlen, p.linktype);
        ck_assert_msg(memcmp(x->data, p.data, p.caplen) == 0, "packet %zu: bytes differ", i);
        ck_assert_msg(x->ts_ns >= p.ts_ns && x->ts_ns - p.ts_ns <= 1, "packet %zu: %llu vs %llu", i,
                      (unsigned long long)x->ts_ns, (unsigned long long)p.ts_ns);
    }
    ck_assert_uint_eq(i, c->n);
    ck_assert_uint_eq(c->n, 105);   /* capinfos veth-scenarios.pcap: 105 packets */
    ck_assert_uint_eq(c->pkts[0].ts_ns, 1795454472423540000ull);
    nta_reader_close(&lt);
    tu_capture_free(c);
    /* from memory (no file name, so no libtrace): the same packets */
    size_t len;
    uint8_t *buf = tu_slurp(tu_fixture("veth-scenarios.erf"), &len);
    tu_capture *a = tu_read(tu_fixture("veth-scenarios.erf")), *m = tu_read_mem(buf, len);
    ck_assert_msg(m->err_code == 0 && m->n == a->n, "%zu packets: %s", m->n, m->err_msg);
    for (i = 0; i < a->n; i++)
        ck_assert_msg(a->pkts[i].ts_ns == m->pkts[i].ts_ns && a->pkts[i].caplen == m->pkts[i].caplen
                          && a->pkts[i].origlen == m->pkts[i].origlen
                          && a->pkts[i].offset == m->pkts[i].offset
                          && memcmp(a->pkts[i].data, m->pkts[i].data, a->pkts[i].caplen) == 0,
                      "packet %zu differs read from memory", i + 1);
    tu_capture_free(a);
    tu_capture_free(m);
    free(buf);

    /* three records flagged with a receive error: libtrace gives them without a packet, which
     * was skipped unseen; now every record is accounted for, by either reader */
    size_t elen;
    uint8_t *erf = decompressed("veth-scenarios.erf", &elen);
    size_t at = 0;
    for (int r = 0; at + 16 <= elen; r++) {
        if (r == 20 || r == 30 || r == 40)
            erf[at + 9] |= 0x10;
        at += (size_t)(erf[at + 10] << 8 | erf[at + 11]);
    }
    char *path = temp_capture(erf, elen);
    snprintf(uri, sizeof uri, "erf:%s", path);
    ck_assert_int_eq(nta_libtrace_open(&lt, uri, &o, &err), 0);
    for (i = 0; lt.next(lt.ctx, &p, &err) == 1;)
        i++;
    ck_assert_uint_eq(i, 102);
    ck_assert_uint_eq(lt.warn->bad_records, 3);
    nta_reader_close(&lt);
    c = tu_read(path);
    ck_assert_uint_eq(c->n, 102);
    ck_assert_uint_eq(c->bad_records, 3);
    tu_capture_free(c);
    unlink(path);
    free(path);
    free(erf);
}
END_TEST

int main(void)
{
    tu_require_shared("formats/readers");
    Suite *s = suite_create("readers");
    TCase *tc = tcase_create("readers");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, public_captures_match_capinfos);
    tcase_add_test(tc, own_captures_match_capinfos);
    tcase_add_test(tc, own_derived_forms_read_like_the_source);
    tcase_add_test(tc, public_compressed_forms_read_like_the_source);
    tcase_add_test(tc, cut_files_lose_nothing_before_the_cut);
    tcase_add_test(tc, truncated_file_reports_truncation);
    tcase_add_test(tc, non_captures_are_named);
    tcase_add_test(tc, several_files_merge_in_time_order);
    tcase_add_test(tc, reading_ahead_changes_nothing);
    tcase_add_test(tc, direct_pcap_records_read_as_libpcap_does);
    tcase_add_test(tc, pcap_times_past_2038_and_impossible_fractions);
    tcase_add_test(tc, erf_reader_agrees_with_libtrace);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
