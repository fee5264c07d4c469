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

/* Strings are copied (NUL-terminated) into one allocation, *mem. */
int nta_run_prog_load(const uint8_t *p, size_t n, nta_run_prog *pg, void **mem)
{
    memset(pg, 0, sizeof *pg);
    /* everything fits in n bytes plus a NUL per string and the arrays' pointers */
    size_t cap = (2 * n + 64 + 15) & ~(size_t)15;   /* the arrays after it stay aligned */
    char *arena = calloc(1, cap + (n + 4) * (sizeof(nta_dscript_src) + sizeof(char *)));
    *mem = arena;
    if (arena == NULL)
        return NTA_ENOMEM;
    nta_dscript_src *srcs = (nta_dscript_src *)(void *)(arena + cap);
    char **strs = (char **)(void *)(srcs + n + 2);
    size_t used = 0;
    int nstrs = 0;
    nta_cur c = nta_cur_make(p, n);
    uint8_t v, flags;
    uint64_t k;
    size_t l_;
#define STR(dst) do { const uint8_t *s_; \
        if (nta_cur_blob(&c, n, &s_, &l_) < 0 || used + l_ + 1 > cap) return NTA_ECORRUPT; \
        memcpy(arena + used, s_, l_); arena[used + l_] = '\0'; (dst) = arena + used; \
        used += l_ + 1; } while (0)
    if (nta_cur_u8(&c, &v) < 0 || v != 1 || nta_cur_uv_max(&c, n, &k) < 0 || k == 0)
        return NTA_ECORRUPT;
    pg->nsrcs = (int)k;
    for (int i = 0; i < pg->nsrcs; i++) {
        const char *t;
        if (nta_cur_u8(&c, &v) < 0 || v > NTA_DSRC_ID)
            return NTA_ECORRUPT;
        srcs[i].kind = (nta_dsrc_kind)v;
        STR(srcs[i].label);
        STR(t);
        srcs[i].text = t;
        srcs[i].len = l_;   /* a program's bytes may hold a NUL (a compile error to say) */
    }
    pg->srcs = srcs;
    if (nta_cur_uv_max(&c, n, &k) < 0)
        return NTA_ECORRUPT;
    pg->nxopts = (int)k;
    pg->xopts = (const char *const *)strs;
    for (int i = 0; i < pg->nxopts; i++)
        STR(strs[nstrs++]);
    if (nta_cur_u8(&c, &flags) < 0 || nta_cur_uv_max(&c, n, &k) < 0 || k == 0)
        return NTA_ECORRUPT;
    pg->quiet = flags & 1;
    pg->zdefs = flags >> 1 & 1;
    pg->testing = flags >> 2 & 1;
    pg->interrupted = flags >> 3 & 1;
    pg->argc = (int)k;
    pg->argv = strs + nstrs;
    for (int i = 0; i < pg->argc; i++)
        STR(strs[nstrs++]);
#undef STR
    return c.left == 0 ? 0 : NTA_ECORRUPT;
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

static int merge_load(void *ctx, uint8_t chan, uint64_t key, const uint8_t *p, size_t n, nta_err *err)
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
