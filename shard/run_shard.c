/* shard/run_shard.c: the run shard's program codec and the merge's side (see run_shard.h). */
#include "shard/run_shard.h"

#include <stdlib.h>
#include <string.h>

void nta_run_prog_save(const nta_run_prog *pg, nta_buf *b)
{
    nta_buf_u8(b, 1);
    nta_buf_uv(b, (uint64_t)pg->nsrcs);
    for (int i = 0; i < pg->nsrcs; i++) {
        nta_buf_u8(b, (uint8_t)pg->srcs[i].kind);
        nta_buf_str(b, pg->srcs[i].label);
        nta_buf_blob(b, pg->srcs[i].text, pg->srcs[i].len);
    }
    nta_buf_uv(b, (uint64_t)pg->nxopts);
    for (int i = 0; i < pg->nxopts; i++)
        nta_buf_str(b, pg->xopts[i]);
    nta_buf_u8(b, (uint8_t)(pg->quiet | pg->zdefs << 1 | pg->testing << 2 | pg->interrupted << 3));
    nta_buf_uv(b, (uint64_t)pg->argc);
    for (int i = 0; i < pg->argc; i++)
        nta_buf_str(b, pg->argv[i]);
}

/* Where the strings of a program being loaded go: one allocation, NUL-terminated copies. */
typedef struct strs_in {
    nta_cur c;
    char *arena;
    size_t cap, used;
} strs_in;

/* The next string: 0 with *out (and *len) set, or -1 when the bytes do not hold one. */
static int take_str(strs_in *in, const char **out, size_t *len)
{
    const uint8_t *s;
    size_t l;
    if (nta_cur_blob(&in->c, in->cap, &s, &l) < 0 || in->used + l + 1 > in->cap)
        return -1;
    memcpy(in->arena + in->used, s, l);
    in->arena[in->used + l] = '\0';
    *out = in->arena + in->used;
    in->used += l + 1;
    if (len != NULL)
        *len = l;
    return 0;
}

/* Strings are copied (NUL-terminated) into one allocation, *mem. Every string takes at least
 * its length byte, so n bounds the counts and the arrays. */
int nta_run_prog_load(const uint8_t *p, size_t n, nta_run_prog *pg, void **mem)
{
    memset(pg, 0, sizeof *pg);
    *mem = NULL;
    if (n > NTA_RUN_PROG_MAX)
        return NTA_ECORRUPT;
    size_t cap = (2 * n + 64 + 15) & ~(size_t)15;   /* the arrays after it stay aligned */
    char *arena = calloc(1, cap + (n + 4) * (sizeof(nta_dscript_src) + sizeof(char *)));
    *mem = arena;
    if (arena == NULL)
        return NTA_ENOMEM;
    nta_dscript_src *srcs = (nta_dscript_src *)(void *)(arena + cap);
    const char **strs = (const char **)(void *)(srcs + n + 2);
    strs_in in = { nta_cur_make(p, n), arena, cap, 0 };
    int nstrs = 0;
    uint8_t v, flags;
    uint64_t k;
    if (nta_cur_u8(&in.c, &v) < 0 || v != 1 || nta_cur_uv_max(&in.c, n, &k) < 0 || k == 0)
        return NTA_ECORRUPT;
    pg->nsrcs = (int)k;
    for (int i = 0; i < pg->nsrcs; i++) {
        if (nta_cur_u8(&in.c, &v) < 0 || v > NTA_DSRC_ID || take_str(&in, &srcs[i].label, NULL) < 0
            /* a program's bytes may hold a NUL (a compile error to say): its length is kept */
            || take_str(&in, &srcs[i].text, &srcs[i].len) < 0)
            return NTA_ECORRUPT;
        srcs[i].kind = (nta_dsrc_kind)v;
    }
    pg->srcs = srcs;
    if (nta_cur_uv_max(&in.c, n, &k) < 0)
        return NTA_ECORRUPT;
    pg->nxopts = (int)k;
    pg->xopts = strs;
    for (int i = 0; i < pg->nxopts; i++)
        if (take_str(&in, &strs[nstrs++], NULL) < 0)
            return NTA_ECORRUPT;
    if (nta_cur_u8(&in.c, &flags) < 0 || nta_cur_uv_max(&in.c, n, &k) < 0 || k == 0)
        return NTA_ECORRUPT;
    pg->quiet = flags & 1;
    pg->zdefs = flags >> 1 & 1;
    pg->testing = flags >> 2 & 1;
    pg->interrupted = flags >> 3 & 1;
    pg->argc = (int)k;
    pg->argv = (char *const *)(strs + nstrs);
    for (int i = 0; i < pg->argc; i++)
        if (take_str(&in, &strs[nstrs++], NULL) < 0)
            return NTA_ECORRUPT;
    return in.c.left == 0 ? 0 : NTA_ECORRUPT;
}

int nta_run_prog_compile(const nta_run_prog *pg, nta_dscript **out, nta_err *err)
{
    nta_dscript_opts o = { pg->xopts, pg->nxopts, pg->quiet, pg->zdefs, pg->argc, pg->argv,
                           pg->testing };
    *out = NULL;
    if (nta_dscript_compile(out, pg->srcs, pg->nsrcs, &o, err) < 0)
        return nta_err_set(err, NTA_ECORRUPT, "the run shard's program does not compile");
    if (nta_dscript_shard_refusal(*out) != NULL) {
        nta_dscript_free(*out);
        *out = NULL;
        return nta_err_set(err, NTA_ECORRUPT, "the run shard's program cannot shard");
    }
    return 0;
}

static int merge_load(void *ctx, uint8_t chan, uint64_t key, const uint8_t *p, size_t n,
                      nta_err *err)
{
    nta_run_merge *m = ctx;
    if (chan == NTA_RUN_ST_AGG) {
        nta_buf_uv(&m->held, key);
        nta_buf_blob(&m->held, p, n);
        return m->held.failed ? nta_err_set(err, NTA_ENOMEM, "out of memory") : 0;
    }
    nta_cur c = nta_cur_make(p, n);
    uint64_t t;
    if (chan != NTA_RUN_ST_CLOCK || nta_cur_uv(&c, &t) < 0 || c.left != 0)
        return nta_err_set(err, NTA_ECORRUPT, "damaged state (channel %u) in a run shard", chan);
    nta_dscript_merge_clock(m->d, t);
    return 0;
}

static int merge_record(void *ctx, uint8_t chan, const uint8_t *p, size_t n, nta_err *err)
{
    nta_run_merge *m = ctx;
    switch (chan) {
    case NTA_RUN_CH_FIRST: {
        nta_cur c = nta_cur_make(p, n);
        uint64_t t;
        if (nta_cur_uv(&c, &t) < 0 || c.left != 0)
            break;
        nta_dscript_merge_begin(m->d, t);   /* the first of them is the run's first event */
        return nta_run_merge_end(m, err);
    }
    case NTA_RUN_CH_OUT: case NTA_RUN_CH_OUT_HEADER: {
        int rc = nta_dscript_merge_text(m->d, chan == NTA_RUN_CH_OUT_HEADER, p, n);
        if (rc == NTA_ECORRUPT)
            break;
        return rc == 0 ? 0 : nta_err_set(err, rc, "writing the output failed");
    }
    case NTA_RUN_CH_MSG:
        if (m->msg != NULL)
            m->msg(m->msg_ctx, (const char *)p, n);
        return 0;
    }
    return nta_err_set(err, NTA_ECORRUPT, "a damaged record (channel %u) in a run shard", chan);
}

int nta_run_merge_end(nta_run_merge *rm, nta_err *err)
{
    nta_cur c = nta_cur_make(rm->held.p, rm->held.n);
    int rc = 0;
    while (rc == 0 && c.left > 0) {
        uint64_t id;
        const uint8_t *p;
        size_t n;
        if (nta_cur_uv(&c, &id) < 0 || nta_cur_blob(&c, c.left, &p, &n) < 0)
            rc = nta_err_set(err, NTA_ECORRUPT, "out of step");   /* our own bytes: cannot be */
        else
            rc = nta_dscript_merge_agg(rm->d, id, p, n, err);
    }
    nta_buf_free(&rm->held);
    return rc;
}

void nta_run_merge_sink(nta_run_merge *rm, nta_merge_sink *s)
{
    *s = (nta_merge_sink){ merge_load, NULL, merge_record, rm };
}
