/* formats/capture.c: recognising a capture format by its first bytes, and small shared helpers.
 *
 * Magic numbers (first 4 bytes, as stored):
 *   a1 b2 c3 d4 / d4 c3 b2 a1   classic pcap, microseconds (big / little endian writer)
 *   a1 b2 3c 4d / 4d 3c b2 a1   classic pcap, nanoseconds
 *   a1 b2 cd 34 / 34 cd b2 a1   Kuznetzov's modified pcap (libpcap reads it)
 *   0a 0d 0d 0a                 pcapng section header block
 * ERF has no magic: a first record whose header is plausible (known type, record length >= 16,
 * wire length <= 64 KiB, timestamp after 1990) is handed to libtrace, which then validates it. */
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
 * lctr (2), wlen (2, BE). Types 1..27 are the ones defined by Endace's ERF spec. */
static int looks_like_erf(const uint8_t *m, size_t n)
{
    if (n < 16)
        return 0;
    uint32_t secs = nta_le32(m + 4);
    uint8_t type = m[8] & 0x7f;
    uint16_t rlen = nta_be16(m + 10);
    uint16_t wlen = nta_be16(m + 14);
    return type >= 1 && type <= 27 && rlen >= 16 && wlen > 0 && secs >= 631152000u
           && (m[9] & 0x03) <= 3;
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
    if (looks_like_erf(m, n)) {
        if (!nta_stream_is_regular_file(s))
            return nta_err_set(err, NTA_EUNSUP,
                               "looks like ERF, which nta reads through libtrace from a named "
                               "file only (not standard input or memory)");
        char uri[4096];
        snprintf(uri, sizeof uri, "erf:%s", nta_stream_name(s));
        return nta_libtrace_open(rd, uri, o, err);
    }
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
