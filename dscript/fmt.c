/* dscript/fmt.c: printf/printa formats and trace() records (see fmt.h). */
#define _GNU_SOURCE
#include "dscript/fmt.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the staging buffer ---- */

static int grow(ds_buf *b, size_t more)
{
    if (b->oom)
        return -1;
    if (b->n + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void ds_buf_put(ds_buf *b, const void *s, size_t n)
{
    if (n == 0 || grow(b, n) < 0)
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

char *ds_buf_reserve(ds_buf *b, size_t n)
{
    if (b->n + n > b->cap && grow(b, n) < 0)
        return NULL;
    return b->p + b->n;
}

void ds_buf_putc(ds_buf *b, char ch)
{
    if (grow(b, 1) == 0)
        b->p[b->n++] = ch;
}

void ds_buf_pad(ds_buf *b, char ch, size_t n)
{
    if (n == 0 || grow(b, n) < 0)
        return;
    memset(b->p + b->n, ch, n);
    b->n += n;
}

void ds_buf_printf(ds_buf *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[256];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        ds_buf_put(b, tmp, (size_t)n);
        return;
    }
    if (grow(b, (size_t)n + 1) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void ds_buf_free(ds_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- parsing ---- */

static int is_conv(int ch)
{
    return strchr("aAcCdiouxXeEfgGIksSpPTYw%", ch) != NULL;
}

int pf_parse(ds_arena *a, const char *fmt, size_t len, pformat *out, ds_diag *d, int line,
             const char *func)
{
    memset(out, 0, sizeof *out);
    out->text = fmt;
    if (len == 0) {
        ds_diag_set(d, "D_PRINTF_FMT_EMPTY", line, "%s( ) format string is empty", func);
        return -1;
    }
    int cap = 0;
    for (size_t i = 0; i < len; i++)
        cap += fmt[i] == '%';
    out->c = ds_alloc(a, (size_t)(cap + 1) * sizeof *out->c);
    if (out->c == NULL) {
        ds_diag_set(d, "D_NOMEM", line, "out of memory");
        return -1;
    }
    const char *lit = fmt;
    const char *p = fmt, *end = fmt + len;
    while (p < end) {
        if (*p != '%') {
            p++;
            continue;
        }
        pfconv *cv = &out->c[out->n];
        memset(cv, 0, sizeof *cv);
        cv->lit = lit;
        cv->litlen = (size_t)(p - lit);
        cv->width = cv->prec = -1;
        p++;
        int dot = 0, num = 0;
        char lenmod[4] = "";
        for (;;) {
            if (p >= end) {
                ds_diag_set(d, "D_PRINTF_INVAL", line,
                            "format conversion #%d has no conversion specifier", out->n + 1);
                return -1;
            }
            int ch = (unsigned char)*p++;
            if (ch >= '0' && ch <= '9') {
                if (ch == '0' && !dot && cv->width < 0 && !num) {
                    cv->flags |= PF_ZERO;
                    continue;
                }
                int v = ch - '0';
                while (p < end && *p >= '0' && *p <= '9' && v < 100000)
                    v = v * 10 + (*p++ - '0');
                if (p < end && *p == '$') {
                    ds_diag_set(d, "D_SYNTAX", line,
                                "format conversion #%d uses unsupported positional format (%%n$)",
                                out->n + 1);
                    return -1;
                }
                if (dot)
                    cv->prec = v;
                else
                    cv->width = v;
                num = 1;
                continue;
            }
            switch (ch) {
            case '-': cv->flags |= PF_MINUS; continue;
            case '+': cv->flags |= PF_PLUS; continue;
            case ' ': cv->flags |= PF_SPACE; continue;
            case '#': cv->flags |= PF_HASH; continue;
            case '\'': cv->flags |= PF_QUOTE; continue;
            case '@': cv->agg = 1; continue;
            case '?': cv->width = 16; num = 1; continue;
            case '.': dot = 1; cv->prec = 0; continue;
            case '*':
                if (dot)
                    cv->pstar = 1;
                else
                    cv->wstar = 1;
                continue;
            case 'h': case 'l': case 'L': case 'j': case 'z': case 't':
                if (strlen(lenmod) < 2) {
                    size_t k = strlen(lenmod);
                    lenmod[k] = (char)ch;
                    lenmod[k + 1] = '\0';
                }
                continue;
            default:
                break;
            }
            if (!is_conv(ch)) {
                ds_diag_set(d, "D_PRINTF_INVAL", line, "format conversion #%d is undefined: %%%s%c",
                            out->n + 1, lenmod, ch);
                return -1;
            }
            if (ch == 'w' && p < end && (*p == 'c' || *p == 's'))
                ch = *p++ == 'c' ? 'c' : 's';
            cv->conv = (char)ch;
            snprintf(cv->name, sizeof cv->name, "%s%c", lenmod, ch);
            break;
        }
        if (cv->conv == '%' && cv->flags == 0 && cv->width < 0 && !dot) {
            /* "%%": part of the literal text */
            cv->conv = 0;
        }
        out->n++;
        lit = p;
    }
    out->tail = lit;
    out->taillen = (size_t)(end - lit);
    /* merge "%%" pseudo-conversions back into literals: keep them as conversions of kind 0 */
    return 0;
}

/* ---- checking ---- */

static const char *proto_of(int conv)
{
    switch (conv) {
    case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': return "integer";
    case 'c': case 'C': return "char, short, or int";
    case 's': case 'S': case 'I': return "char [] or string (or use stringof)";
    case 'p': case 'a': case 'A': return "pointer or integer";
    case 'Y': case 'T': return "int64_t";
    case 'P': return "uint16_t";
    case 'k': return "stack";
    default: return "double";
    }
}

static int compatible(int conv, const dtype *t)
{
    switch (conv) {
    case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'c': case 'C':
    case 'p': case 'a': case 'A': case 'Y': case 'T': case 'P':
        return t->kind == DK_INT || t->kind == DK_PTR;
    case 's': case 'S': case 'I':
        return t->kind == DK_STRING;
    default:
        return 0;
    }
}

int pf_check_printf(pformat *f, const dtype *const *argt, int nargs, ds_diag *d, int line,
                    const char *func)
{
    int ai = 0, nconv = 0;
    for (int i = 0; i < f->n; i++) {
        pfconv *cv = &f->c[i];
        if (cv->conv == 0)
            continue;
        nconv++;
        if (cv->agg) {
            ds_diag_set(d, "D_PRINTF_AGG_CONV", line,
                        "%s( ) conversion #%d (%%@%s) is only permitted in printa( )", func,
                        nconv, cv->name);
            return -1;
        }
        for (int star = 0; star < cv->wstar + cv->pstar; star++) {
            if (ai >= nargs) {
                ds_diag_set(d, "D_PRINTF_DYN_PROTO", line,
                            "%s( ) prototype mismatch: conversion #%d (%%%s) is missing a "
                            "corresponding \"*\" argument", func, nconv, cv->name);
                return -1;
            }
            if (argt[ai]->kind != DK_INT) {
                ds_diag_set(d, "D_PRINTF_DYN_TYPE", line,
                            "%s( ) argument #%d is incompatible with conversion #%d prototype:\n"
                            "\tconversion: %% %s\n\t prototype: int\n\t  argument: %s", func,
                            ai + 2, nconv, "*", argt[ai]->name);
                return -1;
            }
            ai++;
        }
        if (cv->conv == '%')
            continue;
        if (ai >= nargs) {
            ds_diag_set(d, "D_PRINTF_ARG_PROTO", line,
                        "%s( ) prototype mismatch: conversion #%d (%%%s) is missing a "
                        "corresponding value argument", func, nconv, cv->name);
            return -1;
        }
        const dtype *t = argt[ai];
        if (cv->conv == 'k' || strchr("eEfgG", cv->conv) != NULL || !compatible(cv->conv, t)) {
            ds_diag_set(d, "D_PRINTF_ARG_TYPE", line,
                        "%s( ) argument #%d is incompatible with conversion #%d prototype:\n"
                        "\tconversion: %%%s\n\t prototype: %s\n\t  argument: %s", func, ai + 2,
                        nconv, cv->name, proto_of(cv->conv), t->name);
            return -1;
        }
        cv->astr = t->kind == DK_STRING;
        cv->asize = t->kind == DK_PTR ? 8 : t->size;
        cv->asgn = t->kind == DK_INT && t->sgn;
        ai++;
    }
    if (ai < nargs) {
        ds_diag_set(d, "D_PRINTF_ARG_EXTRA", line,
                    "%s( ) prototype mismatch: only %d arguments required by this format string",
                    func, ai);
        return -1;
    }
    f->nstr = 0;
    ai = 0;
    for (int i = 0; i < f->n && f->nstr >= 0; i++) {
        const pfconv *cv = &f->c[i];
        if (cv->conv == 0)
            continue;
        ai += cv->wstar + cv->pstar;
        if (cv->conv == '%')
            continue;
        if (cv->astr)
            f->nstr = f->nstr < 16 ? f->nstr : -1;
        if (cv->astr && f->nstr >= 0)
            f->str[f->nstr++] = (uint16_t)ai;
        ai++;
    }
    f->litbytes = f->taillen;
    f->fast = f->n <= 64;
    for (int i = 0; i < f->n; i++) {
        const pfconv *cv = &f->c[i];
        f->litbytes += cv->litlen + (cv->conv == 0);
        if (cv->conv != 0 && (strchr("diuoxXcs", cv->conv) == NULL || cv->wstar || cv->pstar ||
                              cv->width > 4096 || cv->prec > 4096))
            f->fast = 0;
    }
    return 0;
}

/* ---- formatting ---- */

/* A width of none, as distinct from a '*' width taken from a negative argument. */
#define NOWIDTH (-2147483647 - 1)

static uint64_t extend(uint64_t v, int size, int sgn)
{
    if (size >= 8 || size <= 0)
        return v;
    int sh = 64 - size * 8;
    return sgn ? (uint64_t)((int64_t)(v << sh) >> sh) : (v << sh) >> sh;
}

/* Spaces, without a library call for none. */
static inline char *spaces(char *p, size_t n)
{
    if (n > 0) {
        memset(p, ' ', n);
        p += n;
    }
    return p;
}

/* Text (len bytes) padded into width per flags (right-aligned unless '-'), at p, which has
 * room for max(width, len) bytes. Returns the end. */
static char *pad_render(char *p, const char *s, size_t len, const pfconv *cv, int width)
{
    int left = (cv->flags & PF_MINUS) != 0;
    if (width == NOWIDTH)
        width = 0;
    if (width < 0) {
        left = 1;
        width = width == INT_MIN ? INT_MAX : -width;
    }
    size_t pad = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
    if (!left)
        p = spaces(p, pad);
    memcpy(p, s, len);
    p += len;
    return left ? spaces(p, pad) : p;
}

static size_t width_room(int width)
{
    if (width == NOWIDTH)
        return 0;
    return width == INT_MIN ? (size_t)INT_MAX : (size_t)(width < 0 ? -width : width);
}

/* Pad text (len bytes) into width per flags, in one reservation. */
static void put_padded(ds_buf *out, const char *s, size_t len, const pfconv *cv, int width)
{
    size_t room = width_room(width);
    char *p = ds_buf_reserve(out, len > room ? len : room);
    if (p != NULL)
        out->n += (size_t)(pad_render(p, s, len, cv, width) - p);
}

/* An integer conversion at p, which has room for max(width, prec) + 76 bytes. */
static char *int_render(char *p, const pfconv *cv, uint64_t v, int sgn, int size, int width,
                        int prec)
{
    char digits[72];
    int nd = 0;
    int conv = cv->conv;
    int neg = 0;
    uint64_t u;
    if (conv == 'd' || conv == 'i') {
        v = extend(v, size, sgn);
        if (sgn && (int64_t)v < 0) {
            neg = 1;
            u = (uint64_t)0 - v;
        } else {
            u = v;
        }
        if (!sgn)
            u = extend(v, size, 0);
    } else {
        u = extend(v, size, 0);
    }
    unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    const char *dig = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    /* digits are produced from the end of the buffer backwards */
    char *end = digits + sizeof digits, *d = end;
    if (u == 0) {
        if (prec != 0)
            *--d = '0';
    } else if (base == 10) {
        while (u != 0) {
            *--d = (char)('0' + u % 10);
            u /= 10;
        }
    } else {
        while (u != 0) {
            *--d = dig[u % base];
            u /= base;
        }
    }
    nd = (int)(end - d);
    char prefix[3];
    int np = 0;
    if (neg)
        prefix[np++] = '-';
    else if ((conv == 'd' || conv == 'i') && (cv->flags & PF_PLUS))
        prefix[np++] = '+';
    else if ((conv == 'd' || conv == 'i') && (cv->flags & PF_SPACE))
        prefix[np++] = ' ';
    if ((cv->flags & PF_HASH) || conv == 'p') {
        if ((conv == 'x' || conv == 'p') && (v != 0 || conv == 'p')) {
            prefix[np++] = '0';
            prefix[np++] = 'x';
        } else if (conv == 'X' && v != 0) {
            prefix[np++] = '0';
            prefix[np++] = 'X';
        } else if (conv == 'o' && (nd == 0 || *d != '0')) {
            *--d = '0';
            nd++;
        }
    }
    int zeros = prec > nd ? prec - nd : 0;
    int len = np + zeros + nd;
    int left = (cv->flags & PF_MINUS) != 0;
    if (width == NOWIDTH)
        width = 0;
    if (width < 0) {
        left = 1;
        width = width == INT_MIN ? INT_MAX : -width;
    }
    int pad = width > len ? width - len : 0;
    if (!left && (cv->flags & PF_ZERO) && prec < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!left)
        p = spaces(p, (size_t)pad);
    for (int i = 0; i < np; i++)
        *p++ = prefix[i];
    if (zeros > 0) {
        memset(p, '0', (size_t)zeros);
        p += zeros;
    }
    memcpy(p, d, (size_t)nd);
    p += nd;
    return left ? spaces(p, (size_t)pad) : p;
}

static void int_conv(ds_buf *out, const pfconv *cv, uint64_t v, int sgn, int size, int width,
                     int prec)
{
    char *p = ds_buf_reserve(out, width_room(width) + (prec > 0 ? (size_t)prec : 0) + 76);
    if (p != NULL)
        out->n += (size_t)(int_render(p, cv, v, sgn, size, width, prec) - p);
}

void pf_int(ds_buf *out, const pfconv *cv, uint64_t v, int sgn, int size)
{
    int_conv(out, cv, v, sgn, size, cv->width >= 0 ? cv->width : NOWIDTH, cv->prec);
}

/* strchr2esc: a string with its non-printable characters escaped (%S). */
static void put_escaped(ds_buf *out, const char *s, const pfconv *cv, int width, int prec)
{
    char tmp[1024];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 5 < sizeof tmp; p++) {
        const char *e = NULL;
        switch (*p) {
        case '\a': e = "\\a"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        case '\v': e = "\\v"; break;
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        default: break;
        }
        if (e != NULL) {
            memcpy(tmp + n, e, 2);
            n += 2;
        } else if (!isprint(*p)) {
            n += (size_t)snprintf(tmp + n, 5, "\\%03o", *p);
        } else {
            tmp[n++] = (char)*p;
        }
    }
    if (prec > 0 && (size_t)prec < n)
        n = (size_t)prec;
    put_padded(out, tmp, n, cv, width);
}

static void time_conv(ds_buf *out, const pfconv *cv, uint64_t ns, int width, int rfc822)
{
    time_t sec = (time_t)(int64_t)(ns / 1000000000ull);
    struct tm tm;
    char buf[64];
    if (localtime_r(&sec, &tm) == NULL) {
        put_padded(out, "?", 1, cv, width);
        return;
    }
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    size_t n;
    if (rfc822)
        n = strftime(buf, sizeof buf, "%a, %d %b %G %T %Z", &tm);
    else
        n = (size_t)snprintf(buf, sizeof buf, "%04d %s %2d %02d:%02d:%02d", tm.tm_year + 1900,
                             mon[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    put_padded(out, buf, n, cv, width);
}

/* One conversion with its (already resolved) width and precision. */
static void conv_one(rctx *c, ds_buf *out, const pfconv *cv, uint64_t v, int width, int prec,
                     int sgn, int size, int is_str)
{
    switch (cv->conv) {
    case 's': case 'I': case 'S': {
        const char *s = (const char *)(uintptr_t)v;
        if (!is_str) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
            put_padded(out, tmp, strlen(tmp), cv, width);
            return;
        }
        if (s == NULL) {
            if (c != NULL)
                ds_fault(c, FLT_BADADDR, 0);
            return;
        }
        if (cv->conv == 'S') {
            put_escaped(out, s, cv, width, prec);
            return;
        }
        size_t n = strlen(s);
        if (prec > 0 && (size_t)prec < n)
            n = (size_t)prec;
        put_padded(out, s, n, cv, width);
        return;
    }
    case 'c': case 'C': {
        char ch = (char)(v & 0xff);
        put_padded(out, &ch, 1, cv, width);
        return;
    }
    case 'Y': time_conv(out, cv, v, width, 0); return;
    case 'T': time_conv(out, cv, v, width, 1); return;
    case 'P': {
        pfconv u = *cv;
        u.conv = 'u';
        int_conv(out, &u, v & 0xffff, 0, 2, width, prec);
        return;
    }
    case 'a': case 'A': {
        pfconv p = *cv;
        p.conv = 'p';
        int_conv(out, &p, v, 0, 8, width, prec);
        return;
    }
    case '%':
        put_padded(out, "%", 1, cv, width);
        return;
    default:
        int_conv(out, cv, v, sgn, size, width, prec);
        return;
    }
}

/* The common printf(): d i u o x X c s with fixed widths, the bytes reserved once. */
static void format_fast(rctx *c, ds_buf *out, const pformat *f, const uint64_t *vals)
{
    size_t lens[64];
    size_t room = f->litbytes;
    int ai = 0;
    for (int i = 0; i < f->n; i++) {
        const pfconv *cv = &f->c[i];
        size_t w = cv->width > 0 ? (size_t)cv->width : 0;
        if (cv->conv == 0) {
            continue;
        } else if (cv->conv == 's') {
            const char *s = (const char *)(uintptr_t)vals[ai++];
            if (s == NULL) {
                if (c != NULL)
                    ds_fault(c, FLT_BADADDR, 0);
                return;
            }
            lens[i] = strlen(s);
            if (cv->prec > 0 && (size_t)cv->prec < lens[i])
                lens[i] = (size_t)cv->prec;
            room += lens[i] > w ? lens[i] : w;
        } else {
            room += w + (cv->prec > 0 ? (size_t)cv->prec : 0) + 76;
            ai++;
        }
    }
    ai = 0;
    char *p0 = ds_buf_reserve(out, room), *p = p0;
    if (p == NULL)
        return;
    for (int i = 0; i < f->n; i++) {
        const pfconv *cv = &f->c[i];
        memcpy(p, cv->lit, cv->litlen);
        p += cv->litlen;
        int width = cv->width >= 0 ? cv->width : NOWIDTH;
        switch (cv->conv) {
        case 0:
            *p++ = '%';
            break;
        case 's':
            p = pad_render(p, (const char *)(uintptr_t)vals[ai++], lens[i], cv, width);
            break;
        case 'c': {
            char ch = (char)(vals[ai++] & 0xff);
            p = pad_render(p, &ch, 1, cv, width);
            break;
        }
        default:
            p = int_render(p, cv, vals[ai++], cv->asgn, cv->asize, width, cv->prec);
            break;
        }
    }
    memcpy(p, f->tail, f->taillen);
    p += f->taillen;
    out->n += (size_t)(p - p0);
}

void pf_format(rctx *c, ds_buf *out, const pformat *f, const uint64_t *vals)
{
    if (f->fast) {
        format_fast(c, out, f, vals);
        return;
    }
    int ai = 0;
    for (int i = 0; i < f->n; i++) {
        const pfconv *cv = &f->c[i];
        ds_buf_put(out, cv->lit, cv->litlen);
        if (cv->conv == 0) {
            ds_buf_putc(out, '%');
            continue;
        }
        int width = cv->width >= 0 ? cv->width : NOWIDTH, prec = cv->prec;
        if (cv->wstar)
            width = (int)(int32_t)vals[ai++];
        if (cv->pstar)
            prec = (int)(int32_t)vals[ai++];
        if (cv->conv == '%') {
            conv_one(c, out, cv, 0, width, prec, 0, 0, 0);
            continue;
        }
        conv_one(c, out, cv, vals[ai++], width, prec, cv->asgn, cv->asize, cv->astr);
        if (c != NULL && c->fault)
            return;
    }
    ds_buf_put(out, f->tail, f->taillen);
}

void pf_format_row(ds_buf *out, const pformat *f, const pfval *keys, int nkeys,
                   void (*emit_agg)(void *ctx, ds_buf *out, int which, const pfconv *cv),
                   void *ctx)
{
    int ki = 0, ai = 0;
    for (int i = 0; i < f->n; i++) {
        const pfconv *cv = &f->c[i];
        ds_buf_put(out, cv->lit, cv->litlen);
        if (cv->conv == 0) {
            ds_buf_putc(out, '%');
            continue;
        }
        if (cv->agg) {
            emit_agg(ctx, out, ai++, cv);
            continue;
        }
        int width = cv->width >= 0 ? cv->width : NOWIDTH, prec = cv->prec;
        if (cv->wstar && ki < nkeys) {
            const pfval *k = &keys[ki++];
            width = (int)(int32_t)extend(k->v, k->size, k->sgn);
        }
        if (cv->pstar && ki < nkeys) {
            const pfval *k = &keys[ki++];
            prec = (int)(int32_t)extend(k->v, k->size, k->sgn);
        }
        if (cv->conv == '%') {
            conv_one(NULL, out, cv, 0, width, prec, 0, 0, 0);
            continue;
        }
        if (ki >= nkeys)
            continue;
        const pfval *k = &keys[ki++];
        if (k->is_str)
            conv_one(NULL, out, cv, (uint64_t)(uintptr_t)k->s, width, prec, 0, 0, 1);
        else
            conv_one(NULL, out, cv, k->v, width, prec, k->sgn, k->size, 0);
    }
    ds_buf_put(out, f->tail, f->taillen);
}

/* ---- trace() ---- */

void tr_bytes(ds_buf *out, const unsigned char *c, size_t nbytes, int quiet, int rawbytes,
              int width)
{
    size_t i, j;
    if (!rawbytes) {
        for (i = 0; i < nbytes; i++) {
            if (isprint(c[i]) || isspace(c[i]) || c[i] == '\b' || c[i] == '\a')
                continue;
            if (c[i] == '\0' && i > 0) {
                for (j = i + 1; j < nbytes; j++)
                    if (c[j] != '\0')
                        break;
                if (j != nbytes)
                    break;
                if (quiet) {
                    ds_buf_put(out, c, i);
                } else {
                    ds_buf_put(out, " ", 1);
                    if (width < 0)
                        ds_buf_put(out, " ", 1);
                    size_t w = (size_t)(width < 0 ? -width : width);
                    if (width > 0 && w > i)
                        ds_buf_pad(out, ' ', w - i);
                    ds_buf_put(out, c, i);
                    if (width < 0 && w > i)
                        ds_buf_pad(out, ' ', w - i);
                }
                return;
            }
            break;
        }
        if (i == nbytes) {
            size_t w = (size_t)(width < 0 ? -width : width);
            ds_buf_put(out, "  ", 2);
            ds_buf_put(out, c, nbytes);
            if (w > nbytes)
                ds_buf_pad(out, ' ', w - nbytes);
            return;
        }
    }
    int margin = 5;
    ds_buf_putc(out, '\n');
    ds_buf_pad(out, ' ', (size_t)margin + 6);
    for (i = 0; i < 16; i++)
        ds_buf_printf(out, "  %c", "0123456789abcdef"[i]);
    ds_buf_put(out, "  0123456789abcdef\n", 19);
    for (i = 0; i < nbytes; i += 16) {
        ds_buf_pad(out, ' ', (size_t)margin);
        ds_buf_printf(out, "%5zx:", i);
        for (j = i; j < i + 16 && j < nbytes; j++)
            ds_buf_printf(out, " %02x", c[j]);
        while (j++ % 16)
            ds_buf_put(out, "   ", 3);
        ds_buf_put(out, "  ", 2);
        for (j = i; j < i + 16 && j < nbytes; j++)
            ds_buf_putc(out, c[j] < ' ' || c[j] > '~' ? '.' : (char)c[j]);
        ds_buf_putc(out, '\n');
    }
}

void tr_format(ds_buf *out, uint64_t v, const dtype *t, int quiet, int testing, int rawbytes,
               size_t strmax)
{
    if (t->kind == DK_STRING) {
        /* the record is strsize + 1 bytes: the string, NUL-padded */
        const char *s = (const char *)(uintptr_t)v;
        unsigned char stackbuf[1024];
        size_t n = strmax + 1;
        unsigned char *rec = n <= sizeof stackbuf ? stackbuf : malloc(n);
        if (rec == NULL)
            return;
        memset(rec, 0, n);
        size_t len = s ? strnlen(s, strmax) : 0;
        if (s != NULL)
            memcpy(rec, s, len);
        tr_bytes(out, rec, n, quiet, rawbytes, -33);
        if (rec != stackbuf)
            free(rec);
        return;
    }
    int size = t->kind == DK_PTR ? 8 : t->size;
    int sgn = t->kind == DK_INT && t->sgn;
    char tmp[48];
    int n;
    if (testing) {
        /* dtrace-utils dt_print_trace(): signedness from the type */
        static const int widths[9] = { 0, 3, 5, 0, 10, 0, 0, 0, 19 };
        int w = widths[size];
        if (size == 8 && !sgn)
            w = 20;
        uint64_t x = extend(v, size, sgn);
        if (quiet)
            n = sgn ? snprintf(tmp, sizeof tmp, "%lld", (long long)x)
                    : snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)x);
        else
            n = sgn ? snprintf(tmp, sizeof tmp, " %*lld", w, (long long)x)
                    : snprintf(tmp, sizeof tmp, " %*llu", w, (unsigned long long)x);
    } else {
        /* FreeBSD dt_consume.c: by record size; 8 and 4 bytes print signed, 2 and 1 unsigned */
        switch (size) {
        case 8: n = snprintf(tmp, sizeof tmp, quiet ? "%lld" : " %16lld", (long long)v); break;
        case 4: n = snprintf(tmp, sizeof tmp, quiet ? "%d" : " %8d", (int)(int32_t)v); break;
        case 2: n = snprintf(tmp, sizeof tmp, quiet ? "%d" : " %5d", (int)(uint16_t)v); break;
        default: n = snprintf(tmp, sizeof tmp, quiet ? "%d" : " %3d", (int)(uint8_t)v); break;
        }
    }
    if (n > 0)
        ds_buf_put(out, tmp, (size_t)n);
}
