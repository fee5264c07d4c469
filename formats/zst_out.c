/* formats/zst_out.c: zstd-compressing stdio stream (see zst_out.h). */
#define _GNU_SOURCE
#include "formats/zst_out.h"

#include <stdlib.h>
#include <zstd.h>

typedef struct zout {
    FILE *to;
    ZSTD_CCtx *cx;
    char out[1 << 16];
} zout;

static int drain(zout *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
    for (;;) {
        ZSTD_outBuffer ob = { z->out, sizeof z->out, 0 };
        size_t left = ZSTD_compressStream2(z->cx, &ob, in, mode);
        if (ZSTD_isError(left))
            return -1;
        if (ob.pos > 0 && fwrite(z->out, 1, ob.pos, z->to) != ob.pos)
            return -1;
        if (mode == ZSTD_e_end ? left == 0 : in->pos == in->size)
            return 0;
    }
}

static ssize_t zwrite(void *c, const char *buf, size_t n)
{
    zout *z = c;
    ZSTD_inBuffer in = { buf, n, 0 };
    return drain(z, &in, ZSTD_e_continue) < 0 ? -1 : (ssize_t)n;
}

static int zclose(void *c)
{
    zout *z = c;
    ZSTD_inBuffer in = { NULL, 0, 0 };
    int rc = drain(z, &in, ZSTD_e_end);
    if (fclose(z->to) != 0)
        rc = -1;
    ZSTD_freeCCtx(z->cx);
    free(z);
    return rc;
}

FILE *nta_zst_fopen(FILE *to, int level)
{
    zout *z = malloc(sizeof *z);
    if (z == NULL)
        return NULL;
    z->to = to;
    z->cx = ZSTD_createCCtx();
    if (z->cx == NULL) {
        free(z);
        return NULL;
    }
    ZSTD_CCtx_setParameter(z->cx, ZSTD_c_compressionLevel, level);
    cookie_io_functions_t io = { NULL, zwrite, NULL, zclose };
    FILE *f = fopencookie(z, "w", io);
    if (f == NULL) {
        ZSTD_freeCCtx(z->cx);
        free(z);
    }
    return f;
}
