/* agg/agg_text.c: DTrace's text layouts for aggregations (see agg_text.h).
 *
 * Each layout rule lives in a small function naming the reference it follows. */
#include "agg/agg_text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/linebuf.h"

#define DIST_WIDTH 40

/* dt_print_quanthdr: "%16s %41s %-9s\n"; the dashed label is 40 wide, "count" padded to 9. */
static int quant_header(FILE *o)
{
    return fprintf(o, "%16s %41s %-9s\n", "value", "------------- Distribution -------------",
                   "count") < 0 ? NTA_EIO : 0;
}

/* dt_print_quantline: "|", round(|count| * 40 / total) '@', the rest spaces, " %-9lld". */
static int quant_line(FILE *o, int64_t count, long double total)
{
    unsigned depth = total > 0 ? (unsigned)((long double)llabs(count) * DIST_WIDTH / total + 0.5L)
                               : 0;
    char bar[DIST_WIDTH + 1];
    for (unsigned i = 0; i < DIST_WIDTH; i++)
        bar[i] = i < depth ? '@' : ' ';
    bar[DIST_WIDTH] = '\0';
    return fprintf(o, "|%s %-9" PRId64 "\n", bar, count) < 0 ? NTA_EIO : 0;
}

/* dt_print_quantize / dt_print_lquantize: rows from one before the first non-zero bucket to
 * one after the last, every bucket between; all zero: the three rows around 0 (quantize) or
 * the first three (lquantize). */
static int text_distribution(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    int nb = nta_agg_nbuckets(a), first = -1, last = -1;
    long double total = 0;
    for (int i = 0; i < nb; i++) {
        if (e->buckets[i] != 0) {
            if (first < 0)
                first = i;
            last = i;
        }
        total += (long double)llabs(e->buckets[i]);
    }
    int quantize = nta_agg_fn(a) == NTA_AGG_QUANTIZE;
    if (first < 0) {
        first = quantize ? NTA_QUANT_ZERO - 1 : 0;
        last = quantize ? NTA_QUANT_ZERO + 1 : 2;
    } else {
        if (first > 0)
            first--;
        if (last < nb - 1)
            last++;
    }
    if (fputc('\n', o) == EOF || quant_header(o) < 0)
        return NTA_EIO;
    for (int i = first; i <= last; i++) {
        int rc;
        if (!quantize && i == 0) {
            char lab[32];
            snprintf(lab, sizeof lab, "< %" PRId64, nta_agg_bucket_value(a, 1));
            rc = fprintf(o, "%16s ", lab);
        } else if (!quantize && i == nb - 1) {
            char lab[32];
            snprintf(lab, sizeof lab, ">= %" PRId64, nta_agg_bucket_value(a, i));
            rc = fprintf(o, "%16s ", lab);
        } else {
            rc = fprintf(o, "%16" PRId64 " ", nta_agg_bucket_value(a, i));
        }
        if (rc < 0 || quant_line(o, e->buckets[i], total) < 0)
            return NTA_EIO;
    }
    return 0;
}

/* dt_print_datum key formats: strings "  %-50s", integers by width " %3d" " %5d" " %8d"
 * " %16lld" (4-byte keys go through %d, so they print signed). */
static int text_key(FILE *o, const nta_aggkey *k)
{
    for (int i = 0; i < k->n; i++) {
        const nta_aggkey_part *p = &k->p[i];
        int rc;
        if (p->is_str)
            rc = fprintf(o, "  %-50s", p->s);
        else if (p->size == 1)
            rc = fprintf(o, " %3d", (int)p->i);
        else if (p->size == 2)
            rc = fprintf(o, " %5d", (int)p->i);
        else if (p->size == 4)
            rc = fprintf(o, " %8d", (int)p->i);
        else
            rc = fprintf(o, " %16" PRId64, p->i);
        if (rc < 0)
            return NTA_EIO;
    }
    return 0;
}

static int text_value(FILE *o, const nta_agg *a, const nta_aggent *e)
{
    if (nta_agg_fn(a) == NTA_AGG_QUANTIZE || nta_agg_fn(a) == NTA_AGG_LQUANTIZE)
        return text_distribution(o, a, e);
    return fprintf(o, " %16" PRId64, nta_agg_value(a, e)) < 0 ? NTA_EIO : 0;
}

int nta_text_print_aggs(FILE *o, nta_agg *const *aggs, int naggs)
{
    for (int i = 0; i < naggs; i++) {
        size_t n = nta_agg_count(aggs[i]);
        const nta_aggkey **keys = malloc((n ? n : 1) * sizeof *keys);
        if (keys == NULL)
            return NTA_ENOMEM;
        n = nta_agg_sorted(&aggs[i], 1, keys, n);
        for (size_t k = 0; k < n; k++) {
            const nta_aggent *e = nta_agg_find(aggs[i], keys[k]);
            if (text_key(o, keys[k]) < 0 || text_value(o, aggs[i], e) < 0 || fputc('\n', o) == EOF) {
                free(keys);
                return NTA_EIO;
            }
        }
        free(keys);
    }
    return 0;
}

/* One conversion of a printa format: flags/width/precision kept as written, D's conversion
 * letter mapped to C's for the argument's type. */
static int convert(FILE *o, const char *spec, size_t speclen, char conv, const nta_aggkey_part *p,
                   int64_t value, int is_value)
{
    char f[64];
    if (speclen > sizeof f - 8)
        speclen = sizeof f - 8;
    memcpy(f, spec, speclen);
    f[speclen] = '\0';
    switch (conv) {
    case 's':
        strcat(f, "s");
        return fprintf(o, f, p && p->is_str ? p->s : "");
    case 'c':
        strcat(f, "c");
        return fprintf(o, f, p ? (int)(char)p->i : 0);
    case 'x':
    case 'X':
        strcat(f, conv == 'x' ? "llx" : "llX");
        return fprintf(o, f, (unsigned long long)(is_value ? value : p ? p->i : 0));
    case 'u':
        strcat(f, "llu");
        return fprintf(o, f, (unsigned long long)(is_value ? value : p ? p->i : 0));
    default:   /* d, i */
        strcat(f, "lld");
        return fprintf(o, f, (long long)(is_value ? value : p ? p->i : 0));
    }
}

/* A conversion printf would render as plain "%[-][width]s" or "%[-][width]d": such are formatted
 * by hand (common/linebuf.h), the others by printf. --bytes prints one line of four keys and a
 * value per 4-tuple, tens of thousands at the end of a run, and fprintf per field was a quarter
 * of the analysing thread's instructions. */
static int simple_conv(const char *spec, size_t sl, char conv, int *left, size_t *width)
{
    if (conv != 's' && conv != 'd' && conv != 'i')
        return 0;
    size_t i = 1;
    *left = i < sl && spec[i] == '-';
    i += (size_t)*left;
    if (i < sl && spec[i] == '0')
        return 0;   /* the '0' flag, not a width digit */
    size_t w = 0;
    for (; i < sl; i++) {
        if (spec[i] < '0' || spec[i] > '9' || w > 100)
            return 0;
        w = w * 10 + (size_t)(spec[i] - '0');
    }
    *width = w;
    return 1;
}

static int flush_line(FILE *o, nta_line *ln)
{
    size_t n = ln->n;
    ln->n = 0;
    return n == 0 || fwrite(ln->b, 1, n, o) == n ? 0 : NTA_EIO;
}

int nta_text_printa(FILE *o, const char *fmt, nta_agg *const *aggs, int naggs)
{
    size_t n = nta_agg_union_count(aggs, naggs);
    const nta_aggkey **keys = malloc((n ? n : 1) * sizeof *keys);
    const nta_aggent **ents = malloc((n ? n : 1) * (size_t)naggs * sizeof *ents);
    if (keys == NULL || ents == NULL) {
        free(keys);
        free(ents);
        return NTA_ENOMEM;
    }
    n = nta_agg_sorted_ents(aggs, naggs, keys, ents, n);
    int rc = 0;
    nta_line ln;
    ln.n = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        int keyi = 0, vali = 0;
        for (const char *c = fmt; *c && rc == 0; c++) {
            if (ln.n + 1 > sizeof ln.b)
                rc = flush_line(o, &ln);
            if (*c != '%') {
                ln.b[ln.n++] = *c;
                continue;
            }
            if (c[1] == '%') {
                ln.b[ln.n++] = '%';
                c++;
                continue;
            }
            c++;
            int is_value = 0;
            char spec[64];
            size_t sl = 0;
            spec[sl++] = '%';
            for (; *c && strchr("-+ #0123456789.@", *c); c++) {
                if (*c == '@')
                    is_value = 1;
                else if (sl < sizeof spec - 1)
                    spec[sl++] = *c;
            }
            char conv = *c ? *c : 'd';
            int left;
            size_t width;
            int simple = simple_conv(spec, sl, conv, &left, &width);
            const nta_aggkey_part *p = NULL;
            nta_agg *a = NULL;
            const nta_aggent *e = NULL;
            if (is_value) {
                int ai = vali < naggs ? vali : naggs - 1;
                a = aggs[ai];
                vali++;
                e = ents[k * (size_t)naggs + ai];
                if (nta_agg_fn(a) == NTA_AGG_QUANTIZE || nta_agg_fn(a) == NTA_AGG_LQUANTIZE)
                    simple = 0;
            } else {
                p = keyi < keys[k]->n ? &keys[k]->p[keyi] : NULL;
                keyi++;
            }
            const char *str = conv == 's' ? (p && p->is_str ? p->s : "") : NULL;
            size_t need = str != NULL ? strlen(str) : 24;
            if (simple && (need > sizeof ln.b / 2 || ln.n + width + need > sizeof ln.b))
                rc = flush_line(o, &ln);
            if (simple && need > sizeof ln.b / 2)
                simple = 0;   /* a long string: printf writes it */
            if (rc != 0) {
                break;
            } else if (simple && str != NULL) {
                nta_line_str_w(&ln, str, width, left);
            } else if (simple) {
                nta_line_int_w(&ln, is_value ? nta_agg_value(a, e) : p ? p->i : 0, width, left);
            } else if ((rc = flush_line(o, &ln)) != 0) {
                break;
            } else if (is_value && (nta_agg_fn(a) == NTA_AGG_QUANTIZE || nta_agg_fn(a) == NTA_AGG_LQUANTIZE)) {
                if (e != NULL && text_distribution(o, a, e) < 0)
                    rc = NTA_EIO;
            } else if (convert(o, spec, sl, conv, p, is_value ? nta_agg_value(a, e) : 0, is_value) < 0) {
                rc = NTA_EIO;
            }
            if (*c == '\0')
                break;
        }
        if (rc == 0)
            rc = flush_line(o, &ln);
    }
    free(keys);
    free(ents);
    return rc;
}
