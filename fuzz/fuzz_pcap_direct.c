/* fuzz/fuzz_pcap_direct.c: plain pcap files read directly must read exactly as libpcap reads them.
 *
 * formats/pcap_file.c reads the records of a plain file itself while libpcap would pass them
 * through untouched, and hands over to libpcap at the first other record; the reading thread
 * takes such records into its chunks in place (formats/prefetch.c). Property, for any bytes
 * written to a file: inline direct reading, read-ahead direct reading and libpcap alone give the
 * same packets (time, lengths, offset, bytes), the same ending and the same message; a
 * difference aborts (a finding). The bytes go to a memfd: a regular file, as the direct path
 * needs, named through /proc/self/fd. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats/trace.h"

typedef struct seen {
    uint64_t n, hash;   /* packets, and a hash over everything each packet shows */
    int code;
    char msg[sizeof ((nta_err *)0)->msg];
} seen;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
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
        uint64_t h = mix(mix(mix(out->hash, p.ts_ns), ((uint64_t)p.caplen << 32) | p.origlen), p.offset);
        for (uint32_t i = 0; i < p.caplen; i++)
            h = mix(h, p.data[i]);
        out->hash = h;
        out->n++;
    }
    const nta_trace_file *f = nta_trace_file_info(t, 0);
    out->code = f->err.code;
    snprintf(out->msg, sizeof out->msg, "%s", f->err.msg);
    nta_trace_free(t);
}

static void same(const seen *a, const seen *b, const char *what)
{
    if (a->n != b->n || a->hash != b->hash || a->code != b->code || strcmp(a->msg, b->msg) != 0) {
        fprintf(stderr, "%s differs from libpcap: %llu vs %llu packets, %d '%s' vs %d '%s'\n", what,
                (unsigned long long)a->n, (unsigned long long)b->n, a->code, a->msg, b->code, b->msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* only classic pcap magic reaches the path under test */
    if (size < 4 || !((data[0] == 0xd4 && data[1] == 0xc3) || (data[0] == 0x4d && data[1] == 0x3c)
                      || (data[0] == 0xa1 && data[1] == 0xb2)))
        return 0;
    int fd = memfd_create("fuzz-pcap", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        seen lib, direct, ahead;
        read_all(path, 1, 1, &lib);
        read_all(path, 1, 0, &direct);
        read_all(path, 0, 0, &ahead);
        same(&direct, &lib, "direct reading");
        same(&ahead, &lib, "direct reading ahead");
    }
    close(fd);
    return 0;
}
