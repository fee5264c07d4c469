/* reports/report_bytes.c: payload bytes per 4-tuple, the article's Examples 7 (TCP) and 8 (UDP).
 *
 * tcp:::send adds ip_plength - tcp_offset under (ip_saddr, sport, ip_daddr, dport) to "out",
 * tcp:::receive under (ip_daddr, dport, ip_saddr, sport) to "in"; UDP likewise with
 * udp_length - 8. Each block is what the script's profile:::tick-2sec prints: the %Y line with
 * in/out/total in KB (each integer-divided by 1024 first, as the script does), the column
 * header, printa of @bytes, a blank line; then the aggregation is emptied (trunc). With
 * --interval a block closes every interval of capture time (walltimestamp = its end);
 * without, one block at the end of the input. A capture names no processes, so the script's
 * PROC column (filled from fbt probes) is left out. The value is printed with %9@d: the
 * article's "%9d" would be a sixth key conversion, which DTrace rejects (reference 5.5). */
#define _GNU_SOURCE   /* qsort_r */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/linebuf.h"
#include "common/varint.h"
#include "common/tmpfile.h"
#include "agg/agg.h"
#include "agg/agg_text.h"
#include "reports/bytes_spill.h"
#include "reports/report.h"

/* Per-event sums go to a table keyed by the binary 4-tuple; only when a block is printed do
 * they become the aggregation's string keys (DTrace's text form and order). Formatting two
 * addresses and hashing four key strings per packet cost more than the rest of the report. */
typedef struct tuple_ent {
    nta_addr l, r;
    uint16_t lp, rp;
    uint8_t used;
    int64_t sum;
} tuple_ent;

typedef struct tuple_tab {
    tuple_ent *e;
    size_t cap, n;
    size_t recent[2];   /* index + 1 of the last two tuples added to: a segment's tcp:::send
                           and tcp:::receive add to a connection's two tuples in turn */
    size_t limit;       /* tuples held at most; a new one beyond goes to disk first */
} tuple_tab;

typedef struct proto_acc {
    const char *name;     /* "TCP", "UDP" */
    tuple_tab t;
    nta_bspill *spill;    /* the block's tuples beyond t.limit, sorted on disk (or NULL) */
    nta_agg *bytes;
    int64_t in, out;
    int64_t total_in, total_out;
} proto_acc;

/* A capture merged from different days can leave years between two packets: a block per
 * second of that would be billions of empty blocks (an endless run). A gap longer than this
 * many intervals is skipped whole and counted (the CLI says so on stderr). */
#define MAX_EMPTY_BLOCKS 1000u

/* 4-tuples a block keeps in memory per protocol before the table goes to disk as a sorted run
 * (MIN_TUPLES: the least, so that a small --max-flows does not make tiny runs). */
#define DEFAULT_TUPLES (1u << 19)
#define MIN_TUPLES 1024u

/* Block ends saturate here: a block reaching it is the last one and never closes (every event
 * later than that falls into it). Readers give times below 2^63 ns, dtrace text any 64-bit
 * value; an end computed past 2^64 wrapped around and printed empty blocks without end. */
#define LAST_END ((uint64_t)INT64_MAX)

static uint64_t end_after(uint64_t start, uint64_t iv)
{
    return start >= LAST_END || iv >= LAST_END - start ? LAST_END : start + iv;
}

typedef struct bytes_r {
    nta_report r;
    proto_acc p[2];
    uint64_t skipped_blocks;   /* empty blocks of long gaps, not printed */
    uint64_t block_start, block_end, last_ts;
    int have_block;
    /* shards: the block being filled, and where the first and last events were */
    uint64_t cur_block, first_pkt, first_clock, last_pkt;
    int have_first;
    FILE *jrows;           /* JSON: the rows so far (a temporary file) */
    uint64_t nrows;
    int csv_header;
} bytes_r;

/* %Y: "YYYY Mon DD HH:MM:SS", local time, day space-padded, nanoseconds dropped (ref. 5.6). */
static void fmt_Y(uint64_t ns, char *out, size_t cap)
{
    time_t s = (time_t)(ns / 1000000000u);
    struct tm tm;
    localtime_r(&s, &tm);
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    snprintf(out, cap, "%04d %s %2d %02d:%02d:%02d", tm.tm_year + 1900, mon[tm.tm_mon], tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* One JSON row as Jansson's JSON_INDENT(2) prints an object at depth 2 of the report's
 * document ({"...","rows":[{...}]}), formatted by hand: the rows of a long capture go to a
 * temporary file as their blocks close, so memory does not grow with them (issue 14), and no
 * JSON object is built per row. The keys need no escaping, nor do addresses. */
static void json_row(nta_line *t, int first, uint64_t start, uint64_t end, const char *proto,
                     const nta_aggkey *k, int64_t v)
{
    nta_line_str(t, first ? "\n    {\n      \"interval_start_ns\": " : ",\n    {\n      \"interval_start_ns\": ");
    nta_line_int_w(t, (int64_t)start, 0, 0);
    nta_line_str(t, ",\n      \"interval_end_ns\": ");
    nta_line_int_w(t, (int64_t)end, 0, 0);
    nta_line_str(t, ",\n      \"proto\": \"");
    nta_line_str(t, proto);
    nta_line_str(t, "\",\n      \"laddr\": \"");
    nta_line_str(t, k->p[0].s);
    nta_line_str(t, "\",\n      \"lport\": ");
    nta_line_int_w(t, k->p[1].i, 0, 0);
    nta_line_str(t, ",\n      \"raddr\": \"");
    nta_line_str(t, k->p[2].s);
    nta_line_str(t, "\",\n      \"rport\": ");
    nta_line_int_w(t, k->p[3].i, 0, 0);
    nta_line_str(t, ",\n      \"bytes\": ");
    nta_line_int_w(t, v, 0, 0);
    nta_line_str(t, "\n    }");
}

static void csv_row(nta_line *t, uint64_t end, const char *proto, const nta_aggkey *k, int64_t v)
{
    nta_line_num_w(t, end, 0, 0, 0);
    nta_line_str(t, ",");
    nta_line_str(t, proto);
    nta_line_str(t, ",");
    nta_line_str(t, k->p[0].s);
    nta_line_str(t, ",");
    nta_line_int_w(t, k->p[1].i, 0, 0);
    nta_line_str(t, ",");
    nta_line_str(t, k->p[2].s);
    nta_line_str(t, ",");
    nta_line_int_w(t, k->p[3].i, 0, 0);
    nta_line_str(t, ",");
    nta_line_int_w(t, v, 0, 0);
    nta_line_str(t, "\n");
}

typedef struct rows_ctx {
    bytes_r *b;
    proto_acc *p;
    uint64_t end;
    FILE *o;
    int json;
} rows_ctx;

static int row_out(const nta_aggkey *k, const nta_aggent *const *ents, int naggs, void *ctx)
{
    rows_ctx *c = ctx;
    (void)naggs;
    int64_t v = nta_agg_value(c->p->bytes, ents[0]);
    nta_line t;
    t.n = 0;
    if (c->json)
        json_row(&t, c->b->nrows++ == 0, c->b->block_start, c->end, c->p->name, k, v);
    else
        csv_row(&t, c->end, c->p->name, k, v);
    return fwrite(t.b, 1, t.n, c->o) != t.n ? -1 : 0;
}

static int rows_out(bytes_r *b, proto_acc *p, uint64_t end)
{
    int json = b->r.opts.fmt == NTA_RFMT_JSON;
    if (json && b->jrows == NULL
        && (b->jrows = nta_tmpfile(b->r.opts.tmpdir ? b->r.opts.tmpdir : "/tmp")) == NULL)
        return -1;
    FILE *o = json ? b->jrows : b->r.opts.stream;
    if (!json && !b->csv_header && nta_agg_count(p->bytes) > 0) {
        b->csv_header = 1;
        if (fputs("interval_end_ns,proto,laddr,lport,raddr,rport,bytes\n", o) == EOF)
            return -1;
    }
    rows_ctx c = { b, p, end, o, json };
    return nta_agg_walk(p->bytes, NTA_ORDER_VAL_KEY, row_out, &c) == 0 ? 0 : -1;
}

static uint64_t tuple_hash(const nta_addr *l, const nta_addr *r, uint16_t lp, uint16_t rp)
{
    uint64_t x[4];
    memcpy(x, l->b, 16);
    memcpy(x + 2, r->b, 16);
    uint64_t h = (x[0] ^ (x[1] * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
    h ^= (x[2] ^ (x[3] * 0xc2b2ae3d27d4eb4full)) + ((uint64_t)lp << 16 | rp) + l->family;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

static int tuple_grow(tuple_tab *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    tuple_ent *e = calloc(cap, sizeof *e);
    if (e == NULL)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->e[i].used)
            continue;
        size_t j = tuple_hash(&t->e[i].l, &t->e[i].r, t->e[i].lp, t->e[i].rp) & (cap - 1);
        while (e[j].used)
            j = (j + 1) & (cap - 1);
        e[j] = t->e[i];
    }
    free(t->e);
    t->e = e;
    t->cap = cap;
    t->recent[0] = t->recent[1] = 0;
    return 0;
}

static int tuple_is(const tuple_ent *e, const nta_addr *l, uint16_t lp, const nta_addr *r, uint16_t rp)
{
    return e->used && e->lp == lp && e->rp == rp && nta_addr_eq(&e->l, l) && nta_addr_eq(&e->r, r);
}

static int tuple_add(tuple_tab *t, const nta_addr *l, uint16_t lp, const nta_addr *r, uint16_t rp, int64_t n)
{
    for (int k = 0; k < 2; k++)
        if (t->recent[k] && tuple_is(&t->e[t->recent[k] - 1], l, lp, r, rp)) {
            t->e[t->recent[k] - 1].sum += n;
            return 0;
        }
    if (2 * (t->n + 1) > t->cap && tuple_grow(t) < 0)
        return -1;
    size_t j = tuple_hash(l, r, lp, rp) & (t->cap - 1);
    while (t->e[j].used) {
        tuple_ent *e = &t->e[j];
        if (tuple_is(e, l, lp, r, rp)) {
            e->sum += n;
            t->recent[1] = t->recent[0];
            t->recent[0] = j + 1;
            return 0;
        }
        j = (j + 1) & (t->cap - 1);
    }
    if (t->n == t->limit)
        return 1;   /* full: the caller spills the table and adds again */
    t->recent[1] = t->recent[0];
    t->recent[0] = j + 1;
    tuple_ent *e = &t->e[j];
    e->used = 1;
    e->l = *l;
    e->r = *r;
    e->lp = lp;
    e->rp = rp;
    e->sum = n;
    t->n++;
    return 0;
}

/* The distinct addresses of a block's tuples, each with its text (made once) and, for the
 * text rows, the rank of that text. Exact: open addressing, at most half full. */
typedef struct addr_rank {
    nta_addr a;
    uint32_t rank;
    char s[NTA_ADDR_STRLEN];
} addr_rank;

typedef struct addr_set {
    addr_rank *d;      /* room for 2 per tuple: no growth, so texts stay put */
    uint32_t *slots;   /* index + 1 into d, 0 free */
    uint32_t n;
    unsigned bits;
} addr_set;

static int addr_set_init(addr_set *s, size_t tuples)
{
    s->n = 0;
    s->bits = 2;
    while ((1ull << s->bits) < 4 * tuples)   /* 2 addresses per tuple at most, half full */
        s->bits++;
    s->d = malloc((tuples ? 2 * tuples : 1) * sizeof *s->d);
    s->slots = calloc((size_t)1 << s->bits, sizeof *s->slots);
    return s->d != NULL && s->slots != NULL ? 0 : -1;
}

static void addr_set_free(addr_set *s)
{
    free(s->d);
    free(s->slots);
}

/* Index of a in the set (added, with its text, when new). */
static uint32_t addr_set_index(addr_set *s, const nta_addr *a)
{
    uint32_t mask = (1u << s->bits) - 1, i = nta_addr_slot(a, s->bits);
    for (; s->slots[i] != 0; i = (i + 1) & mask)
        if (nta_addr_eq(&s->d[s->slots[i] - 1].a, a))
            return s->slots[i] - 1;
    s->d[s->n].a = *a;
    nta_addr_str(a, s->d[s->n].s);
    s->slots[i] = ++s->n;
    return s->n - 1;
}

/* The block's sums into the aggregation, under DTrace's string keys; the table empties. */
static int tuple_flush(proto_acc *p)
{
    tuple_tab *t = &p->t;
    addr_set as;
    if (addr_set_init(&as, t->n) < 0 || nta_agg_reserve(p->bytes, t->n) < 0) {
        addr_set_free(&as);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++) {
        tuple_ent *e = &t->e[i];
        if (!e->used)
            continue;
        nta_aggkey k;
        nta_aggkey_init(&k);
        nta_aggkey_str(&k, as.d[addr_set_index(&as, &e->l)].s);
        nta_aggkey_uint(&k, e->lp, 2);
        nta_aggkey_str(&k, as.d[addr_set_index(&as, &e->r)].s);
        nta_aggkey_uint(&k, e->rp, 2);
        if (nta_agg_add(p->bytes, &k, e->sum, 1) < 0) {
            addr_set_free(&as);
            return -1;
        }
        e->used = 0;
    }
    t->n = 0;
    addr_set_free(&as);
    return 0;
}

/* ---- a block's text rows straight from the table ----
 * printa("%-15s %5d %-15s %5d %@9d\n", @bytes) without building the aggregation: the same
 * order (the value, then the key's parts: address text by strcmp, port unsigned) from integer
 * ranks of the block's few distinct address texts. Building, sorting and printing 33,000
 * string-keyed entries was a tenth of report --all's time on mix.pcap, after the input ended. */

typedef struct text_row {
    int64_t v;
    uint32_t lr, rr;   /* ranks of the address texts */
    uint16_t lp, rp;
} text_row;

static int by_text(const void *x, const void *y, void *arg)
{
    const addr_rank *a = arg;
    return strcmp(a[*(const uint32_t *)x].s, a[*(const uint32_t *)y].s);
}

static int by_row(const void *x, const void *y)
{
    const text_row *a = x, *b = y;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    if (a->lr != b->lr)
        return a->lr < b->lr ? -1 : 1;
    if (a->lp != b->lp)
        return a->lp < b->lp ? -1 : 1;
    if (a->rr != b->rr)
        return a->rr < b->rr ? -1 : 1;
    return a->rp < b->rp ? -1 : a->rp > b->rp;
}

/* One row as printa("%-15s %5d %-15s %5d %@9d\n") prints it. */
static void put_text_row(nta_line *l, const char *la, uint16_t lp, const char *ra, uint16_t rp, int64_t v)
{
    nta_line_str_w(l, la, 15, 1);
    nta_line_str(l, " ");
    nta_line_num_w(l, lp, 0, 5, 0);
    nta_line_str(l, " ");
    nta_line_str_w(l, ra, 15, 1);
    nta_line_str(l, " ");
    nta_line_num_w(l, rp, 0, 5, 0);
    nta_line_str(l, " ");
    nta_line_int_w(l, v, 9, 0);
    nta_line_str(l, "\n");
}

/* 1 when printed; 0 when two addresses print alike (the aggregation merges their keys: the
 * caller takes that way); -1 on no memory or a write error. The table is left as it was. */
static int rows_text(FILE *o, const tuple_tab *t)
{
    size_t n = t->n;
    if (n == 0)
        return 1;
    addr_set as;
    int rc = -1, ok = addr_set_init(&as, n) == 0;
    addr_rank *d = as.d;
    uint32_t *order = malloc(2 * n * sizeof *order);
    text_row *rows = malloc(n * sizeof *rows);
    if (!ok || order == NULL || rows == NULL)
        goto out;
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++) {
        const tuple_ent *e = &t->e[i];
        if (!e->used)
            continue;
        rows[k].v = e->sum;
        rows[k].lr = addr_set_index(&as, &e->l);
        rows[k].rr = addr_set_index(&as, &e->r);
        rows[k].lp = e->lp;
        rows[k].rp = e->rp;
        k++;
    }
    uint32_t nd = as.n;
    for (uint32_t i = 0; i < nd; i++)
        order[i] = i;
    qsort_r(order, nd, sizeof *order, by_text, d);
    for (uint32_t i = 0; i < nd; i++) {
        if (i > 0 && strcmp(d[order[i]].s, d[order[i - 1]].s) == 0) {
            rc = 0;
            goto out;
        }
        d[order[i]].rank = i;
    }
    for (size_t i = 0; i < k; i++) {
        rows[i].lr = d[rows[i].lr].rank;
        rows[i].rr = d[rows[i].rr].rank;
    }
    qsort(rows, k, sizeof *rows, by_row);
    for (uint32_t i = 0; i < nd; i++)   /* rank -> text */
        order[d[i].rank] = i;
    rc = 1;
    for (size_t i = 0; i < k && rc == 1; i++) {
        nta_line l;
        l.n = 0;
        put_text_row(&l, d[order[rows[i].lr]].s, rows[i].lp, d[order[rows[i].rr]].s, rows[i].rp,
                     rows[i].v);
        if (fwrite(l.b, 1, l.n, o) != l.n)
            rc = -1;
    }
out:
    addr_set_free(&as);
    free(order);
    free(rows);
    return rc;
}

static void tuple_clear(tuple_tab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        t->e[i].used = 0;
    t->n = 0;
}

/* ---- blocks with more tuples than memory holds (issue 14) ----
 * The table is written out as a sorted run and emptied; at the block's end the runs come back
 * in printa's order (reports/bytes_spill.c), rendered as the in-memory rows are. */

static int spill_table(bytes_r *b, proto_acc *p)
{
    tuple_tab *t = &p->t;
    if (p->spill == NULL
        && (p->spill = nta_bspill_new(b->r.opts.tmpdir, t->limit)) == NULL)
        return -1;
    nta_brow *rows = malloc((t->n ? t->n : 1) * sizeof *rows);
    if (rows == NULL)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++) {
        const tuple_ent *e = &t->e[i];
        if (!e->used)
            continue;
        rows[k].v = e->sum;
        rows[k].lp = e->lp;
        rows[k].rp = e->rp;
        nta_addr_str(&e->l, rows[k].l);
        nta_addr_str(&e->r, rows[k].r);
        k++;
    }
    int rc = nta_bspill_add_run(p->spill, rows, k);
    free(rows);
    tuple_clear(t);
    return rc;
}

/* Adds n under the tuple; a full table goes to disk first (then the tuple starts the next run).
 * 0, or -1 with errno (no memory, or the temporary file failed). */
static int tuple_put(bytes_r *b, proto_acc *p, const nta_addr *l, uint16_t lp, const nta_addr *r,
                     uint16_t rp, int64_t n)
{
    int rc = tuple_add(&p->t, l, lp, r, rp, n);
    if (rc > 0)
        rc = spill_table(b, p) < 0 ? -1 : tuple_add(&p->t, l, lp, r, rp, n);
    return rc;
}

typedef struct spill_ctx {
    bytes_r *b;
    proto_acc *p;
    uint64_t end;
    FILE *o;
    int fmt;
} spill_ctx;

static int spilled_row(const nta_brow *row, void *ctx)
{
    spill_ctx *c = ctx;
    nta_line l;
    l.n = 0;
    if (c->fmt == NTA_RFMT_TEXT) {
        put_text_row(&l, row->l, row->lp, row->r, row->rp, row->v);
    } else {
        nta_aggkey k;
        nta_aggkey_init(&k);
        nta_aggkey_str(&k, row->l);
        nta_aggkey_uint(&k, row->lp, 2);
        nta_aggkey_str(&k, row->r);
        nta_aggkey_uint(&k, row->rp, 2);
        if (c->fmt == NTA_RFMT_JSON)
            json_row(&l, c->b->nrows++ == 0, c->b->block_start, c->end, c->p->name, &k, row->v);
        else
            csv_row(&l, c->end, c->p->name, &k, row->v);
    }
    return fwrite(l.b, 1, l.n, c->o) != l.n ? -1 : 0;
}

/* The block's rows from disk: the table joins the runs first. */
static int spilled_rows(bytes_r *b, proto_acc *p, uint64_t end)
{
    int fmt = b->r.opts.fmt;
    if (spill_table(b, p) < 0)
        return -1;
    if (fmt == NTA_RFMT_JSON && b->jrows == NULL
        && (b->jrows = nta_tmpfile(b->r.opts.tmpdir ? b->r.opts.tmpdir : "/tmp")) == NULL)
        return -1;
    FILE *o = fmt == NTA_RFMT_JSON ? b->jrows : b->r.opts.stream;
    if (fmt == NTA_RFMT_CSV && !b->csv_header) {
        b->csv_header = 1;
        if (fputs("interval_end_ns,proto,laddr,lport,raddr,rport,bytes\n", o) == EOF)
            return -1;
    }
    spill_ctx c = { b, p, end, o, fmt };
    return nta_bspill_drain(p->spill, spilled_row, &c) == 0 ? 0 : -1;
}

/* One tick of the script for TCP, then for UDP. */
static int close_block(bytes_r *b, uint64_t wall)
{
    FILE *o = b->r.opts.stream;
    int text = b->r.opts.fmt == NTA_RFMT_TEXT;
    for (int i = 0; i < 2 && !text; i++)
        if ((b->p[i].spill == NULL || nta_bspill_runs(b->p[i].spill) == 0)
            && tuple_flush(&b->p[i]) < 0)
            return -1;
    for (int i = 0; i < 2; i++) {
        proto_acc *p = &b->p[i];
        int spilling = p->spill != NULL && nta_bspill_runs(p->spill) > 0;
        if (text) {
            char y[64];
            fmt_Y(wall, y, sizeof y);
            int64_t in = p->in / 1024, out = p->out / 1024;
            if (fprintf(o, "%s, %s in: %6" PRId64 "KB, %s out: %6" PRId64 "KB, %s total: %6" PRId64
                        "KB\n", y, p->name, in, p->name, out, p->name, in + out) < 0
                || fprintf(o, "%-15s %5s %-15s %5s %9s\n", "LADDR", "LPORT", "RADDR", "RPORT",
                           "SIZE") < 0)
                return -1;
            int done = spilling ? spilled_rows(b, p, wall) == 0 : rows_text(o, &p->t);
            if (done < 0 || (spilling && !done))
                return -1;
            if (done) {
                tuple_clear(&p->t);
            } else if (tuple_flush(p) < 0
                       || nta_text_printa(o, "%-15s %5d %-15s %5d %@9d\n", &p->bytes, 1) < 0) {
                return -1;
            }
            if (fputc('\n', o) == EOF)
                return -1;
        } else if (spilling ? spilled_rows(b, p, wall) < 0 : rows_out(b, p, wall) < 0) {
            return -1;
        }
        nta_agg_clear(p->bytes);
        p->in = p->out = 0;
    }
    return 0;
}

/* The clock that closes blocks: the run's clock at the event's packet (event/probes.h), the
 * latest capture time of any packet so far, so that a shard, seeing some of the packets, puts
 * each event in the block one run puts it in (for packets in time order it is the event's own
 * time). Events read from dtrace text carry no position: their own time. */
static uint64_t event_clock(const nta_event *ev)
{
    if (ev->pos != NULL && ev->pos->when == NTA_WHEN_PACKET && ev->pos->clock_ns > ev->ts_ns)
        return ev->pos->clock_ns;
    return ev->ts_ns;
}

/* Closes the blocks that end at or before ts. Out of line: the per-event path stays as short as
 * it was before block ends saturated (callgrind: 7 instructions an event more when inlined). */
static __attribute__((noinline)) int next_blocks(bytes_r *b, uint64_t ts, uint64_t iv)
{
    while (ts >= b->block_end && b->block_end != LAST_END) {
        if (close_block(b, b->block_end) < 0)   /* ticks with nothing in them print too */
            return -1;
        b->block_start = b->block_end;
        b->block_end = end_after(b->block_start, iv);
        /* empty blocks before the one ts falls in (or before the last one) */
        uint64_t t = ts < LAST_END ? ts : LAST_END - 1;
        uint64_t empty = (t - b->block_start) / iv;
        if (empty > MAX_EMPTY_BLOCKS) {
            b->skipped_blocks += empty;
            b->block_start += empty * iv;
            b->block_end = end_after(b->block_start, iv);
        }
    }
    return 0;
}

/* The clock reached t: the first block starts (at the plan's origin in a merge), or the
 * blocks t has passed close. Block ends saturate at 2^63-1 ns (LAST_END): a time at the far end
 * of the range falls in the last block instead of wrapping the arithmetic. */
static int advance(bytes_r *b, uint64_t t)
{
    uint64_t iv = b->r.opts.interval_ns;
    if (!b->have_block) {
        uint64_t start = b->r.opts.origin_ns != NULL ? *b->r.opts.origin_ns : t;
        b->have_block = 1;
        b->block_start = start < LAST_END ? start : LAST_END;
        b->block_end = iv ? end_after(start, iv) : LAST_END;
    }
    if (iv && t >= b->block_end && b->block_end != LAST_END)
        return next_blocks(b, t, iv);
    return 0;
}

static int save_block(bytes_r *b);

static int on_event(nta_report *r, const nta_event *ev)
{
    bytes_r *b = (bytes_r *)r;
    int tcp = ev->probe == NTA_PROBE_TCP_SEND || ev->probe == NTA_PROBE_TCP_RECEIVE;
    int udp = ev->probe == NTA_PROBE_UDP_SEND || ev->probe == NTA_PROBE_UDP_RECEIVE;
    if (!tcp && !udp)
        return 0;
    uint64_t t = event_clock(ev);
    if (r->opts.saver != NULL) {
        /* a shard: blocks are numbered from the plan's origin and saved whole as they end */
        uint64_t iv = r->opts.interval_ns, o = r->opts.origin_ns != NULL ? *r->opts.origin_ns : t;
        uint64_t tc = t < LAST_END ? t : LAST_END - 1;   /* the last block holds the rest */
        uint64_t block = iv && tc > o ? (tc - o) / iv : 0;
        if (b->have_block && block != b->cur_block && save_block(b) < 0)
            return -1;
        if (!b->have_first) {
            b->have_first = 1;
            b->first_pkt = ev->pos != NULL ? ev->pos->pkt : 0;
            b->first_clock = t;
        }
        b->last_pkt = ev->pos != NULL ? ev->pos->pkt : 0;
        b->have_block = 1;
        b->cur_block = block;
    } else if (advance(b, t) < 0) {
        return -1;
    }
    b->last_ts = ev->ts_ns;
    int sending = ev->probe == NTA_PROBE_TCP_SEND || ev->probe == NTA_PROBE_UDP_SEND;
    proto_acc *p = &b->p[udp];
    int64_t n = tcp ? (int64_t)ev->ip->ip_plength - ev->tcp->tcp_offset : (int64_t)ev->udp->udp_length - 8;
    uint16_t sport = tcp ? ev->tcp->tcp_sport : ev->udp->udp_sport;
    uint16_t dport = tcp ? ev->tcp->tcp_dport : ev->udp->udp_dport;
    if (sending) {
        p->out += n;
        p->total_out += n;
    } else {
        p->in += n;
        p->total_in += n;
    }
    const nta_addr *src = &ev->ip->ip_saddr, *dst = &ev->ip->ip_daddr;
    const nta_addr *l = sending ? src : dst, *ra = sending ? dst : src;
    uint16_t lp = sending ? sport : dport, rp = sending ? dport : sport;
    return tuple_put(b, p, l, lp, ra, rp, n);
}

/* ---- shards: a block's sums per 4-tuple, saved when it ends; merged block by block ----
 * A block chunk: uv block index (the order key), then per protocol (TCP, UDP): sv in, sv out,
 * uv tuples, each (address, uv lport, address, uv rport, sv bytes). The last chunk (key
 * UINT64_MAX) says which packets held the shard's first and last events: u8 any, uv first
 * packet, uv its clock, uv last packet, uv its time. */

static int save_block(bytes_r *b)
{
    nta_buf o = { 0 };
    nta_buf_uv(&o, b->cur_block);
    for (int i = 0; i < 2; i++) {
        proto_acc *p = &b->p[i];
        nta_buf_sv(&o, p->in);
        nta_buf_sv(&o, p->out);
        nta_buf_uv(&o, p->t.n);
        for (size_t k = 0; k < p->t.cap; k++) {
            tuple_ent *e = &p->t.e[k];
            if (!e->used)
                continue;
            nta_buf_addr(&o, &e->l);
            nta_buf_uv(&o, e->lp);
            nta_buf_addr(&o, &e->r);
            nta_buf_uv(&o, e->rp);
            nta_buf_sv(&o, e->sum);
        }
        tuple_clear(&p->t);
        p->in = p->out = 0;
    }
    const nta_report_saver *sv = b->r.opts.saver;
    int rc = o.failed ? -1 : sv->state(sv->ctx, b->r.opts.chan, o.p, o.n);
    nta_buf_free(&o);
    return rc < 0 ? -1 : 0;
}

static int save(nta_report *r)
{
    bytes_r *b = (bytes_r *)r;
    if (b->have_block && save_block(b) < 0)
        return -1;
    nta_buf o = { 0 };
    nta_buf_uv(&o, UINT64_MAX);
    nta_buf_u8(&o, (uint8_t)b->have_first);
    nta_buf_uv(&o, b->first_pkt);
    nta_buf_uv(&o, b->first_clock);
    nta_buf_uv(&o, b->last_pkt);
    nta_buf_uv(&o, b->last_ts);
    const nta_report_saver *sv = r->opts.saver;
    int rc = o.failed ? -1 : sv->state(sv->ctx, r->opts.chan, o.p, o.n);
    nta_buf_free(&o);
    return rc < 0 ? -1 : 0;
}

static int load_summary(bytes_r *b, nta_cur *c, nta_err *err)
{
    uint8_t any;
    uint64_t fp, fc, lp, lt;
    if (nta_cur_u8(c, &any) < 0 || nta_cur_uv(c, &fp) < 0 || nta_cur_uv(c, &fc) < 0
        || nta_cur_uv(c, &lp) < 0 || nta_cur_uv(c, &lt) < 0 || c->left != 0)
        return nta_err_set(err, NTA_ECORRUPT, "damaged bytes state");
    if (!any)
        return 0;
    if (!b->have_first || fp < b->first_pkt) {
        b->first_pkt = fp;
        b->first_clock = fc;
    }
    if (!b->have_first || lp >= b->last_pkt) {
        b->last_pkt = lp;
        b->last_ts = lt;
    }
    b->have_first = 1;
    return 0;
}

static int load_block(bytes_r *b, uint64_t block, nta_cur *c, nta_err *err)
{
    uint64_t iv = b->r.opts.interval_ns, o = b->r.opts.origin_ns != NULL ? *b->r.opts.origin_ns : 0;
    if (b->r.opts.origin_ns == NULL)
        return nta_err_set(err, NTA_ECORRUPT, "--bytes blocks, but the plan has no packet for them");
    if (iv && block > (UINT64_MAX - o) / iv)
        return nta_err_set(err, NTA_ECORRUPT, "a bytes block beyond time");
    if (advance(b, o + block * iv) < 0)
        return nta_err_set(err, NTA_EIO, "writing the bytes report failed");
    for (int i = 0; i < 2; i++) {
        proto_acc *p = &b->p[i];
        int64_t in, out;
        uint64_t n;
        if (nta_cur_sv(c, &in) < 0 || nta_cur_sv(c, &out) < 0 || nta_cur_uv(c, &n) < 0 || n > c->left)
            return nta_err_set(err, NTA_ECORRUPT, "damaged bytes block");
        p->in += in;
        p->out += out;
        p->total_in += in;
        p->total_out += out;
        for (uint64_t k = 0; k < n; k++) {
            nta_addr l, r;
            uint64_t lp, rp;
            int64_t sum;
            if (nta_cur_addr(c, &l) < 0 || nta_cur_uv_max(c, 65535, &lp) < 0 || nta_cur_addr(c, &r) < 0
                || nta_cur_uv_max(c, 65535, &rp) < 0 || nta_cur_sv(c, &sum) < 0)
                return nta_err_set(err, NTA_ECORRUPT, "damaged bytes block");
            if (tuple_put(b, p, &l, (uint16_t)lp, &r, (uint16_t)rp, sum) < 0)
                return nta_err_set(err, NTA_EIO, "the bytes report's tuples: %s (temporary "
                                   "files go to TMPDIR, else /tmp)", strerror(errno));
        }
    }
    return c->left == 0 ? 0 : nta_err_set(err, NTA_ECORRUPT, "damaged bytes block");
}

static int load(nta_report *r, uint64_t key, const uint8_t *p, size_t n, nta_err *err)
{
    bytes_r *b = (bytes_r *)r;
    if (p == NULL) {
        /* the plan said where the first block starts: the shards' first event must agree */
        if (b->have_first && (r->opts.origin_ns == NULL || b->first_clock != *r->opts.origin_ns))
            return nta_err_set(err, NTA_ECORRUPT, "the plan puts the first --bytes event at "
                               "%llu ns, the shards at %llu ns",
                               (unsigned long long)(r->opts.origin_ns ? *r->opts.origin_ns : 0),
                               (unsigned long long)b->first_clock);
        return 0;
    }
    nta_cur c = nta_cur_make(p, n);
    return key == UINT64_MAX ? load_summary(b, &c, err) : load_block(b, key, &c, err);
}

/* The last block: at the end of the input (its time is the last event's). */
static int finish(nta_report *r)
{
    bytes_r *b = (bytes_r *)r;
    return close_block(b, b->have_block ? (r->opts.interval_ns ? b->block_end : b->last_ts) : 0);
}

static int write_text(nta_report *r, FILE *o)
{
    (void)o;
    if (finish(r) < 0)
        return -1;
    return fputc('\n', r->opts.stream) == EOF ? -1 : 0;   /* dtrace's newline at exit */
}

static int write_csv(nta_report *r, FILE *o)
{
    bytes_r *b = (bytes_r *)r;
    (void)o;
    if (finish(r) < 0)
        return -1;
    if (!b->csv_header)
        return fputs("interval_end_ns,proto,laddr,lport,raddr,rport,bytes\n", r->opts.stream) == EOF ? -1 : 0;
    return 0;
}

static json_t *json_rows(nta_report *r)
{
    (void)r;
    return NULL;   /* written by write_json_rows */
}

/* The rows array at depth 1, as JSON_INDENT(2) prints it: "[]" when empty. */
static int write_json_rows(nta_report *r, FILE *o)
{
    bytes_r *b = (bytes_r *)r;
    if (finish(r) < 0)
        return -1;
    if (b->nrows == 0)
        return fputs("[]", o) == EOF ? -1 : 0;
    if (fputc('[', o) == EOF || fflush(b->jrows) != 0)
        return -1;
    rewind(b->jrows);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, b->jrows)) > 0)
        if (fwrite(buf, 1, n, o) != n)
            return -1;
    return ferror(b->jrows) || fputs("\n  ]", o) == EOF ? -1 : 0;
}

static int metric(nta_report *r, const char *name, double *v)
{
    bytes_r *b = (bytes_r *)r;
    static const char *const names[] = { "bytes.tcp_in", "bytes.tcp_out", "bytes.udp_in",
                                         "bytes.udp_out" };
    if (strcmp(name, "bytes.skipped_intervals") == 0) {
        *v = (double)b->skipped_blocks;
        return 0;
    }
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            proto_acc *p = &b->p[i / 2];
            *v = (double)(i % 2 ? p->total_out : p->total_in);
            return 0;
        }
    return -1;
}

static void free_bytes(nta_report *r)
{
    bytes_r *b = (bytes_r *)r;
    nta_agg_free(b->p[0].bytes);
    nta_agg_free(b->p[1].bytes);
    free(b->p[0].t.e);
    free(b->p[1].t.e);
    nta_bspill_free(b->p[0].spill);
    nta_bspill_free(b->p[1].spill);
    if (b->jrows != NULL)
        fclose(b->jrows);
    free(b);
}

nta_report *nta_report_bytes(const nta_report_opts *o)
{
    bytes_r *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->p[0].name = "TCP";
    b->p[1].name = "UDP";
    /* the bound of issue 14: two tuples per connection --max-flows keeps, else a default that
     * keeps a few hundred thousand connections' sums in memory (~60 MB) */
    size_t limit = o->max_flows ? 2 * (size_t)o->max_flows : DEFAULT_TUPLES;
    if (limit < MIN_TUPLES)
        limit = MIN_TUPLES;
    if (o->saver != NULL)   /* a shard saves each block's table whole (save_block): no runs */
        limit = SIZE_MAX;
    b->p[0].t.limit = b->p[1].t.limit = limit;
    b->p[0].bytes = nta_agg_new(NTA_AGG_SUM, 0, 0, 0);
    b->p[1].bytes = nta_agg_new(NTA_AGG_SUM, 0, 0, 0);
    b->r.name = "bytes";
    b->r.streaming = o->fmt != NTA_RFMT_JSON;
    b->r.on_event = on_event;
    b->r.write_text = write_text;
    b->r.write_csv = write_csv;
    b->r.json_rows = json_rows;
    b->r.write_json_rows = write_json_rows;
    b->r.metric = metric;
    b->r.free = free_bytes;
    b->r.save = save;
    b->r.load = load;
    b->r.opts = *o;
    if (b->p[0].bytes == NULL || b->p[1].bytes == NULL) {
        free_bytes(&b->r);
        return NULL;
    }
    return &b->r;
}
