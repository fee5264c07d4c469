/* shard/merge.c: checking a set of shard files and merging them (see merge.h).
 *
 * Each file is read through three record streams (MAIN, TIMR, ENDS) and one stream per state
 * channel, each with a buffer of its own (shard_file.c): memory grows with the number of files,
 * not with their size. Heads of the streams sit in binary heaps (a few dozen files are the
 * common case, thousands possible). */
#include "shard/merge.h"

#include <stdlib.h>
#include <string.h>

#include "formats/decode.h"
#include "shard/shard_file.h"

typedef struct part {
    nta_shardr *r;
    nta_shard_stream st[3];       /* MAIN, TIMR, ENDS */
    nta_event_pos head[3];        /* each stream's next group */
    uint64_t nrec[3];
    int live[3];
    nta_shard_stream chunk;       /* the channel being merged */
    uint64_t key;                 /* its next chunk's key */
    const uint8_t *cp;
    size_t cn;
} part;

struct nta_merge {
    part *parts;
    int n;
    nta_plan *plan;
    uint32_t *idx;                /* the union of the files' shard indices */
    uint32_t nidx;
    nta_run_info info;
    nta_input_info *inputs;
    uint64_t skipped[24];
    const char *reasons[24];
    int nreasons;
};

void nta_merge_free(nta_merge *m)
{
    if (m == NULL)
        return;
    for (int i = 0; m->parts != NULL && i < m->n; i++)
        nta_shardr_free(m->parts[i].r);
    free(m->parts);
    free(m->idx);
    free(m->inputs);
    nta_plan_free(m->plan);
    free(m);
}

static int set_error(nta_err *err, int code, const char *path, const char *fmt, const char *a,
                     const char *b)
{
    nta_err_set(err, code, fmt, a, b);
    snprintf(err->file, sizeof err->file, "%s", path);
    return code;
}

/* Another file of the set: the same plan, kind and options as the first, no shard twice. */
static int check_member(nta_merge *m, int i, nta_err *err)
{
    const nta_shard_head *h = nta_shardr_head(m->parts[i].r), *h0 = nta_shardr_head(m->parts[0].r);
    const char *path = nta_shardr_path(m->parts[i].r), *p0 = nta_shardr_path(m->parts[0].r);
    size_t na, nb;
    const uint8_t *oa = nta_shardr_opts(m->parts[i].r, &na), *ob = nta_shardr_opts(m->parts[0].r, &nb);
    if (strcmp(h->plan_id, h0->plan_id) != 0)
        return set_error(err, NTA_EUSAGE, path, "belongs to another plan (%s) than %s", h->plan_id, p0);
    if (h->kind != h0->kind || na != nb || memcmp(oa, ob, na) != 0)
        return set_error(err, NTA_EUSAGE, path, "was made by another command or options (%s) than "
                         "%s", h->kind == NTA_SHARD_REPORT ? "report" : h->kind == NTA_SHARD_EVENTS ? "events"
                         : "run", p0);
    for (int j = 0; j < i; j++) {
        const nta_shard_head *g = nta_shardr_head(m->parts[j].r);
        for (uint32_t a = 0; a < h->nidx; a++)
            for (uint32_t b = 0; b < g->nidx; b++)
                if (h->idx[a] == g->idx[b]) {
                    char what[32];
                    snprintf(what, sizeof what, "%u", h->idx[a]);
                    return set_error(err, NTA_EUSAGE, path, "holds shard %s, as %s does: a shard "
                                     "given twice", what, nta_shardr_path(m->parts[j].r));
                }
    }
    return 0;
}

static int add_indices(nta_merge *m, const nta_shard_head *h)
{
    uint32_t *u = realloc(m->idx, (m->nidx + h->nidx) * sizeof *u);
    if (u == NULL)
        return NTA_ENOMEM;
    m->idx = u;
    for (uint32_t i = 0; i < h->nidx; i++) {   /* insertion keeps the union sorted */
        uint32_t v = h->idx[i], k = m->nidx++;
        while (k > 0 && u[k - 1] > v) {
            u[k] = u[k - 1];
            k--;
        }
        u[k] = v;
    }
    return 0;
}

/* The run info one run would have filled: the plan's inputs and decisions, the shards' sums. */
static int make_info(nta_merge *m, nta_err *err)
{
    nta_plan *p = m->plan;
    nta_run_info *in = &m->info;
    m->inputs = calloc((size_t)p->ninputs, sizeof *m->inputs);
    if (m->inputs == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    uint64_t bad = 0;
    for (int i = 0; i < p->ninputs; i++) {
        m->inputs[i] = *nta_plan_input_info(p, i);
        bad += m->inputs[i].bad_records;
    }
    in->ninputs = p->ninputs;
    in->inputs = m->inputs;
    in->known = NTA_F_ALL;
    in->probes = (1u << NTA_PROBE__COUNT) - 1;
    in->traced = p->traced;
    in->filtered = p->filtered;
    in->max_flows = p->max_flows;
    const nta_shard_info *s0 = nta_shardr_info(m->parts[0].r);
    in->nskipped = s0->nskipped;
    for (int k = 0; k < s0->nskipped; k++) {
        in->skipped[k].reason = s0->skipped[k].reason;
        in->skipped[k].count = strcmp(s0->skipped[k].reason, nta_skip_name(NTA_SKIP_BAD_RECORD)) == 0
                               ? bad : 0;
    }
    for (int i = 0; i < m->n; i++) {
        const nta_shard_info *s = nta_shardr_info(m->parts[i].r);
        if (s->nskipped != s0->nskipped)
            return set_error(err, NTA_ECORRUPT, nta_shardr_path(m->parts[i].r),
                             "counts skipped packets by other reasons than %s%s",
                             nta_shardr_path(m->parts[0].r), "");
        in->packets += s->packets;
        in->connections += s->connections;
        in->midstream += s->midstream;
        in->evicted += s->evicted;
        in->events += s->events;
        for (int k = 0; k < s->nskipped; k++)
            in->skipped[k].count += s->skipped[k].count;
    }
    return 0;
}

int nta_merge_open_readers(nta_merge **out, nta_shardr **readers, int n, nta_plan *plan,
                           nta_err *err)
{
    *out = NULL;
    nta_merge *m = calloc(1, sizeof *m);
    int rc = 0;
    if (m == NULL || n < 1 || (m->parts = calloc((size_t)n, sizeof *m->parts)) == NULL) {
        rc = nta_err_set(err, n < 1 ? NTA_EUSAGE : NTA_ENOMEM, n < 1 ? "no shard files given"
                                                                     : "out of memory");
        for (int i = 0; i < n; i++)
            nta_shardr_free(readers[i]);
        nta_plan_free(plan);
        free(m);
        return rc;
    }
    m->plan = plan;
    for (int i = 0; i < n; i++)
        m->parts[i].r = readers[i];
    m->n = n;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (rc = check_member(m, i, err)) < 0)
            goto fail;
        if ((rc = add_indices(m, nta_shardr_head(m->parts[i].r))) < 0) {
            nta_err_set(err, rc, "out of memory");
            goto fail;
        }
    }
    const nta_shard_head *h0 = nta_shardr_head(m->parts[0].r);
    if (m->plan == NULL) {
        size_t len;
        const char *text = nta_shardr_plan(m->parts[0].r, &len);
        if ((rc = nta_plan_parse(&m->plan, text, len, err)) < 0) {
            snprintf(err->file, sizeof err->file, "%s", nta_shardr_path(m->parts[0].r));
            goto fail;
        }
        if (strcmp(m->plan->id, h0->plan_id) != 0 || m->plan->shards != h0->count) {
            rc = set_error(err, NTA_ECORRUPT, nta_shardr_path(m->parts[0].r), "its plan (%s) is "
                           "not the one its header names (%s)", m->plan->id, h0->plan_id);
            goto fail;
        }
    }
    if ((rc = make_info(m, err)) < 0)
        goto fail;
    *out = m;
    return 0;
fail:
    nta_merge_free(m);
    return rc;
}

int nta_merge_open(nta_merge **out, char *const *paths, int n, nta_err *err)
{
    *out = NULL;
    nta_shardr **rs = calloc((size_t)(n > 0 ? n : 1), sizeof *rs);
    if (rs == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = nta_shardr_open(&rs[i], paths[i], err);
    if (rc == 0)
        rc = nta_merge_open_readers(out, rs, n, NULL, err);
    else
        for (int i = 0; i < n; i++)
            nta_shardr_free(rs[i]);
    free(rs);
    return rc;
}

int nta_merge_check_complete(const nta_merge *m, nta_err *err)
{
    uint32_t count = m->plan->shards, missing = 0, first = 0;
    char list[200] = "";
    size_t used = 0;
    for (uint32_t k = 0, j = 0; k < count; k++) {
        if (j < m->nidx && m->idx[j] == k) {
            j++;
            continue;
        }
        if (missing++ == 0)
            first = k;
        if (used < sizeof list - 16)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%u", missing > 1 ? ", " : "", k);
    }
    if (missing == 0) {
        /* every shard there, and together they analysed every packet the plan counted: a
         * shard that could not read an input (another folder, a file replaced) is caught */
        if (m->info.packets != m->plan->packets)
            return nta_err_set(err, NTA_EUSAGE, "the shards analysed %llu packets, the plan "
                               "counts %llu: a shard did not read the inputs the plan read",
                               (unsigned long long)m->info.packets,
                               (unsigned long long)m->plan->packets);
        return 0;
    }
    (void)first;
    return nta_err_set(err, NTA_EUSAGE, "shard%s %s%s of %u (plan %.12s) %s missing",
                       missing > 1 ? "s" : "", list, used >= sizeof list - 16 ? ", ..." : "", count,
                       m->plan->id, missing > 1 ? "are" : "is");
}

uint32_t nta_merge_kind(const nta_merge *m) { return nta_shardr_head(m->parts[0].r)->kind; }
const uint8_t *nta_merge_opts(const nta_merge *m, size_t *len) { return nta_shardr_opts(m->parts[0].r, len); }
const nta_plan *nta_merge_plan(const nta_merge *m) { return m->plan; }
const nta_run_info *nta_merge_info(const nta_merge *m) { return &m->info; }

/* ---- heaps of stream heads ---- */

/* -1, 0, 1 as part a's head of stream s comes before b's (ties: the file given first). */
static int cmp_head(const nta_merge *m, int s, int a, int b)
{
    const nta_event_pos *x = &m->parts[a].head[s], *y = &m->parts[b].head[s];
    uint64_t kx[3], ky[3];
    if (s == 0) {
        kx[0] = x->pkt; ky[0] = y->pkt; kx[1] = ky[1] = kx[2] = ky[2] = 0;
    } else if (s == 1) {
        kx[0] = x->clock_ns; kx[1] = x->rank; kx[2] = x->pkt;
        ky[0] = y->clock_ns; ky[1] = y->rank; ky[2] = y->pkt;
    } else {
        kx[0] = x->rank; kx[1] = x->clock_ns; kx[2] = x->pkt;
        ky[0] = y->rank; ky[1] = y->clock_ns; ky[2] = y->pkt;
    }
    for (int i = 0; i < 3; i++)
        if (kx[i] != ky[i])
            return kx[i] < ky[i] ? -1 : 1;
    return a < b ? -1 : a > b;
}

typedef struct heap {
    int *h;
    int n;
    int s;        /* which stream, or 3 for state chunks */
} heap;

static int before(const nta_merge *m, const heap *hp, int a, int b)
{
    if (hp->s < 3)
        return cmp_head(m, hp->s, a, b) < 0;
    uint64_t ka = m->parts[a].key, kb = m->parts[b].key;
    return ka != kb ? ka < kb : a < b;
}

static void sift_down(const nta_merge *m, heap *hp, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, best = i;
        if (l < hp->n && before(m, hp, hp->h[l], hp->h[best]))
            best = l;
        if (r < hp->n && before(m, hp, hp->h[r], hp->h[best]))
            best = r;
        if (best == i)
            return;
        int t = hp->h[i];
        hp->h[i] = hp->h[best];
        hp->h[best] = t;
        i = best;
    }
}

static void heap_build(const nta_merge *m, heap *hp)
{
    for (int i = hp->n / 2 - 1; i >= 0; i--)
        sift_down(m, hp, i);
}

/* The top went on to its next head (or ended: removed). */
static void heap_fix_top(const nta_merge *m, heap *hp, int alive)
{
    if (!alive)
        hp->h[0] = hp->h[--hp->n];
    if (hp->n > 0)
        sift_down(m, hp, 0);
}

/* ---- record streams ---- */

static const char *const tags[3] = { "MAIN", "TIMR", "ENDS" };

static int next_head(part *p, int s)
{
    int rc = nta_shard_next_group(&p->st[s], &p->head[s], &p->nrec[s]);
    p->live[s] = rc == 1;
    return rc < 0 ? rc : 0;
}

static int open_streams(nta_merge *m, heap hs[3], nta_err *err)
{
    for (int s = 0; s < 3; s++) {
        hs[s].s = s;
        hs[s].n = 0;
        if ((hs[s].h = malloc((size_t)m->n * sizeof *hs[s].h)) == NULL)
            return nta_err_set(err, NTA_ENOMEM, "out of memory");
    }
    for (int i = 0; i < m->n; i++)
        for (int s = 0; s < 3; s++) {
            part *p = &m->parts[i];
            int rc = nta_shard_stream_open(p->r, tags[s], 0, &p->st[s], err);
            if (rc < 0 || (rc = next_head(p, s)) < 0)
                return rc;
            if (p->live[s])
                hs[s].h[hs[s].n++] = i;
        }
    for (int s = 0; s < 3; s++)
        heap_build(m, &hs[s]);
    return 0;
}

static void close_streams(nta_merge *m, heap hs[3])
{
    for (int i = 0; i < m->n; i++)
        for (int s = 0; s < 3; s++)
            nta_shard_stream_close(&m->parts[i].st[s]);
    for (int s = 0; s < 3; s++)
        free(hs[s].h);
}

/* What a merge does with a group: hand its records on, or write them to a shard file. */
typedef struct group_out {
    const nta_merge_sink *sink;
    nta_shardw *w;
} group_out;

static int take_group(nta_merge *m, heap *hp, const group_out *o, nta_err *err)
{
    int i = hp->h[0], s = hp->s;
    part *p = &m->parts[i];
    if (o->w != NULL)
        nta_shardw_at(o->w, &p->head[s]);
    for (uint64_t k = 0; k < p->nrec[s]; k++) {
        uint8_t chan;
        const uint8_t *rp;
        size_t rn;
        int rc = nta_shard_next_record(&p->st[s], &chan, &rp, &rn);
        if (rc < 0)
            return rc;
        rc = o->w != NULL ? nta_shardw_record(o->w, chan, rp, rn)
                          : o->sink->record(o->sink->ctx, chan, rp, rn, err);
        if (rc < 0) {
            if (err->file[0] == '\0')   /* which file held what could not be used */
                snprintf(err->file, sizeof err->file, "%s", nta_shardr_path(p->r));
            return rc;
        }
    }
    int rc = next_head(p, s);
    if (rc < 0)
        return rc;
    heap_fix_top(m, hp, p->live[s]);
    return 0;
}

/* One run's order: MAIN by packet, each timer before the first MAIN group it precedes, then the
 * timers left, then the end of input. A partial merge keeps the three apart (release needs all
 * the MAIN groups). */
static int merge_records(nta_merge *m, const group_out *o, nta_err *err)
{
    heap hs[3];
    memset(hs, 0, sizeof hs);
    int rc = open_streams(m, hs, err);
    while (rc == 0 && hs[0].n > 0) {
        const nta_event_pos *r = &m->parts[hs[0].h[0]].head[0];
        while (rc == 0 && o->w == NULL && hs[1].n > 0) {
            const nta_event_pos *t = &m->parts[hs[1].h[0]].head[1];
            if (!(t->pkt < r->pkt && t->clock_ns <= r->clock_ns))
                break;
            rc = take_group(m, &hs[1], o, err);
        }
        if (rc == 0)
            rc = take_group(m, &hs[0], o, err);
    }
    while (rc == 0 && hs[1].n > 0)
        rc = take_group(m, &hs[1], o, err);
    while (rc == 0 && hs[2].n > 0)
        rc = take_group(m, &hs[2], o, err);
    close_streams(m, hs);
    return rc;
}

/* ---- state chunks ---- */

static int next_chunk(part *p)
{
    const uint8_t *c;
    size_t n;
    int rc = nta_shard_next_chunk(&p->chunk, &c, &n);
    if (rc <= 0)
        return rc;
    nta_cur cur = nta_cur_make(c, n);
    if (nta_cur_uv(&cur, &p->key) < 0)
        return NTA_ECORRUPT;
    p->cp = cur.p;
    p->cn = cur.left;
    return 1;
}

/* Every channel's chunks, each channel in key order over the files. */
static int merge_states(nta_merge *m, const group_out *o, nta_err *err)
{
    heap hp = { malloc((size_t)m->n * sizeof(int)), 0, 3 };
    int rc = hp.h != NULL ? 0 : nta_err_set(err, NTA_ENOMEM, "out of memory");
    for (uint8_t chan = 0; chan < NTA_SHARD_MAX_CHANNELS && rc == 0; chan++) {
        hp.n = 0;
        for (int i = 0; i < m->n && rc == 0; i++) {
            part *p = &m->parts[i];
            rc = nta_shard_stream_open(p->r, "STAT", chan, &p->chunk, err);
            int got = rc == 0 ? next_chunk(p) : 0;
            if (got < 0)
                rc = got == NTA_ECORRUPT ? nta_err_set(err, got, "a damaged state chunk") : got;
            else if (got == 1)
                hp.h[hp.n++] = i;
        }
        heap_build(m, &hp);
        while (rc == 0 && hp.n > 0) {
            part *p = &m->parts[hp.h[0]];
            if (o->w != NULL) {
                nta_buf b = { 0 };
                nta_buf_uv(&b, p->key);
                nta_buf_bytes(&b, p->cp, p->cn);
                rc = b.failed ? NTA_ENOMEM : nta_shardw_state(o->w, chan, b.p, b.n);
                nta_buf_free(&b);
            } else {
                rc = o->sink->load(o->sink->ctx, chan, p->key, p->cp, p->cn, err);
                if (rc < 0 && err->file[0] == '\0')
                    snprintf(err->file, sizeof err->file, "%s", nta_shardr_path(p->r));
            }
            int got = rc == 0 ? next_chunk(p) : 1;
            if (got < 0)
                rc = got == NTA_ECORRUPT ? nta_err_set(err, got, "a damaged state chunk") : got;
            heap_fix_top(m, &hp, got == 1);
        }
        for (int i = 0; i < m->n; i++)
            nta_shard_stream_close(&m->parts[i].chunk);
    }
    free(hp.h);
    return rc;
}

int nta_merge_run(nta_merge *m, const nta_merge_sink *s, nta_err *err)
{
    group_out o = { s, NULL };
    int rc = merge_states(m, &o, err);
    if (rc == 0 && s->loaded != NULL)
        rc = s->loaded(s->ctx, err);
    if (rc == 0)
        rc = merge_records(m, &o, err);
    if (rc < 0 && err->code == 0)
        nta_err_set(err, rc, "merging failed");
    return rc;
}

int nta_merge_write(nta_merge *m, FILE *f, nta_err *err)
{
    const nta_shard_head *h0 = nta_shardr_head(m->parts[0].r);
    nta_shard_head h = { h0->kind, "", h0->count, m->nidx, m->idx };
    memcpy(h.plan_id, h0->plan_id, sizeof h.plan_id);
    size_t olen;
    const uint8_t *opts = nta_shardr_opts(m->parts[0].r, &olen);
    nta_shardw *w;
    int rc = nta_shardw_open(&w, f, &h, m->plan->text, opts, olen, err);
    if (rc < 0)
        return rc;
    group_out o = { NULL, w };
    rc = merge_states(m, &o, err);
    if (rc == 0)
        rc = merge_records(m, &o, err);
    nta_shard_info in;
    memset(&in, 0, sizeof in);
    const nta_shard_info *s0 = nta_shardr_info(m->parts[0].r);
    in.nskipped = s0->nskipped;
    for (int k = 0; k < s0->nskipped; k++)
        memcpy(in.skipped[k].reason, s0->skipped[k].reason, sizeof in.skipped[k].reason);
    for (int i = 0; i < m->n; i++) {
        const nta_shard_info *s = nta_shardr_info(m->parts[i].r);
        in.packets += s->packets;
        in.connections += s->connections;
        in.midstream += s->midstream;
        in.evicted += s->evicted;
        in.events += s->events;
        for (int k = 0; k < s->nskipped && k < in.nskipped; k++)
            in.skipped[k].count += s->skipped[k].count;
    }
    if (rc < 0) {
        nta_shardw_abort(w);
        return rc;
    }
    return nta_shardw_close(w, &in, err);
}
