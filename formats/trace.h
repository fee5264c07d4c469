/* formats/trace.h: one trace made of several capture files, read in timestamp order.
 *
 * Rotated captures of one host are one trace: each file gets its reader, and nta_trace_next()
 * always returns the earliest pending packet among them. Interfaces of all files share one
 * table (deduplicated by name and link type). A file that cannot be opened or that breaks in
 * the middle is recorded with its error and the others go on: nothing readable is lost, and the
 * caller learns what was not read from nta_trace_file(). The optional BPF filter is applied here. */
#ifndef NTA_FORMATS_TRACE_H
#define NTA_FORMATS_TRACE_H

#include <stdint.h>

#include "common/err.h"
#include "formats/capture.h"

typedef struct nta_trace nta_trace;

typedef struct nta_trace_opts {
    const char *ifname;   /**< name for interfaces the files do not name; NULL = file base name */
    const char *filter;   /**< BPF expression or NULL */
    int inline_read;      /**< 1: read in the caller's thread; 0: each file is read ahead in a
                               thread of its own (formats/prefetch.h) when there are few */
    int via_libpcap;      /**< 1: classic pcap records read by libpcap only (tests compare) */
} nta_trace_opts;

typedef struct nta_trace_file {
    const char *path;
    const char *format;          /**< "pcap", "pcapng", "erf", ... or "" when it did not open */
    const char *compression;     /**< "none", "gzip", ... */
    uint64_t packets;            /**< records read from this file (before the filter) */
    uint64_t bad_records;        /**< records the reader skipped as unusable */
    nta_err err;                 /**< why reading stopped early (err.code 0: it did not) */
    char warn[200];              /**< first skipped-record message, "" when none */
} nta_trace_file;

/* Opens every path ("-" = standard input; "fmt:path" = a libtrace URI). A file that fails to
 * open is recorded, not fatal. Returns 0, or NTA_EUSAGE for a bad filter, NTA_ENOMEM. */
int nta_trace_open(nta_trace **out, const char *const *paths, int npaths,
                   const nta_trace_opts *o, nta_err *err);
/* The same with inputs already opened: streams[i] (may be NULL: opened by path as above) is
 * taken over by the trace, also when opening fails. A stream's first bytes may have been
 * peeked (nta_stream_peek), never consumed. */
int nta_trace_open_streams(nta_trace **out, const char *const *paths, nta_stream **streams,
                           int npaths, const nta_trace_opts *o, nta_err *err);
void nta_trace_free(nta_trace *t);

/* 1 packet (data valid until the next call), 0 end of all files, negative NTA_EUSAGE when the
 * filter cannot apply to a link type met in the trace. Per-file read errors are not returned
 * here: they end that file and are kept in nta_trace_file(). */
int nta_trace_next(nta_trace *t, nta_packet *pkt, nta_err *err);

int nta_trace_nfiles(const nta_trace *t);
const nta_trace_file *nta_trace_file_info(const nta_trace *t, int i);

uint32_t nta_trace_nifaces(const nta_trace *t);
/* Interface i (< nta_trace_nifaces): the pointer stays valid until nta_trace_free(), also while
 * later interfaces are added. */
const nta_iface *nta_trace_iface(const nta_trace *t, uint32_t i);

/* The name of interface ifindex of trace ctx (an nta_trace *), NULL when there is none: the
 * analyzer's nta_analyzer_opts.ifname. */
const char *nta_trace_ifname(void *ctx, uint32_t ifindex);

/* Install fn on every input stream (see nta_stream_set_wait_hook). */
void nta_trace_set_wait_hook(nta_trace *t, void (*fn)(void *), void *ctx);

/* Packets the filter rejected. */
uint64_t nta_trace_filtered(const nta_trace *t);

/* Raw bytes read so far and in total over all files (total 0 when a size is unknown). */
void nta_trace_progress(const nta_trace *t, uint64_t *done, uint64_t *total, uint64_t *packets);

#endif
