/* fuzz/fuzz_dscript.c: D programs: any text compiles or is refused with a message, never
 * crashes, leaks or hangs; what compiles also runs (BEGIN, at most 200 tick firings on the
 * virtual clock, END) without crashing.
 * Properties: nta_dscript_compile returns 0, or an error with a message; a program nested
 * deeper than the parser allows is an error, not a stack overflow; running is bounded. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dscript/dscript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ssize_t discard(void *c, const char *p, size_t n)
{
    (void)c;
    (void)p;
    return (ssize_t)n;
}

static void no_msg(void *ctx, const char *m)
{
    (void)ctx;
    (void)m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    nta_dscript_src src = { NTA_DSRC_FILE, "fuzz.d", (const char *)data, size };
    char *argv[] = { "fuzz.d", "1", "two" };
    nta_dscript_opts o = { NULL, 0, 0, 0, 3, argv, (int)(size & 1) };
    const char *xo[] = { "argref" };
    o.xopts = xo;
    o.nxopts = 1;
    nta_dscript *d = NULL;
    nta_err err;
    nta_err_clear(&err);
    if (nta_dscript_compile(&d, &src, 1, &o, &err) < 0) {
        if (err.msg[0] == '\0')
            abort();   /* a refusal always says why */
        return 0;
    }
    cookie_io_functions_t io = { NULL, discard, NULL, NULL };
    FILE *out = fopencookie(NULL, "w", io);
    if (out == NULL) {
        nta_dscript_free(d);
        return 0;
    }
    nta_dscript_run r = { out, no_msg, NULL, 200, 0, NULL, 0, 0, (int)(size & 2) };
    nta_err_clear(&err);
    if (nta_dscript_start(d, &r, &err) == 0)
        (void)nta_dscript_run_noinput(d);
    nta_dscript_free(d);
    fclose(out);
    return 0;
}
