/* formats/stream.h: a byte stream over a file, standard input or memory, decompressed on the fly.
 *
 * Compression is recognised from the first bytes (gzip 1f 8b, bzip2 "BZh", xz fd "7zXZ" 00,
 * zstd 28 b5 2f fd), never from the name, and decoded while streaming: nothing is written to a
 * temporary file. Concatenated members/frames (`cat a.gz b.gz`) read as one stream.
 * Capture readers take an nta_stream, so tests and fuzzers can pass bytes straight in.
 * One nta_stream per input; not thread-safe. */
#ifndef NTA_FORMATS_STREAM_H
#define NTA_FORMATS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct nta_stream nta_stream;

typedef enum nta_compression {
    NTA_COMP_NONE = 0,
    NTA_COMP_GZIP,
    NTA_COMP_BZIP2,
    NTA_COMP_XZ,
    NTA_COMP_ZSTD,
} nta_compression;

/* Open path ("-" is standard input). On failure returns NTA_EIO (err says why) and *out is NULL. */
int nta_stream_open_file(nta_stream **out, const char *path, nta_err *err);

/* Read from a caller-owned buffer, which must stay valid until nta_stream_free(). */
int nta_stream_open_mem(nta_stream **out, const void *buf, size_t len, nta_err *err);

/* Fill the free part of s's buffers with b (fuzzers and tests): a byte handed out that no
 * decoder wrote then reads as b, so decoding the same input twice with two fills and comparing
 * finds it. (MemorySanitizer would see such bytes, but needs every compression library rebuilt
 * with it.) */
void nta_stream_poison(nta_stream *s, uint8_t b);

/* Closes the file (never standard input) and frees everything. NULL does nothing. */
void nta_stream_free(nta_stream *s);

#define NTA_STREAM_PEEK_MAX 65536u

/* Make up to n (<= NTA_STREAM_PEEK_MAX) decompressed bytes available without consuming them.
 * Returns 0 and sets *p and *got (*got < n only at the end of the stream), or a negative
 * NTA_E* when the stream is damaged before n bytes could be produced. *p stays valid until the
 * next call on s. */
int nta_stream_peek(nta_stream *s, size_t n, const uint8_t **p, size_t *got, nta_err *err);

/* Consume n bytes the last nta_stream_peek made available (n <= its *got), as a read would,
 * without copying them (a parser that parsed them in place). */
void nta_stream_consume(nta_stream *s, size_t n);

/* Read up to n bytes into buf. Returns 0 with *got < n when the stream has ended, cleanly or
 * because of damage: bytes decoded before damage are always handed out first (nothing readable
 * is lost), and the damage is returned by the next call (or seen at once with
 * nta_stream_pending()). Negative NTA_E* for an I/O error or that damage. */
int nta_stream_read(nta_stream *s, void *buf, size_t n, size_t *got, nta_err *err);

/* Like nta_stream_read, but returns as soon as at least one byte is available (waiting only
 * when none is): for stdio-style consumers (libpcap via fopencookie), which ask for a whole
 * buffer but may need only a packet of it. *got == 0 only at the end of the stream. */
int nta_stream_read_some(nta_stream *s, void *buf, size_t n, size_t *got, nta_err *err);

/* After a short read: the damage that ended the stream as a negative NTA_E* (err filled), or 0
 * when it ended cleanly. Readers use it to report the real cause instead of "file cut short". */
int nta_stream_pending(nta_stream *s, nta_err *err);

/* Which packets came from a damaged stream's unverified bytes. Codecs check their data only at
 * the end of a unit (gzip member, bzip2 stream, zstd frame; xz: the whole stream), after its
 * bytes were handed out; the error then says from which decompressed byte they may be wrong.
 * A reader calls nta_stream_note_packet() for every packet it hands out (end: the decompressed
 * offset just past its record), and on an NTA_EDECOMP error from s, nta_stream_explain() to
 * append the packets' numbers to err->msg. Zero-initialise the mark. */
typedef struct nta_stream_mark {
    uint64_t packets;      /**< packets noted */
    uint64_t unit_start;   /**< the unit start the packets were compared with */
    uint64_t first;        /**< number of the first packet ending inside that unit, 0 none */
} nta_stream_mark;

void nta_stream_note_packet(const nta_stream *s, nta_stream_mark *m, uint64_t end);
void nta_stream_explain(const nta_stream *s, const nta_stream_mark *m, nta_err *err);

nta_compression nta_stream_compression(const nta_stream *s);
const char *nta_compression_name(nta_compression c);

/* Decompressed bytes consumed so far: the offset parsers report errors at. */
uint64_t nta_stream_offset(const nta_stream *s);

/* Raw (on-disk) bytes consumed so far and the raw size (0 when unknown, e.g. a pipe), for
 * progress reporting of compressed files. */
uint64_t nta_stream_raw_offset(const nta_stream *s);
uint64_t nta_stream_raw_size(const nta_stream *s);

/* Called before every read that may block (pipes, FIFOs, terminals; never regular files or
 * memory), so a streaming consumer can flush what it has written before waiting for input. */
void nta_stream_set_wait_hook(nta_stream *s, void (*fn)(void *), void *ctx);

/* The name the stream was opened with ("-" for standard input, "<memory>" for buffers). */
const char *nta_stream_name(const nta_stream *s);

/* Nonzero when the stream comes from a named regular file (libtrace needs a path it can reopen). */
int nta_stream_is_regular_file(const nta_stream *s);

#endif
