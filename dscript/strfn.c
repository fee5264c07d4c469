/* dscript/strfn.c: D's subroutines on strings and integers (ln_subr).
 *
 * Each follows the kernel's DIF_SUBR_* in sys/uts/common/dtrace/dtrace.c (index/rindex with
 * Perl's position rules, substr's negative index and length, basename/dirname, strtok's saved
 * position) except where the conformance corpus shows dtrace-utils' newer behaviour for
 * functions no network script uses (cleanpath: a canonical path; strings hold strsize
 * characters and strjoin truncates rather than faulting; man page). Results are built in the
 * clause's scratch area; strchr, strrchr and strstr return a pointer into their argument. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dscript/lower.h"

#define EV(x) ((x)->f((x), c))

typedef uint64_t (*subr_fn)(const rnode *n, rctx *c, const uint64_t *a);

static const char *S(uint64_t v) { return (const char *)(uintptr_t)v; }
static uint64_t P(const char *s) { return (uint64_t)(uintptr_t)s; }

/* A string argument; NULL faults as the kernel's load from address 0 does. */
static const char *need(rctx *c, uint64_t v)
{
    const char *s = S(v);
    if (s == NULL)
        ds_fault(c, FLT_BADADDR, 0);
    return s;
}

static char *out_buf(rctx *c)
{
    return ds_scratch(c, c->strmax + 1);
}

static uint64_t f_strlen(const rnode *n, rctx *c, const uint64_t *a)
{
    (void)n;
    const char *s = need(c, a[0]);
    return s ? strnlen(s, c->strmax) : 0;
}

static uint64_t f_strjoin(const rnode *n, rctx *c, const uint64_t *a)
{
    (void)n;
    const char *x = need(c, a[0]), *y = need(c, a[1]);
    char *d = x && y ? out_buf(c) : NULL;
    if (d == NULL)
        return 0;
    size_t i = 0;
    for (; *x && i < c->strmax; x++)
        d[i++] = *x;
    for (; *y && i < c->strmax; y++)
        d[i++] = *y;
    d[i] = '\0';
    return P(d);
}

static uint64_t f_substr(const rnode *n, rctx *c, const uint64_t *a)
{
    const char *s = need(c, a[0]);
    char *d = s ? out_buf(c) : NULL;
    if (d == NULL)
        return 0;
    int64_t size = (int64_t)c->strmax;
    int64_t index = (int64_t)a[1];
    int64_t remaining = n->nkids > 2 ? (int64_t)a[2] : size;
    int64_t len = (int64_t)strnlen(s, c->strmax);
    if (index < 0) {
        index += len;
        if (index < 0 && index + remaining > 0) {
            remaining += index;
            index = 0;
        }
    }
    if (index >= len || index < 0)
        remaining = 0;
    else if (remaining < 0)
        remaining += len - index;
    else if (index + remaining > size)
        remaining = size - index;
    int64_t i;
    for (i = 0; i < remaining && s[index + i] != '\0'; i++)
        d[i] = s[index + i];
    d[i > 0 ? i : 0] = '\0';
    return P(d);
}

static uint64_t f_strtok(const rnode *n, rctx *c, const uint64_t *a)
{
    (void)n;
    const char *tok = need(c, a[1]);
    if (tok == NULL)
        return 0;
    const char *s = S(a[0]);
    if (s != NULL) {
        /* copied: the argument may live in scratch that a later clause reuses */
        size_t l = strnlen(s, c->strmax);
        memcpy(c->strtok_buf, s, l);
        c->strtok_buf[l] = '\0';
        c->strtok_pos = c->strtok_buf;
    }
    const char *p = c->strtok_pos;
    if (p == NULL)
        return 0;
    unsigned char map[32];
    memset(map, 0, sizeof map);
    for (const unsigned char *t = (const unsigned char *)tok; *t; t++)
        map[*t >> 3] |= (unsigned char)(1 << (*t & 7));
    while (*p && (map[(unsigned char)*p >> 3] & (1 << ((unsigned char)*p & 7))))
        p++;
    if (*p == '\0') {
        c->strtok_pos = NULL;
        return 0;
    }
    char *d = out_buf(c);
    if (d == NULL)
        return 0;
    size_t i = 0;
    while (*p && !(map[(unsigned char)*p >> 3] & (1 << ((unsigned char)*p & 7))) &&
           i < c->strmax)
        d[i++] = *p++;
    d[i] = '\0';
    c->strtok_pos = p;
    return P(d);
}

static uint64_t f_strchr(const rnode *n, rctx *c, const uint64_t *a)
{
    const char *s = need(c, a[0]);
    if (s == NULL)
        return 0;
    char ch = (char)a[1];
    const char *r = NULL;
    size_t len = strnlen(s, c->strmax);
    if (n->k) {
        for (size_t i = len; i-- > 0;)
            if (s[i] == ch) {
                r = s + i;
                break;
            }
    } else {
        for (size_t i = 0; i < len; i++)
            if (s[i] == ch) {
                r = s + i;
                break;
            }
    }
    return P(r);
}

/* strstr, index and rindex share the kernel's loop (DIF_SUBR_STRSTR/INDEX/RINDEX). */
static uint64_t f_index(const rnode *n, rctx *c, const uint64_t *a)
{
    int which = (int)n->k;   /* 0 strstr, 1 index, 2 rindex */
    const char *orig = need(c, a[0]), *sub = need(c, a[1]);
    if (orig == NULL || sub == NULL)
        return 0;
    int64_t len = (int64_t)strnlen(orig, c->strmax);
    int64_t sublen = (int64_t)strnlen(sub, c->strmax);
    uint64_t notfound = which == 0 ? 0 : (uint64_t)-1;
    if (sublen == 0 && len == 0)
        return which == 0 ? P(orig) : 0;
    int64_t pos = 0, limit = len, inc = 1;
    if (which != 0) {
        if (which == 2) {
            limit = -1;
            pos = len;
            inc = -1;
        }
        if (n->nkids == 3) {
            int64_t p = (int64_t)a[2];
            if (which == 2) {
                if (p < 0)
                    return sublen == 0 ? 0 : notfound;
                if (p > len)
                    p = len;
            } else {
                if (p < 0)
                    p = 0;
                if (p >= len)
                    return sublen == 0 ? (uint64_t)len : notfound;
            }
            pos = p;
        }
    }
    for (; pos != limit; pos += inc)
        if (strncmp(orig + pos, sub, (size_t)sublen) == 0)
            return which == 0 ? P(orig + pos) : (uint64_t)pos;
    return notfound;
}

static uint64_t f_dirbase(const rnode *n, rctx *c, const uint64_t *a)
{
    int dirname = (int)n->k;
    const char *src = need(c, a[0]);
    char *dest = src ? out_buf(c) : NULL;
    if (dest == NULL)
        return 0;
    int len = (int)strnlen(src, c->strmax);
    int i, j, lastbase = -1, firstbase = -1, lastdir = -1, start, end;
    if (len == 0) {
        len = 1;
        src = ".";
    }
    for (i = len - 1; i >= 0; i--)
        if (src[i] != '/')
            break;
    if (i >= 0)
        lastbase = i;
    for (; i >= 0; i--)
        if (src[i] == '/')
            break;
    if (i >= 0)
        firstbase = i + 1;
    for (; i >= 0; i--)
        if (src[i] != '/')
            break;
    if (i >= 0)
        lastdir = i;
    if (lastbase == -1)
        firstbase = lastbase = lastdir = 0;
    if (firstbase == -1) {
        if (dirname) {
            src = ".";
            lastdir = 0;
        } else {
            firstbase = 0;
        }
    }
    if (dirname) {
        if (lastdir == -1)
            lastdir = 0;
        start = 0;
        end = lastdir;
    } else {
        start = firstbase;
        end = lastbase;
    }
    for (i = start, j = 0; i <= end && (size_t)j < c->strmax; i++, j++)
        dest[j] = src[i];
    dest[j] = '\0';
    return P(dest);
}

/* A canonical path: "." and empty components dropped, ".." removing the previous one
 * (dtrace-utils' cleanpath(), which the corpus follows). */
static uint64_t f_cleanpath(const rnode *n, rctx *c, const uint64_t *a)
{
    (void)n;
    const char *s = need(c, a[0]);
    char *d = s ? out_buf(c) : NULL;
    if (d == NULL)
        return 0;
    size_t len = strnlen(s, c->strmax), w = 0, r = 0, dotdot = 0;
    if (len == 0) {
        d[0] = '\0';
        return P(d);
    }
    int rooted = s[0] == '/';
    if (rooted) {
        d[w++] = '/';
        r = 1;
        dotdot = 1;
    }
    while (r < len) {
        if (s[r] == '/') {
            r++;
        } else if (s[r] == '.' && (r + 1 == len || s[r + 1] == '/')) {
            r++;
        } else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == len || s[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && d[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0)
                    d[w++] = '/';
                d[w++] = '.';
                d[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                d[w++] = '/';
            while (r < len && s[r] != '/' && w < c->strmax)
                d[w++] = s[r++];
        }
    }
    if (w == 0)
        d[w++] = '.';
    d[w] = '\0';
    return P(d);
}

static uint64_t f_lltostr(const rnode *n, rctx *c, const uint64_t *a)
{
    int base = n->nkids > 1 ? (int)(int64_t)a[1] : 10;
    if (base < 2 || base > 36) {
        ds_fault(c, FLT_ILLOP, 0);
        return 0;
    }
    char tmp[72];
    int i = (int)sizeof tmp - 1, neg = 0;
    uint64_t v = a[0];
    tmp[i] = '\0';
    if (base == 10 && (int64_t)v < 0) {
        neg = 1;
        v = (uint64_t)0 - v;
    }
    do {
        tmp[--i] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % (uint64_t)base];
        v /= (uint64_t)base;
    } while (v != 0);
    if (neg)
        tmp[--i] = '-';
    char *d = out_buf(c);
    if (d == NULL)
        return 0;
    size_t l = strnlen(tmp + i, c->strmax);
    memcpy(d, tmp + i, l);
    d[l] = '\0';
    return P(d);
}

static uint64_t f_case(const rnode *n, rctx *c, const uint64_t *a)
{
    const char *s = need(c, a[0]);
    char *d = s ? out_buf(c) : NULL;
    if (d == NULL)
        return 0;
    size_t i = 0;
    for (; s[i] && i < c->strmax; i++)
        d[i] = (char)(n->k ? toupper((unsigned char)s[i]) : tolower((unsigned char)s[i]));
    d[i] = '\0';
    return P(d);
}

static uint64_t f_swap(const rnode *n, rctx *c, const uint64_t *a)
{
    (void)c;
    switch (n->k) {
    case 2: return __builtin_bswap16((uint16_t)a[0]);
    case 4: return __builtin_bswap32((uint32_t)a[0]);
    default: return __builtin_bswap64(a[0]);
    }
}

static uint64_t f_strtoll(const rnode *n, rctx *c, const uint64_t *a)
{
    const char *s = need(c, a[0]);
    if (s == NULL)
        return 0;
    int base = n->nkids > 1 ? (int)(int64_t)a[1] : 10;
    if (base < 2 || base > 36)
        return 0;
    return (uint64_t)strtoll(s, NULL, base);
}

static uint64_t f_rand(const rnode *n, rctx *c, const uint64_t *a)
{
    (void)n;
    (void)a;
    /* xorshift64*: reproducible runs (a live rand() is not) */
    uint64_t x = c->rand ? c->rand : 0x2545f4914f6cdd1dull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rand = x;
    return (uint64_t)(int64_t)(int32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static uint64_t f_zero(const rnode *n, rctx *c, const uint64_t *a)
{
    (void)n;
    (void)c;
    (void)a;
    return 0;
}

static uint64_t ev_subr(const rnode *n, rctx *c)
{
    uint64_t a[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < n->nkids; i++)
        a[i] = EV(n->kids[i]);
    if (c->fault)
        return 0;
    return ((subr_fn)(uintptr_t)n->k2)(n, c, a);
}

rnode *ln_subr(ds_prog *pg, const char *name, rnode **args, int nargs)
{
    static const struct {
        const char *name;
        subr_fn f;
        uint64_t k;
        int str;
    } map[] = {
        { "strlen", f_strlen, 0, 0 }, { "strjoin", f_strjoin, 0, 1 },
        { "substr", f_substr, 0, 1 }, { "strtok", f_strtok, 0, 1 },
        { "strchr", f_strchr, 0, 1 }, { "strrchr", f_strchr, 1, 1 },
        { "strstr", f_index, 0, 1 }, { "index", f_index, 1, 0 }, { "rindex", f_index, 2, 0 },
        { "basename", f_dirbase, 0, 1 }, { "dirname", f_dirbase, 1, 1 },
        { "cleanpath", f_cleanpath, 0, 1 }, { "lltostr", f_lltostr, 0, 1 },
        { "toupper", f_case, 1, 1 }, { "tolower", f_case, 0, 1 },
        { "htons", f_swap, 2, 0 }, { "ntohs", f_swap, 2, 0 }, { "htonl", f_swap, 4, 0 },
        { "ntohl", f_swap, 4, 0 }, { "htonll", f_swap, 8, 0 }, { "ntohll", f_swap, 8, 0 },
        { "strtoll", f_strtoll, 0, 0 }, { "rand", f_rand, 0, 0 }, { "progenyof", f_zero, 0, 0 },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i].name, name) != 0)
            continue;
        rnode *n = ds_alloc(pg->arena, sizeof *n);
        rnode **kids = ds_alloc(pg->arena, (size_t)(nargs ? nargs : 1) * sizeof *kids);
        if (n == NULL || kids == NULL)
            return NULL;
        if (nargs > 0)
            memcpy(kids, args, (size_t)nargs * sizeof *kids);
        n->f = ev_subr;
        n->kids = (const rnode *const *)kids;
        n->nkids = nargs;
        n->k = map[i].k;
        n->k2 = (uint64_t)(uintptr_t)map[i].f;
        n->is_str = (uint8_t)map[i].str;
        return n;
    }
    return NULL;
}
