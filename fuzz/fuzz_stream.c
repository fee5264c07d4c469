/* fuzz/fuzz_stream.c: the decompression streams (gzip, bzip2, xz, zstd, chosen by the first
 * bytes) on arbitrary bytes, read in odd chunk sizes with peeks in between.
 * Property: every call returns normally; bytes are handed out or an error is reported, and
 * once the stream has ended (cleanly or not) it stays ended.
 *
 * At most OUT_LIMIT decompressed bytes are taken per input: a few kilobytes of bzip2 or xz can
 * expand to megabytes, and reading those a byte at a time held the target to ~700 executions/s
 * (40 % of it in bzip2's output loop) without reaching any more of nta's code; twice the
 * memory stream's 96 KiB output buffer still wraps it. Steps are 1-97 bytes, or 40 times that
 * when the second-last byte is odd (large reads and peeks of up to 11 KiB). */
#include <stdint.h>
#include <stdlib.h>

#include "formats/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nta_stream *s;
    nta_err err;
    if (nta_stream_open_mem(&s, data, size, &err) < 0)
        return 0;
    enum { OUT_LIMIT = 2 * 96 * 1024 };
    uint8_t buf[4096];
    size_t taken = 0;
    size_t step = size ? (size_t)data[size - 1] % 97 + 1 : 1;
    if (size >= 2 && data[size - 2] & 1)
        step *= 40;
    for (int guard = 0; guard < 1 << 20 && taken < OUT_LIMIT; guard++) {
        const uint8_t *p;
        size_t got;
        if (nta_stream_peek(s, step * 3, &p, &got, &err) < 0)
            break;
        if (nta_stream_read(s, buf, step, &got, &err) < 0 || got == 0) {
            if (nta_stream_read(s, buf, 1, &got, &err) == 0 && got != 0)
                abort();   /* an ended stream hands out nothing more */
            break;
        }
        taken += got;
    }
    nta_stream_pending(s, &err);
    nta_stream_free(s);
    return 0;
}
