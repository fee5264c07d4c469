/* formats/pcap_file.c: classic pcap files (microsecond and nanosecond, both byte orders) via libpcap.
 *
 * libpcap reads from a FILE*. An uncompressed regular file is handed to libpcap directly (its
 * own FILE with a 1 MiB buffer: two copies fewer than going through the nta_stream); anything
 * else (compressed, a pipe, memory) is wrapped with glibc's fopencookie() over the nta_stream:
 * no temporary file either way. Timestamps are asked for in nanoseconds.
 * Layout: a 24-byte file header, then per record 16 bytes (ts_sec, ts_frac, caplen, len) and
 * caplen bytes, so the record offset is tracked here exactly (libpcap does not expose it).
 * libpcap reports DLT_* values; they are mapped back to LINKTYPE_* (only RAW differs here).
 *
 * Records of a plain file are read straight from it (pread into a 1 MiB buffer, one copy fewer
 * than stdio then libpcap's buffer, and no per-record fread): only while each record is one
 * libpcap passes through untouched — version 2.4, a link type whose headers libpcap never
 * rewrites, a whole record no longer than the snapshot length. At the first record that is
 * anything else (cut short, too long, the end of the file) libpcap is positioned there and
 * reads on, so what it adjusts and every message it gives stay its own. */
#define _GNU_SOURCE
#include "formats/capture.h"
#include "formats/pcap_raw.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct pcap_ctx {
    pcap_t *p;
    FILE *fp;
    nta_stream *s;
    nta_err *read_err;      /* where the cookie parks a stream error for next() to return */
    nta_err cookie_err;
    uint32_t ifindex;
    uint32_t linktype;
    uint32_t file;
    uint64_t offset;        /* offset of the next record */
    uint64_t records;
    char *iobuf;            /* stdio buffer of a directly opened file */
    /* records read directly (NULL rbuf: libpcap reads them) */
    uint8_t *rbuf;
    size_t rlo, rhi;        /* the bytes of rbuf not handed out yet; rbuf[rlo] is at offset */
    uint32_t snapshot;
    nta_raw_pcap raw;       /* what the records share */
    nta_reader_warn warn;   /* records skipped for a time that is no time */
    nta_stream_mark mark;   /* which packets a damaged stream's error concerns */
    int compressed;         /* only then can the stream's data fail a check (mark) */
} pcap_ctx;

#define DIRECT_RECS (1024u * 1024u)   /* > the largest record libpcap passes untouched (16 + 262144) */

#define DIRECT_BUF (64u * 1024u)   /* measured on hdr128.pcap: 1 MiB costs 5x the system time (the buffer falls out of cache), 16 KiB more syscalls */

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    pcap_ctx *c = cookie;
    size_t got = 0;
    /* read what is there: stdio asks for a whole buffer, libpcap may need only a record of it,
     * and on a pipe waiting for the rest would hold back packets already received */
    int rc = nta_stream_read_some(c->s, buf, size, &got, &c->cookie_err);
    if (rc < 0)
        return -1;
    return (ssize_t)got;
}

static int cookie_close(void *cookie)
{
    (void)cookie;   /* the stream belongs to the caller */
    return 0;
}

static uint32_t dlt_to_linktype(int dlt)
{
    switch (dlt) {
    case DLT_RAW: return NTA_LINK_RAW;
#ifdef DLT_LOOP
    case DLT_LOOP: return NTA_LINK_LOOP;
#endif
    default: return (uint32_t)dlt;
    }
}

/* Whole records from the file's offset `at` into buf: their bytes (0: none, libpcap's to read:
 * the end, a record cut short or a read error, one libpcap would cut or refuse, or one whose
 * time is no time, which pcap_next_pkt counts), how many. */
static size_t read_whole(pcap_ctx *c, uint8_t *buf, size_t cap, uint64_t at, size_t *nrec)
{
    ssize_t n;
    do
        n = pread(fileno(c->fp), buf, cap, (off_t)at);
    while (n < 0 && errno == EINTR);
    size_t pos = 0, k = 0;
    /* in locals: buf may alias *c as far as the compiler knows, which reloaded them per record */
    const nta_raw_pcap how = c->raw;
    const uint32_t snapshot = c->snapshot;
    while (n > 0 && pos + 16 <= (size_t)n) {
        uint32_t caplen = nta_raw_pcap_u32(buf + pos + 8, how.swapped);
        if (caplen > snapshot || (size_t)n - pos - 16 < caplen || !nta_raw_pcap_time_ok(&how, buf + pos))
            break;
        pos += 16 + (size_t)caplen;
        k++;
    }
    *nrec = k;
    return pos;
}

/* The next record straight from the file: 1, or 0 when libpcap is to read from c->offset on. */
static int direct_next(pcap_ctx *c, nta_packet *pkt)
{
    if (c->rlo == c->rhi) {
        size_t k;
        c->rlo = 0;
        c->rhi = read_whole(c, c->rbuf, DIRECT_RECS, c->offset, &k);
        if (c->rhi == 0)
            return 0;
    }
    size_t size = nta_raw_pcap_packet(&c->raw, c->rbuf + c->rlo, c->offset, pkt);
    c->rlo += size;
    c->offset += size;
    c->records++;
    return 1;
}

/* nta_reader.fill_raw: whole records straight into the caller's buffer. Only before the first
 * packet of next(): the two do not mix. */
static size_t pcap_fill_raw(void *ctx, uint8_t *buf, size_t cap, nta_raw_pcap *how)
{
    pcap_ctx *c = ctx;
    if (c->rbuf == NULL || c->rlo != c->rhi)
        return 0;
    size_t k, len = read_whole(c, buf, cap, c->offset, &k);
    *how = c->raw;
    how->offset = c->offset;
    c->offset += len;
    c->records += k;
    return len;
}

/* Hands reading over to libpcap at c->offset. */
static int direct_stop(pcap_ctx *c, nta_err *err)
{
    free(c->rbuf);
    c->rbuf = NULL;
    if (fseeko(c->fp, (off_t)c->offset, SEEK_SET) != 0)
        return nta_err_set_at(err, NTA_EIO, (int64_t)c->offset, "pcap record %llu at offset %llu: %s",
                              (unsigned long long)c->records + 1, (unsigned long long)c->offset,
                              strerror(errno));
    return 0;
}

/* Whether libpcap would pass every whole record of this file through untouched. */
static int direct_fits(pcap_t *p)
{
    if (pcap_major_version(p) != 2 || pcap_minor_version(p) != 4)
        return 0;   /* older versions may have caplen and len swapped */
    switch (pcap_datalink(p)) {
    case DLT_EN10MB:
    case DLT_RAW:
    case DLT_NULL:
#ifdef DLT_LOOP
    case DLT_LOOP:
#endif
#ifdef DLT_IPV4
    case DLT_IPV4:
    case DLT_IPV6:
#endif
        return 1;
    case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
#endif
        return !pcap_is_swapped(p);   /* libpcap swaps CAN ids in the other byte order */
    default:
        return 0;
    }
}

/* A record whose fraction of a second is a second or more (10^6 µs, 10^9 ns): skipped and
 * counted, as tshark's reading of it (a time past the next second) is no reading at all. */
static void bad_time(pcap_ctx *c, const struct pcap_pkthdr *h)
{
    c->warn.bad_records++;
    if (c->warn.first[0] != '\0')
        return;
    /* undo libpcap's scaling to show the field as the file holds it */
    long long frac = (long long)h->ts.tv_usec;
    if (c->raw.micro)
        frac /= 1000;
    snprintf(c->warn.first, sizeof c->warn.first,
             "pcap record %llu at offset %llu: its %s field is %u (must be below %s)",
             (unsigned long long)c->records + 1, (unsigned long long)c->offset,
             c->raw.micro ? "microsecond" : "nanosecond", (uint32_t)frac,
             c->raw.micro ? "1000000" : "1000000000");
}

static int pcap_next_pkt(void *ctx, nta_packet *pkt, nta_err *err)
{
    pcap_ctx *c = ctx;
    if (c->rbuf != NULL) {
        if (direct_next(c, pkt) == 1)
            return 1;
        int rc = direct_stop(c, err);
        if (rc < 0)
            return rc;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    for (;;) {
        int r = pcap_next_ex(c->p, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            return 0;
        if (r != 1) {
            const char *why = pcap_geterr(c->p);
            if (c->cookie_err.code != 0) {
                *err = c->cookie_err;
                err->offset = (int64_t)c->offset;
                nta_stream_explain(c->s, &c->mark, err);
                return err->code;
            }
            int code = strstr(why, "truncated") != NULL ? NTA_ETRUNC : NTA_ECORRUPT;
            return nta_err_set_at(err, code, (int64_t)c->offset,
                                  "pcap record %llu at offset %llu: %s",
                                  (unsigned long long)c->records + 1,
                                  (unsigned long long)c->offset, why);
        }
        /* libpcap has scaled microseconds to nanoseconds (asked for at open) from a signed
         * 32-bit field: one second or more, or a negative value, is no time */
        if (h->ts.tv_usec >= 0 && h->ts.tv_usec < 1000000000)
            break;
        bad_time(c, h);
        c->offset += 16 + (uint64_t)h->caplen;
        c->records++;
    }
    /* ts_sec is unsigned, as tshark reads it: libpcap's field is signed, which turns 2038 and
     * later into 1901 and later (here, into a time centuries ahead); its 32 bits come back */
    pkt->ts_ns = (uint64_t)(uint32_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
    pkt->ifindex = c->ifindex;
    pkt->linktype = c->linktype;
    pkt->caplen = h->caplen;
    pkt->origlen = h->len;
    pkt->file = c->file;
    pkt->offset = c->offset;
    pkt->data = data;
    c->offset += 16 + (uint64_t)h->caplen;
    c->records++;
    if (c->compressed)
        nta_stream_note_packet(c->s, &c->mark, c->offset);
    return 1;
}

static uint64_t pcap_bytes_read(void *ctx)
{
    return ((pcap_ctx *)ctx)->offset;
}

static void pcap_close_ctx(void *ctx)
{
    pcap_ctx *c = ctx;
    if (c == NULL)
        return;
    if (c->p != NULL)
        pcap_close(c->p);   /* also fcloses fp */
    else if (c->fp != NULL)
        fclose(c->fp);
    free(c->iobuf);
    free(c->rbuf);
    free(c);
}

int nta_pcap_open(nta_reader *rd, nta_stream *s, const nta_reader_opts *o, nta_err *err)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    memset(rd, 0, sizeof *rd);
    /* libpcap converts to the precision we ask for and hides the file's own; the magic tells. */
    const uint8_t *m;
    size_t got = 0;
    int nano = 0, plain_magic = 0;
    if (nta_stream_peek(s, 4, &m, &got, err) == 0 && got == 4) {
        nano = (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d)
               || (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1);
        /* a magic libpcap reads 16-byte record headers for (not KUZNETZOV's patched ones) */
        plain_magic = (m[0] == 0xa1 && m[1] == 0xb2 && (m[2] == 0xc3 || m[2] == 0x3c))
                      || ((m[1] == 0xc3 || m[1] == 0x3c) && m[2] == 0xb2 && m[3] == 0xa1);
    }
    pcap_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    c->s = s;
    c->compressed = nta_stream_compression(s) != NTA_COMP_NONE;
    nta_err_clear(&c->cookie_err);
    c->file = o->file;
    if (nta_stream_is_regular_file(s) && nta_stream_compression(s) == NTA_COMP_NONE) {
        c->fp = fopen(nta_stream_name(s), "rb");
        c->iobuf = malloc(DIRECT_BUF);
        if (c->fp != NULL && c->iobuf != NULL)
            setvbuf(c->fp, c->iobuf, _IOFBF, DIRECT_BUF);
    }
    if (c->fp == NULL) {
        cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
        c->fp = fopencookie(c, "r", io);
    }
    if (c->fp == NULL) {
        free(c->iobuf);
        free(c);
        return nta_err_set(err, NTA_ENOMEM, "cannot wrap the input for libpcap");
    }
    c->p = pcap_fopen_offline_with_tstamp_precision(c->fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (c->p == NULL) {
        int code = c->cookie_err.code != 0 ? c->cookie_err.code : NTA_ECORRUPT;
        if (strstr(errbuf, "truncated") != NULL)
            code = NTA_ETRUNC;
        pcap_close_ctx(c);   /* fp was not taken by libpcap */
        return nta_err_set_at(err, code, 0, "pcap file header: %s", errbuf);
    }
    c->offset = 24;
    c->linktype = dlt_to_linktype(pcap_datalink(c->p));
    if (c->iobuf != NULL && !o->via_libpcap && plain_magic && direct_fits(c->p)) {
        c->rbuf = malloc(DIRECT_RECS);   /* none: libpcap reads every record, as it can */
        /* pages the system has dropped since come back in large read-ahead batches */
        (void)posix_fadvise(fileno(c->fp), 0, 0, POSIX_FADV_SEQUENTIAL);
        c->snapshot = (uint32_t)pcap_snapshot(c->p);
        c->raw.swapped = (uint32_t)pcap_is_swapped(c->p);
        c->raw.micro = (uint32_t)!nano;
        c->raw.linktype = c->linktype;
        c->raw.file = c->file;
    }

    nta_iface ifc;
    memset(&ifc, 0, sizeof ifc);
    if (o->ifname != NULL)
        snprintf(ifc.name, sizeof ifc.name, "%s", o->ifname);
    else
        nta_default_ifname(nta_stream_name(s), ifc.name, sizeof ifc.name);
    ifc.linktype = c->linktype;
    ifc.snaplen = (uint32_t)pcap_snapshot(c->p);
    ifc.file = o->file;
    ifc.ifdrop = -1;
    int rc = o->ifaces.add(o->ifaces.ctx, &ifc, &c->ifindex);
    if (rc < 0) {
        pcap_close_ctx(c);
        return nta_err_set(err, rc, "too many interfaces");
    }
    c->raw.ifindex = c->ifindex;
    c->raw.micro = (uint32_t)!nano;   /* also when libpcap reads every record (bad_time) */
    rd->warn = &c->warn;
    rd->next = pcap_next_pkt;
    rd->close = pcap_close_ctx;
    rd->ctx = c;
    if (c->iobuf != NULL)
        rd->bytes_read = pcap_bytes_read;
    if (c->rbuf != NULL)
        rd->fill_raw = pcap_fill_raw;
    rd->format = nano ? "pcap-ns" : "pcap";
    return 0;
}
