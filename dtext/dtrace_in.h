/* dtext/dtrace_in.h: probe events read back from text that dtrace wrote (`dtrace -o FILE`).
 *
 * Events from a capture and events from dtrace text are the same nta_event (DESIGN.md, "The
 * probe event"), so every report and writer works on both. Which script wrote the file is
 * recognised from its header line: dtrace/nta-events.d (every field of every probe), the
 * FreeBSD network-providers article's Example 1 (dtrace's default output), Example 3 and
 * dtrace-tcp(4)'s segment loggers, Example 6 and dtrace-tcp(4)'s state-change loggers. Each
 * shows only some fields (nta_dtext_fields); the others are zero in the events and consumers
 * must not use them. `dtrace: ...` lines (stderr mixed in) and blank lines are skipped;
 * malformed lines are counted with their numbers and the rest is used. Constant memory: lines
 * stream, and only Example 6's per-connection clocks are kept, until the connection closes.
 *
 * This lives in analyzer/, not formats/ as DESIGN.md's drawing has it, because it builds
 * nta_event, which formats/ may not know. */
#ifndef NTA_DTEXT_DTRACE_IN_H
#define NTA_DTEXT_DTRACE_IN_H

#include <stddef.h>
#include <stdint.h>

#include "event/traced.h"
#include "event/probes.h"
#include "common/err.h"

struct nta_stream;

typedef enum nta_dtext_kind {
    NTA_DTEXT_NONE = 0,
    NTA_DTEXT_NTAEV,        /**< dtrace/nta-events.d: "ntaev1 ..." lines */
    NTA_DTEXT_DEFAULT,      /**< Example 1: "CPU     ID                    FUNCTION:NAME" */
    NTA_DTEXT_EX3,          /**< Example 3: " SADDR SPORT DADDR DPORT BYTES FLAGS" */
    NTA_DTEXT_TCP4_SEGS,    /**< dtrace-tcp(4): " CPU LADDR:LPORT RADDR:RPORT BYTES FLAGS" */
    NTA_DTEXT_EX6,          /**< Example 6: " LADDR LPORT RADDR RPORT DELTA(us)" */
    NTA_DTEXT_TCP4_STATES,  /**< dtrace-tcp(4): " DELTA(us) OLD NEW TIMESTAMP" */
    NTA_DTEXT_AGGS,         /**< printed aggregations only (nta convert reads these) */
} nta_dtext_kind;

/* Which known output buf (the first bytes of a file, decompressed) starts with; NONE if none. */
nta_dtext_kind nta_dtext_sniff(const uint8_t *buf, size_t n);
/* The same on a prefix of the input that may not be all of it (complete 0): 1 when *kind is
 * decided, 0 when more bytes are needed (the first lines are not complete yet). Lets a pipe be
 * recognised from its first line instead of its first 64 KiB. */
int nta_dtext_sniff_more(const uint8_t *buf, size_t n, int complete, nta_dtext_kind *kind);
/* Nonzero when the first bytes (up to 4 KiB) are printable text, as dtrace writes. */
int nta_dtext_is_text(const uint8_t *p, size_t n);
const char *nta_dtext_kind_name(nta_dtext_kind k);
/* The header lines nta recognises, for "not a known dtrace output" messages. */
extern const char nta_dtext_expected[];

/* Which NTA_F_* fields and which probes (bit per nta_probe) a kind's events carry. */
uint32_t nta_dtext_fields(nta_dtext_kind k);
uint32_t nta_dtext_probes(nta_dtext_kind k);

typedef struct nta_dtext nta_dtext;

typedef struct nta_dtext_stats {
    uint64_t lines, events;
    uint64_t skipped;          /**< blank, `dtrace: ` and repeated header lines */
    uint64_t malformed;
    char first_bad[8][300];    /**< "FILE:LINE: why" of the first malformed lines */
    int nbad;
} nta_dtext_stats;

/* Open the files ("-" = standard input; compressed ones are decompressed), which must all be
 * output of the same kind. Returns 0, or NTA_EFORMAT naming what was expected, NTA_EIO. */
int nta_dtext_open(nta_dtext **out, const char *const *paths, int npaths, nta_err *err);
/* The same over streams already opened (their first bytes peeked, not consumed), which the
 * reader takes over: freed by nta_dtext_free(), or at once when opening fails. */
int nta_dtext_open_streams(nta_dtext **out, const char *const *paths, struct nta_stream **streams,
                           int npaths, nta_err *err);
/* The same over a caller-owned buffer (tests, fuzzing); it must outlive the reader. */
int nta_dtext_open_mem(nta_dtext **out, const void *buf, size_t len, nta_err *err);
nta_dtext_kind nta_dtext_kind_of(const nta_dtext *d);

/* Read everything, handing events to sink (probes outside the bit set `probes` are dropped).
 * locals: Example 3 does not say which end is local, so an event is tcp:::send when its source
 * address is in locals, else tcp:::receive; when locals is not given (n == 0 and not all) it
 * is inferred from the first lines and written back. For the other kinds it is set to say the
 * events come from the host dtrace ran on. Returns 0 (malformed lines are only counted), or a
 * negative NTA_E* when a file could not be read on or the sink failed. The sink's on_start and
 * on_finish are not called: the caller runs them (source/source.c). */
int nta_dtext_run(nta_dtext *d, nta_locals *locals, uint32_t probes, const nta_sink *sink,
                  nta_err *err);
/* fn is called once, before the first event (or at the end when there is none), with the
 * traced hosts as decided (consumers write their headers then). */
void nta_dtext_on_decided(nta_dtext *d, void (*fn)(void *ctx, const nta_locals *l), void *ctx);
const nta_dtext_stats *nta_dtext_stats_of(const nta_dtext *d);
/* Lines read from input i so far. */
uint64_t nta_dtext_lines_of(const nta_dtext *d, int i);
/* fn runs before a read of an input waits (a pipe from a live dtrace). */
void nta_dtext_set_wait_hook(nta_dtext *d, void (*fn)(void *), void *ctx);
void nta_dtext_free(nta_dtext *d);

#endif
