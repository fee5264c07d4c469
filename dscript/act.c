/* dscript/act.c: the data-recording actions printf(), trace(), exit() and setopt().
 *
 * A clause's output goes to the run's output buffer (rctx.stage), which run.c cuts back when
 * the clause faults (d-language.md section 2.3, "Output and faults"). Values are
 * evaluated before anything is formatted, as DTrace records them before the consumer prints. */
#include <stdio.h>
#include <string.h>

#include "dscript/fmt.h"
#include "dscript/lower.h"
#include "dscript/output.h"

#define EV(x) ((x)->f((x), c))

static rnode *mk(ds_prog *pg, rn_fn f)
{
    rnode *n = ds_alloc(pg->arena, sizeof *n);
    if (n != NULL)
        n->f = f;
    return n;
}

static uint64_t ev_printf(const rnode *n, rctx *c)
{
    uint64_t vals[64];
    uint64_t *v = vals;
    uint64_t big[256];
    if (n->nkids > 64)
        v = big;
    for (int i = 0; i < n->nkids; i++)
        v[i] = EV(n->kids[i]);
    if (c->fault)
        return 0;
    rt_printf(c, n->p, v, n->nkids);
    return 0;
}

rnode *ln_printf(ds_prog *pg, const pformat *fmt, rnode **args, int nargs)
{
    if (nargs > 256)
        return NULL;
    rnode *n = mk(pg, ev_printf);
    rnode **kids = ds_alloc(pg->arena, (size_t)(nargs ? nargs : 1) * sizeof *kids);
    if (n == NULL || kids == NULL)
        return NULL;
    if (nargs > 0)
        memcpy(kids, args, (size_t)nargs * sizeof *kids);
    n->kids = (const rnode *const *)kids;
    n->nkids = nargs;
    /* literals need no copy in the record (Example 3's six flag strings) */
    n->p = rt_printf_site(pg->arena, fmt, (const rnode *const *)kids, nargs);
    return n->p != NULL ? n : NULL;
}

static uint64_t ev_trace(const rnode *n, rctx *c)
{
    uint64_t v = EV(n->a);
    if (c->fault)
        return 0;
    const dtype *t = n->p;
    if (t->kind == DK_STRING && v == 0) {
        ds_fault(c, FLT_BADADDR, 0);
        return 0;
    }
    if (t->kind == DK_STRING && c->pg->testing && !c->rawbytes &&
        *(const char *)(uintptr_t)v == '\0')
        return 0;   /* dtrace-utils prints an empty string as nothing, not as a dump of NULs */
    tr_format(rt_text(c), v, t, c->quiet, c->pg->testing, c->rawbytes, c->strmax);
    return 0;
}

rnode *ln_trace(ds_prog *pg, rnode *x, const dtype *t)
{
    rnode *n = mk(pg, ev_trace);
    if (n != NULL) {
        n->a = x;
        n->p = t;
    }
    return n;
}

static uint64_t ev_exit(const rnode *n, rctx *c)
{
    uint64_t v = EV(n->a);
    if (c->fault)
        return 0;
    c->exited = 1;
    c->exit_status = (int)(int32_t)v;
    return 0;
}

rnode *ln_exit(ds_prog *pg, rnode *x)
{
    rnode *n = mk(pg, ev_exit);
    if (n != NULL)
        n->a = x;
    return n;
}

static uint64_t ev_setopt(const rnode *n, rctx *c)
{
    if (c->fault)
        return 0;
    const char *name = n->p, *value = (const char *)(uintptr_t)n->k;
    const char *why;
    ds_prog *pg = c->pg;
    if (ds_opt_set(pg->opt, name, value, 1, &why) < 0) {
        /* dt_setopt(): reported through the error handler, the clause goes on */
        char m[512];
        snprintf(m, sizeof m,
                 "error on enabled probe ID %d (ID %d: %s:%s:%s:%s): couldn't set option \"%s\" "
                 "to \"%s\": %s", c->ecb ? c->ecb->epid : 0, c->probe->id, c->probe->prov,
                 c->probe->mod, c->probe->func, c->probe->name, name, value ? value : "1", why);
        if (c->msg != NULL)
            c->msg(c->msg_ctx, m);
        return 0;
    }
    c->quiet = ds_opt_on(pg->opt, DSO_QUIET);
    c->aggsortkey = ds_opt_on(pg->opt, DSO_AGGSORTKEY);
    c->aggsortrev = ds_opt_on(pg->opt, DSO_AGGSORTREV);
    c->rawbytes = ds_opt_on(pg->opt, DSO_RAWBYTES);
    c->aggsortkeypos = ds_opt_on(pg->opt, DSO_AGGSORTKEYPOS) ? (int)pg->opt[DSO_AGGSORTKEYPOS] : 0;
    c->aggsortpos = ds_opt_on(pg->opt, DSO_AGGSORTPOS) ? (int)pg->opt[DSO_AGGSORTPOS] : 0;
    return 0;
}

rnode *ln_setopt(ds_prog *pg, const char *name, const char *value)
{
    rnode *n = mk(pg, ev_setopt);
    if (n != NULL) {
        n->p = name;
        n->k = (uint64_t)(uintptr_t)value;
    }
    return n;
}
