/* fuzz/fuzz_capture.c: any bytes through the whole capture path must never crash or hang.
 *
 * Property: for every input, nta_stream (gzip/bzip2/xz/zstd detection and decoding), format
 * detection, the classic pcap reader (libpcap over the stream), the pcapng block reader, the
 * packet decoder and the analyzer (every host traced, every probe enabled) return normally,
 * and every packet handed out lies within its buffer (ASan checks the reads).
 * ERF needs a named file (libtrace), so memory input cannot reach it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/synth.h"
#include "formats/capture.h"
#include "formats/decode.h"

static int add_iface(void *ctx, const nta_iface *ifc, uint32_t *index)
{
    uint32_t *n = ctx;
    (void)ifc;
    if (*n >= 64)
        return NTA_ECORRUPT;
    *index = (*n)++;
    return 0;
}

static int discard(void *ctx, const nta_event *ev)
{
    (void)ctx;
    (void)ev;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nta_stream *s;
    nta_err err;
    if (nta_stream_open_mem(&s, data, size, &err) < 0)
        return 0;
    uint32_t nifs = 0;
    nta_reader rd;
    nta_reader_opts ro = { "fuzz", 0, { add_iface, &nifs }, 0 };
    if (nta_capture_open(&rd, s, &ro, &err) == 0) {
        nta_locals loc;
        memset(&loc, 0, sizeof loc);
        loc.all = 1;
        nta_analyzer_opts o = { .locals = &loc, .probes = (1u << NTA_PROBE__COUNT) - 1,
                                .msl_ns = 30000000000ull, .idle_ns = 600000000000ull,
                                .max_flows = 1000 };
        nta_sink sink = { .on_event = discard };
        nta_analyzer *an = nta_analyzer_new(&o, &sink);
        nta_packet p;
        /* a packet count cap keeps pathological inputs fast; real readers stop on their own */
        for (int n = 0; an != NULL && n < 100000 && rd.next(rd.ctx, &p, &err) == 1; n++) {
            volatile uint8_t sink_byte = 0;
            for (uint32_t i = 0; i < p.caplen; i += 64)
                sink_byte ^= p.data[i];   /* every byte handed out must be readable */
            (void)sink_byte;
            nta_decoded d;
            nta_decode(&p, &d);
            nta_analyzer_packet(an, &p, &d);
        }
        if (an != NULL) {
            nta_analyzer_finish(an);
            nta_analyzer_free(an);
        }
        nta_reader_close(&rd);
    }
    nta_stream_free(s);
    return 0;
}
