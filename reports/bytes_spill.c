/* reports/bytes_spill.c: an external sort of --bytes rows (see bytes_spill.h).
 *
 * Two anonymous temporary files: runs sorted by key, then runs sorted by value and key. Each
 * merge reads its runs through buffers that share the memory bound between them, so a block
 * of any size costs about twice the bound in memory, whatever the number of runs. */
#define _GNU_SOURCE
#include "reports/bytes_spill.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/tmpfile.h"

typedef struct run {
    uint64_t off, n;   /* in rows */
} run;

typedef struct runfile {
    FILE *f;
    run *r;
    size_t n, cap;
    uint64_t rows;   /* written so far */
} runfile;

struct nta_bspill {
    const char *tmpdir;
    size_t rows;
    nta_brow *mem;   /* the rows of one value-sorted run, in the merge */
    runfile bykey, byval;
};

typedef int (*cmp_fn)(const nta_brow *a, const nta_brow *b);

static int key_cmp(const nta_brow *a, const nta_brow *b)
{
    int c = strcmp(a->l, b->l);
    if (c != 0)
        return c;
    if (a->lp != b->lp)
        return a->lp < b->lp ? -1 : 1;
    if ((c = strcmp(a->r, b->r)) != 0)
        return c;
    return a->rp < b->rp ? -1 : a->rp > b->rp;
}

static int val_cmp(const nta_brow *a, const nta_brow *b)
{
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return key_cmp(a, b);
}

static int qkey(const void *a, const void *b) { return key_cmp(a, b); }
static int qval(const void *a, const void *b) { return val_cmp(a, b); }

nta_bspill *nta_bspill_new(const char *tmpdir, size_t rows)
{
    nta_bspill *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->tmpdir = tmpdir != NULL ? tmpdir : "/tmp";
    s->rows = rows ? rows : 1;
    return s;
}

static void runfile_free(runfile *rf)
{
    if (rf->f != NULL)
        fclose(rf->f);
    free(rf->r);
}

void nta_bspill_free(nta_bspill *s)
{
    if (s == NULL)
        return;
    runfile_free(&s->bykey);
    runfile_free(&s->byval);
    free(s->mem);
    free(s);
}

static int runfile_add(runfile *rf, const char *tmpdir, const nta_brow *rows, size_t n)
{
    if (rf->f == NULL && (rf->f = nta_tmpfile(tmpdir)) == NULL)
        return -1;
    if (rf->n == rf->cap) {
        size_t cap = rf->cap ? 2 * rf->cap : 16;
        run *r = realloc(rf->r, cap * sizeof *r);
        if (r == NULL)
            return -1;
        rf->r = r;
        rf->cap = cap;
    }
    if (fwrite(rows, sizeof *rows, n, rf->f) != n) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    rf->r[rf->n++] = (run){ rf->rows, n };
    rf->rows += n;
    return 0;
}

static int runfile_reset(runfile *rf)
{
    rf->n = 0;
    rf->rows = 0;
    if (rf->f == NULL)
        return 0;
    rewind(rf->f);
    return ftruncate(fileno(rf->f), 0);
}

int nta_bspill_add_run(nta_bspill *s, nta_brow *rows, size_t n)
{
    if (n == 0)
        return 0;
    qsort(rows, n, sizeof *rows, qkey);
    return runfile_add(&s->bykey, s->tmpdir, rows, n);
}

size_t nta_bspill_runs(const nta_bspill *s)
{
    return s->bykey.n;
}

/* ---- k-way merge of a file's runs ---- */

typedef struct cursor {
    uint64_t next, left;   /* rows of the run not yet read into buf, from row next */
    nta_brow *buf;
    size_t have, at;
} cursor;

typedef struct merger {
    int fd;
    cmp_fn cmp;
    cursor *c;
    size_t *heap, nheap, per;
    nta_brow *bufs;
} merger;

/* Refills a cursor's buffer; 1 when it holds a row, 0 at the run's end, -1 on a read error. */
static int refill(merger *m, cursor *c)
{
    if (c->at < c->have)
        return 1;
    if (c->left == 0)
        return 0;
    size_t want = c->left < m->per ? (size_t)c->left : m->per;
    size_t bytes = want * sizeof(nta_brow);
    ssize_t got = pread(m->fd, c->buf, bytes, (off_t)(c->next * sizeof(nta_brow)));
    if (got != (ssize_t)bytes) {
        if (got >= 0)
            errno = EIO;
        return -1;
    }
    c->next += want;
    c->left -= want;
    c->have = want;
    c->at = 0;
    return 1;
}

static int less(const merger *m, size_t a, size_t b)
{
    return m->cmp(&m->c[a].buf[m->c[a].at], &m->c[b].buf[m->c[b].at]) < 0;
}

static void sift_down(merger *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < m->nheap && less(m, m->heap[l], m->heap[best]))
            best = l;
        if (r < m->nheap && less(m, m->heap[r], m->heap[best]))
            best = r;
        if (best == i)
            return;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[best];
        m->heap[best] = t;
        i = best;
    }
}

static void merger_free(merger *m)
{
    free(m->c);
    free(m->heap);
    free(m->bufs);
}

/* Opens a merge of rf's runs within about rows rows of buffer. 0, or -1 with errno. */
static int merger_open(merger *m, runfile *rf, size_t rows, cmp_fn cmp)
{
    memset(m, 0, sizeof *m);
    m->cmp = cmp;
    if (rf->n == 0)
        return 0;
    if (fflush(rf->f) == EOF)
        return -1;
    m->fd = fileno(rf->f);
    m->per = rows / rf->n ? rows / rf->n : 1;
    m->c = calloc(rf->n, sizeof *m->c);
    m->heap = malloc(rf->n * sizeof *m->heap);
    m->bufs = malloc(rf->n * m->per * sizeof *m->bufs);
    if (m->c == NULL || m->heap == NULL || m->bufs == NULL)
        return -1;
    for (size_t i = 0; i < rf->n; i++) {
        m->c[i] = (cursor){ rf->r[i].off, rf->r[i].n, m->bufs + i * m->per, 0, 0 };
        int rc = refill(m, &m->c[i]);
        if (rc < 0)
            return -1;
        if (rc > 0)
            m->heap[m->nheap++] = i;
    }
    for (size_t i = m->nheap / 2; i-- > 0;)
        sift_down(m, i);
    return 0;
}

/* The smallest row left into *row: 1, 0 when none is left, -1 on a read error. */
static int merger_next(merger *m, nta_brow *row)
{
    if (m->nheap == 0)
        return 0;
    cursor *c = &m->c[m->heap[0]];
    *row = c->buf[c->at++];
    int rc = refill(m, c);
    if (rc < 0)
        return -1;
    if (rc == 0)
        m->heap[0] = m->heap[--m->nheap];
    sift_down(m, 0);
    return 1;
}

/* ---- the drain: merge by key into value-sorted runs, then merge those ---- */

static int flush_mem(nta_bspill *s, size_t n)
{
    if (n == 0)
        return 0;
    qsort(s->mem, n, sizeof *s->mem, qval);
    return runfile_add(&s->byval, s->tmpdir, s->mem, n);
}

static int by_key_into_runs(nta_bspill *s)
{
    merger m;
    int rc = merger_open(&m, &s->bykey, s->rows, key_cmp);
    size_t n = 0;
    nta_brow row;
    while (rc == 0 && (rc = merger_next(&m, &row)) > 0) {
        if (n > 0 && key_cmp(&s->mem[n - 1], &row) == 0) {
            s->mem[n - 1].v += row.v;   /* one key in several runs: the aggregation's sum */
            rc = 0;
            continue;
        }
        /* row's key is new and the merge gives keys in order: mem's are complete */
        rc = n == s->rows ? flush_mem(s, n) : 0;
        if (n == s->rows)
            n = 0;
        s->mem[n++] = row;
    }
    if (rc == 0)
        rc = flush_mem(s, n);
    merger_free(&m);
    return rc;
}

int nta_bspill_drain(nta_bspill *s, int (*fn)(const nta_brow *row, void *ctx), void *ctx)
{
    if (s->mem == NULL && (s->mem = malloc(s->rows * sizeof *s->mem)) == NULL)
        return -1;
    int rc = by_key_into_runs(s);
    merger m;
    if (rc == 0)
        rc = merger_open(&m, &s->byval, s->rows, val_cmp);
    else
        memset(&m, 0, sizeof m);
    nta_brow row;
    while (rc == 0 && (rc = merger_next(&m, &row)) > 0)
        rc = fn(&row, ctx);
    merger_free(&m);
    if (runfile_reset(&s->bykey) < 0 || runfile_reset(&s->byval) < 0)
        rc = rc != 0 ? rc : -1;
    return rc;
}
