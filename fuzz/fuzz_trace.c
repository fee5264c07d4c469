/* fuzz/fuzz_trace.c: a capture file through the trace layer reads the same however it is read.
 *
 * The other capture targets open readers on memory; this one writes the bytes to a file (a
 * memfd, named through /proc/self/fd) and opens it with nta_trace_open, as the commands do:
 * format detection, decompression, the reading thread (formats/prefetch.c: chunks, interfaces
 * announced mid-file and translated), the trace's interface table, and for plain pcap the
 * direct record path with libpcap taking over at the first record it would touch
 * (formats/pcap_file.c). Property, for any bytes: read inline and read ahead give the same
 * packets (time, lengths, interface, offset, bytes), interfaces (names, link type, snaplen,
 * counts, drops),
 * ending and message; a classic pcap file also reads the same through libpcap alone. A
 * difference aborts (a finding); ASan checks every byte handed out. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats/trace.h"

typedef struct seen {
    uint64_t n, hash;   /* packets, and a hash over everything each packet and interface shows */
    int code;
    char msg[sizeof ((nta_err *)0)->msg];
} seen;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = mix(h, (uint8_t)*s);
    return mix(h, 0);
}

static void read_all(const char *path, int inline_read, int via_libpcap, seen *out)
{
    memset(out, 0, sizeof *out);
    nta_trace *t;
    nta_err err;
    nta_trace_opts o = { NULL, NULL, inline_read, via_libpcap };
    const char *paths[1] = { path };
    if (nta_trace_open(&t, paths, 1, &o, &err) < 0) {
        out->code = err.code;
        snprintf(out->msg, sizeof out->msg, "%s", err.msg);
        return;
    }
    nta_packet p;
    while (out->n < 100000 && nta_trace_next(t, &p, &err) == 1) {
        uint64_t h = mix(mix(out->hash, p.ts_ns), ((uint64_t)p.caplen << 32) | p.origlen);
        h = mix(mix(h, p.offset), ((uint64_t)p.ifindex << 32) | p.linktype);
        for (uint32_t i = 0; i < p.caplen; i++)
            h = mix(h, p.data[i]);
        out->hash = h;
        out->n++;
    }
    for (uint32_t i = 0; i < nta_trace_nifaces(t); i++) {
        const nta_iface *f = nta_trace_iface(t, i);
        uint64_t h = mix(mix(mix_str(mix_str(out->hash, f->name), f->desc), f->linktype), f->snaplen);
        out->hash = mix(mix(mix(h, f->packets), f->bytes), (uint64_t)f->ifdrop);
    }
    const nta_trace_file *f = nta_trace_file_info(t, 0);
    out->code = f->err.code;
    out->hash = mix(out->hash, f->bad_records);
    snprintf(out->msg, sizeof out->msg, "%s", f->err.msg);
    nta_trace_free(t);
}

static void same(const seen *a, const seen *b, const char *what)
{
    if (a->n != b->n || a->hash != b->hash || a->code != b->code || strcmp(a->msg, b->msg) != 0) {
        fprintf(stderr, "%s: %llu vs %llu packets, %d '%s' vs %d '%s'\n", what,
                (unsigned long long)a->n, (unsigned long long)b->n, a->code, a->msg, b->code, b->msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-trace", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        seen in, ahead;
        read_all(path, 1, 0, &in);
        read_all(path, 0, 0, &ahead);
        same(&ahead, &in, "reading ahead differs from reading inline");
        /* classic pcap magic: the direct record path against libpcap alone */
        if (size >= 4 && ((data[0] == 0xd4 && data[1] == 0xc3) || (data[0] == 0x4d && data[1] == 0x3c)
                          || (data[0] == 0xa1 && data[1] == 0xb2))) {
            seen lib;
            read_all(path, 1, 1, &lib);
            same(&in, &lib, "direct pcap reading differs from libpcap's");
        }
    }
    close(fd);
    return 0;
}
