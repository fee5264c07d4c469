/* tests/testutil.h: helpers shared by nta's Check suites.
 *
 * Locating fixtures (nta's own under fixtures/, the public ones under ../shared, which may be
 * absent outside CI), reading a capture into a list of packets, and reading peers' TSV outputs.
 * Test code only: it allocates freely and aborts the test on any surprise. */
#ifndef NTA_TESTS_TESTUTIL_H
#define NTA_TESTS_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/capture.h"
#include "formats/trace.h"

/* Path of a file under nta's fixtures/ or ../shared/fixtures/public. The result lives in one of
 * eight rotating static buffers: valid until eight more calls. */
const char *tu_fixture(const char *name);
const char *tu_public(const char *name);

/* 1 when ../shared exists. When it does not: under CI (CI set) the suite fails; otherwise main()
 * prints why and exits 77 (ctest's skip) through tu_require_shared(). */
int tu_have_shared(void);
void tu_require_shared(const char *suite);

/* One packet copied out of a reader. */
typedef struct tu_pkt {
    uint64_t ts_ns;
    uint32_t ifindex, linktype, caplen, origlen;
    uint64_t offset;
    uint8_t *data;
    int has_proc;          /* the reader named a process (nta_packet.proc), copied: */
    uint32_t pid;
    char pname[NTA_PROC_NAME_MAX];
} tu_pkt;

typedef struct tu_capture {
    tu_pkt *pkts;
    size_t n;
    nta_iface ifs[32];
    uint32_t nifs;
    int err_code;          /* 0 or the NTA_E* that ended the read */
    uint64_t bad_records;  /* records the reader skipped as unusable */
    char err_msg[512];
    const char *format;
} tu_capture;

/* Read every packet of path through nta_trace (so detection, decompression and merging are the
 * product's own). */
tu_capture *tu_read(const char *path);
/* Same, choosing whether the file is read ahead in a thread (nta_trace_opts.inline_read). */
tu_capture *tu_read_opts(const char *path, int inline_read);
/* Same, also choosing whether plain pcap records are read by libpcap only (via_libpcap). */
tu_capture *tu_read_how(const char *path, int inline_read, int via_libpcap);
/* Same from a memory buffer via nta_stream_open_mem + nta_capture_open. */
tu_capture *tu_read_mem(const void *buf, size_t len);
void tu_capture_free(tu_capture *c);

/* Whole file into memory; *len set. Aborts the test when unreadable. */
uint8_t *tu_slurp(const char *path, size_t *len);

/* A tab-separated table with a header row (peers' outputs). Lines starting with '#' are skipped. */
typedef struct tu_tsv {
    char **cols;           /* header names */
    int ncols;
    char ***rows;          /* rows[i][j], "" for empty cells */
    int nrows;
} tu_tsv;

tu_tsv *tu_tsv_read(const char *path);   /* NULL when the file does not exist */
int tu_tsv_col(const tu_tsv *t, const char *name);   /* -1 when absent */
void tu_tsv_free(tu_tsv *t);

/* Run a suite (CK_NORMAL) and return main()'s status: 0 when every check passed. */
int tu_run(Suite *s);

/* Analyse path with every host traced, the given probes enabled, events to sink; asserts that
 * the trace opens and the analyzer accepts every packet. */
struct nta_sink;
void tu_analyze(const char *path, uint32_t probes, const struct nta_sink *sink);

#endif
