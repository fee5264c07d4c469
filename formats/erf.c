/* formats/erf.c: Endace ERF records read from an nta_stream (nta's own reader).
 *
 * ERF was handed to libtrace by file name, which lost what nta's streams give every other
 * format: a gzip'd ERF cut short lost every packet (libwandio), a zstd one was "corrupt", one on
 * a pipe or in memory could not be read; records with the receive-error flag vanished uncounted
 * and a padding record ended the file. ERF is simple enough to read here with a cursor; libtrace
 * keeps the formats only it knows (formats/libtrace_file.c). Every record is
 *
 *   OFFSET  SIZE  FIELD (Endace "ERF types" document; Wireshark's wiretap/erf.c reads the same)
 *        0     8  timestamp: little-endian 32.32 fixed-point seconds since 1970
 *        8     1  type: low 7 bits the record type, bit 7 "an extension header follows"
 *        9     1  flags: bits 0-1 capture port, 2 varying length, 3 truncated, 4 receive error,
 *                 5 data-stream (card) error
 *       10     2  rlen: the whole record's length, header included (big endian)
 *       12     2  lctr: frames lost before this one (big endian), or colour for COLOR types
 *       14     2  wlen: the frame's length on the wire (Ethernet: FCS included)
 *       16   8*k  extension headers while the previous one's top type bit is set
 *        .     2  Ethernet types only: offset and pad bytes; multichannel types: a 4-byte header
 *        .     n  the frame: min(wlen, what rlen leaves) bytes, then padding up to rlen
 * Not done: multichannel, ATM, HDLC and InfiniBand frames are passed on with a link type outside
 * the LINKTYPE registry (decoded as unknown_linktype, as before); meta records' tags. */
#include "formats/capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"

enum {
    ERF_ETH = 2, ERF_COLOR_ETH = 11, ERF_DSM_COLOR_ETH = 16, ERF_COLOR_HASH_ETH = 20,
    ERF_IPV4 = 22, ERF_IPV6 = 23, ERF_META = 27, ERF_PAD = 48,
};

#define FLAG_RX_ERROR 0x10u
#define FLAG_DS_ERROR 0x20u
#define ERF_LINK_OTHER 0x10000u   /* | ERF type: a frame nta does not decode (no LINKTYPE_*) */
#define MAX_LINKS 8               /* link types one file can announce: a hostile file's bound */

typedef struct erf_link {
    uint32_t linktype, global;
    int64_t drops;                /* sum of the loss counters of its records */
} erf_link;

typedef struct erf_ctx {
    nta_stream *s;
    nta_iface_sink sink;
    char ifname[NTA_IFACE_NAME_MAX];
    uint32_t file;
    uint64_t records;             /* records read, padding and meta records included */
    uint64_t rec_off;             /* offset of the record being read */
    erf_link links[MAX_LINKS];
    uint32_t nlinks;
    nta_reader_warn warn;
    nta_stream_mark mark;         /* which packets a damaged stream's error concerns */
    int compressed;               /* only then can the stream's data fail a check (mark) */
    uint8_t rec[65536];           /* the record after its 16-byte header (rlen is 16 bits) */
} erf_ctx;

/* The types the ERF specification defines (1-27) and padding: the same set capture.c accepts
 * when it recognises a file as ERF. Anything else is no ERF record: reading ends there. */
static int known_type(unsigned type)
{
    return (type >= 1 && type <= 27) || type == ERF_PAD;
}

static int is_eth(unsigned type)
{
    return type == ERF_ETH || type == ERF_COLOR_ETH || type == ERF_DSM_COLOR_ETH
           || type == ERF_COLOR_HASH_ETH;
}

/* Bytes between the extension headers and the frame. */
static size_t subheader_len(unsigned type)
{
    if (is_eth(type))
        return 2;
    switch (type) {
    case 5: case 6: case 7: case 8: case 9: case 12: case 17: case 18:   /* MC_*, AAL2 */
        return 4;
    default:
        return 0;
    }
}

/* lctr counts lost frames except where the COLOR types reuse it */
static int lctr_is_loss(unsigned type)
{
    switch (type) {
    case 10: case 11: case 15: case 16: case 17: case 19: case 20:
        return 0;
    default:
        return 1;
    }
}

static uint32_t linktype_of(unsigned type)
{
    if (is_eth(type))
        return NTA_LINK_ETHERNET;
    if (type == ERF_IPV4)
        return NTA_LINK_IPV4;
    if (type == ERF_IPV6)
        return NTA_LINK_IPV6;
    return ERF_LINK_OTHER | type;
}

/* ns since 1970, rounded to the nearest ns as tshark shows it (libtrace truncated); 2^32 s is
 * 4.3e18 ns, so every ERF time fits 63 bits. */
static uint64_t erf_ns(uint64_t ts)
{
    uint64_t frac = ((ts & 0xffffffffu) * 1000000000u + 0x80000000u) >> 32;
    return (ts >> 32) * 1000000000u + frac;
}

/* The link's trace-wide interface, announced at its first record; loss counters go to its
 * ifdrop (as pcapng's isb_ifdrop does). */
static int link_for(erf_ctx *c, uint32_t linktype, erf_link **out, nta_err *err)
{
    for (uint32_t i = 0; i < c->nlinks; i++)
        if (c->links[i].linktype == linktype) {
            *out = &c->links[i];
            return 0;
        }
    if (c->nlinks == MAX_LINKS)
        return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->rec_off,
                              "ERF record %llu: more than %d link types in one file (at "
                              "offset %llu)", (unsigned long long)c->records, MAX_LINKS,
                              (unsigned long long)c->rec_off);
    erf_link *l = &c->links[c->nlinks];
    int rc = nta_iface_announce(&c->sink, c->ifname, linktype, c->file, &l->global, err);
    if (rc < 0)
        return rc;
    l->linktype = linktype;
    l->drops = -1;
    c->nlinks++;
    *out = l;
    return 0;
}

static void add_drops(erf_ctx *c, erf_link *l, uint16_t lost)
{
    l->drops = (l->drops < 0 ? 0 : l->drops) + lost;
    nta_iface ifc;
    memset(&ifc, 0, sizeof ifc);
    ifc.ifdrop = l->drops;
    ifc.linktype = UINT32_MAX;   /* a statistics update (formats/trace.c) */
    uint32_t idx = l->global;
    c->sink.add(c->sink.ctx, &ifc, &idx);
}

static void warn_record(erf_ctx *c, const char *why)
{
    c->warn.bad_records++;
    if (c->warn.first[0] == '\0')
        snprintf(c->warn.first, sizeof c->warn.first, "ERF record %llu at offset %llu: %s",
                 (unsigned long long)c->records, (unsigned long long)c->rec_off, why);
}

/* A short read is the end of the file or damage in a compressed stream; the stream's own error
 * is the one to report in the second case. */
static int read_exact(erf_ctx *c, void *dst, size_t n, size_t *got, nta_err *err)
{
    int rc = nta_stream_read(c->s, dst, n, got, err);
    if (rc == 0 && *got < n)
        rc = nta_stream_pending(c->s, err);
    if (rc < 0) {
        err->offset = (int64_t)c->rec_off;
        nta_stream_explain(c->s, &c->mark, err);
    }
    return rc;
}

static int erf_next(void *ctx, nta_packet *pkt, nta_err *err)
{
    erf_ctx *c = ctx;
    for (;;) {
        uint8_t h[16];
        size_t got;
        c->rec_off = nta_stream_offset(c->s);
        int rc = read_exact(c, h, sizeof h, &got, err);
        if (rc < 0)
            return rc;
        if (got == 0)
            return 0;
        c->records++;
        unsigned long long n = (unsigned long long)c->records, off = (unsigned long long)c->rec_off;
        if (got < sizeof h)
            return nta_err_set_at(err, NTA_ETRUNC, (int64_t)c->rec_off,
                                  "file ends inside the header of ERF record %llu at offset %llu "
                                  "(%zu of 16 bytes)", n, off, got);
        uint64_t ts = nta_le32(h) | (uint64_t)nta_le32(h + 4) << 32;
        unsigned type = h[8] & 0x7fu, flags = h[9];
        uint16_t rlen = nta_be16(h + 10), lctr = nta_be16(h + 12), wlen = nta_be16(h + 14);
        if (!known_type(type))
            return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->rec_off,
                                  "ERF record %llu: type %u is not an ERF record type (at "
                                  "offset %llu)", n, type, off);
        if (rlen < 16)
            return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->rec_off,
                                  "ERF record %llu: its length %u is shorter than the 16-byte "
                                  "header (at offset %llu)", n, rlen, off);
        size_t body = rlen - 16u;
        rc = read_exact(c, c->rec, body, &got, err);
        if (rc < 0)
            return rc;
        if (got < body)
            return nta_err_set_at(err, NTA_ETRUNC, (int64_t)c->rec_off,
                                  "file ends inside ERF record %llu at offset %llu: %zu of its %u "
                                  "bytes are present", n, off, got + 16, rlen);
        if (type == ERF_PAD || type == ERF_META)
            continue;   /* padding and metadata carry no frame */
        nta_cur cur = nta_cur_make(c->rec, body);
        uint8_t ext = h[8];
        while (ext & 0x80u) {   /* each extension header says whether another follows */
            const uint8_t *e;
            if (nta_cur_bytes(&cur, 8, &e) < 0)
                return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->rec_off,
                                      "ERF record %llu: shorter than its own headers (extension "
                                      "headers overrun its %u bytes; at offset %llu)", n, rlen,
                                      off);
            ext = e[0];
        }
        if (nta_cur_skip(&cur, subheader_len(type)) < 0)
            return nta_err_set_at(err, NTA_ECORRUPT, (int64_t)c->rec_off,
                                  "ERF record %llu: shorter than its own headers (%u bytes of "
                                  "type %u; at offset %llu)", n, rlen, type, off);
        erf_link *l;
        if ((rc = link_for(c, linktype_of(type), &l, err)) < 0)
            return rc;
        if (lctr > 0 && lctr_is_loss(type))
            add_drops(c, l, lctr);
        if (flags & (FLAG_RX_ERROR | FLAG_DS_ERROR)) {
            /* the card saw the frame damaged (FCS, framing) or lost its own data: the host's
             * NIC would have dropped such a frame, so no probe would have fired for it */
            warn_record(c, flags & FLAG_RX_ERROR ? "the card flagged a receive error (damaged "
                                                   "frame)" : "the card flagged a data-stream "
                                                              "error (record may be corrupt)");
            continue;
        }
        uint32_t caplen = wlen < cur.left ? wlen : (uint32_t)cur.left;
        uint32_t wire = wlen;
        /* wlen counts the Ethernet FCS; pcap and pcapng lengths do not, so it is dropped to
         * report the same frame length. An FCS that was captured stays in the data. */
        if (is_eth(type) && wire >= caplen + 4u)
            wire -= 4;
        pkt->ts_ns = erf_ns(ts);
        pkt->ifindex = l->global;
        pkt->linktype = l->linktype;
        pkt->caplen = caplen;
        pkt->origlen = wire < caplen ? caplen : wire;
        pkt->file = c->file;
        pkt->offset = c->rec_off;
        pkt->data = cur.p;
        pkt->proc = NULL;   /* ERF names no process */
        if (c->compressed)
            nta_stream_note_packet(c->s, &c->mark, c->rec_off + rlen);
        return 1;
    }
}

static void erf_close(void *ctx)
{
    free(ctx);
}

int nta_erf_open(nta_reader *rd, nta_stream *s, const nta_reader_opts *o, nta_err *err)
{
    memset(rd, 0, sizeof *rd);
    erf_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    c->s = s;
    c->compressed = nta_stream_compression(s) != NTA_COMP_NONE;
    c->sink = o->ifaces;
    c->file = o->file;
    if (o->ifname != NULL)
        snprintf(c->ifname, sizeof c->ifname, "%s", o->ifname);
    else
        nta_default_ifname(nta_stream_name(s), c->ifname, sizeof c->ifname);
    rd->next = erf_next;
    rd->close = erf_close;
    rd->ctx = c;
    rd->format = "erf";
    rd->warn = &c->warn;
    return 0;
}
