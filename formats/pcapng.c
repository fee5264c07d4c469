/* formats/pcapng.c: pcapng block reader (IETF draft-ietf-opsawg-pcapng).
 *
 * libpcap cannot name interfaces nor mix link types, so nta reads pcapng itself. Every block is
 *
 *   OFFSET  SIZE  FIELD
 *        0     4  block type
 *        4     4  block total length (includes these 12 framing bytes; multiple of 4)
 *        8     n  body
 *      8+n     4  block total length again (must equal the first)
 *
 * in the byte order the section's SHB declares (byte-order magic 0x1A2B3C4D at offset 8).
 * Bodies read here (offsets from the start of the body):
 *   SHB 0x0A0D0D0A: 0 BOM, 4 major (must be 1), 6 minor, 8 section length (i64), 16 options
 *   IDB 0x00000001: 0 linktype (u16), 2 reserved, 4 snaplen, 8 options
 *                   (if_name 2, if_description 3, if_tsresol 9, if_tsoffset 14)
 *   EPB 0x00000006: 0 interface id, 4 ts high, 8 ts low, 12 caplen, 16 origlen, 20 data (padded)
 *   SPB 0x00000003: 0 origlen, 4 data (interface 0, no timestamp: the previous packet's is used)
 *   PB  0x00000002: 0 interface id (u16), 2 drops (u16), 4 ts high, 8 ts low, 12 caplen,
 *                   16 origlen, 20 data (obsolete, still written by old tools)
 *   ISB 0x00000005: 0 interface id, 4 ts high, 8 ts low, 12 options (isb_ifdrop 5)
 *   DPEB 0x80000001 (Apple's Darwin Process Event Block, written by macOS tcpdump -k):
 *                   0 process id, 4 options (name 2; path 3 and UUID 4 unused)
 * EPB options read: Apple's process index 0x8001 (u32: the section's DPEBs counted from 0 in
 * the order they appear), which gives the packet its process (common/proc.h); the effective
 * process 0x8003 (the one a delegated socket works for) is not used: pid and execname are the
 * process that owns the socket, as Wireshark shows it.
 * Other blocks (NRB, DSB, custom, unknown) are skipped by their length.
 * Framing errors (bad length, mismatched trailer, cut-off block) end the read; a well-framed
 * record that cannot be used (unknown interface id, caplen beyond its block, a DPEB too short
 * for its process id or with an option overrunning it) is skipped and counted in the reader's
 * warnings. A skipped DPEB still takes its index (the writer counted it), so the packets naming
 * it, and those naming an index their section never declared, have no process.
 * Not done: decryption secrets, comments, NRB name lookup. */
#include "formats/capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_PB 0x00000002u
#define BT_SPB 0x00000003u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define BT_DPEB 0x80000001u
#define OPT_EPB_PIB_INDEX 0x8001u
#define BOM 0x1A2B3C4Du

/* Larger than any block a capturer writes (snaplens top out at 256 KiB), small enough that a
 * garbage length costs at most this much memory before the short read is noticed. */
#define MAX_BLOCK (16u * 1024u * 1024u)

/* Process blocks kept per file: a long macOS capture names a few hundred processes; this bounds
 * what a hostile file can make us hold (4096 x 68 bytes). Later ones are counted as unusable. */
#define MAX_PROCS 4096u

typedef struct ng_if {
    uint32_t global;      /* trace-wide index */
    uint32_t linktype;
    uint32_t snaplen;
    int binary;           /* if_tsresol: 1 = 2^-exp, 0 = 10^-exp */
    uint32_t exp;
    uint64_t mul, div;    /* decimal units: ns = units * mul / div (one of them 1), set once */
    int64_t tsoffset_s;
} ng_if;

typedef struct ng_ctx {
    nta_stream *s;
    nta_iface_sink sink;
    const char *ifname;   /* --ifname for interfaces without if_name */
    char base[NTA_IFACE_NAME_MAX];
    uint32_t file;
    int swapped;
    int have_shb;
    uint32_t section;
    ng_if *ifs;
    uint32_t nifs, cap_ifs;
    uint8_t *buf;
    size_t buf_cap;
    uint64_t block_off;   /* offset of the block being parsed */
    uint64_t last_ts;
    nta_reader_warn warn;
    nta_stream_mark mark;   /* which packets a damaged stream's error concerns */
    int compressed;         /* only then can the stream's data fail a check (mark) */
    /* Every DPEB of the file in order, each allocated once so packets can point at it until
     * the reader closes (a prefetching reader runs ahead of the packets' consumer); NULL for a
     * damaged one. A section's process index i is procs[sec_procs + i]. */
    nta_proc **procs;
    uint32_t nprocs, cap_procs, sec_procs;
} ng_ctx;

static void warn_text(ng_ctx *c, const char *m)
{
    c->warn.bad_records++;
    if (c->warn.first[0] == '\0')
        snprintf(c->warn.first, sizeof c->warn.first, "block at offset %llu: %s",
                 (unsigned long long)c->block_off, m);
}

static void warn_record(ng_ctx *c, const char *fmt, unsigned long long a, unsigned long long b)
{
    char m[160];
    snprintf(m, sizeof m, fmt, a, b);
    warn_text(c, m);
}

static int ensure_buf(ng_ctx *c, size_t n, nta_err *err)
{
    if (n <= c->buf_cap)
        return 0;
    size_t cap = c->buf_cap ? c->buf_cap : 65536;
    while (cap < n)
        cap *= 2;
    uint8_t *b = realloc(c->buf, cap);
    if (b == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory for a %zu-byte pcapng block", n);
    c->buf = b;
    c->buf_cap = cap;
    return 0;
}

/* A short read is either the end of the file or damage in a compressed stream; in the second
 * case the stream's own error is the one to report, so it is returned here. */
static int read_exact(ng_ctx *c, void *dst, size_t n, size_t *got, nta_err *err)
{
    int rc = nta_stream_read(c->s, dst, n, got, err);
    if (rc == 0 && *got < n)
        rc = nta_stream_pending(c->s, err);
    if (rc < 0)
        nta_stream_explain(c->s, &c->mark, err);
    return rc;
}

/* ns since the epoch for a 64-bit timestamp in the interface's units into *ns; -1 when the
 * time (if_tsoffset applied) falls before 1970 or does not fit 63 bits (after 2262-04-11):
 * nta_packet.ts_ns and every output that prints it are signed 64-bit somewhere downstream
 * (JSON integers, durations), and a saturated time made --bytes --interval loop for ever. */
static int to_ns(const ng_if *f, uint64_t units, uint64_t *out)
{
    unsigned __int128 ns;
    if (f->binary) {
        unsigned __int128 u = units;
        ns = ((u >> f->exp) * 1000000000u) + (((u & ((((unsigned __int128)1) << f->exp) - 1))
                                                * 1000000000u) >> f->exp);
    } else {
        ns = (unsigned __int128)(units / f->div) * f->mul;
    }
    __int128 r = (__int128)ns + (__int128)f->tsoffset_s * 1000000000;
    if (r < 0 || r > (__int128)INT64_MAX)
        return -1;
    *out = (uint64_t)r;
    return 0;
}

/* Walk an options area; calls fn for each option. Returns 0 or NTA_ECORRUPT when an option
 * overruns the block. */
typedef void (*opt_fn)(ng_ctx *c, void *arg, uint16_t code, const uint8_t *v, uint16_t len);

static int walk_options(ng_ctx *c, nta_cur cur, const char *what, opt_fn fn, void *arg,
                        nta_err *err)
{
    while (cur.left >= 4) {
        uint16_t code, len;
        nta_cur_u16(&cur, c->swapped, &code);
        nta_cur_u16(&cur, c->swapped, &len);
        if (code == 0)
            break;
        size_t padded = ((size_t)len + 3u) & ~(size_t)3u;
        const uint8_t *v;
        if (nta_cur_bytes(&cur, padded, &v) < 0)
            return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                                  "%s at offset %llu: option %u of length %u overruns the block "
                                  "(%zu bytes left)",
                                  what, (unsigned long long)c->block_off, code, len, cur.left);
        fn(c, arg, code, v, len);
    }
    return 0;
}

typedef struct idb_opts {
    char name[NTA_IFACE_NAME_MAX];
    char desc[NTA_IFACE_NAME_MAX];
    int has_resol;
    uint8_t resol;
    int64_t tsoffset;
} idb_opts;

static void copy_str(char *dst, size_t cap, const uint8_t *v, uint16_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
    /* pcapng strings are not NUL-terminated but some writers add one; cut at the first NUL. */
    dst[strnlen(dst, n)] = '\0';
}

static void idb_opt(ng_ctx *c, void *arg, uint16_t code, const uint8_t *v, uint16_t len)
{
    idb_opts *o = arg;
    if (code == 2)
        copy_str(o->name, sizeof o->name, v, len);
    else if (code == 3)
        copy_str(o->desc, sizeof o->desc, v, len);
    else if (code == 9 && len >= 1) {
        o->has_resol = 1;
        o->resol = v[0];
    } else if (code == 14 && len >= 8) {
        uint64_t x;
        memcpy(&x, v, 8);
        if (c->swapped)
            x = nta_bswap64(x);
        o->tsoffset = (int64_t)x;
    }
}

static void no_opt(ng_ctx *c, void *arg, uint16_t code, const uint8_t *v, uint16_t len)
{
    (void)c; (void)arg; (void)code; (void)v; (void)len;
}

/* EPB options nta split writes (man/nta.1, "SHARDS"): epb_packetid (5), and a custom option
 * (19373: binary, not to be copied) under PEN 32473 (RFC 5612's number for examples: nta has
 * none of its own) holding the whole input's clock. Other options are not read. */
static void epb_opt(ng_ctx *c, void *arg, uint16_t code, const uint8_t *v, uint16_t len)
{
    nta_packet *pkt = arg;
    uint64_t x;
    uint32_t pen;
    if (code == 5 && len == 8) {
        memcpy(&x, v, 8);
        pkt->packet_id = c->swapped ? nta_bswap64(x) : x;
        pkt->has_packet_id = 1;
    } else if (code == 19373 && len == 12) {
        memcpy(&pen, v, 4);
        memcpy(&x, v + 4, 8);
        if ((c->swapped ? nta_bswap32(pen) : pen) == 32473)
            pkt->clock_ns = c->swapped ? nta_bswap64(x) : x;
    }
}

static void isb_opt(ng_ctx *c, void *arg, uint16_t code, const uint8_t *v, uint16_t len)
{
    if (code == 5 && len >= 8) {   /* isb_ifdrop */
        uint64_t x;
        memcpy(&x, v, 8);
        *(int64_t *)arg = (int64_t)(c->swapped ? nta_bswap64(x) : x);
    }
}

/* body starts after the byte-order magic, which ng_next has already read and checked. */
static int parse_shb(ng_ctx *c, nta_cur body, nta_err *err)
{
    uint16_t major, minor;
    uint64_t seclen;
    if (nta_cur_u16(&body, c->swapped, &major) < 0
        || nta_cur_u16(&body, c->swapped, &minor) < 0 || nta_cur_u64(&body, c->swapped, &seclen) < 0)
        return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                              "section header block at offset %llu is too short",
                              (unsigned long long)c->block_off);
    if (major != 1)
        return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                              "section header block at offset %llu has version %u.%u; "
                              "only 1.x exists", (unsigned long long)c->block_off, major, minor);
    int rc = walk_options(c, body, "section header block", no_opt, NULL, err);
    if (rc < 0)
        return rc;
    c->have_shb = 1;
    c->section++;
    c->nifs = 0;   /* interface ids are per section */
    c->sec_procs = c->nprocs;   /* and so are process indexes */
    return 0;
}

static int parse_idb(ng_ctx *c, nta_cur body, nta_err *err)
{
    uint16_t linktype, reserved;
    uint32_t snaplen;
    if (nta_cur_u16(&body, c->swapped, &linktype) < 0 || nta_cur_u16(&body, c->swapped, &reserved) < 0
        || nta_cur_u32(&body, c->swapped, &snaplen) < 0)
        return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                              "interface description block at offset %llu is too short",
                              (unsigned long long)c->block_off);
    idb_opts o;
    memset(&o, 0, sizeof o);
    int rc = walk_options(c, body, "interface description block", idb_opt, &o, err);
    if (rc < 0)
        return rc;
    if (c->nifs == c->cap_ifs) {
        uint32_t cap = c->cap_ifs ? c->cap_ifs * 2 : 8;
        ng_if *n = realloc(c->ifs, cap * sizeof *n);
        if (n == NULL)
            return nta_err_set(err, NTA_ENOMEM, "out of memory for interfaces");
        c->ifs = n;
        c->cap_ifs = cap;
    }
    ng_if *f = &c->ifs[c->nifs];
    memset(f, 0, sizeof *f);
    f->linktype = linktype;
    f->snaplen = snaplen;
    f->exp = 6;   /* default resolution: microseconds */
    if (o.has_resol) {
        f->binary = (o.resol & 0x80) != 0;
        f->exp = o.resol & 0x7f;
        if ((f->binary && f->exp > 63) || (!f->binary && f->exp > 19))
            return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                                  "interface description block at offset %llu: if_tsresol 0x%02x "
                                  "is out of range", (unsigned long long)c->block_off, o.resol);
    }
    f->tsoffset_s = o.tsoffset;
    f->mul = f->div = 1;
    for (uint32_t i = f->exp; !f->binary && i < 9; i++)
        f->mul *= 10;
    for (uint32_t i = 9; !f->binary && i < f->exp; i++)
        f->div *= 10;

    nta_iface ifc;
    memset(&ifc, 0, sizeof ifc);
    if (o.name[0] != '\0')
        snprintf(ifc.name, sizeof ifc.name, "%s", o.name);
    else if (c->nifs == 0)
        snprintf(ifc.name, sizeof ifc.name, "%s", c->ifname ? c->ifname : c->base);
    else
        snprintf(ifc.name, sizeof ifc.name, "%.100s#%u", c->ifname ? c->ifname : c->base, c->nifs);
    snprintf(ifc.desc, sizeof ifc.desc, "%s", o.desc);
    ifc.linktype = linktype;
    ifc.snaplen = snaplen;
    ifc.file = c->file;
    ifc.ifdrop = -1;
    rc = c->sink.add(c->sink.ctx, &ifc, &f->global);
    if (rc < 0)
        return nta_err_set(err, rc, "too many interfaces");
    c->nifs++;
    return 0;
}

static void dpeb_opt(ng_ctx *c, void *arg, uint16_t code, const uint8_t *v, uint16_t len)
{
    (void)c;
    nta_proc *p = arg;
    if (code == 2 && p->name[0] == '\0')
        copy_str(p->name, sizeof p->name, v, len);
}

/* A Darwin Process Event Block: its process becomes the section's next process index. */
static int parse_dpeb(ng_ctx *c, nta_cur body, nta_err *err)
{
    if (c->nprocs == MAX_PROCS) {
        warn_record(c, "more than %llu process event blocks in one file (the first %llu are kept)",
                    MAX_PROCS, MAX_PROCS);
        return 0;
    }
    if (c->nprocs == c->cap_procs) {
        uint32_t cap = c->cap_procs ? c->cap_procs * 2 : 16;
        nta_proc **n = realloc(c->procs, cap * sizeof *n);
        if (n == NULL)
            return nta_err_set(err, NTA_ENOMEM, "out of memory for process event blocks");
        c->procs = n;
        c->cap_procs = cap;
    }
    nta_proc *p = NULL;
    uint32_t pid;
    size_t size = body.left;
    if (nta_cur_u32(&body, c->swapped, &pid) < 0) {
        warn_record(c, "process event block is too short for its process id (%llu of %llu bytes)",
                    body.left, 4);
    } else {
        p = calloc(1, sizeof *p);
        if (p == NULL)
            return nta_err_set(err, NTA_ENOMEM, "out of memory for process event blocks");
        p->pid = pid;
        nta_err ignored;
        if (walk_options(c, body, "process event block", dpeb_opt, p, &ignored) < 0) {
            warn_record(c, "process event block of process %llu: an option overruns its %llu "
                        "bytes", pid, size);
            free(p);
            p = NULL;
        }
    }
    c->procs[c->nprocs++] = p;   /* a damaged block keeps its index: later ones stay right */
    return 0;
}

/* The process an EPB's options name (opts: what follows the padded packet data), NULL when
 * they name none, name one the section has not declared, or are damaged (the packet itself is
 * fine, so none of this is counted as unusable). */
static const nta_proc *epb_proc(const ng_ctx *c, nta_cur opts)
{
    while (opts.left >= 4) {
        uint16_t code, len;
        nta_cur_u16(&opts, c->swapped, &code);
        nta_cur_u16(&opts, c->swapped, &len);
        const uint8_t *v;
        if (code == 0 || nta_cur_bytes(&opts, ((size_t)len + 3u) & ~(size_t)3u, &v) < 0)
            return NULL;
        if (code == OPT_EPB_PIB_INDEX && len == 4) {
            uint32_t ix;
            memcpy(&ix, v, 4);
            if (c->swapped)
                ix = nta_bswap32(ix);
            return ix < c->nprocs - c->sec_procs ? c->procs[c->sec_procs + ix] : NULL;
        }
    }
    return NULL;
}

/* Fill pkt from a packet-carrying block; returns 1 when pkt is usable, 0 when skipped. */
static int parse_packet(ng_ctx *c, uint32_t type, nta_cur body, nta_packet *pkt)
{
    uint32_t ifid = 0, hi = 0, lo = 0, caplen = 0, origlen = 0;
    int has_ts = 1;
    if (type == BT_EPB) {
        if (nta_cur_u32(&body, c->swapped, &ifid) < 0 || nta_cur_u32(&body, c->swapped, &hi) < 0
            || nta_cur_u32(&body, c->swapped, &lo) < 0 || nta_cur_u32(&body, c->swapped, &caplen) < 0
            || nta_cur_u32(&body, c->swapped, &origlen) < 0) {
            warn_record(c, "enhanced packet block is too short (%llu%llu)", 0, 0);
            return 0;
        }
    } else if (type == BT_PB) {
        uint16_t id16, drops;
        if (nta_cur_u16(&body, c->swapped, &id16) < 0 || nta_cur_u16(&body, c->swapped, &drops) < 0
            || nta_cur_u32(&body, c->swapped, &hi) < 0 || nta_cur_u32(&body, c->swapped, &lo) < 0
            || nta_cur_u32(&body, c->swapped, &caplen) < 0
            || nta_cur_u32(&body, c->swapped, &origlen) < 0) {
            warn_record(c, "packet block is too short (%llu%llu)", 0, 0);
            return 0;
        }
        ifid = id16;
    } else {   /* SPB */
        if (nta_cur_u32(&body, c->swapped, &origlen) < 0) {
            warn_record(c, "simple packet block is too short (%llu%llu)", 0, 0);
            return 0;
        }
        has_ts = 0;
        caplen = origlen;
        if (c->nifs > 0 && c->ifs[0].snaplen != 0 && caplen > c->ifs[0].snaplen)
            caplen = c->ifs[0].snaplen;
        if (caplen > body.left)
            caplen = (uint32_t)body.left;
    }
    if (ifid >= c->nifs) {
        warn_record(c, "packet names interface %llu but the section declared %llu", ifid, c->nifs);
        return 0;
    }
    if (caplen > body.left) {
        warn_record(c, "captured length %llu exceeds the %llu bytes the block holds", caplen,
                    body.left);
        return 0;
    }
    const ng_if *f = &c->ifs[ifid];
    pkt->ts_ns = c->last_ts;
    if (has_ts && to_ns(f, ((uint64_t)hi << 32) | lo, &pkt->ts_ns) < 0) {
        char m[160];
        snprintf(m, sizeof m, "timestamp 0x%016llx with if_tsoffset %lld s is before 1970 or "
                 "after 2262 (beyond 63-bit nanoseconds)", ((unsigned long long)hi << 32) | lo,
                 (long long)f->tsoffset_s);
        warn_text(c, m);
        return 0;
    }
    c->last_ts = pkt->ts_ns;
    pkt->ifindex = f->global;
    pkt->linktype = f->linktype;
    pkt->caplen = caplen;
    pkt->origlen = origlen < caplen ? caplen : origlen;
    pkt->file = c->file;
    pkt->offset = c->block_off;
    pkt->data = body.p;
    pkt->proc = NULL;
    /* options follow the data padded to 4 bytes: nta split's marks, and the process (only
     * process-aware writers add it, and a file whose sections declared no process cannot name
     * one: the common case costs a test) */
    size_t padded = ((size_t)caplen + 3u) & ~(size_t)3u;
    if (type == BT_EPB && body.left > padded) {
        nta_cur opts = nta_cur_make(body.p + padded, body.left - padded);
        if (c->nprocs > c->sec_procs)
            pkt->proc = epb_proc(c, opts);
        nta_err ignored;   /* damaged options lose nta split's marks, not the packet */
        walk_options(c, opts, "enhanced packet block", epb_opt, pkt, &ignored);
    }
    return 1;
}

static void parse_isb(ng_ctx *c, nta_cur body, nta_err *err)
{
    uint32_t ifid, hi, lo;
    if (nta_cur_u32(&body, c->swapped, &ifid) < 0 || nta_cur_u32(&body, c->swapped, &hi) < 0
        || nta_cur_u32(&body, c->swapped, &lo) < 0 || ifid >= c->nifs)
        return;   /* statistics are informative only; a bad one loses nothing */
    int64_t drop = -1;
    nta_err ignored;
    if (walk_options(c, body, "interface statistics block", isb_opt, &drop, &ignored) < 0)
        return;
    (void)err;
    if (drop >= 0) {
        nta_iface ifc;
        memset(&ifc, 0, sizeof ifc);
        ifc.ifdrop = drop;
        ifc.linktype = UINT32_MAX;   /* marks a statistics update for the sink (trace.c) */
        uint32_t idx = c->ifs[ifid].global;
        c->sink.add(c->sink.ctx, &ifc, &idx);
    }
}

/* The next block read into c->buf: 1 with *type, *len and *body set; 0 at the clean end of
 * the file; or a negative NTA_E* (err set) for a damaged or cut block. */
static int block_copied(ng_ctx *c, uint32_t *type_out, uint32_t *len_out, nta_cur *body,
                        nta_err *err)
{
    uint8_t hdr[12];
    size_t got;
    c->block_off = nta_stream_offset(c->s);
    int rc = read_exact(c, hdr, 8, &got, err);
    if (rc < 0) {
        err->offset = (int64_t)c->block_off;
        return rc;
    }
    if (got == 0)
        return 0;
    if (got < 8)
        return nta_err_set_at(err, NTA_ETRUNC, (int64_t)c->block_off,
                              "file ends inside a block header at offset %llu (%zu of 8 bytes)",
                              (unsigned long long)c->block_off, got);
    uint32_t type, len;
    memcpy(&type, hdr, 4);
    size_t hdr_len = 8;
    if (type == BT_SHB) {
        rc = read_exact(c, hdr + 8, 4, &got, err);
        if (rc < 0)
            return rc;
        if (got < 4)
            return nta_err_set_at(err, NTA_ETRUNC, (int64_t)c->block_off,
                                  "file ends inside a section header at offset %llu",
                                  (unsigned long long)c->block_off);
        uint32_t bom;
        memcpy(&bom, hdr + 8, 4);
        if (bom == BOM)
            c->swapped = 0;
        else if (nta_bswap32(bom) == BOM)
            c->swapped = 1;
        else
            return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                                  "section header at offset %llu has byte-order magic 0x%08x, "
                                  "not 0x1a2b3c4d", (unsigned long long)c->block_off, bom);
        hdr_len = 12;
    } else if (!c->have_shb) {
        return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                              "block at offset %llu comes before any section header",
                              (unsigned long long)c->block_off);
    }
    if (c->swapped)
        type = nta_bswap32(type);
    memcpy(&len, hdr + 4, 4);
    if (c->swapped)
        len = nta_bswap32(len);
    if (len < 12 + (hdr_len - 8) || len % 4 != 0 || len > MAX_BLOCK)
        return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                              "block 0x%08x at offset %llu has a length of %u bytes "
                              "(must be a multiple of 4 between 12 and %u)",
                              type, (unsigned long long)c->block_off, len, MAX_BLOCK);
    size_t rest = len - hdr_len;   /* body remainder + trailer */
    rc = ensure_buf(c, rest, err);
    if (rc < 0)
        return rc;
    rc = read_exact(c, c->buf, rest, &got, err);
    if (rc < 0) {
        err->offset = (int64_t)c->block_off;
        return rc;
    }
    if (got < rest)
        return nta_err_set_at(err, NTA_ETRUNC, (int64_t)c->block_off,
                              "file ends inside block 0x%08x at offset %llu: %zu of its %u "
                              "bytes are present", type, (unsigned long long)c->block_off,
                              got + hdr_len, len);
    uint32_t trailer;
    memcpy(&trailer, c->buf + rest - 4, 4);
    if (c->swapped)
        trailer = nta_bswap32(trailer);
    if (trailer != len)
        return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->block_off,
                              "block at offset %llu: total length %u in the header and %u in "
                              "the trailer differ", (unsigned long long)c->block_off, len,
                              trailer);
    *type_out = type;
    *len_out = len;
    *body = nta_cur_make(c->buf, rest - 4);
    return 1;
}

/* The next block where the stream holds it, not copied: 1 with *type, *len and *body set and
 * the block consumed; 0 when block_copied must read it (before the first section header, a
 * section header, a block longer than a peek, one the stream has not whole, or anything wrong
 * with it: block_copied says what). Packet data then points into the stream's buffer, valid
 * until the next call, as c->buf's is. Copying every block was most of reading a pcapng file
 * (perf: ng_next half of nta info's time on an nta split bucket). */
static int block_in_place(ng_ctx *c, uint32_t *type_out, uint32_t *len_out, nta_cur *body)
{
    const uint8_t *p;
    size_t got;
    nta_err ignored;
    if (!c->have_shb || nta_stream_peek(c->s, 8, &p, &got, &ignored) < 0 || got < 8)
        return 0;
    uint32_t type, len, trailer;
    memcpy(&type, p, 4);
    memcpy(&len, p + 4, 4);
    if (c->swapped) {
        type = nta_bswap32(type);
        len = nta_bswap32(len);
    }
    if (type == BT_SHB || len < 12 || len % 4 != 0 || len > MAX_BLOCK || len > NTA_STREAM_PEEK_MAX)
        return 0;
    if (nta_stream_peek(c->s, len, &p, &got, &ignored) < 0 || got < len)
        return 0;
    memcpy(&trailer, p + len - 4, 4);
    if (c->swapped)
        trailer = nta_bswap32(trailer);
    if (trailer != len)
        return 0;
    nta_stream_consume(c->s, len);
    *type_out = type;
    *len_out = len;
    *body = nta_cur_make(p + 8, len - 12);
    return 1;
}

static int ng_next(void *ctx, nta_packet *pkt, nta_err *err)
{
    ng_ctx *c = ctx;
    for (;;) {
        c->block_off = nta_stream_offset(c->s);
        uint32_t type, len;
        nta_cur body;
        int rc = 0;
        if (!block_in_place(c, &type, &len, &body) && (rc = block_copied(c, &type, &len, &body, err)) <= 0)
            return rc;
        switch (type) {
        case BT_SHB:
            rc = parse_shb(c, body, err);
            if (rc < 0)
                return rc;
            break;
        case BT_IDB:
            rc = parse_idb(c, body, err);
            if (rc < 0)
                return rc;
            break;
        case BT_EPB:
        case BT_SPB:
        case BT_PB:
            if (parse_packet(c, type, body, pkt)) {
                if (c->compressed)
                    nta_stream_note_packet(c->s, &c->mark, c->block_off + len);
                return 1;
            }
            break;
        case BT_ISB:
            parse_isb(c, body, err);
            break;
        case BT_DPEB:
            rc = parse_dpeb(c, body, err);
            if (rc < 0)
                return rc;
            break;
        default:
            break;   /* NRB, DSB, custom and future blocks carry no packets */
        }
    }
}

static void ng_close(void *ctx)
{
    ng_ctx *c = ctx;
    if (c == NULL)
        return;
    for (uint32_t i = 0; i < c->nprocs; i++)
        free(c->procs[i]);
    free(c->procs);
    free(c->ifs);
    free(c->buf);
    free(c);
}

int nta_pcapng_open(nta_reader *rd, nta_stream *s, const nta_reader_opts *o, nta_err *err)
{
    memset(rd, 0, sizeof *rd);
    ng_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    c->s = s;
    c->compressed = nta_stream_compression(s) != NTA_COMP_NONE;
    c->sink = o->ifaces;
    c->ifname = o->ifname;
    c->file = o->file;
    nta_default_ifname(nta_stream_name(s), c->base, sizeof c->base);
    rd->next = ng_next;
    rd->close = ng_close;
    rd->ctx = c;
    rd->format = "pcapng";
    rd->warn = &c->warn;
    return 0;
}
