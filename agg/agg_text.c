/* agg/agg_text.c: DTrace's text layouts for aggregations (see agg_text.h).
 *
 * One function per aggregating function renders a value in the default layout (text_scalar,
 * text_avg, text_stddev, text_quantize, text_lquantize, text_llquantize); the three
 * distributions choose their rows and labels and share nta_text_dist. Each layout rule is a
 * named helper whose comment names the conformance output (shared/conformance/dtrace) it
 * reproduces. printa with a format is parsed once into conversions and applied per key. */
#include "agg/agg_text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg_int.h"
#include "common/err.h"
#include "common/linebuf.h"

#define DIST_WIDTH 40

/* ---- the Distribution table ---- */

/* dt_print_quanthdr: "%16s %41s %-9s\n"; the dashed label is 40 wide, right-aligned in 41, and
 * "count" is padded to 9, so the line ends in four spaces (aggs.tst.lquantize). */
static int dist_header(FILE *o)
{
    return fprintf(o, "%16s %41s %-9s\n", "value", "------------- Distribution -------------",
                   "count") < 0 ? NTA_EIO : 0;
}

/* dt_print_quantline: the label "%16s ", then a 40-column bar of round(|count| x 40 / total)
 * '@'s: after the '|' when no count is negative; before it when none is positive
 * (aggs.tst.negorder); in two halves of 20 around a centre '|' when both signs occur, the '@'s
 * on the count's side (aggs.tst.negquant l-taraval, m-oceanview). The count prints "%-9lld"
 * of (uint64)count / normal: DTrace's `(long long)val / normal` divides unsigned. */
static int dist_row(FILE *o, const char *label, int64_t val, uint64_t normal, long double total,
                    int pos, int neg)
{
    static const char ats[] = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@";
    static const char sp[] = "                                        ";
    unsigned len = DIST_WIDTH, depth = 0;
    long double mag = val < 0 ? -(long double)val : (long double)val;
    long long shown = (long long)((uint64_t)val / (normal ? normal : 1));
    if (fprintf(o, "%16s ", label) < 0)
        return NTA_EIO;
    int rc;
    if (!neg) {
        if (pos)
            depth = (unsigned)(mag * len / total + 0.5L);
        rc = fprintf(o, "|%s%s %-9lld\n", ats + len - depth, sp + depth, shown);
    } else if (!pos) {
        depth = (unsigned)(mag * len / total + 0.5L);
        rc = fprintf(o, "%s%s| %-9lld\n", sp + depth, ats + len - depth, shown);
    } else {
        len /= 2;
        const char *hats = ats + len, *hsp = sp + len;
        depth = (unsigned)(mag * len / total + 0.5L);
        if (val <= 0)
            rc = fprintf(o, "%s%s|%*s %-9lld\n", hsp + depth, hats + len - depth, (int)len, "",
                         shown);
        else
            rc = fprintf(o, "%20s|%s%s %-9lld\n", "", hats + len - depth, hsp + depth, shown);
    }
    return rc < 0 ? NTA_EIO : 0;
}

int nta_text_dist(FILE *o, const nta_distrow *rows, size_t n, uint64_t normal)
{
    /* dt_quantize_total: the total and the signs over the printed rows only */
    int pos = 0, neg = 0;
    long double total = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t c = rows[i].count;
        pos |= c > 0;
        neg |= c < 0;
        total += c < 0 ? -(long double)c : (long double)c;
    }
    if (dist_header(o) < 0)
        return NTA_EIO;
    for (size_t i = 0; i < n; i++)
        if (dist_row(o, rows[i].label, rows[i].count, normal, total, pos, neg) < 0)
            return NTA_EIO;
    return 0;
}

/* ---- which rows a distribution prints ---- */

/* dt_print_quantize: from one bucket before the first non-zero one to one after the last, every
 * bucket between. The first non-zero bucket is searched below the last bucket only, so a
 * quantize whose only counts are in the 2^62 bucket prints as one with no data: the rows -1, 0
 * and 1 (as a clear()ed one does: aggs.tst.negquant j-church, multiaggs.tst.zero). */
static void quantize_window(const int64_t *b, int *first, int *last)
{
    int f = 0, l = NTA_QUANT_BUCKETS - 1;
    while (b != NULL && f < NTA_QUANT_BUCKETS - 1 && b[f] == 0)
        f++;
    if (b == NULL || f == NTA_QUANT_BUCKETS - 1) {
        *first = NTA_QUANT_ZERO - 1;
        *last = NTA_QUANT_ZERO + 1;
        return;
    }
    if (f > 0)
        f--;
    while (l > 0 && b[l] == 0)
        l--;
    if (l < NTA_QUANT_BUCKETS - 1)
        l++;
    *first = f;
    *last = l;
}

/* dt_print_lquantize and dt_print_llquantize: the same trimming over all nb buckets; with no
 * count at all, the first three rows (lquantize: "< base", base, base + step;
 * multiaggs.tst.zero) or the first two (llquantize). */
static void linear_window(const int64_t *b, int nb, int none_rows, int *first, int *last)
{
    int f = 0, l = nb - 1;
    while (b != NULL && f < nb && b[f] == 0)
        f++;
    if (b == NULL || f == nb) {
        *first = 0;
        *last = none_rows - 1;
        return;
    }
    if (f > 0)
        f--;
    while (l > 0 && b[l] == 0)
        l--;
    if (l < nb - 1)
        l++;
    *first = f;
    *last = l;
}

/* "\n", then the table of buckets first..last, labelled as nta_agg_bucket_label says (the
 * leading "\n" is dt_print_quanthdr's: a key line stays on its own line above the table). */
static int dist_rows(FILE *o, const nta_agg *a, const nta_aggent *e, int first, int last)
{
    enum { CHUNK = 64 };
    nta_distrow rows[CHUNK];
    char labels[CHUNK][24];
    size_t n = (size_t)(last - first + 1);
    nta_distrow *r = n <= CHUNK ? rows : malloc(n * sizeof *r);
    char (*lab)[24] = n <= CHUNK ? labels : malloc(n * sizeof *lab);
    int rc = NTA_ENOMEM;
    if (r != NULL && lab != NULL) {
        for (size_t i = 0; i < n; i++) {
            int b = first + (int)i;
            r[i].label = nta_agg_bucket_label(a, b, lab[i], sizeof lab[i]);
            r[i].count = e != NULL ? e->buckets[b] : 0;
        }
        rc = fputc('\n', o) == EOF ? NTA_EIO : nta_text_dist(o, r, n, nta_agg_normal(a, e));
    }
    if (r != rows)
        free(r);
    if (lab != labels)
        free(lab);
    return rc;
}

/* ---- one value in the default layout, per function ---- */

/* count, sum, min, max: dt_print_datum's " %16lld" (aggs.tst.sum, aggs.tst.max_neg). */
static int text_scalar(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    return fprintf(o, " %16" PRId64, nta_agg_print_value(a, e)) < 0 ? NTA_EIO : 0;
}

/* dt_print_average: " %16lld" of the truncated mean, 0 with no values (aggs.tst.avg_neg). */
static int text_avg(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    return fprintf(o, " %16" PRId64, nta_agg_print_value(a, e)) < 0 ? NTA_EIO : 0;
}

/* dt_print_stddev: " %16llu" (aggs.tst.stddev). */
static int text_stddev(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    return fprintf(o, " %16" PRIu64, (uint64_t)nta_agg_print_value(a, e)) < 0 ? NTA_EIO : 0;
}

static int text_quantize(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    int first, last;
    quantize_window(e ? e->buckets : NULL, &first, &last);
    return dist_rows(o, a, e, first, last);
}

static int text_lquantize(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    int first, last;
    linear_window(e ? e->buckets : NULL, nta_agg_nbuckets(a), 3, &first, &last);
    return dist_rows(o, a, e, first, last);
}

static int text_llquantize(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    int first, last;
    linear_window(e ? e->buckets : NULL, nta_agg_nbuckets(a), 2, &first, &last);
    return dist_rows(o, a, e, first, last);
}

typedef int text_value_fn(FILE *o, const nta_agg *a, const nta_aggent *e);

static text_value_fn *const text_values[] = {
    [NTA_AGG_COUNT] = text_scalar,         [NTA_AGG_SUM] = text_scalar,
    [NTA_AGG_MIN] = text_scalar,           [NTA_AGG_MAX] = text_scalar,
    [NTA_AGG_AVG] = text_avg,              [NTA_AGG_STDDEV] = text_stddev,
    [NTA_AGG_QUANTIZE] = text_quantize,    [NTA_AGG_LQUANTIZE] = text_lquantize,
    [NTA_AGG_LLQUANTIZE] = text_llquantize,
};

int nta_text_value(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    return text_values[nta_agg_fn(a)](o, a, e);
}

static int is_dist(const nta_agg *a)
{
    nta_aggfn f = nta_agg_fn(a);
    return f == NTA_AGG_QUANTIZE || f == NTA_AGG_LQUANTIZE || f == NTA_AGG_LLQUANTIZE;
}

/* ---- keys in the default layout ---- */

/* dt_print_datum's integer widths, read as the unsigned type of the key's size and printed with
 * %d: 1 byte " %3d" (254 for (char)-2), 2 bytes " %5d" (65534 for (short)-2), 4 bytes " %8d"
 * (signed again: -2), 8 bytes " %16lld" (aggs.tst.signedkeys). */
static int key_int(FILE *o, const nta_aggkey_part *p)
{
    switch (p->size) {
    case 1: return fprintf(o, " %3d", (int)(uint8_t)p->i);
    case 2: return fprintf(o, " %5d", (int)(uint16_t)p->i);
    case 4: return fprintf(o, " %8d", (int)(int32_t)(uint32_t)p->i);
    default: return fprintf(o, " %16lld", (long long)p->i);
    }
}

/* dt_print_bytes' test for text: isprint or isspace (C locale; a byte of 0x80 or more is
 * neither, char being signed), or backspace or bell. */
static int printable(unsigned char c)
{
    return (c >= 0x20 && c <= 0x7e) || (c >= '\t' && c <= '\r') || c == '\b' || c == '\a';
}

/* dt_print_bytes' raw form of a record: a header of column digits, then per 16 bytes the
 * offset, the bytes in hex and as characters ('.' for any byte outside ' '..'~'). */
static int key_dump(FILE *o, const char *s, size_t len, size_t nbytes)
{
    if (fprintf(o, "\n%5s      ", "") < 0)
        return NTA_EIO;
    for (int i = 0; i < 16; i++)
        if (fprintf(o, "  %c", "0123456789abcdef"[i]) < 0)
            return NTA_EIO;
    if (fputs("  0123456789abcdef\n", o) == EOF)
        return NTA_EIO;
    for (size_t i = 0; i < nbytes; i += 16) {
        if (fprintf(o, "%5s%5zx:", "", i) < 0)
            return NTA_EIO;
        size_t j;
        for (j = i; j < i + 16 && j < nbytes; j++)
            if (fprintf(o, " %02x", j < len ? (unsigned char)s[j] : 0) < 0)
                return NTA_EIO;
        for (; j % 16; j++)
            if (fputs("   ", o) == EOF)
                return NTA_EIO;
        if (fputs("  ", o) == EOF)
            return NTA_EIO;
        for (j = i; j < i + 16 && j < nbytes; j++) {
            unsigned char c = j < len ? (unsigned char)s[j] : 0;
            if (fputc(c < ' ' || c > '~' ? '.' : c, o) == EOF)
                return NTA_EIO;
        }
        if (fputc('\n', o) == EOF)
            return NTA_EIO;
    }
    return 0;
}

/* A string key is a record of strsize bytes, zero-padded: dt_print_bytes prints it "  %-50s"
 * (aggs.tst.count2) when it is text up to a NUL (or text filling the whole record), and as a
 * hex dump of the whole record when it is empty or holds an unprintable byte
 * (dtrace-providers.md 5.4, "an empty udps_laddr key"). */
static int key_string(FILE *o, const nta_aggkey_part *p, size_t strsize)
{
    int text = p->len > 0;
    for (uint32_t i = 0; text && i < p->len; i++)
        text = printable((unsigned char)p->s[i]);
    if (text)
        return fprintf(o, "  %-50s", p->s) < 0 ? NTA_EIO : 0;
    return key_dump(o, p->s, p->len, strsize);
}

int nta_text_key(FILE *o, const nta_agg *a, const nta_aggkey *k)
{
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        if (p->is_str ? key_string(o, p, nta_agg_params(a)->strsize) < 0 : key_int(o, p) < 0)
            return NTA_EIO;
    }
    return 0;
}

/* ---- the default layout: exit printing and printa(@a) ---- */

typedef struct default_ctx {
    FILE *o;
    nta_agg *const *aggs;
} default_ctx;

/* dt_print_aggs: the key's fields, then the value of each aggregation, then "\n" (so a
 * distribution, whose value starts with "\n", leaves the key on a line of its own and ends
 * with a blank line: aggs.tst.lquantize). */
static int default_row(const nta_aggkey *key, const nta_aggent *const *ents, int naggs, void *arg)
{
    default_ctx *c = arg;
    if (nta_text_key(c->o, c->aggs[0], key) < 0)
        return NTA_EIO;
    for (int i = 0; i < naggs; i++)
        if (nta_text_value(c->o, c->aggs[i], ents[i]) < 0)
            return NTA_EIO;
    return fputc('\n', c->o) == EOF ? NTA_EIO : 0;
}

int nta_text_print_aggs_sorted(FILE *o, nta_agg *const *aggs, int naggs, const nta_aggsort *sort)
{
    int rev = sort != NULL && sort->rev;
    for (int k = 0; k < naggs; k++) {
        int i = rev ? naggs - 1 - k : k;
        default_ctx c = { o, &aggs[i] };
        int rc = nta_agg_walk_joined(&aggs[i], 1, sort, default_row, &c);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int nta_text_print_aggs(FILE *o, nta_agg *const *aggs, int naggs)
{
    return nta_text_print_aggs_sorted(o, aggs, naggs, NULL);
}

/* ---- printa with a format ---- */

/** One piece of a printa format: literal text, or a conversion. */
typedef struct conv {
    const char *text;   /* literal: text[0..len) */
    size_t len;
    char c;             /* conversion letter, 0 for literal text */
    uint8_t value;      /* %@: an aggregation's value */
    uint8_t left, zero, plus, space, alt, group;
    uint8_t dynwidth, dynprec;   /* '*' and '.*': from the next key component */
    int width, prec;    /* as written; prec -1 when none */
    uint8_t simple;     /* "%[-][width]" of s, d or i: formatted by hand (common/linebuf.h) */
} conv;

/* Split fmt into literals and conversions as dt_printf_create does: flags "-+ #0'", '@',
 * width digits or '*', '?' (width 16), '.' and precision digits or '*', length modifiers
 * (h, l, ll, j, z, t: ignored, the size is the argument's), then the letter. "%%" is a
 * literal '%'. */
static conv *parse_format(const char *fmt, size_t *n)
{
    size_t cap = 8, k = 0;
    conv *v = malloc(cap * sizeof *v);
    if (v == NULL)
        return NULL;
    for (const char *c = fmt; *c;) {
        if (k + 2 > cap) {
            conv *nv = realloc(v, (cap *= 2) * sizeof *nv);
            if (nv == NULL) {
                free(v);
                return NULL;
            }
            v = nv;
        }
        conv *x = &v[k++];
        memset(x, 0, sizeof *x);
        x->prec = -1;
        if (*c != '%' || c[1] == '%') {
            x->text = c;
            if (*c == '%') {
                x->len = 1;
                c += 2;
                continue;
            }
            while (c[x->len] && c[x->len] != '%')
                x->len++;
            c += x->len;
            continue;
        }
        c++;
        for (;; c++) {
            if (*c == '-')
                x->left = 1;
            else if (*c == '0')
                x->zero = 1;
            else if (*c == '+')
                x->plus = 1;
            else if (*c == ' ')
                x->space = 1;
            else if (*c == '#')
                x->alt = 1;
            else if (*c == '\'')
                x->group = 1;
            else if (*c == '@')
                x->value = 1;
            else
                break;
        }
        if (*c == '*') {
            x->dynwidth = 1;
            c++;
        } else if (*c == '?') {
            x->width = 16;
            c++;
        }
        for (; *c >= '0' && *c <= '9'; c++)
            x->width = x->width < 100000 ? x->width * 10 + (*c - '0') : x->width;
        if (*c == '@') {
            x->value = 1;
            c++;
        }
        if (*c == '.') {
            c++;
            x->prec = 0;
            if (*c == '*') {
                x->dynprec = 1;
                c++;
            }
            for (; *c >= '0' && *c <= '9'; c++)
                x->prec = x->prec < 100000 ? x->prec * 10 + (*c - '0') : x->prec;
        }
        if (*c == '@') {
            x->value = 1;
            c++;
        }
        while (*c == 'h' || *c == 'l' || *c == 'j' || *c == 'z' || *c == 't' || *c == 'L')
            c++;
        x->c = *c ? *c : 'd';
        if (*c)
            c++;
        x->simple = !x->zero && !x->plus && !x->space && !x->alt && !x->group && !x->dynwidth
                    && !x->dynprec && x->prec < 0 && x->width <= 100
                    && (x->c == 's' || x->c == 'd' || x->c == 'i');
    }
    *n = k;
    return v;
}

typedef struct printa_ctx {
    FILE *o;
    nta_agg *const *aggs;
    const conv *cv;
    size_t ncv;
    nta_line ln;
} printa_ctx;

static int flush_line(FILE *o, nta_line *ln)
{
    size_t n = ln->n;
    ln->n = 0;
    return n == 0 || fwrite(ln->b, 1, n, o) == n ? 0 : NTA_EIO;
}

/* The C format dt_printf_format rebuilds for one conversion: flags in its order, width (from
 * the format or a key, a negative one meaning '-'), a precision only when above 0 (so "%.0s"
 * prints the whole string), the length for the argument's size, the letter. */
static void c_format(char *f, size_t cap, const conv *x, int width, int prec, const char *len,
                     char letter)
{
    snprintf(f, cap, "%%%s%s%s%s%s%s", x->alt ? "#" : "", x->zero ? "0" : "",
             width < 0 || x->left ? "-" : "", x->plus ? "+" : "", x->group ? "'" : "",
             x->space ? " " : "");
    size_t n = strlen(f);
    if (width != 0)
        n += (size_t)snprintf(f + n, cap - n, "%d", width < 0 ? -width : width);
    if (prec > 0)
        n += (size_t)snprintf(f + n, cap - n, ".%d", prec);
    snprintf(f + n, cap - n, "%s%c", len, letter);
}

/* An integer argument as dt_printf's pfprint_sint/pfprint_uint pass it: by its size (1-, 2- and
 * 4-byte values as C ints of their signedness, 8-byte ones as long long), signed for %d/%i
 * of a signed type, unsigned for %u/%o/%x/%X and for %d of an unsigned type. */
static int print_int(FILE *o, const conv *x, int width, int prec, uint64_t bits, int size,
                     int is_unsigned)
{
    char f[64];
    char letter = x->c;
    if (letter == 'd' || letter == 'i')
        letter = is_unsigned ? 'u' : 'd';
    else if (letter != 'u' && letter != 'o' && letter != 'x' && letter != 'X' && letter != 'c')
        letter = is_unsigned ? 'u' : 'd';
    int sgn = letter == 'd';
    if (letter == 'c') {
        c_format(f, sizeof f, x, width, prec, "", 'c');
        return fprintf(o, f, (int)(char)bits);
    }
    if (size >= 8) {
        c_format(f, sizeof f, x, width, prec, "ll", letter);
        return sgn ? fprintf(o, f, (long long)bits) : fprintf(o, f, (unsigned long long)bits);
    }
    c_format(f, sizeof f, x, width, prec, "", letter);
    if (sgn) {
        int v = size == 1 ? (int8_t)bits : size == 2 ? (int16_t)bits : (int32_t)(uint32_t)bits;
        return fprintf(o, f, v);
    }
    unsigned v = size == 1 ? (uint8_t)bits : size == 2 ? (uint16_t)bits : (uint32_t)bits;
    return fprintf(o, f, v);
}

/* The next key component as an int ('*' and '.*'; dt_printf_getint). */
static int next_int(const nta_aggkey *key, int *ki)
{
    const nta_aggkey_part *p = *ki < key->n ? &key->p[*ki] : NULL;
    (*ki)++;
    return p != NULL && !p->is_str ? (int)p->i : 0;
}

static int printa_row(const nta_aggkey *key, const nta_aggent *const *ents, int naggs, void *arg)
{
    printa_ctx *c = arg;
    nta_line *ln = &c->ln;
    int ki = 0, vi = 0, rc = 0;
    for (size_t k = 0; k < c->ncv && rc == 0; k++) {
        const conv *x = &c->cv[k];
        if (x->c == 0) {
            if (ln->n + x->len > sizeof ln->b && (rc = flush_line(c->o, ln)) != 0)
                break;
            if (x->len > sizeof ln->b)
                rc = fwrite(x->text, 1, x->len, c->o) == x->len ? 0 : NTA_EIO;
            else
                nta_line_mem(ln, x->text, x->len);
            continue;
        }
        int width = x->width, prec = x->prec;
        if (x->dynwidth)
            width = next_int(key, &ki);
        if (x->dynprec)
            prec = next_int(key, &ki);
        const nta_aggkey_part *p = NULL;
        const nta_agg *a = NULL;
        const nta_aggent *e = NULL;
        if (x->value) {
            int ai = vi < naggs ? vi : naggs - 1;   /* extra %@ repeat the last aggregation */
            vi++;
            a = c->aggs[ai];
            e = ents[ai];
        } else {
            p = ki < key->n ? &key->p[ki] : NULL;
            ki++;
        }
        int left = x->left;
        size_t w = (size_t)(x->width < 0 ? 0 : x->width);
        if (x->simple && x->value && !is_dist(a)) {
            /* hand-formatted: --bytes prints tens of thousands of such lines at the end of a
             * run, and fprintf per field was a quarter of the analysing thread's work */
            if (ln->n + w + 24 > sizeof ln->b && (rc = flush_line(c->o, ln)) != 0)
                break;
            uint64_t v = nta_agg_printa_arg(a, e);
            int count = nta_agg_fn(a) == NTA_AGG_COUNT;
            if (x->c == 's') {
                nta_line_str_w(ln, "", w, left);
            } else if (count || (int64_t)v >= 0) {
                nta_line_num_w(ln, v, 0, w, left);
            } else {
                nta_line_int_w(ln, (int64_t)v, w, left);
            }
            continue;
        }
        if (x->simple && !x->value && (p == NULL || p->is_str || x->c != 's')) {
            const char *s = x->c == 's' ? (p != NULL && p->is_str ? p->s : "") : NULL;
            size_t need = s != NULL ? (p != NULL && p->is_str ? p->len : 0) : 24;
            if (need <= sizeof ln->b / 2) {
                if (ln->n + w + need > sizeof ln->b && (rc = flush_line(c->o, ln)) != 0)
                    break;
                if (s != NULL) {
                    nta_line_str_w(ln, s, w, left);
                } else if (p == NULL || p->is_str) {
                    nta_line_int_w(ln, 0, w, left);
                } else {
                    /* %d of the key's D type: i holds it sign- or zero-extended */
                    if (p->is_unsigned)
                        nta_line_num_w(ln, (uint64_t)p->i, 0, w, left);
                    else
                        nta_line_int_w(ln, p->i, w, left);
                }
                continue;
            }
        }
        if ((rc = flush_line(c->o, ln)) != 0)
            break;
        if (x->value && is_dist(a)) {
            rc = nta_text_value(c->o, a, e);   /* dt_print_quantize & co., width ignored */
        } else if (x->value) {
            int count = nta_agg_fn(a) == NTA_AGG_COUNT;
            rc = print_int(c->o, x, width, prec, nta_agg_printa_arg(a, e), 8, count) < 0 ? NTA_EIO
                                                                                         : 0;
        } else if (x->c == 's') {
            char f[64];
            c_format(f, sizeof f, x, width, prec, "", 's');
            rc = fprintf(c->o, f, p != NULL && p->is_str ? p->s : "") < 0 ? NTA_EIO : 0;
        } else if (p != NULL && !p->is_str) {
            rc = print_int(c->o, x, width, prec, (uint64_t)p->i, p->size, p->is_unsigned) < 0
                     ? NTA_EIO : 0;
        } else {
            rc = print_int(c->o, x, width, prec, 0, 8, 0) < 0 ? NTA_EIO : 0;
        }
    }
    if (rc == 0)
        rc = flush_line(c->o, ln);
    return rc;
}

int nta_text_printa_sorted(FILE *o, const char *fmt, nta_agg *const *aggs, int naggs,
                           const nta_aggsort *sort)
{
    if (fmt == NULL) {
        /* printa(@a, ...) without a format: "\n", then the default layout */
        if (fputc('\n', o) == EOF)
            return NTA_EIO;
        default_ctx c = { o, aggs };
        return nta_agg_walk_joined(aggs, naggs, sort, default_row, &c);
    }
    printa_ctx c;
    c.o = o;
    c.aggs = aggs;
    c.ln.n = 0;
    conv *cv = parse_format(fmt, &c.ncv);
    if (cv == NULL)
        return NTA_ENOMEM;
    c.cv = cv;
    int rc = nta_agg_walk_joined(aggs, naggs, sort, printa_row, &c);
    free(cv);
    return rc;
}

int nta_text_printa(FILE *o, const char *fmt, nta_agg *const *aggs, int naggs)
{
    return nta_text_printa_sorted(o, fmt, aggs, naggs, NULL);
}
