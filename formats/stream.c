/* formats/stream.c: buffered reading with transparent gzip/bzip2/xz/zstd decompression.
 *
 * Two buffers: `raw` holds bytes as read from the source, `out` holds decoded bytes not yet
 * consumed. Each codec has a fill function that decodes as much raw input as fits into `out`.
 * Decoding errors are parked in `pending` and surface only after every byte decoded before the
 * damage has been handed out, so a truncated .gz still yields all its complete packets.
 * Libraries: zlib, libbz2, liblzma, libzstd (Debian packages; see scripts/setup.sh). */
#include "formats/stream.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_CAP (256u * 1024u)
#define OUT_CAP (512u * 1024u)
/* Memory streams (tests, fuzzers) need no large read-ahead: smaller buffers stay below malloc's
 * mmap threshold, which made every fuzz input pay for page faults. OUT must exceed PEEK_MAX. */
#define MEM_RAW_CAP (32u * 1024u)
#define MEM_OUT_CAP (96u * 1024u)
#define PEEK_MAX NTA_STREAM_PEEK_MAX
#define ZSTD_CALL_OUT (128u * 1024u)   /* ZSTD_BLOCKSIZE_MAX, which zstd.h shows to static linking only */

struct nta_stream {
    char name[256];
    int fd;                 /* -1 for memory streams */
    int owns_fd;
    int regular;
    int may_block;          /* a pipe, FIFO or terminal: reads can wait */
    void (*wait_fn)(void *);
    void *wait_ctx;
    const uint8_t *mem;     /* memory source, or NULL */
    size_t mem_len, mem_pos;
    uint64_t raw_size, raw_consumed;
    int raw_eof;

    size_t raw_cap, out_cap;   /* RAW_CAP/OUT_CAP, or the MEM_ sizes for memory streams */
    uint8_t *raw;           /* raw window: raw[raw_pos..raw_len) unread */
    size_t raw_pos, raw_len;

    uint8_t *out;           /* decoded window: out[out_pos..out_len) unread */
    size_t out_pos, out_len;
    uint64_t offset;        /* decoded bytes consumed by the caller */

    nta_compression comp;
    uint64_t unit_start;    /* decoded offset where the current gzip member, bzip2 stream or
                               zstd frame began: its bytes are unverified until its end */
    int finished;           /* the codec saw its end marker and no input follows */
    int pending;            /* error to report once out is drained */
    char pending_msg[200];
    uint64_t pending_raw_offset;

    z_stream z;
    bz_stream bz;
    lzma_stream xz;
    ZSTD_DCtx *zstd;
    int codec_live;
};

/* ---- raw input ---- */

static int raw_fill(nta_stream *s, nta_err *err)
{
    if (s->raw_eof)
        return 0;
    if (s->raw_pos > 0 && s->raw_pos == s->raw_len) {
        s->raw_pos = s->raw_len = 0;
    } else if (s->raw_pos > 0) {
        memmove(s->raw, s->raw + s->raw_pos, s->raw_len - s->raw_pos);
        s->raw_len -= s->raw_pos;
        s->raw_pos = 0;
    }
    size_t room = s->raw_cap - s->raw_len;
    if (room == 0)
        return 0;
    if (s->mem != NULL) {
        size_t n = s->mem_len - s->mem_pos;
        if (n > room)
            n = room;
        memcpy(s->raw + s->raw_len, s->mem + s->mem_pos, n);
        s->mem_pos += n;
        s->raw_len += n;
        if (n == 0)
            s->raw_eof = 1;
        return 0;
    }
    if (s->may_block && s->wait_fn != NULL)
        s->wait_fn(s->wait_ctx);
    for (;;) {
        ssize_t n = read(s->fd, s->raw + s->raw_len, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return nta_err_set(err, NTA_EIO, "read failed: %s", strerror(errno));
        if (n == 0)
            s->raw_eof = 1;
        s->raw_len += (size_t)n;
        return 0;
    }
}

static void raw_take(nta_stream *s, size_t n)
{
    s->raw_pos += n;
    s->raw_consumed += n;
}

static void park(nta_stream *s, int code, const char *msg)
{
    if (s->pending)
        return;
    s->pending = code;
    strncpy(s->pending_msg, msg, sizeof s->pending_msg - 1);
    s->pending_msg[sizeof s->pending_msg - 1] = '\0';
    s->pending_raw_offset = s->raw_consumed;
}

/* Decoded bytes produced so far: handed out, plus waiting in out. */
static uint64_t produced(const nta_stream *s)
{
    return s->offset + (s->out_len - s->out_pos);
}

/* After a codec reports the end of one member/frame: if more raw input follows, it is another
 * concatenated member and decoding goes on; otherwise the stream is finished. Returns 1 when
 * more input follows. */
static int more_input_follows(nta_stream *s, nta_err *err)
{
    if (s->raw_pos == s->raw_len) {
        int rc = raw_fill(s, err);
        if (rc < 0)
            return rc;
    }
    return s->raw_pos < s->raw_len;
}

/* ---- codecs: each decodes into out[out_len..out_cap) ---- */

static int fill_none(nta_stream *s, nta_err *err)
{
    if (s->raw_pos == s->raw_len) {
        int rc = raw_fill(s, err);
        if (rc < 0)
            return rc;
        if (s->raw_pos == s->raw_len) {
            s->finished = 1;
            return 0;
        }
    }
    size_t n = s->raw_len - s->raw_pos;
    if (n > s->out_cap - s->out_len)
        n = s->out_cap - s->out_len;
    memcpy(s->out + s->out_len, s->raw + s->raw_pos, n);
    s->out_len += n;
    raw_take(s, n);
    return 0;
}

static int fill_gzip(nta_stream *s, nta_err *err)
{
    if (s->raw_pos == s->raw_len) {
        int rc = raw_fill(s, err);
        if (rc < 0)
            return rc;
        if (s->raw_pos == s->raw_len) {
            park(s, NTA_ETRUNC, "gzip stream ends before its end marker (file cut short?)");
            return 0;
        }
    }
    s->z.next_in = s->raw + s->raw_pos;
    s->z.avail_in = (uInt)(s->raw_len - s->raw_pos);
    s->z.next_out = s->out + s->out_len;
    s->z.avail_out = (uInt)(s->out_cap - s->out_len);
    int zr = inflate(&s->z, Z_NO_FLUSH);
    size_t used = (size_t)(s->z.next_in - (s->raw + s->raw_pos));
    raw_take(s, used);
    s->out_len = (size_t)(s->z.next_out - s->out);
    if (zr == Z_STREAM_END) {
        s->unit_start = produced(s);   /* the member's CRC held */
        int more = more_input_follows(s, err);
        if (more < 0)
            return more;
        if (more)
            inflateReset(&s->z);
        else
            s->finished = 1;
        return 0;
    }
    if (zr != Z_OK && zr != Z_BUF_ERROR) {
        char m[160];
        snprintf(m, sizeof m, "gzip data is corrupt: %s", s->z.msg ? s->z.msg : "inflate failed");
        park(s, NTA_EDECOMP, m);
    }
    return 0;
}

static int fill_bzip2(nta_stream *s, nta_err *err)
{
    if (s->raw_pos == s->raw_len) {
        int rc = raw_fill(s, err);
        if (rc < 0)
            return rc;
        if (s->raw_pos == s->raw_len) {
            park(s, NTA_ETRUNC, "bzip2 stream ends before its end marker (file cut short?)");
            return 0;
        }
    }
    s->bz.next_in = (char *)(s->raw + s->raw_pos);
    s->bz.avail_in = (unsigned)(s->raw_len - s->raw_pos);
    s->bz.next_out = (char *)(s->out + s->out_len);
    s->bz.avail_out = (unsigned)(s->out_cap - s->out_len);
    int br = BZ2_bzDecompress(&s->bz);
    raw_take(s, (size_t)((uint8_t *)s->bz.next_in - (s->raw + s->raw_pos)));
    s->out_len = (size_t)((uint8_t *)s->bz.next_out - s->out);
    if (br == BZ_STREAM_END) {
        s->unit_start = produced(s);
        int more = more_input_follows(s, err);
        if (more < 0)
            return more;
        BZ2_bzDecompressEnd(&s->bz);
        s->codec_live = 0;
        if (more) {
            memset(&s->bz, 0, sizeof s->bz);
            if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK)
                return nta_err_set(err, NTA_ENOMEM, "cannot start bzip2 decoder");
            s->codec_live = 1;
        } else {
            s->finished = 1;
        }
        return 0;
    }
    if (br != BZ_OK)
        park(s, NTA_EDECOMP, "bzip2 data is corrupt");
    return 0;
}

static int fill_xz(nta_stream *s, nta_err *err)
{
    lzma_action action = LZMA_RUN;
    if (s->raw_pos == s->raw_len) {
        int rc = raw_fill(s, err);
        if (rc < 0)
            return rc;
        if (s->raw_pos == s->raw_len)
            action = LZMA_FINISH;   /* tells a LZMA_CONCATENATED decoder that input has ended */
    }
    s->xz.next_in = s->raw + s->raw_pos;
    s->xz.avail_in = s->raw_len - s->raw_pos;
    s->xz.next_out = s->out + s->out_len;
    s->xz.avail_out = s->out_cap - s->out_len;
    lzma_ret xr = lzma_code(&s->xz, action);
    raw_take(s, (size_t)(s->xz.next_in - (s->raw + s->raw_pos)));
    s->out_len = (size_t)(s->xz.next_out - s->out);
    if (xr == LZMA_STREAM_END) {
        s->finished = 1;
        return 0;
    }
    if (xr == LZMA_OK)
        return 0;
    if (xr == LZMA_BUF_ERROR && action == LZMA_FINISH)
        park(s, NTA_ETRUNC, "xz stream ends before its end marker (file cut short?)");
    else if (xr != LZMA_BUF_ERROR)
        park(s, NTA_EDECOMP, "xz data is corrupt");
    return 0;
}

static int fill_zstd(nta_stream *s, nta_err *err)
{
    if (s->raw_pos == s->raw_len) {
        int rc = raw_fill(s, err);
        if (rc < 0)
            return rc;
        if (s->raw_pos == s->raw_len) {
            /* codec_live here means "a frame is open": zstd reports 0 exactly at frame ends. */
            if (s->codec_live)
                park(s, NTA_ETRUNC, "zstd stream ends inside a frame (file cut short?)");
            else
                s->finished = 1;
            return 0;
        }
    }
    /* When ZSTD_decompressStream fails, its output position is not to be trusted: libzstd
     * 1.5.4 returned "Data corruption detected" with the position at the end of a buffer it had
     * not written (fuzz/corpus/trace/crash-zstd-error-claims-output), and those bytes were
     * handed out as capture data. A failing call's output is therefore dropped; one block's
     * worth of window per call (zstd's largest block) keeps the good bytes lost with it few. */
    size_t room = s->out_cap - s->out_len;
    ZSTD_inBuffer in = { s->raw + s->raw_pos, s->raw_len - s->raw_pos, 0 };
    ZSTD_outBuffer ob = { s->out + s->out_len, room < ZSTD_CALL_OUT ? room : ZSTD_CALL_OUT, 0 };
    size_t zr = ZSTD_decompressStream(s->zstd, &ob, &in);
    raw_take(s, in.pos);
    if (ZSTD_isError(zr)) {
        char m[160];
        snprintf(m, sizeof m, "zstd data is corrupt: %s", ZSTD_getErrorName(zr));
        park(s, NTA_EDECOMP, m);
        return 0;
    }
    s->out_len += ob.pos;
    s->codec_live = zr != 0;
    if (zr == 0)
        s->unit_start = produced(s);   /* a frame ended (its checksum, if any, held) */
    return 0;
}

static int fill(nta_stream *s, nta_err *err)
{
    switch (s->comp) {
    case NTA_COMP_NONE: return fill_none(s, err);
    case NTA_COMP_GZIP: return fill_gzip(s, err);
    case NTA_COMP_BZIP2: return fill_bzip2(s, err);
    case NTA_COMP_XZ: return fill_xz(s, err);
    case NTA_COMP_ZSTD: return fill_zstd(s, err);
    }
    return nta_err_set(err, NTA_EUNSUP, "unknown compression");
}

/* ---- set-up ---- */

static int detect_and_start(nta_stream *s, nta_err *err)
{
    while (s->raw_len - s->raw_pos < 6 && !s->raw_eof) {
        int rc = raw_fill(s, err);
        if (rc < 0)
            return rc;
    }
    const uint8_t *m = s->raw + s->raw_pos;
    size_t n = s->raw_len - s->raw_pos;
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        s->comp = NTA_COMP_GZIP;
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)   /* 16+: gzip wrapper only */
            return nta_err_set(err, NTA_ENOMEM, "cannot start gzip decoder");
        s->codec_live = 1;
    } else if (n >= 4 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h' && m[3] >= '1' && m[3] <= '9') {
        s->comp = NTA_COMP_BZIP2;
        if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK)
            return nta_err_set(err, NTA_ENOMEM, "cannot start bzip2 decoder");
        s->codec_live = 1;
    } else if (n >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0) {
        s->comp = NTA_COMP_XZ;
        if (lzma_stream_decoder(&s->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
            return nta_err_set(err, NTA_ENOMEM, "cannot start xz decoder");
        s->codec_live = 1;
    } else if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        s->comp = NTA_COMP_ZSTD;
        s->zstd = ZSTD_createDCtx();
        if (s->zstd == NULL)
            return nta_err_set(err, NTA_ENOMEM, "cannot start zstd decoder");
        s->codec_live = 0;
    } else {
        s->comp = NTA_COMP_NONE;
    }
    return 0;
}

static nta_stream *alloc_stream(const char *name, int memory)
{
    nta_stream *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->raw_cap = memory ? MEM_RAW_CAP : RAW_CAP;
    s->out_cap = memory ? MEM_OUT_CAP : OUT_CAP;
    s->raw = malloc(s->raw_cap);
    s->out = malloc(s->out_cap);
    if (s->raw == NULL || s->out == NULL) {
        free(s->raw);
        free(s->out);
        free(s);
        return NULL;
    }
    s->fd = -1;
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

void nta_stream_poison(nta_stream *s, uint8_t b)
{
    memset(s->raw + s->raw_len, b, s->raw_cap - s->raw_len);
    memset(s->out + s->out_len, b, s->out_cap - s->out_len);
}

int nta_stream_open_file(nta_stream **out, const char *path, nta_err *err)
{
    *out = NULL;
    nta_stream *s = alloc_stream(path, 0);
    if (s == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory opening %s", path);
    if (strcmp(path, "-") == 0) {
        s->fd = STDIN_FILENO;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            int e = errno;
            nta_stream_free(s);
            return nta_err_set(err, NTA_EIO, "cannot open %s: %s", path, strerror(e));
        }
        s->owns_fd = 1;
    }
    struct stat st;
    if (fstat(s->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            nta_stream_free(s);
            return nta_err_set(err, NTA_EIO, "cannot read %s: it is a directory", path);
        }
        if (S_ISREG(st.st_mode)) {
            s->raw_size = (uint64_t)st.st_size;
            s->regular = s->owns_fd;
        } else {
            s->may_block = 1;
        }
    }
    int rc = detect_and_start(s, err);
    if (rc < 0) {
        nta_stream_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int nta_stream_open_mem(nta_stream **out, const void *buf, size_t len, nta_err *err)
{
    *out = NULL;
    nta_stream *s = alloc_stream("<memory>", 1);
    if (s == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    s->mem = buf != NULL ? buf : (const void *)"";
    s->mem_len = len;
    s->raw_size = len;
    int rc = detect_and_start(s, err);
    if (rc < 0) {
        nta_stream_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void nta_stream_free(nta_stream *s)
{
    if (s == NULL)
        return;
    switch (s->comp) {
    case NTA_COMP_GZIP: inflateEnd(&s->z); break;
    case NTA_COMP_BZIP2: if (s->codec_live) BZ2_bzDecompressEnd(&s->bz); break;
    case NTA_COMP_XZ: lzma_end(&s->xz); break;
    case NTA_COMP_ZSTD: ZSTD_freeDCtx(s->zstd); break;
    case NTA_COMP_NONE: break;
    }
    if (s->owns_fd)
        close(s->fd);
    free(s->raw);
    free(s->out);
    free(s);
}

/* ---- reading ---- */

/* Ensure at least `want` unread decoded bytes, unless the stream ends or is damaged first.
 * `want` must be <= out_cap. Returns 0 or a hard (I/O) error; damage is parked. */
static int ensure(nta_stream *s, size_t want, nta_err *err)
{
    while (s->out_len - s->out_pos < want && !s->finished && !s->pending) {
        if (s->out_pos > 0) {
            memmove(s->out, s->out + s->out_pos, s->out_len - s->out_pos);
            s->out_len -= s->out_pos;
            s->out_pos = 0;
        }
        size_t before = s->out_len;
        uint64_t raw_before = s->raw_consumed;
        int rc = fill(s, err);
        if (rc < 0)
            return rc;
        /* A codec that neither consumed nor produced while input remains would loop forever
         * on some corrupt inputs; treat that as damage. */
        if (s->out_len == before && s->raw_consumed == raw_before && !s->finished && !s->pending
            && s->raw_eof && s->raw_pos == s->raw_len && s->comp != NTA_COMP_XZ)
            park(s, NTA_ETRUNC, "compressed stream ends early");
    }
    return 0;
}

/* What a damaged stream's bytes were checked by: a gzip member's CRC-32, a bzip2 block's CRC
 * and the stream's, an xz block's check, a zstd frame's optional checksum; each only at its end. */
static const char *unit_name(nta_compression c)
{
    switch (c) {
    case NTA_COMP_GZIP: return "gzip member";
    case NTA_COMP_BZIP2: return "bzip2 stream";
    case NTA_COMP_XZ: return "xz data";
    case NTA_COMP_ZSTD: return "zstd frame";
    case NTA_COMP_NONE: break;
    }
    return "data";
}

static int report_pending(nta_stream *s, nta_err *err)
{
    /* Every codec verifies its data only at the end of a unit (unit_name): the bytes of the
     * damaged unit were handed out before the damage showed (a gzip member whose CRC fails at
     * its end was decoded whole), so say from where they may be wrong; readers add which
     * packets those are (nta_stream_explain). A stream cut short is not corrupt data. */
    char note[160] = "";
    if (s->pending == NTA_EDECOMP)
        snprintf(note, sizeof note, "; what was decoded from the damaged %s (from decompressed "
                 "byte %llu on) may be wrong", unit_name(s->comp),
                 (unsigned long long)s->unit_start);
    return nta_err_set_at(err, s->pending, (int64_t)s->offset, "%s (at compressed byte %llu)%s",
                          s->pending_msg, (unsigned long long)s->pending_raw_offset, note);
}

int nta_stream_peek(nta_stream *s, size_t n, const uint8_t **p, size_t *got, nta_err *err)
{
    if (n > PEEK_MAX)
        n = PEEK_MAX;
    int rc = ensure(s, n, err);
    if (rc < 0)
        return rc;
    size_t have = s->out_len - s->out_pos;
    if (have < n && s->pending && have == 0)
        return report_pending(s, err);
    *p = s->out + s->out_pos;
    *got = have < n ? have : n;
    return 0;
}

void nta_stream_consume(nta_stream *s, size_t n)
{
    size_t have = s->out_len - s->out_pos;
    if (n > have)
        n = have;
    s->out_pos += n;
    s->offset += n;
}

int nta_stream_read(nta_stream *s, void *buf, size_t n, size_t *got, nta_err *err)
{
    uint8_t *dst = buf;
    size_t done = 0;
    *got = 0;
    while (done < n) {
        if (s->out_pos == s->out_len) {
            int rc = ensure(s, 1, err);
            if (rc < 0)
                return rc;
            if (s->out_pos == s->out_len) {
                if (s->pending && done == 0)
                    return report_pending(s, err);
                break;
            }
        }
        size_t k = s->out_len - s->out_pos;
        if (k > n - done)
            k = n - done;
        memcpy(dst + done, s->out + s->out_pos, k);
        s->out_pos += k;
        s->offset += k;
        done += k;
    }
    *got = done;
    return 0;
}

void nta_stream_set_wait_hook(nta_stream *s, void (*fn)(void *), void *ctx)
{
    s->wait_fn = fn;
    s->wait_ctx = ctx;
}

int nta_stream_read_some(nta_stream *s, void *buf, size_t n, size_t *got, nta_err *err)
{
    *got = 0;
    if (n == 0)
        return 0;
    if (s->out_pos == s->out_len) {
        int rc = ensure(s, 1, err);
        if (rc < 0)
            return rc;
        if (s->out_pos == s->out_len)
            return s->pending ? report_pending(s, err) : 0;
    }
    size_t k = s->out_len - s->out_pos;
    if (k > n)
        k = n;
    memcpy(buf, s->out + s->out_pos, k);
    s->out_pos += k;
    s->offset += k;
    *got = k;
    return 0;
}

int nta_stream_pending(nta_stream *s, nta_err *err)
{
    if (s->pending && s->out_pos == s->out_len)
        return report_pending(s, err);
    return 0;
}

nta_compression nta_stream_compression(const nta_stream *s) { return s->comp; }

const char *nta_compression_name(nta_compression c)
{
    switch (c) {
    case NTA_COMP_NONE: return "none";
    case NTA_COMP_GZIP: return "gzip";
    case NTA_COMP_BZIP2: return "bzip2";
    case NTA_COMP_XZ: return "xz";
    case NTA_COMP_ZSTD: return "zstd";
    }
    return "unknown";
}

uint64_t nta_stream_offset(const nta_stream *s) { return s->offset; }
uint64_t nta_stream_raw_offset(const nta_stream *s) { return s->raw_consumed; }
uint64_t nta_stream_raw_size(const nta_stream *s) { return s->raw_size; }
const char *nta_stream_name(const nta_stream *s) { return s->name; }
int nta_stream_is_regular_file(const nta_stream *s) { return s->regular; }

void nta_stream_note_packet(const nta_stream *s, nta_stream_mark *m, uint64_t end)
{
    m->packets++;
    if (s->unit_start != m->unit_start) {   /* a new unit began since the last packet */
        m->unit_start = s->unit_start;
        m->first = 0;
    }
    if (m->first == 0 && end > m->unit_start)
        m->first = m->packets;
}

void nta_stream_explain(const nta_stream *s, const nta_stream_mark *m, nta_err *err)
{
    if (err->code != NTA_EDECOMP || !s->pending)
        return;
    size_t used = strlen(err->msg);
    if (m->first == 0 || m->unit_start != s->unit_start)
        snprintf(err->msg + used, sizeof err->msg - used, " (no packet came from it)");
    else if (m->first == m->packets)
        snprintf(err->msg + used, sizeof err->msg - used, ": packet %llu of this file",
                 (unsigned long long)m->first);
    else
        snprintf(err->msg + used, sizeof err->msg - used, ": packets %llu-%llu of this file",
                 (unsigned long long)m->first, (unsigned long long)m->packets);
}
