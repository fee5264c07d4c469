/* formats/libtrace_file.c: the trace formats only libtrace reads (tsh, legacy*, ...).
 *
 * libtrace opens files by URI ("tsh:/path"), so this reader takes a path, not an nta_stream;
 * libtrace (through libwandio) decompresses on its own. ERF is read by nta's own reader
 * (erf.c); libtrace's "erf:" stays reachable here, as the reference the tests compare with.
 * libtrace link types are mapped to LINKTYPE_* values; others are passed on as unknown. A record
 * libtrace hands over without a packet, or with a time beyond 63-bit ns, is counted, not lost. */
#include "formats/capture.h"

#include <libtrace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lt_ctx {
    libtrace_t *t;
    libtrace_packet_t *pkt;
    nta_iface_sink sink;
    char ifname[NTA_IFACE_NAME_MAX];
    uint32_t file;
    int32_t last_linktype;   /* -1 before the first packet */
    int erf;
    uint32_t ifindex;
    uint64_t records;
    nta_reader_warn warn;
} lt_ctx;

static void warn_record(lt_ctx *c, const char *why)
{
    c->warn.bad_records++;
    if (c->warn.first[0] == '\0')
        snprintf(c->warn.first, sizeof c->warn.first, "libtrace: record %llu: %s",
                 (unsigned long long)c->records, why);
}

static uint32_t map_linktype(libtrace_linktype_t t)
{
    switch (t) {
    case TRACE_TYPE_ETH: return NTA_LINK_ETHERNET;
    case TRACE_TYPE_NONE: return NTA_LINK_RAW;
    case TRACE_TYPE_LINUX_SLL: return NTA_LINK_LINUX_SLL;
    case TRACE_TYPE_OPENBSD_LOOP: return NTA_LINK_LOOP;
    default: return 0x10000u + (uint32_t)t;   /* outside the LINKTYPE registry: decoded as unknown */
    }
}

static int lt_next(void *ctx, nta_packet *out, nta_err *err)
{
    lt_ctx *c = ctx;
    for (;;) {
        int n = trace_read_packet(c->t, c->pkt);
        if (n == 0)
            return 0;
        if (n < 0) {
            libtrace_err_t e = trace_get_err(c->t);
            return nta_err_set(err, NTA_ECORRUPT, "libtrace: record %llu: %s (error %d)",
                               (unsigned long long)c->records + 1, e.problem, e.err_num);
        }
        if (c->erf) {
            /* libtrace dereferences NULL on some records it reads without complaint (type 0
             * with the rx-error flag, found by fuzz/fuzz_trace.c): only the types of Endace's
             * ERF specification (1-27) and padding (48) go further; capture.c's sniffing
             * accepts no other for the first records either */
            const uint8_t *h = c->pkt->header;
            unsigned type = h != NULL ? h[8] & 0x7fu : 0;
            if (h == NULL || !((type >= 1 && type <= 27) || type == 48))
                return nta_err_set(err, NTA_ECORRUPT, "ERF record %llu: type %u is not an ERF record type",
                                   (unsigned long long)c->records + 1, type);
        }
        /* libtrace asserts (aborts) on a record shorter than its own headers (an ERF record of
         * 16 bytes of type Ethernet, found by fuzz/fuzz_trace.c): ask for the length first */
        if ((int)trace_get_capture_length(c->pkt) < 0)
            return nta_err_set(err, NTA_ECORRUPT, "libtrace: record %llu: shorter than its own headers",
                               (unsigned long long)c->records + 1);
        libtrace_linktype_t lt;
        uint32_t remaining = 0;
        void *l2 = trace_get_packet_buffer(c->pkt, &lt, &remaining);
        c->records++;
        if (lt == TRACE_TYPE_NONDATA || lt == TRACE_TYPE_METADATA)
            continue;   /* padding and meta records carry no packet */
        if (l2 == NULL) {   /* e.g. libtrace's ERF: a record with the receive-error flag */
            warn_record(c, "libtrace gives no packet for it");
            continue;
        }
        struct timespec ts = trace_get_timespec(c->pkt);
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000
            || (uint64_t)ts.tv_sec > ((uint64_t)INT64_MAX - (uint64_t)ts.tv_nsec) / 1000000000u) {
            warn_record(c, "its time is before 1970 or beyond 63-bit nanoseconds (2262)");
            continue;
        }
        uint32_t linktype = map_linktype(lt);
        if ((int32_t)linktype != c->last_linktype) {
            int rc = nta_iface_announce(&c->sink, c->ifname, linktype, c->file, &c->ifindex, err);
            if (rc < 0)
                return rc;
            c->last_linktype = (int32_t)linktype;
        }
        out->ts_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        out->ifindex = c->ifindex;
        out->linktype = linktype;
        out->caplen = remaining;
        size_t wire = trace_get_wire_length(c->pkt);
        /* ERF's wlen counts the 4-byte Ethernet FCS (libtrace.h says so for
         * trace_get_wire_length); pcap and pcapng lengths do not, so drop it for every format
         * to report the same frame length. An FCS that was captured stays in the data. */
        if (c->erf && linktype == NTA_LINK_ETHERNET && wire >= (size_t)remaining + 4)
            wire -= 4;
        out->origlen = wire < remaining ? remaining : (uint32_t)wire;
        out->file = c->file;
        out->offset = 0;
        out->data = l2;
        out->proc = NULL;
        return 1;
    }
}

static void lt_close(void *ctx)
{
    lt_ctx *c = ctx;
    if (c == NULL)
        return;
    if (c->pkt != NULL)
        trace_destroy_packet(c->pkt);
    if (c->t != NULL)
        trace_destroy(c->t);
    free(c);
}

int nta_libtrace_open(nta_reader *rd, const char *uri, const nta_reader_opts *o, nta_err *err)
{
    memset(rd, 0, sizeof *rd);
    lt_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    c->sink = o->ifaces;
    c->file = o->file;
    c->last_linktype = -1;
    const char *path = strchr(uri, ':');
    if (o->ifname != NULL)
        snprintf(c->ifname, sizeof c->ifname, "%s", o->ifname);
    else
        nta_default_ifname(path ? path + 1 : uri, c->ifname, sizeof c->ifname);
    c->t = trace_create(uri);
    if (c->t == NULL || trace_is_err(c->t)) {
        libtrace_err_t e = c->t ? trace_get_err(c->t) : (libtrace_err_t){ 0, "" };
        lt_close(c);
        return nta_err_set(err, NTA_EFORMAT, "libtrace cannot open %s: %s", uri, e.problem);
    }
    if (trace_start(c->t) < 0) {
        libtrace_err_t e = trace_get_err(c->t);
        lt_close(c);
        return nta_err_set(err, NTA_EFORMAT, "libtrace cannot read %s: %s", uri, e.problem);
    }
    c->pkt = trace_create_packet();
    if (c->pkt == NULL) {
        lt_close(c);
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    }
    rd->next = lt_next;
    rd->close = lt_close;
    rd->ctx = c;
    rd->warn = &c->warn;
    const char *colon = strchr(uri, ':');
    rd->format = "libtrace";
    if (colon != NULL && (size_t)(colon - uri) == 3 && strncmp(uri, "erf", 3) == 0) {
        rd->format = "erf";
        c->erf = 1;
    }
    return 0;
}
