/* formats/capture.c: recognising a capture format by its first bytes, and small shared helpers.
 *
 * Magic numbers (first 4 bytes, as stored):
 *   a1 b2 c3 d4 / d4 c3 b2 a1   classic pcap, microseconds (big / little endian writer)
 *   a1 b2 3c 4d / 4d 3c b2 a1   classic pcap, nanoseconds
 *   a1 b2 cd 34 / 34 cd b2 a1   Kuznetzov's modified pcap (libpcap reads it)
 *   0a 0d 0d 0a                 pcapng section header block
 * ERF has no magic: a file whose first record headers are plausible (known type, record length
 * >= 16, timestamps between 1990 and 2100 and a day apart at most) is read as ERF (erf.c). */
#include "formats/capture.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cursor.h"

static int is_pcap_magic(const uint8_t *m)
{
    static const uint8_t magics[6][4] = {
        { 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },
        { 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xcd, 0x34 }, { 0x34, 0xcd, 0xb2, 0xa1 },
    };
    for (int i = 0; i < 6; i++)
        if (memcmp(m, magics[i], 4) == 0)
            return 1;
    return 0;
}

/* ERF record header: ts (8, little endian fixed point), type (1), flags (1), rlen (2, BE),
 * lctr (2), wlen (2, BE). Types 1..27 are the ones defined by Endace's ERF spec; 48 is padding. */
#define ERF_TYPE_PAD 48
#define ERF_SECS_MIN 631152000u    /* 1990-01-01 */
#define ERF_SECS_MAX 4102444800u   /* 2100-01-01 */
#define ERF_SKEW_MAX 86400u        /* neighbouring records a day apart at most */

static int erf_header_ok(const uint8_t *h, int *pad)
{
    uint8_t type = h[8] & 0x7f;
    uint16_t rlen = nta_be16(h + 10);
    *pad = type == ERF_TYPE_PAD;
    if (rlen < 16)
        return 0;
    if (*pad)
        return 1;
    uint32_t secs = nta_le32(h + 4);
    return type >= 1 && type <= 27 && nta_be16(h + 14) > 0 && secs >= ERF_SECS_MIN
           && secs <= ERF_SECS_MAX;
}

/* A single plausible header matches about one random file in five, so every record header in
 * the peeked window (up to four) must be plausible and timestamped within a day of the first:
 * random bytes then pass about once in a million. A file shorter than its first record is
 * judged on that record alone (libtrace reports it cut short). */
static int looks_like_erf(const uint8_t *m, size_t n)
{
    uint32_t first = 0;
    int seen = 0;
    size_t off = 0;
    for (int i = 0; i < 4 && off + 16 <= n; i++) {
        int pad;
        if (!erf_header_ok(m + off, &pad))
            return 0;
        if (!pad) {
            uint32_t secs = nta_le32(m + off + 4);
            if (seen && (secs > first ? secs - first : first - secs) > ERF_SKEW_MAX)
                return 0;
            if (!seen)
                first = secs;
            seen++;
        }
        off += nta_be16(m + off + 10);
    }
    return seen > 0;
}

static void describe_bytes(const uint8_t *m, size_t n, char *out, size_t cap)
{
    char hex[64] = "", txt[16] = "";
    size_t k = n < 8 ? n : 8;
    for (size_t i = 0; i < k; i++) {
        snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%s%02x", i ? " " : "", m[i]);
        txt[i] = isprint(m[i]) ? (char)m[i] : '.';
    }
    txt[k] = '\0';
    snprintf(out, cap, "%s (\"%s\")", hex, txt);
}

int nta_capture_open(nta_reader *rd, nta_stream *s, const nta_reader_opts *o, nta_err *err)
{
    const uint8_t *m;
    size_t n;
    memset(rd, 0, sizeof *rd);
    int rc = nta_stream_peek(s, 16, &m, &n, err);
    if (rc < 0)
        return rc;
    if (n == 0)
        return nta_err_set_at(err, NTA_EFORMAT, 0, "not a capture: the %s is empty",
                              nta_stream_compression(s) == NTA_COMP_NONE ? "file"
                                                                         : "decompressed file");
    if (n >= 4 && is_pcap_magic(m))
        return nta_pcap_open(rd, s, o, err);
    if (n >= 4 && memcmp(m, "\x0a\x0d\x0d\x0a", 4) == 0)
        return nta_pcapng_open(rd, s, o, err);
    int pad;
    /* Peek further only now, so a live pcap stream on a pipe is never held up waiting. */
    if (n == 16 && erf_header_ok(m, &pad) && (rc = nta_stream_peek(s, 65536, &m, &n, err)) < 0)
        return rc;
    if (looks_like_erf(m, n))
        return nta_erf_open(rd, s, o, err);
    char what[96];
    describe_bytes(m, n, what, sizeof what);
    if (n < 4)
        return nta_err_set_at(err, NTA_EFORMAT, 0,
                              "not a capture: only %zu bytes (%s), too short for any header", n, what);
    return nta_err_set_at(err, NTA_EFORMAT, 0,
                          "not a capture: starts with %s, which is no pcap, pcapng or ERF header",
                          what);
}

int nta_capture_open_uri(nta_reader *rd, const char *uri, const nta_reader_opts *o, nta_err *err)
{
    return nta_libtrace_open(rd, uri, o, err);
}

void nta_reader_close(nta_reader *rd)
{
    if (rd != NULL && rd->close != NULL)
        rd->close(rd->ctx);
    if (rd != NULL)
        memset(rd, 0, sizeof *rd);
}

const char *nta_linktype_name(uint32_t linktype, char *buf, size_t len)
{
    switch (linktype) {
    case NTA_LINK_NULL: return "null";
    case NTA_LINK_ETHERNET: return "ethernet";
    case NTA_LINK_RAW: return "raw";
    case NTA_LINK_LOOP: return "loop";
    case NTA_LINK_LINUX_SLL: return "linux-sll";
    case NTA_LINK_IPV4: return "ipv4";
    case NTA_LINK_IPV6: return "ipv6";
    case NTA_LINK_LINUX_SLL2: return "linux-sll2";
    }
    snprintf(buf, len, "linktype-%u", linktype);
    return buf;
}

void nta_default_ifname(const char *path, char *buf, size_t len)
{
    if (strcmp(path, "-") == 0) {
        snprintf(buf, len, "stdin");
        return;
    }
    const char *slash = strrchr(path, '/');
    snprintf(buf, len, "%s", slash ? slash + 1 : path);
}

int nta_iface_announce(const nta_iface_sink *sink, const char *name, uint32_t linktype,
                       uint32_t file, uint32_t *index, nta_err *err)
{
    nta_iface ifc;
    memset(&ifc, 0, sizeof ifc);
    snprintf(ifc.name, sizeof ifc.name, "%s", name);
    ifc.linktype = linktype;
    ifc.file = file;
    ifc.ifdrop = -1;
    int rc = sink->add(sink->ctx, &ifc, index);
    return rc < 0 ? nta_err_set(err, rc, "too many interfaces") : 0;
}
