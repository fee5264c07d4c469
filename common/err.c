/* common/err.c: recording errors into a caller's nta_err, and the names of the codes. */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void nta_err_clear(nta_err *e)
{
    if (e == NULL)
        return;
    e->code = 0;
    e->msg[0] = '\0';
    e->file[0] = '\0';
    e->offset = -1;
}

static int vset(nta_err *e, int code, int64_t offset, const char *fmt, va_list ap)
{
    if (e == NULL)
        return code;
    e->code = code;
    e->offset = offset;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

int nta_err_set(nta_err *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(e, code, -1, fmt, ap);
    va_end(ap);
    return code;
}

int nta_err_set_at(nta_err *e, int code, int64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(e, code, offset, fmt, ap);
    va_end(ap);
    return code;
}

const char *nta_strerror(int code)
{
    switch (code) {
    case NTA_OK: return "no error";
    case NTA_EIO: return "I/O error";
    case NTA_ENOMEM: return "out of memory";
    case NTA_EFORMAT: return "not a capture";
    case NTA_ETRUNC: return "truncated input";
    case NTA_ECORRUPT: return "corrupt input";
    case NTA_EUSAGE: return "usage error";
    case NTA_EUNSUP: return "unsupported input";
    case NTA_EDECOMP: return "corrupt compressed stream";
    case NTA_ESTOP: return "stopped on request";
    }
    return "unknown error";
}
