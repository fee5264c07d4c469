/* dtext/agg_read.c: printed DTrace aggregations back into numbers, and out again as DTrace
 * text, JSON or CSV (see agg_read.h). Row layout rules: shared/reference 5.1-5.5. */
#include "dtext/agg_read.h"

#include "common/jstring.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg_text.h"

#define HIST_HEADER "           value  ------------- Distribution ------------- count    "
#define BAR 40

/* Column names of the article's printa tables (Examples 7, 8, 9 and nta's --bytes). */
static const struct {
    const char *header;   /* words, single-spaced */
    const char *const cols[8];
} known_headers[] = {
    { "RADDR BYTES OOO BYTES PACKETS OOO PACKETS",
      { "raddr", "bytes", "ooo_bytes", "packets", "ooo_packets", NULL } },
    { "PROC LADDR LPORT RADDR RPORT SIZE",
      { "proc", "laddr", "lport", "raddr", "rport", "size", NULL } },
    { "LADDR LPORT RADDR RPORT SIZE", { "laddr", "lport", "raddr", "rport", "size", NULL } },
};

static int ncols(const char *const *c)
{
    int n = 0;
    while (n < 8 && c[n] != NULL)
        n++;
    return n;
}

static void words(const char *line, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = line; *p && n + 2 < cap; p++) {
        if (*p == ' ' || *p == '\t') {
            if (n > 0 && out[n - 1] != ' ')
                out[n++] = ' ';
        } else {
            out[n++] = *p;
        }
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static int is_int(const char *s, size_t len, int64_t *v)
{
    char buf[32];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    const char *p = buf + (buf[0] == '-');
    if (*p < '0' || *p > '9')
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(buf, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return 0;
    *v = x;
    return 1;
}

static nta_ablock *push(nta_aggdoc *d)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        nta_ablock *b = realloc(d->b, cap * sizeof *b);
        if (b == NULL)
            return NULL;
        d->b = b;
        d->cap = cap;
    }
    nta_ablock *b = &d->b[d->n++];
    memset(b, 0, sizeof *b);
    return b;
}

static void free_block(nta_ablock *b)
{
    free(b->text);
    for (size_t i = 0; i < b->nkeys; i++)
        free(b->keys[i]);
    free(b->keys);
    free(b->values);
    free(b->buckets);
}

void nta_aggdoc_free(nta_aggdoc *d)
{
    for (size_t i = 0; i < d->n; i++)
        free_block(&d->b[i]);
    free(d->b);
    memset(d, 0, sizeof *d);
}

/* A row: the words of the line, the trailing integers as values, the rest as keys. */
static int split_row(nta_ablock *b, const char *line)
{
    char *copy = strdup(line);
    if (copy == NULL)
        return -1;
    char *tok[256];
    int n = 0;
    for (char *p = strtok(copy, " \t"); p != NULL && n < 256; p = strtok(NULL, " \t"))
        tok[n++] = p;
    int first_value = n;
    int64_t v;
    while (first_value > 0 && is_int(tok[first_value - 1], strlen(tok[first_value - 1]), &v))
        first_value--;
    /* a string key column may be a number too (a port): a known header says how many keys */
    if (b->columns != NULL) {
        int nc = ncols(b->columns), nkeys = 0;
        while (nkeys < n && !is_int(tok[nkeys], strlen(tok[nkeys]), &v))
            nkeys++;
        if (n == nc && first_value < nkeys)
            first_value = nkeys;
    }
    b->keys = calloc((size_t)first_value + 1, sizeof *b->keys);
    b->values = calloc((size_t)(n - first_value) + 1, sizeof *b->values);
    if (b->keys == NULL || b->values == NULL) {
        free(copy);
        return -1;
    }
    for (int i = 0; i < first_value; i++)
        if ((b->keys[b->nkeys++] = strdup(tok[i])) == NULL) {
            free(copy);
            return -1;
        }
    for (int i = first_value; i < n; i++) {
        if (!is_int(tok[i], strlen(tok[i]), &b->values[b->nvalues])) {
            /* a number column of a known header that is not a number: keep it as a key */
            char **k = realloc(b->keys, (b->nkeys + 2) * sizeof *k);
            if (k == NULL || (k[b->nkeys] = strdup(tok[i])) == NULL) {
                free(copy);
                return -1;
            }
            b->keys = k;
            b->nkeys++;
            continue;
        }
        b->nvalues++;
    }
    free(copy);
    return 0;
}

/* One histogram row as dtrace prints it: "%16s " label, a 41-character bar, " %-9lld" count. */
static int hist_row(const char *line, nta_abucket *out)
{
    size_t len = strlen(line);
    while (len > 0 && line[len - 1] == ' ')
        len--;
    size_t cs = len;
    while (cs > 0 && line[cs - 1] != ' ')
        cs--;
    if (cs < 1 + BAR + 1 + 1 || !is_int(line + cs, len - cs, &out->count))
        return -1;
    size_t bar_end = cs - 1, bar_start = bar_end - (BAR + 1);
    int pipes = 0;
    for (size_t i = bar_start; i < bar_end; i++) {
        if (line[i] == '|')
            pipes++;
        else if (line[i] != '@' && line[i] != ' ')
            return -1;
    }
    if (pipes != 1 || bar_start < 1 || line[bar_start - 1] != ' ')
        return -1;
    size_t ls = 0, le = bar_start - 1;
    while (ls < le && line[ls] == ' ')
        ls++;
    if (le - ls == 0 || le - ls >= sizeof out->label)
        return -1;
    memcpy(out->label, line + ls, le - ls);
    out->label[le - ls] = '\0';
    return 0;
}

/* The article's typeset sample: "LABEL<tab>[@@@]<tab>COUNT", labels like "< 0". */
static int typeset_row(const char *line, nta_abucket *out)
{
    char w[256];
    words(line, w, sizeof w);
    char *last = strrchr(w, ' ');
    if (last == NULL || !is_int(last + 1, strlen(last + 1), &out->count))
        return -1;
    *last = '\0';
    char *bar = strrchr(w, ' ');
    if (bar != NULL && bar[1] == '@')
        *bar = '\0';
    else if (w[0] == '@')
        return -1;
    if (strlen(w) == 0 || strlen(w) >= sizeof out->label)
        return -1;
    strcpy(out->label, w);
    return 0;
}

static int add_bucket(nta_ablock *b, const nta_abucket *k)
{
    nta_abucket *n = realloc(b->buckets, (b->nbuckets + 1) * sizeof *n);
    if (n == NULL)
        return -1;
    b->buckets = n;
    b->buckets[b->nbuckets++] = *k;
    return 0;
}

int nta_aggdoc_parse(nta_aggdoc *d, const char *text, size_t len, nta_err *err)
{
    memset(d, 0, sizeof *d);
    char *buf = malloc(len + 1);
    if (buf == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    memcpy(buf, text, len);
    buf[len] = '\0';
    /* a final newline ends the last line; without one the last line still counts */
    size_t nlines = 0;
    for (size_t i = 0; i < len; i++)
        nlines += buf[i] == '\n';
    if (len > 0 && buf[len - 1] != '\n')
        nlines++;
    char **L = calloc(nlines + 1, sizeof *L);
    if (L == NULL) {
        free(buf);
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (char *p = buf, *end = buf + len; k < nlines; k++) {
        L[k] = p;   /* a NUL inside a line ends it early: such text is no dtrace output anyway */
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    const char *const *cols = NULL;
    int rc = 0;
    for (size_t i = 0; i < nlines && rc == 0; i++) {
        char w[512];
        words(L[i], w, sizeof w);
        int typeset = strcmp(w, "value Distribution count") == 0;
        if (strcmp(L[i], HIST_HEADER) == 0 || typeset) {
            nta_ablock *prev = d->n > 0 ? &d->b[d->n - 1] : NULL;
            char *key = NULL;
            /* the line right above the header is the entry's key line */
            if (prev != NULL && i > 0 && L[i - 1][0] != '\0' && prev->kind != NTA_AB_HIST
                && strcmp(prev->text, L[i - 1]) == 0) {
                key = prev->text;
                prev->text = NULL;
                free_block(prev);
                d->n--;
            }
            nta_ablock *b = push(d);
            if (b == NULL) {
                free(key);
                rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
                break;
            }
            b->kind = NTA_AB_HIST;
            b->text = key;
            b->typeset = typeset;
            d->nhist++;
            size_t j = i + 1;
            for (; j < nlines && L[j][0] != '\0'; j++) {
                nta_abucket bk;
                /* printa may print more after a histogram on the same entry: the table ends at
                 * the first line that is no row */
                if ((typeset ? typeset_row(L[j], &bk) : hist_row(L[j], &bk)) < 0)
                    break;
                if (add_bucket(b, &bk) < 0) {
                    rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
                    break;
                }
            }
            if (rc == 0 && b->nbuckets == 0)
                rc = nta_err_set(err, NTA_EFORMAT, "line %zu: a histogram header without rows", i + 1);
            i = j - 1;
            continue;
        }
        nta_ablock *b = push(d);
        if (b == NULL || (b->text = strdup(L[i])) == NULL) {
            rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
            break;
        }
        cols = L[i][0] == '\0' ? NULL : cols;
        const char *const *hdr = NULL;
        for (size_t h = 0; h < sizeof known_headers / sizeof known_headers[0]; h++)
            if (strcmp(w, known_headers[h].header) == 0)
                hdr = known_headers[h].cols;
        if (hdr != NULL) {
            cols = hdr;
            b->kind = NTA_AB_TEXT;
            continue;
        }
        b->columns = cols;
        int64_t v;
        const char *last = strrchr(w, ' ');
        last = last ? last + 1 : w;
        if (w[0] != '\0' && is_int(last, strlen(last), &v)) {
            b->kind = NTA_AB_ROW;
            d->nrows++;
            if (split_row(b, L[i]) < 0)
                rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
        } else {
            b->kind = NTA_AB_TEXT;
            b->columns = NULL;
        }
    }
    free(L);
    free(buf);
    if (rc < 0)
        nta_aggdoc_free(d);
    return rc;
}

/* The key line, then the table as agg/'s one Distribution renderer draws it (bars, the split
 * layout for negative counts) from the labels and counts read. */
static int render_hist(const nta_ablock *b, FILE *o)
{
    if (b->text != NULL && fprintf(o, "%s\n", b->text) < 0)
        return -1;
    nta_distrow *rows = malloc((b->nbuckets ? b->nbuckets : 1) * sizeof *rows);
    if (rows == NULL)
        return -1;
    for (size_t i = 0; i < b->nbuckets; i++) {
        rows[i].label = b->buckets[i].label;
        rows[i].count = b->buckets[i].count;
    }
    int rc = nta_text_dist(o, rows, b->nbuckets, 1);
    free(rows);
    return rc < 0 ? -1 : 0;
}

int nta_aggdoc_render(const nta_aggdoc *d, FILE *o)
{
    for (size_t i = 0; i < d->n; i++) {
        const nta_ablock *b = &d->b[i];
        if (b->kind == NTA_AB_HIST) {
            if (render_hist(b, o) < 0)
                return -1;
        } else if (fprintf(o, "%s\n", b->text) < 0) {
            return -1;
        }
    }
    return ferror(o) ? -1 : 0;
}

static json_t *key_array(const char *key_text)
{
    json_t *a = json_array();
    if (key_text == NULL)
        return a;
    char *copy = strdup(key_text);
    if (copy == NULL)
        return a;
    for (char *p = strtok(copy, " \t"); p != NULL; p = strtok(NULL, " \t")) {
        int64_t v;
        json_array_append_new(a, is_int(p, strlen(p), &v) ? json_integer(v) : nta_jstring(p));
    }
    free(copy);
    return a;
}

/* "< 0" -> below 0, ">= 1500" -> at_least 1500, "1024" -> bucket 1024. */
static json_t *bucket_json(const nta_abucket *k)
{
    int64_t v = 0;
    const char *range = "bucket", *num = k->label;
    if (strncmp(num, "< ", 2) == 0) {
        range = "below";
        num += 2;
    } else if (strncmp(num, ">= ", 3) == 0) {
        range = "at_least";
        num += 3;
    }
    json_t *o = json_pack("{s:o, s:s, s:I}", "label", nta_jstring(k->label), "range", range, "count",
                          (json_int_t)k->count);
    if (is_int(num, strlen(num), &v))
        json_object_set_new(o, "value", json_integer(v));
    return o;
}

json_t *nta_aggdoc_json(const nta_aggdoc *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < d->n; i++) {
        const nta_ablock *b = &d->b[i];
        json_t *o;
        if (b->kind == NTA_AB_HIST) {
            json_t *bk = json_array();
            int64_t total = 0;
            for (size_t j = 0; j < b->nbuckets; j++) {
                json_array_append_new(bk, bucket_json(&b->buckets[j]));
                total += b->buckets[j].count;
            }
            o = json_pack("{s:s, s:o, s:o, s:I, s:o}", "kind", "histogram", "keys", key_array(b->text),
                          "key_text", nta_jstring(b->text), "total", (json_int_t)total, "buckets", bk);
        } else if (b->kind == NTA_AB_ROW) {
            json_t *keys = json_array(), *vals = json_array();
            for (size_t j = 0; j < b->nkeys; j++)
                json_array_append_new(keys, nta_jstring(b->keys[j]));
            for (size_t j = 0; j < b->nvalues; j++)
                json_array_append_new(vals, json_integer(b->values[j]));
            o = json_pack("{s:s, s:o, s:o}", "kind", "row", "keys", keys, "values", vals);
            if (b->columns != NULL && (size_t)ncols(b->columns) == b->nkeys + b->nvalues) {
                json_t *named = json_object();
                for (size_t j = 0; j < b->nkeys; j++)
                    json_object_set_new(named, b->columns[j], nta_jstring(b->keys[j]));
                for (size_t j = 0; j < b->nvalues; j++)
                    json_object_set_new(named, b->columns[b->nkeys + j], json_integer(b->values[j]));
                json_object_set_new(o, "columns", named);
            }
        } else {
            if (b->text[0] == '\0')
                continue;   /* blank lines carry nothing */
            o = json_pack("{s:s, s:o}", "kind", "text", "text", nta_jstring(b->text));
        }
        json_array_append_new(arr, o);
    }
    return json_pack("{s:i, s:o}", "schema_version", 1, "aggregations", arr);
}

static void csv_str(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', o);
        fputc(*s, o);
    }
    fputc('"', o);
}

int nta_aggdoc_csv(const nta_aggdoc *d, FILE *o)
{
    fputs("# nta convert: printed aggregations (schema_version 1)\nentry,kind,keys,bucket,count_or_value\n", o);
    size_t entry = 0;
    for (size_t i = 0; i < d->n; i++) {
        const nta_ablock *b = &d->b[i];
        if (b->kind == NTA_AB_HIST) {
            entry++;
            char key[512];
            words(b->text ? b->text : "", key, sizeof key);
            for (size_t j = 0; j < b->nbuckets; j++) {
                fprintf(o, "%zu,histogram,", entry);
                csv_str(o, key);
                fputc(',', o);
                csv_str(o, b->buckets[j].label);
                fprintf(o, ",%" PRId64 "\n", b->buckets[j].count);
            }
        } else if (b->kind == NTA_AB_ROW) {
            entry++;
            char key[512] = "";
            size_t n = 0;
            for (size_t j = 0; j < b->nkeys && n < sizeof key; j++)
                n += (size_t)snprintf(key + n, sizeof key - n, "%s%s", j ? " " : "", b->keys[j]);
            for (size_t j = 0; j < b->nvalues; j++) {
                fprintf(o, "%zu,row,", entry);
                csv_str(o, key);
                if (b->columns != NULL && (size_t)ncols(b->columns) == b->nkeys + b->nvalues)
                    fprintf(o, ",%s", b->columns[b->nkeys + j]);
                else
                    fprintf(o, ",value%zu", j);
                fprintf(o, ",%" PRId64 "\n", b->values[j]);
            }
        }
    }
    return ferror(o) ? -1 : 0;
}
