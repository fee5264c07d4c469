/* shard/shard_file.h: the shard file: one shard's partial state, as `--emit-shard` writes it and
 * `nta merge` reads it (issue 17; man/nta.1 "SHARDS" documents the format, version 1).
 *
 * A file is the magic "NTASHRD1" then sections, each [tag: 4 ASCII bytes][sub: u32 LE]
 * [length: u64 LE][payload], ending with an empty DONE section (a file without it is a shard run
 * that did not finish). Sections:
 *   HEAD  u32 version (1), u32 kind (NTA_SHARD_*), the plan id (40 hex chars), u32 shard count,
 *         u32 n, then the n shard indices the file covers, increasing (one for a shard; several
 *         after a partial merge)
 *   PLAN  the plan's JSON text (source/plan.h); OPTS the command's options, which every shard
 *         of a merge must share (kind-specific bytes, compared as they are)
 *   MAIN  records emitted while handling packets, TIMR those of timers, ENDS those of the end of
 *         input: groups of records with one position each (event/probes.h, nta_event_pos), in
 *         the order the shard emitted them. A group is a header then uv record count; each
 *         record is u8 channel, uv length (at most 64 KiB), payload. Group headers carry
 *         deltas from the section's previous group: MAIN uv packet, uv clock; TIMR sv deadline,
 *         u8 rank, sv packet; ENDS u8 rank, sv clock, sv packet.
 *   STAT  (sub = channel) a report's state: chunks of uv length, payload, in the order written
 *   INFO  uv packets, connections, midstream, evicted, events; uv n, then n (blob reason, uv count):
 *         what the shard analysed and skipped
 * Integers are common/varint.h's. Readers check every length against the file before using
 * it: shard files are untrusted input to the merge (fuzz/fuzz_shard.c). */
#ifndef NTA_SHARD_SHARD_FILE_H
#define NTA_SHARD_SHARD_FILE_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "common/varint.h"
#include "event/probes.h"

enum { NTA_SHARD_REPORT = 1, NTA_SHARD_EVENTS = 2, NTA_SHARD_RUN = 3 };
#define NTA_SHARD_MAX_RECORD (64u * 1024u)
#define NTA_SHARD_MAX_CHANNELS 8

/* What a file covers. */
typedef struct nta_shard_head {
    uint32_t kind;              /**< NTA_SHARD_* */
    char plan_id[41];
    uint32_t count;             /**< shards of the plan */
    uint32_t nidx;
    uint32_t *idx;              /**< nidx indices, increasing (owned by whoever made it) */
} nta_shard_head;

/* What a shard analysed (its part of the run info). */
typedef struct nta_shard_info {
    uint64_t packets, connections, midstream, evicted, events;
    int nskipped;
    struct {
        char reason[32];
        uint64_t count;
    } skipped[24];
} nta_shard_info;

/* ---- writing ---- */

typedef struct nta_shardw nta_shardw;

/* Starts a shard file in f, which must be seekable (the MAIN section's length is written at
 * the end); f stays the caller's, to close (cli/output.c renames it into place). 0, or
 * NTA_EIO/NTA_EUSAGE/NTA_ENOMEM with err set. */
int nta_shardw_open(nta_shardw **out, FILE *f, const nta_shard_head *h, const char *plan_text,
                    const void *opts, size_t optslen, nta_err *err);
/* The records that follow belong to the group at pos (a new group when it differs). */
void nta_shardw_at(nta_shardw *w, const nta_event_pos *pos);
/* A record of channel chan in the current group. 0 or NTA_EIO/NTA_ENOMEM (kept: later calls
 * do nothing and close reports it). */
int nta_shardw_record(nta_shardw *w, uint8_t chan, const void *p, size_t n);
/* A chunk of channel chan's state (chan < NTA_SHARD_MAX_CHANNELS). 0 or negative as above. */
int nta_shardw_state(nta_shardw *w, uint8_t chan, const void *p, size_t n);
/* Ends the file: the groups, the state sections, INFO and DONE, flushed. 0, or the first
 * error of the writer's life (err set). w is freed either way. */
int nta_shardw_close(nta_shardw *w, const nta_shard_info *info, nta_err *err);
/* Drops an unfinished file (a failed run): no DONE is written. NULL does nothing. */
void nta_shardw_abort(nta_shardw *w);

/* ---- reading ---- */

typedef struct nta_shardr nta_shardr;

/* Opens a shard file and checks its framing: the magic, every section's length, HEAD, INFO and
 * the final DONE. 0, or NTA_EIO (cannot read), NTA_EFORMAT (not a shard file, or of another
 * version), NTA_ETRUNC (no DONE: its shard run did not finish), NTA_ECORRUPT; err names what
 * (err->file is the path). */
int nta_shardr_open(nta_shardr **out, const char *path, nta_err *err);
/* The same over an open file (a temporary one of nta --jobs): fd is duplicated; name is for
 * messages. */
int nta_shardr_open_fd(nta_shardr **out, int fd, const char *name, nta_err *err);
/* The same over n bytes in memory (the fuzzer), which must outlive the reader. */
int nta_shardr_open_mem(nta_shardr **out, const uint8_t *p, size_t n, nta_err *err);
void nta_shardr_free(nta_shardr *r);

const char *nta_shardr_path(const nta_shardr *r);
const nta_shard_head *nta_shardr_head(const nta_shardr *r);
const nta_shard_info *nta_shardr_info(const nta_shardr *r);
/* The PLAN text and OPTS bytes (pointers valid while r lives). */
const char *nta_shardr_plan(const nta_shardr *r, size_t *len);
const uint8_t *nta_shardr_opts(const nta_shardr *r, size_t *len);

/* A section read in order, through a buffer. */
typedef struct nta_shard_stream {
    nta_shardr *r;
    uint64_t off, end;          /* the part of the file not yet in buf */
    uint8_t *buf;
    size_t have, pos, cap;
    int kind;                   /* 'M' main, 'T' timers, 'E' end */
    nta_event_pos last;         /* the previous group's position (for the deltas) */
    uint64_t left;              /* records of the current group not read yet */
    nta_err *err;
} nta_shard_stream;

/* Streams of the MAIN, TIMR or ENDS section (tag "MAIN", ...), or of channel chan's STAT. An
 * absent section reads as empty. 0 or NTA_ENOMEM. */
int nta_shard_stream_open(nta_shardr *r, const char *tag, uint32_t sub, nta_shard_stream *s,
                          nta_err *err);
void nta_shard_stream_close(nta_shard_stream *s);
/* The next group's position and record count: 1, 0 at the end, or NTA_ECORRUPT/NTA_EIO. The
 * records of the previous group must have been read. */
int nta_shard_next_group(nta_shard_stream *s, nta_event_pos *pos, uint64_t *nrec);
/* The next record of the group: 1 with its channel and payload (valid until the next call on
 * s), or NTA_ECORRUPT/NTA_EIO. */
int nta_shard_next_record(nta_shard_stream *s, uint8_t *chan, const uint8_t **p, size_t *n);
/* The next chunk of a STAT stream: 1, 0 at the end, or negative. */
int nta_shard_next_chunk(nta_shard_stream *s, const uint8_t **p, size_t *n);

#endif
