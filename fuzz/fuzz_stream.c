/* fuzz/fuzz_stream.c: the decompression streams (gzip, bzip2, xz, zstd, chosen by the first
 * bytes) on arbitrary bytes, read in odd chunk sizes with peeks in between.
 * Properties: every call returns normally; bytes are handed out or an error is reported, and
 * once the stream has ended (cleanly or not) it stays ended. Every byte handed out was written
 * by a decoder: each input is decoded twice, the stream's free buffer space filled with 0x00
 * the first time and 0xff the second (nta_stream_poison), and the two must agree (libzstd once
 * reported an error with an output position past bytes it never wrote; see
 * fuzz/corpus/trace/crash-zstd-error-claims-output).
 *
 * At most OUT_LIMIT decompressed bytes are taken per input: a few kilobytes of bzip2 or xz can
 * expand to megabytes, and reading those a byte at a time held the target to ~700 executions/s
 * (40 % of it in bzip2's output loop) without reaching any more of nta's code; twice the
 * memory stream's 96 KiB output buffer still wraps it. Steps are 1-97 bytes, or 40 times that
 * when the second-last byte is odd (large reads and peeks of up to 11 KiB). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct outcome {
    uint64_t n, hash;
    int code;
} outcome;

static void decode(const uint8_t *data, size_t size, uint8_t fill, outcome *o)
{
    enum { OUT_LIMIT = 2 * 96 * 1024 };
    memset(o, 0, sizeof *o);
    nta_stream *s;
    nta_err err;
    if (nta_stream_open_mem(&s, data, size, &err) < 0) {
        o->code = err.code;
        return;
    }
    nta_stream_poison(s, fill);
    uint8_t buf[4096];
    size_t step = size ? (size_t)data[size - 1] % 97 + 1 : 1;
    if (size >= 2 && data[size - 2] & 1)
        step *= 40;
    uint64_t h = 0xcbf29ce484222325ull;
    for (int guard = 0; guard < 1 << 20 && o->n < OUT_LIMIT; guard++) {
        const uint8_t *p;
        size_t got;
        if (nta_stream_peek(s, step * 3, &p, &got, &err) < 0)
            break;
        if (nta_stream_read(s, buf, step, &got, &err) < 0 || got == 0) {
            if (nta_stream_read(s, buf, 1, &got, &err) == 0 && got != 0)
                abort();   /* an ended stream hands out nothing more */
            break;
        }
        for (size_t i = 0; i < got; i++)
            h = (h ^ buf[i]) * 0x100000001b3ull;
        o->n += got;
    }
    o->hash = h;
    o->code = nta_stream_pending(s, &err);
    nta_stream_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    outcome a, b;
    decode(data, size, 0x00, &a);
    decode(data, size, 0xff, &b);
    if (a.n != b.n || a.hash != b.hash || a.code != b.code)
        abort();   /* bytes no decoder wrote were handed out */
    return 0;
}
