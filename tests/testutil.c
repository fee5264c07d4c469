/* tests/testutil.c: fixture location, capture reading and TSV parsing for the Check suites. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/synth.h"
#include "formats/decode.h"

/* A ring of buffers so a test can hold a few paths at once without freeing them. */
static char *next_buf(void)
{
    static char bufs[8][4096];
    static int k;
    return bufs[k++ % 8];
}

const char *tu_fixture(const char *name)
{
    char *p = next_buf();
    snprintf(p, 4096, "%s/fixtures/%s", NTA_SOURCE_DIR, name);
    return p;
}

const char *tu_public(const char *name)
{
    char *p = next_buf();
    snprintf(p, 4096, "%s/fixtures/public/%s", NTA_SHARED_DIR, name);
    return p;
}

int tu_have_shared(void)
{
    struct stat st;
    return stat(NTA_SHARED_DIR "/fixtures/public/MANIFEST.tsv", &st) == 0;
}

void tu_require_shared(const char *suite)
{
    if (tu_have_shared())
        return;
    if (getenv("CI") != NULL) {
        fprintf(stderr, "%s: %s is missing, and CI must have it\n", suite, NTA_SHARED_DIR);
        exit(1);
    }
    printf("SKIP %s: %s not found (the public fixtures live there)\n", suite, NTA_SHARED_DIR);
    exit(77);
}

static int add_iface(void *ctx, const nta_iface *ifc, uint32_t *index)
{
    tu_capture *c = ctx;
    if (ifc->linktype == UINT32_MAX)
        return 0;
    ck_assert_uint_lt(c->nifs, 32);
    c->ifs[c->nifs] = *ifc;
    *index = c->nifs++;
    return 0;
}

static void push(tu_capture *c, const nta_packet *p, size_t *cap)
{
    if (c->n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        c->pkts = realloc(c->pkts, *cap * sizeof *c->pkts);
    }
    tu_pkt *t = &c->pkts[c->n++];
    t->ts_ns = p->ts_ns;
    t->ifindex = p->ifindex;
    t->linktype = p->linktype;
    t->caplen = p->caplen;
    t->origlen = p->origlen;
    t->offset = p->offset;
    t->data = malloc(p->caplen ? p->caplen : 1);
    memcpy(t->data, p->data, p->caplen);
    /* the reader's process table lives until it closes: keep a copy */
    t->has_proc = p->proc != NULL;
    t->pid = p->proc ? p->proc->pid : 0;
    snprintf(t->pname, sizeof t->pname, "%s", p->proc ? p->proc->name : "");
}

tu_capture *tu_read(const char *path)
{
    return tu_read_opts(path, 0);
}

tu_capture *tu_read_opts(const char *path, int inline_read)
{
    return tu_read_how(path, inline_read, 0);
}

tu_capture *tu_read_how(const char *path, int inline_read, int via_libpcap)
{
    tu_capture *c = calloc(1, sizeof *c);
    nta_trace *t;
    nta_err err;
    nta_trace_opts o = { NULL, NULL, inline_read, via_libpcap };
    const char *paths[1] = { path };
    ck_assert_int_eq(nta_trace_open(&t, paths, 1, &o, &err), 0);
    nta_packet p;
    size_t cap = 0;
    while (nta_trace_next(t, &p, &err) == 1)
        push(c, &p, &cap);
    const nta_trace_file *f = nta_trace_file_info(t, 0);
    c->err_code = f->err.code;
    c->bad_records = f->bad_records;
    snprintf(c->err_msg, sizeof c->err_msg, "%s", f->err.msg);
    c->format = f->format[0] ? f->format : NULL;
    c->nifs = nta_trace_nifaces(t) < 32 ? nta_trace_nifaces(t) : 32;
    for (uint32_t i = 0; i < c->nifs; i++)
        c->ifs[i] = *nta_trace_iface(t, i);
    nta_trace_free(t);
    return c;
}

tu_capture *tu_read_mem(const void *buf, size_t len)
{
    tu_capture *c = calloc(1, sizeof *c);
    nta_stream *s;
    nta_err err;
    nta_err_clear(&err);
    ck_assert_int_eq(nta_stream_open_mem(&s, buf, len, &err), 0);
    nta_reader rd;
    nta_reader_opts o = { "mem", 0, { add_iface, c }, 0 };
    int rc = nta_capture_open(&rd, s, &o, &err);
    if (rc < 0) {
        c->err_code = rc;
        snprintf(c->err_msg, sizeof c->err_msg, "%s", err.msg);
        nta_stream_free(s);
        return c;
    }
    c->format = rd.format;
    nta_packet p;
    size_t cap = 0;
    while ((rc = rd.next(rd.ctx, &p, &err)) == 1)
        push(c, &p, &cap);
    if (rc < 0) {
        c->err_code = rc;
        snprintf(c->err_msg, sizeof c->err_msg, "%s", err.msg);
    }
    c->bad_records = rd.warn ? rd.warn->bad_records : 0;
    nta_reader_close(&rd);
    nta_stream_free(s);
    return c;
}

void tu_capture_free(tu_capture *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->pkts[i].data);
    free(c->pkts);
    free(c);
}

uint8_t *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static char **split(char *line, int *n)
{
    int cap = 8, k = 0;
    char **out = malloc((size_t)cap * sizeof *out);
    char *p = line;
    for (;;) {
        char *tab = strchr(p, '\t');
        if (tab)
            *tab = '\0';
        if (k == cap)
            out = realloc(out, (size_t)(cap *= 2) * sizeof *out);
        out[k++] = strdup(p);
        if (!tab)
            break;
        p = tab + 1;
    }
    *n = k;
    return out;
}

tu_tsv *tu_tsv_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    tu_tsv *t = calloc(1, sizeof *t);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rcap = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (line[0] == '#')
            continue;
        int n;
        char **cells = split(line, &n);
        if (t->cols == NULL) {
            t->cols = cells;
            t->ncols = n;
            continue;
        }
        for (int i = t->ncols; i < n; i++)
            free(cells[i]);
        if (n < t->ncols) {   /* tshark leaves trailing empty cells out of nothing; pad them */
            cells = realloc(cells, (size_t)t->ncols * sizeof *cells);
            for (int i = n; i < t->ncols; i++)
                cells[i] = strdup("");
        }
        if (t->nrows == rcap) {
            rcap = rcap ? rcap * 2 : 64;
            t->rows = realloc(t->rows, (size_t)rcap * sizeof *t->rows);
        }
        t->rows[t->nrows++] = cells;
    }
    free(line);
    fclose(f);
    return t;
}

int tu_tsv_col(const tu_tsv *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i], name) == 0)
            return i;
    return -1;
}

void tu_tsv_free(tu_tsv *t)
{
    if (t == NULL)
        return;
    for (int r = 0; r < t->nrows; r++) {
        for (int i = 0; i < t->ncols; i++)
            free(t->rows[r][i]);
        free(t->rows[r]);
    }
    for (int i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    free(t->cols);
    free(t->rows);
    free(t);
}

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

void tu_analyze(const char *path, uint32_t probes, const nta_sink *sink)
{
    nta_trace *t;
    nta_err err;
    nta_trace_opts to = { NULL, NULL, 0, 0 };
    const char *paths[1] = { path };
    ck_assert_int_eq(nta_trace_open(&t, paths, 1, &to, &err), 0);
    nta_locals loc;
    memset(&loc, 0, sizeof loc);
    loc.all = 1;
    nta_analyzer_opts o = { .locals = &loc, .probes = probes, .msl_ns = 30000000000ull,
                            .idle_ns = 600000000000ull, .ifname = nta_trace_ifname, .ifname_ctx = t };
    nta_analyzer *an = nta_analyzer_new(&o, sink);
    ck_assert_ptr_nonnull(an);
    nta_packet p;
    while (nta_trace_next(t, &p, &err) == 1) {
        nta_decoded d;
        nta_decode(&p, &d);
        ck_assert_int_eq(nta_analyzer_packet(an, &p, &d), 0);
    }
    ck_assert_int_eq(nta_analyzer_finish(an), 0);
    nta_analyzer_free(an);
    nta_trace_free(t);
}
