/* fuzz/fuzz_shard.c: shard files, the untrusted input of `nta merge` (issue 17).
 * Property: any bytes are refused with a reason or merged, never crash, read out of bounds or
 * leak. The input is opened as a shard file (framing, HEAD, PLAN, OPTS, INFO), made a set of one
 * (whatever shard it claims), and merged through a report set holding every report (text, to
 * /dev/null) with its state chunks and records, and through the event decoder: every parser a
 * merge runs. A run shard (kind 3) goes through nta run's merge instead: its OPTS decoded into
 * a program, compiled, and its aggregations, clock and records merged into it. Seeds:
 * fuzz/corpus/shard, shard files nta wrote from the fixtures (fuzz/make-shard-seeds.sh writes
 * them again when the format or the plan changes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/event_codec.h"
#include "reports/report_set.h"
#include "shard/emit.h"
#include "shard/merge.h"
#include "shard/run_shard.h"
#include "shard/shard_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct ctx {
    nta_report_set *rs;
    nta_event_store st;
} ctx;

static int load(void *c, uint8_t chan, uint64_t key, const uint8_t *p, size_t n, nta_err *err)
{
    return nta_report_set_load(((ctx *)c)->rs, chan, key, p, n, err);
}

static int loaded(void *c, nta_err *err)
{
    return nta_report_set_loaded(((ctx *)c)->rs, err);
}

static int record(void *c, uint8_t chan, const uint8_t *p, size_t n, nta_err *err)
{
    ctx *x = c;
    (void)err;
    if (chan == NTA_SHARD_CHAN_EVENTS) {
        nta_cur cur = nta_cur_make(p, n);
        nta_event_load(&cur, &x->st);
    }
    nta_report_set_replay(x->rs, chan, p, n);
    return 0;   /* a damaged record is refused; go on to reach the rest */
}

static void no_msg(void *c, const char *m, size_t n)
{
    (void)c; (void)m; (void)n;
}

static void no_msg0(void *c, const char *m)
{
    (void)c; (void)m;
}

/* A run shard through nta run's merge (cli/run_shard.c without the terminal). */
static void run_merge(nta_merge *m, FILE *null)
{
    size_t n;
    const uint8_t *p = nta_merge_opts(m, &n);
    nta_run_prog pg;
    void *mem = NULL;
    nta_dscript *d = NULL;
    nta_err err;
    nta_err_clear(&err);
    if (null != NULL && nta_run_prog_load(p, n, &pg, &mem) == 0 &&
        nta_run_prog_compile(&pg, &d, &err) == 0) {
        nta_dscript_run ro = { null, no_msg0, NULL, 0, 0, NULL, 0, 0, 1 };
        nta_run_merge rm = { d, no_msg, NULL, { NULL, 0, 0, 0 } };
        nta_merge_sink ms;
        nta_run_merge_sink(&rm, &ms);
        if (nta_dscript_start(d, &ro, &err) == 0) {
            if (nta_merge_run(m, &ms, &err) == 0)
                nta_run_merge_end(&rm, &err);
            nta_buf_free(&rm.held);
            nta_dscript_finish(d);
        }
    }
    nta_dscript_free(d);
    free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nta_err err;
    nta_err_clear(&err);
    nta_shardr *r;
    if (nta_shardr_open_mem(&r, data, size, &err) < 0)
        return 0;
    nta_merge *m;
    if (nta_merge_open_readers(&m, &r, 1, NULL, &err) < 0)
        return 0;
    (void)nta_merge_check_complete(m, &err);
    FILE *null = fopen("/dev/null", "w");
    if (nta_merge_kind(m) == NTA_SHARD_RUN) {
        run_merge(m, null);
        if (null != NULL)
            fclose(null);
        nta_merge_free(m);
        return 0;
    }
    nta_report_dest d[NTA_NREPORTS];
    for (int k = 0; k < NTA_NREPORTS; k++)
        d[k] = (nta_report_dest){ .kind = nta_report_kinds[k], .output = 1 };
    const nta_plan *plan = nta_merge_plan(m);
    nta_report_set_opts ro = { .fmt = NTA_RFMT_TEXT, .out = null, .interval_ns = 1000000000,
                               .known = NTA_F_ALL,
                               .origin_ns = plan->has_origin ? &plan->origin_ns : NULL };
    ctx *c = calloc(1, sizeof *c);
    if (null != NULL && c != NULL && nta_report_set_new(&c->rs, &ro, d, NTA_NREPORTS, &err) == 0) {
        const nta_sink *s = nta_report_set_sink(c->rs);
        const nta_run_info *info = nta_merge_info(m);
        nta_merge_sink ms = { load, loaded, record, c };
        s->on_start(s->ctx, info);
        nta_merge_run(m, &ms, &err);
        s->on_finish(s->ctx, info);
        nta_report_set_free(c->rs);
    }
    free(c);
    if (null != NULL)
        fclose(null);
    nta_merge_free(m);
    return 0;
}
