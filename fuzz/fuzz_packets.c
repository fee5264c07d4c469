/* fuzz/fuzz_packets.c: the packet decoder (every link type nta decodes) and the TCP analyzer fed
 * arbitrary packet sequences, without a file format in front.
 *
 * Input: records of [link type selector][length, 2 bytes][time step, 1 byte][bytes]. Property:
 * decode and analyzer return normally for any sequence, events only point at valid structures
 * (ASan/UBSan check every access), and memory stays bounded by --max-flows (64 here). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/synth.h"
#include "formats/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *ctx, const nta_event *ev)
{
    (void)ctx;
    volatile uint32_t x = 0;
    if (ev->ip != NULL)
        x ^= ev->ip->ip_plength;
    if (ev->tcps != NULL)
        x ^= ev->tcps->tcps_rnxt ^ (uint32_t)ev->tcps->tcps_state;
    if (ev->tcp != NULL)
        x ^= ev->tcp->tcp_seq;
    if (ev->ifp != NULL && ev->ifp->if_name != NULL)
        x ^= (uint8_t)ev->ifp->if_name[0];
    (void)x;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t links[] = { NTA_LINK_ETHERNET, NTA_LINK_LINUX_SLL, NTA_LINK_LINUX_SLL2,
                                      NTA_LINK_NULL, NTA_LINK_LOOP, NTA_LINK_RAW, 12, 14,
                                      NTA_LINK_IPV4, NTA_LINK_IPV6, 239, 9999 };
    nta_locals loc;
    memset(&loc, 0, sizeof loc);
    loc.all = 1;
    nta_analyzer_opts o = { .locals = &loc, .probes = (1u << NTA_PROBE__COUNT) - 1,
                            .msl_ns = 1000000000ull, .idle_ns = 5000000000ull, .max_flows = 64 };
    nta_sink sink = { .on_event = check };
    nta_analyzer *an = nta_analyzer_new(&o, &sink);
    if (an == NULL)
        return 0;
    uint64_t ts = 1700000000000000000ull;
    size_t i = 0;
    while (i + 4 <= size) {
        nta_packet p;
        memset(&p, 0, sizeof p);
        p.linktype = links[data[i] % (sizeof links / sizeof links[0])];
        size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
        ts += (uint64_t)data[i + 3] * 100000000ull;   /* up to 25.5 s: timers (2*MSL, idle) fire */
        i += 4;
        if (len > size - i)
            len = size - i;
        p.ts_ns = ts;
        p.caplen = p.origlen = (uint32_t)len;
        p.data = data + i;
        i += len;
        nta_decoded d;
        nta_decode(&p, &d);
        nta_analyzer_packet(an, &p, &d);
    }
    nta_analyzer_finish(an);
    nta_analyzer_free(an);
    return 0;
}
