/* dscript/run.c: running a compiled program (see dscript.h).
 *
 * A probe firing runs the probe's enablings in order (ds_fire): each clause's predicate, then
 * its statements, its output staged and committed only if no fault happened (DTrace drops a
 * faulting ECB's records; variable and aggregation changes made before the fault stay). A
 * fault prints dtrace's "error on enabled probe ID ..." message and fires dtrace:::ERROR.
 * After exit() only the dtrace provider's probes fire (BEGIN's later clauses are skipped,
 * END still runs). Ticks fire on the events' clock: t0 is BEGIN's time (the first event),
 * a tick due before an event fires before it, one due at the same time after it; more than
 * tick_gap firings of one tick probe with no event between are cut to the first (counted and
 * reported), so a tick-1ms over a capture spanning years stays bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dscript/dscript_int.h"
#include "dscript/dyn.h"
#include "dscript/output.h"

#define SCRATCH_MIN (256u * 1024u)

static void message(nta_dscript *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void message(nta_dscript *d, const char *fmt, ...)
{
    if (d->run.msg == NULL)
        return;
    char m[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    d->run.msg(d->run.msg_ctx, m);
}

int nta_dscript_start(nta_dscript *d, const nta_dscript_run *r, nta_err *err)
{
    ds_prog *pg = &d->pg;
    rctx *c = &pg->rc;
    d->run = *r;
    d->tick_gap = r->tick_gap ? r->tick_gap : 1000;
    if (d->run.max_ticks == 0)
        d->run.max_ticks = 10000000;
    c->pg = pg;
    c->strmax = (size_t)pg->opt[DSO_STRSIZE];
    c->msg = r->msg;
    c->msg_ctx = r->msg_ctx;
    c->quiet = ds_opt_on(pg->opt, DSO_QUIET);
    c->aggsortkey = ds_opt_on(pg->opt, DSO_AGGSORTKEY);
    c->aggsortrev = ds_opt_on(pg->opt, DSO_AGGSORTREV);
    c->rawbytes = ds_opt_on(pg->opt, DSO_RAWBYTES);
    c->aggsortkeypos = ds_opt_on(pg->opt, DSO_AGGSORTKEYPOS) ? (int)pg->opt[DSO_AGGSORTKEYPOS] : 0;
    c->aggsortpos = ds_opt_on(pg->opt, DSO_AGGSORTPOS) ? (int)pg->opt[DSO_AGGSORTPOS] : 0;
    c->execname = "kernel";
    size_t sb = c->strmax + 1;
    c->gv = calloc((size_t)pg->nglobals + 1, sizeof *c->gv);
    c->tv = calloc((size_t)pg->nthis + 1, sizeof *c->tv);
    c->tstr = calloc((size_t)pg->nthis + 1, sizeof *c->tstr);
    c->temps = calloc((size_t)pg->ntemps + 1, sizeof *c->temps);
    c->ntv = pg->nthis;
    c->dyn = ds_dyn_new();
    c->scratch_cap = SCRATCH_MIN > 64 * sb ? SCRATCH_MIN : 64 * sb;
    c->scratch = malloc(c->scratch_cap);
    c->keycap = 16 + DS_MAXKEYS * (sb + 8);
    c->key = malloc(c->keycap);
    c->strtok_buf = malloc(sb);
    c->addr_cache = calloc(DS_ADDR_CACHE, sizeof *c->addr_cache);
    if (c->gv == NULL || c->tv == NULL || c->tstr == NULL || c->temps == NULL || c->dyn == NULL ||
        c->scratch == NULL || c->key == NULL || c->strtok_buf == NULL || c->addr_cache == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    for (ds_var *v = pg->vars; v != NULL; v = v->next) {
        if (v->t == NULL)
            continue;
        int str = v->t->kind == DK_STRING;
        if (v->kind == VK_ARRAY) {
            size_t each = str ? sb : sizeof(uint64_t);
            void *a = calloc((size_t)v->nelem, each);
            if (a == NULL)
                return nta_err_set(err, NTA_ENOMEM, "out of memory");
            c->gv[v->slot] = (uint64_t)(uintptr_t)a;
        } else if (v->kind == VK_SCALAR && str && v->scope == VS_GLOBAL) {
            char *b = calloc(1, sb);
            if (b == NULL)
                return nta_err_set(err, NTA_ENOMEM, "out of memory");
            c->gv[v->slot] = (uint64_t)(uintptr_t)b;
        } else if (v->kind == VK_SCALAR && str && v->scope == VS_THIS) {
            if ((c->tstr[v->slot] = calloc(1, sb)) == NULL)
                return nta_err_set(err, NTA_ENOMEM, "out of memory");
        }
    }
    for (int i = 0; i < pg->ptab.n; i++) {
        ds_probe *p = pg->ptab.v[i];
        if (p->kind == PK_BEGIN)
            d->begin_p = p;
        else if (p->kind == PK_END)
            d->end_p = p;
        else if (p->kind == PK_ERROR)
            d->error_p = p;
        else if (p->kind == PK_PROFILE && p->necbs > 0)
            d->nticks++;
    }
    if (d->nticks > 0) {
        d->ticks = calloc((size_t)d->nticks, sizeof *d->ticks);
        if (d->ticks == NULL)
            return nta_err_set(err, NTA_ENOMEM, "out of memory");
        int k = 0;
        for (int i = 0; i < pg->ptab.n; i++)
            if (pg->ptab.v[i]->kind == PK_PROFILE && pg->ptab.v[i]->necbs > 0)
                d->ticks[k++].probe = pg->ptab.v[i];
    }
    if (ds_aggs_start(d) < 0 || ds_output_start(d) < 0)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    return 0;
}

void nta_dscript_free(nta_dscript *d)
{
    if (d == NULL)
        return;
    ds_prog *pg = &d->pg;
    rctx *c = &pg->rc;
    ds_output_stop(d);
    if (c->gv != NULL) {
        for (ds_var *v = pg->vars; v != NULL; v = v->next)
            if (v->t != NULL && v->scope == VS_GLOBAL &&
                (v->kind == VK_ARRAY || (v->kind == VK_SCALAR && v->t->kind == DK_STRING)))
                free((void *)(uintptr_t)c->gv[v->slot]);
    }
    if (c->tstr != NULL)
        for (int i = 0; i < c->ntv; i++)
            free(c->tstr[i]);
    free(c->gv);
    free(c->tv);
    free(c->tstr);
    free(c->temps);
    ds_dyn_free(c->dyn);
    free(c->scratch);
    free(c->key);
    free(c->strtok_buf);
    free(c->addr_cache);
    ds_aggs_free(d);
    ds_buf_free(&d->out);
    ds_buf_free(&d->shard_text);
    free(d->ticks);
    ds_arena_free(pg->arena);
    free(d);
}

/* ---- firing ---- */

static const char *fault_text(int code)
{
    switch (code) {
    case FLT_BADADDR: return "invalid address";
    case FLT_BADALIGN: return "invalid alignment";
    case FLT_ILLOP: return "illegal operation";
    case FLT_DIVZERO: return "divide-by-zero";
    case FLT_NOSCRATCH: return "out of scratch space";
    case FLT_KPRIV: return "invalid kernel access";
    case FLT_UPRIV: return "invalid user access";
    case FLT_TUPOFLOW: return "tuple stack overflow";
    case FLT_BADSTACK: return "bad stack";
    case FLT_BOUNDS: return "index out of bounds";
    default: return "unknown fault";
    }
}

/* The not-quiet line's start: "%3d %6d %32s " (CPU, ID, FUNCTION:NAME), or dtrace-utils'
 * test-suite "%32s " (shared/conformance/README-research.md section 3). */
static void prefix(nta_dscript *d, const ds_probe *p)
{
    char fn[256];
    ds_buf *out = rt_text(&d->pg.rc);
    if (!d->header_done) {
        /* a shard notes that its event wants the header; the merge prints it once */
        if (!d->shard && d->pg.testing)
            ds_buf_printf(out, "%32s\n", "FUNCTION:NAME");
        else if (!d->shard)
            ds_buf_printf(out, "%3s %6s %32s\n", "CPU", "ID", "FUNCTION:NAME");
        d->header_done = 1;
    }
    snprintf(fn, sizeof fn, "%s:%s", p->func, p->name);
    if (d->pg.testing)
        ds_buf_printf(out, "%32s ", fn);
    else
        ds_buf_printf(out, "%3d %6d %32s ", 0, p->id, fn);
}

static void fire_error(nta_dscript *d, const ds_ecb *e, int action, int code, uint64_t addr);

static void run_ecb(nta_dscript *d, const ds_ecb *e)
{
    rctx *c = &d->pg.rc;
    c->ecb = e;
    c->fault = 0;
    c->action = 0;
    c->scratch_used = 0;
    if (e->pred != NULL) {
        uint64_t v = e->pred->f(e->pred, c);
        if (c->fault) {
            fire_error(d, e, 0, c->fault, c->fault_addr);
            return;
        }
        if (v == 0)
            return;
    }
    size_t mark = d->out.n, text_hdr = c->text_hdr;
    int header = d->header_done;
    int line = !c->quiet && e->records;
    if (line)
        prefix(d, e->probe);
    e->body->f(e->body, c);
    if (c->fault) {
        rt_cut(c, mark, text_hdr);    /* the clause's records are dropped */
        d->header_done = header;
        fire_error(d, e, c->fault_action, c->fault, c->fault_addr);
        return;
    }
    if (line)
        ds_buf_putc(rt_text(c), '\n');
}

uint64_t ds_net_argv(const rctx *c, int i)
{
    const void *a = c->arg[i];
    if (a == NULL)
        return 0;
    /* the pointer-like values (d-language.md section 3.9): a connection's id for tcpcb/inpcb
     * arguments, a fixed non-zero value for the others */
    uint64_t v = 0;
    switch (nta_probe_args(c->ev->probe)[i]) {
    case NTA_ARG_CSINFO: v = ((const csinfo_t *)a)->cs_cid; break;
    case NTA_ARG_TCPSINFO: v = ((const tcpsinfo_t *)a)->tcps_addr; break;
    case NTA_ARG_UDPSINFO: v = ((const udpsinfo_t *)a)->udps_addr; break;
    default: break;
    }
    return v != 0 ? v : 0xfffff80000000000ull | ((uint64_t)i << 12);
}

void ds_fire(nta_dscript *d, ds_probe *p, const nta_event *ev, uint64_t ts)
{
    rctx *c = &d->pg.rc;
    c->probe = p;
    c->ev = ev;
    c->ts = ts;
    c->wall = d->noinput ? d->run.walltime0 + ts : ts;
    /* the packet's process where the capture names one (common/proc.h), else the offline
     * values (d-language.md 3.9): a tick or BEGIN is no packet's */
    const nta_proc *pr = ev != NULL ? ev->proc : NULL;
    c->pid = pr != NULL ? pr->pid : 0;
    c->execname = pr != NULL ? pr->name : "kernel";
    /* arg0..arg9 of a network probe are worked out when read (ds_net_argv) */
    memset(c->argv, 0, sizeof c->argv);
    if (ev != NULL)
        for (int i = 0; i < NTA_MAX_ARGS; i++)
            c->arg[i] = nta_event_arg(ev, i);
    else
        memset(c->arg, 0, sizeof c->arg);
    for (int i = 0; i < c->ntv; i++)
        if (c->tstr[i] != NULL)
            c->tstr[i][0] = '\0';
    memset(c->tv, 0, (size_t)c->ntv * sizeof *c->tv);
    c->strtok_pos = NULL;
    c->firing++;
    for (int i = 0; i < p->necbs; i++) {
        if (c->exited && (p->kind == PK_NET || p->kind == PK_PROFILE || p->kind == PK_BEGIN))
            break;
        c->probe = p;
        run_ecb(d, (const ds_ecb *)p->ecbs[i]);
    }
    c->ecb = NULL;
}

/* dt_handle_err's message, then the ERROR probe with arg1 the EPID, arg2 the action, arg3
 * the DIF offset (none offline: 0), arg4 the fault and arg5 the address. */
static void fire_error(nta_dscript *d, const ds_ecb *e, int action, int code, uint64_t addr)
{
    rctx *c = &d->pg.rc;
    const ds_probe *p = e->probe;
    char where[32], detail[64] = "";
    if (action == 0)
        snprintf(where, sizeof where, "predicate");
    else
        snprintf(where, sizeof where, "action #%d", action);
    if (code == FLT_BADADDR || code == FLT_BADALIGN || code == FLT_BADSTACK)
        snprintf(detail, sizeof detail, " (0x%llx)", (unsigned long long)addr);
    else if (code == FLT_BOUNDS)
        snprintf(detail, sizeof detail, " (%lld)", (long long)addr);
    message(d, "error on enabled probe ID %d (ID %d: %s:%s:%s:%s): %s%s in %s", e->epid, p->id,
            p->prov, p->mod, p->func, p->name, fault_text(code), detail, where);
    if (d->in_error || d->error_p == NULL || d->error_p->necbs == 0)
        return;
    /* ERROR fires in the faulting probe's context; keep that context for its later clauses */
    const void *sarg[NTA_MAX_ARGS];
    uint64_t sargv[10];
    memcpy(sarg, c->arg, sizeof sarg);
    memcpy(sargv, c->argv, sizeof sargv);
    const ds_probe *sprobe = c->probe;
    const nta_event *sev = c->ev;
    d->in_error = 1;
    memset(c->arg, 0, sizeof c->arg);
    memset(c->argv, 0, sizeof c->argv);
    c->argv[1] = (uint64_t)e->epid;
    c->argv[2] = (uint64_t)action;
    c->argv[4] = (uint64_t)code;
    c->argv[5] = addr;
    c->ev = NULL;
    for (int i = 0; i < d->error_p->necbs; i++) {
        c->probe = d->error_p;
        run_ecb(d, (const ds_ecb *)d->error_p->ecbs[i]);
    }
    d->in_error = 0;
    memcpy(c->arg, sarg, sizeof sarg);
    memcpy(c->argv, sargv, sizeof sargv);
    c->probe = sprobe;
    c->ev = sev;
}

/* ---- the clock ---- */

void ds_begin(nta_dscript *d, uint64_t ts)
{
    d->begun = 1;
    d->t0 = ts;
    d->last_ts = ts;
    for (int i = 0; i < d->nticks; i++)
        d->ticks[i].next = ts + d->ticks[i].probe->interval_ns;
    if (d->begin_p != NULL)
        ds_fire(d, d->begin_p, NULL, ts);
}

/* Fire the ticks due before `before` (or at it too when inclusive), in time order. */
static void ticks_until(nta_dscript *d, uint64_t before, int inclusive)
{
    rctx *c = &d->pg.rc;
    for (;;) {
        if (c->exited || (d->run.stop != NULL && *d->run.stop))
            return;
        ds_tick *t = NULL;
        for (int i = 0; i < d->nticks; i++)
            if (t == NULL || d->ticks[i].next < t->next)
                t = &d->ticks[i];
        if (t == NULL || t->next > before || (!inclusive && t->next == before))
            return;
        uint64_t iv = t->probe->interval_ns;
        uint64_t due = (before - t->next) / iv + (inclusive || (before - t->next) % iv ? 1 : 0);
        uint64_t at = t->next;
        ds_fire(d, t->probe, NULL, at);
        d->tick_firings++;
        if (due > d->tick_gap) {
            /* an idle gap: the first firing only (as --bytes --interval skips empty blocks) */
            t->skipped += due - 1;
            t->gaps++;
            t->next += due * iv;
        } else {
            t->next += iv;
        }
        ds_output_flush(d, 0);
    }
}

int nta_dscript_event(nta_dscript *d, const nta_event *ev)
{
    rctx *c = &d->pg.rc;
    if (d->run.stop != NULL && *d->run.stop)
        d->interrupted = 1;
    if (!d->begun)
        ds_begin(d, ev->ts_ns);
    if (c->exited || d->interrupted)
        return ds_output_flush(d, 0);
    /* the tick clock never goes back; timestamp is the event's own (inputs merged from
     * several interfaces can be a little out of order) */
    uint64_t ts = ev->ts_ns < d->last_ts ? d->last_ts : ev->ts_ns;
    if (d->nticks > 0)
        ticks_until(d, ts, 0);
    d->last_ts = ts;
    if (!c->exited) {
        ds_probe *p = ds_ptab_net(&d->pg.ptab, ev->probe);
        if (p != NULL && p->necbs > 0)
            ds_fire(d, p, ev, ev->ts_ns);
    }
    return ds_output_flush(d, 0);
}

static void report_ticks(nta_dscript *d)
{
    for (int i = 0; i < d->nticks; i++) {
        ds_tick *t = &d->ticks[i];
        if (t->skipped > 0)
            message(d, "%s:::%s: %llu firings left out in %llu idle gaps of more than %llu "
                       "intervals with no event (the first firing of each gap was kept)",
                    t->probe->prov, t->probe->name, (unsigned long long)t->skipped,
                    (unsigned long long)t->gaps, (unsigned long long)d->tick_gap);
    }
}

int nta_dscript_finish(nta_dscript *d)
{
    rctx *c = &d->pg.rc;
    if (d->finished)
        return ds_output_flush(d, 1);
    d->finished = 1;
    if (!d->begun)
        ds_begin(d, 0);
    if (d->nticks > 0 && !c->exited)
        ticks_until(d, d->last_ts, 1);
    report_ticks(d);
    if (d->run.stop != NULL && *d->run.stop)
        d->interrupted = 1;
    /* dtrace(1): the first SIGINT makes the main loop print "\n" before END's output */
    if (d->run.as_interrupted || d->interrupted)
        ds_buf_putc(rt_text(c), '\n');
    if (d->end_p != NULL)
        ds_fire(d, d->end_p, NULL, d->last_ts);
    /* dtrace(1): one "\n", then every aggregation printa() has not printed */
    ds_buf_putc(rt_text(c), '\n');
    ds_aggs_print_exit(d);
    return ds_output_flush(d, 1);
}

int nta_dscript_run_noinput(nta_dscript *d)
{
    rctx *c = &d->pg.rc;
    d->noinput = 1;
    ds_begin(d, 0);
    /* the virtual clock: ticks until exit(), ^C, or the bound */
    while (!c->exited && d->nticks > 0 && !(d->run.stop != NULL && *d->run.stop)) {
        uint64_t next = UINT64_MAX;
        for (int i = 0; i < d->nticks; i++)
            if (d->ticks[i].next < next)
                next = d->ticks[i].next;
        if (d->tick_firings >= d->run.max_ticks) {
            message(d, "no input: stopped after %llu tick firings without exit() (virtual time "
                       "%llu ns)", (unsigned long long)d->tick_firings, (unsigned long long)next);
            break;
        }
        ticks_until(d, next, 1);
        d->last_ts = next;
        if (d->write_failed)
            break;
    }
    return nta_dscript_finish(d);
}

static int sink_event(void *ctx, const nta_event *ev)
{
    nta_dscript *d = ctx;
    int rc = nta_dscript_event(d, ev);
    /* after exit() nothing more fires: stop reading (the caller tells this from a failure
     * by nta_dscript_exited); ^C is the source's to notice, through the same flag */
    return rc == 0 && d->pg.rc.exited ? NTA_EUSAGE : rc;
}

static int sink_finish(void *ctx, const nta_run_info *info)
{
    (void)info;
    return nta_dscript_finish(ctx);
}

void nta_dscript_sink(nta_dscript *d, nta_sink *s)
{
    const ds_prog *pg = &d->pg;
    memset(s, 0, sizeof *s);
    s->on_event = sink_event;
    s->on_finish = sink_finish;
    s->ctx = d;
    /* only what the program reads is built (DESIGN.md, "Sources and sinks"); a program with
     * ticks but no network probe still needs events for their clock, the cheapest ones */
    s->probes = pg->net_probes;
    if (s->probes == 0)
        s->probes = 1u << NTA_PROBE_IP_RECEIVE;
    if (!(pg->fields & (NTA_F_TCPS_CONN | NTA_F_TCPS_STATE | NTA_F_TCPS_SEQ)))
        s->skip |= NTA_SKIP_TCPSINFO;
    if (!(pg->fields & NTA_F_IPV46))
        s->skip |= NTA_SKIP_IPV46INFO;
}

int nta_dscript_exited(const nta_dscript *d)
{
    return d->pg.rc.exited;
}

int nta_dscript_write_errno(const nta_dscript *d)
{
    return d->write_errno;
}

int nta_dscript_status(const nta_dscript *d)
{
    return d->pg.rc.exited ? d->pg.rc.exit_status : 0;
}
