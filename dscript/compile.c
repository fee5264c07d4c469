/* dscript/compile.c: compiling sources into a program (see dscript.h).
 *
 * dtrace(1)'s order: -x options, then each source in turn after the prelude, parsed whole
 * (pragmas take effect as they are read), declarations before clauses, every clause cooked
 * once per probe description (check.c) and enabled on each probe the description matches,
 * EPIDs numbered in that order. A description that matches nothing is D_PDESC_ZERO unless -Z.
 * Errors come out in dtrace(1)'s words: "failed to compile script F: line N: ..." for files,
 * "invalid probe specifier S: ..." for descriptions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dscript/check.h"
#include "dscript/dscript_int.h"
#include "dscript/lower.h"
#include "dscript/prelude.h"

typedef struct cctx {
    nta_dscript *d;
    ds_pspec spec;
    int byid;
    int srcidx;
} cctx;

static int is_type_cb(void *ctx, const char *s, size_t n)
{
    ds_prog *pg = &((cctx *)ctx)->d->pg;
    if (ds_type_named(&pg->types, s, n) == NULL)
        return 0;
    for (ds_var *v = pg->vars; v != NULL; v = v->next)
        if (strlen(v->name) == n && memcmp(v->name, s, n) == 0)
            return 0;
    return 1;
}

static int typedef_cb(void *ctx, item *td)
{
    ds_prog *pg = &((cctx *)ctx)->d->pg;
    const char *why;
    const dtype *t = ds_type_of_spec(&pg->types, td->ts, &why);
    if (t == NULL) {
        ds_diag_set(&pg->diag, "D_NTA_UNSUP", td->line, "typedef %s: %s %s not supported by nta run",
                    td->name, why, why[strlen(why) - 1] == 's' ? "are" : "is");
        return -1;
    }
    ds_typedef *def = ds_alloc(pg->arena, sizeof *def);
    if (def == NULL)
        return -1;
    def->name = td->name;
    def->t = t;
    def->next = pg->types.defs;
    pg->types.defs = def;
    return 0;
}

static int option_cb(void *ctx, int line, const char *name, const char *value)
{
    ds_prog *pg = &((cctx *)ctx)->d->pg;
    const char *why;
    if (ds_opt_set(pg->opt, name, value, 0, &why) < 0) {
        ds_diag_set(&pg->diag, "D_PRAGMA_OPTSET", line, "failed to set option '%s': %s", name, why);
        return -1;
    }
    return 0;
}

static int add_ecb(ds_prog *pg, ds_probe *p, const rnode *pred, const rnode *body, int records)
{
    ds_ecb *e = ds_alloc(pg->arena, sizeof *e);
    if (e == NULL)
        return -1;
    e->epid = pg->necbs + 1;
    e->probe = p;
    e->pred = pred;
    e->body = body;
    e->records = records;
    if (pg->necbs == pg->ecbcap) {
        int cap = pg->ecbcap ? pg->ecbcap * 2 : 64;
        ds_ecb **v = ds_alloc(pg->arena, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        if (pg->necbs)
            memcpy(v, pg->ecbs, (size_t)pg->necbs * sizeof *v);
        pg->ecbs = v;
        pg->ecbcap = cap;
    }
    pg->ecbs[pg->necbs++] = e;
    if (p->necbs == p->ecbcap) {
        int cap = p->ecbcap ? p->ecbcap * 2 : 8;
        ds_ecb **v = ds_alloc(pg->arena, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        if (p->necbs)
            memcpy(v, p->ecbs, (size_t)p->necbs * sizeof *v);
        p->ecbs = (struct ds_ecb **)v;
        p->ecbcap = cap;
    }
    p->ecbs[p->necbs++] = (struct ds_ecb *)e;
    if (p->kind == PK_NET)
        pg->net_probes |= 1u << p->np;
    return 0;
}

static int remember_probe(nta_dscript *d, int src, ds_probe *p)
{
    if (src < 0)
        return 0;
    int n = d->nsrcprobes[src];
    for (int i = 0; i < n; i++)
        if (d->srcprobes[src][i] == p)
            return 0;
    ds_probe **v = ds_alloc(d->pg.arena, (size_t)(n + 1) * sizeof *v);
    if (v == NULL)
        return -1;
    if (n)
        memcpy(v, d->srcprobes[src], (size_t)n * sizeof *v);
    v[n] = p;
    d->srcprobes[src] = v;
    d->nsrcprobes[src] = n + 1;
    return 0;
}

static int compile_clause(cctx *cc, item *it)
{
    nta_dscript *d = cc->d;
    ds_prog *pg = &d->pg;
    for (pdesc *pd = it->pdescs; pd != NULL; pd = pd->next) {
        const char *f[4];
        ds_probe *stackv[64];
        ds_probe **m = stackv;
        int nm;
        if (cc->byid) {
            char *end;
            long id = strtol(pd->text, &end, 10);
            nm = 0;
            f[0] = f[1] = f[2] = f[3] = "";
            for (int i = 0; *end == '\0' && i < pg->ptab.n; i++)
                if (pg->ptab.v[i]->id == id) {
                    stackv[0] = pg->ptab.v[i];
                    f[0] = stackv[0]->prov;
                    f[1] = stackv[0]->mod;
                    f[2] = stackv[0]->func;
                    f[3] = stackv[0]->name;
                    nm = 1;
                }
        } else {
            if (ds_pdesc_split(pd->text, cc->spec, pg->arena, f, &pg->diag, pd->line) < 0)
                return -1;
            nm = ds_ptab_match(&pg->ptab, f, stackv, 64);
            if (nm > 64) {
                m = ds_alloc(pg->arena, (size_t)nm * sizeof *m);
                if (m == NULL)
                    return -1;
                ds_ptab_match(&pg->ptab, f, m, nm);
            }
        }
        size_t fl = strlen(f[0]) + strlen(f[1]) + strlen(f[2]) + strlen(f[3]) + 4;
        char *full = ds_alloc(pg->arena, fl);
        if (full == NULL)
            return -1;
        snprintf(full, fl, "%s:%s:%s:%s", f[0], f[1], f[2], f[3]);
        if (nm == 0 && !ds_opt_on(pg->opt, DSO_ZDEFS)) {
            ds_diag_set(&pg->diag, "D_PDESC_ZERO", pd->line,
                        "probe description %s does not match any probes", full);
            return -1;
        }
        const rnode *pred = NULL, *body = NULL;
        int records = 1;
        if (it->no_body) {
            body = ln_list(pg, NULL, 0);
            if (body == NULL)
                return -1;
        } else if (ds_check_clause(pg, it, nm == 1 ? m[0] : NULL, nm, full, &pred, &body,
                                   &records) < 0) {
            return -1;
        }
        ds_shard_check_clause(d, it, m, nm, full, cc->srcidx);
        for (int i = 0; i < nm; i++)
            if (add_ecb(pg, m[i], pred, body, records) < 0 || remember_probe(d, cc->srcidx, m[i]) < 0)
                return -1;
        if (cc->srcidx >= 0)
            pg->srcs[cc->srcidx].matches += nm;
    }
    return 0;
}

static int compile_text(nta_dscript *d, const char *text, size_t len, ds_pspec spec, int byid,
                        int bare, int srcidx, const ds_macros *macros)
{
    ds_prog *pg = &d->pg;
    cctx cc = { d, spec, byid, srcidx };
    dlex lx;
    ds_lex_init(&lx, text, len, pg->arena, &pg->diag, macros, option_cb, &cc);
    int ok;
    item *items = ds_parse(&lx, bare, is_type_cb, typedef_cb, &cc, &ok);
    if (!ok)
        return -1;
    for (item *it = items; it != NULL; it = it->next)
        if (it->kind != I_CLAUSE && ds_check_decl(pg, it) < 0)
            return -1;
    for (item *it = items; it != NULL; it = it->next)
        if (it->kind == I_CLAUSE && compile_clause(&cc, it) < 0)
            return -1;
    return 0;
}

/* dtrace(1)'s message for a compile error of source s. */
static void format_error(ds_prog *pg, const nta_dscript_src *s, nta_err *err)
{
    ds_diag *dg = &pg->diag;
    char tag[64] = "";
    if (ds_opt_on(pg->opt, DSO_ERRTAGS) && dg->tag != NULL)
        snprintf(tag, sizeof tag, "[%s] ", dg->tag);
    if (s == NULL) {
        nta_err_set(err, NTA_EFORMAT, "failed to compile the built-in prelude: %s%s", tag, dg->msg);
    } else if (s->kind == NTA_DSRC_FILE) {
        if (dg->line > 0)
            nta_err_set(err, NTA_EFORMAT, "failed to compile script %s: %sline %d: %s", s->label,
                        tag, dg->line, dg->msg);
        else
            nta_err_set(err, NTA_EFORMAT, "failed to compile script %s: %s%s", s->label, tag,
                        dg->msg);
    } else {
        const char *region = dg->region == 1 ? "in predicate: " : dg->region == 2 ? "in action list: " : "";
        nta_err_set(err, NTA_EFORMAT, "invalid probe specifier %s: %s%s%s", s->label, tag, region,
                    dg->msg);
    }
}

int nta_dscript_compile(nta_dscript **out, const nta_dscript_src *srcs, int nsrcs,
                        const nta_dscript_opts *o, nta_err *err)
{
    *out = NULL;
    nta_dscript *d = calloc(1, sizeof *d);
    if (d == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    ds_prog *pg = &d->pg;
    int rc = NTA_ENOMEM;
    uint8_t *used = NULL;
    if ((pg->arena = ds_arena_new()) == NULL)
        goto fail;
    pg->types.arena = pg->arena;
    if (ds_ptab_init(&pg->ptab, pg->arena) < 0)
        goto fail;
    ds_opts_init(pg->opt);
    pg->testing = o->testing;
    for (int i = 0; i < o->nxopts; i++) {
        char name[256];
        const char *eq = strchr(o->xopts[i], '=');
        size_t n = eq ? (size_t)(eq - o->xopts[i]) : strlen(o->xopts[i]);
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, o->xopts[i], n);
        name[n] = '\0';
        const char *why;
        if (ds_opt_set(pg->opt, name, eq ? eq + 1 : NULL, 0, &why) < 0) {
            rc = nta_err_set(err, NTA_EUSAGE, "failed to set -x %s: %s", o->xopts[i], why);
            goto fail;
        }
    }
    if (o->quiet)
        pg->opt[DSO_QUIET] = 1;
    if (o->zdefs)
        pg->opt[DSO_ZDEFS] = 1;
    pg->nsrc = nsrcs;
    pg->srcs = ds_alloc(pg->arena, (size_t)(nsrcs ? nsrcs : 1) * sizeof *pg->srcs);
    d->srcprobes = ds_alloc(pg->arena, (size_t)(nsrcs ? nsrcs : 1) * sizeof *d->srcprobes);
    d->nsrcprobes = ds_alloc(pg->arena, (size_t)(nsrcs ? nsrcs : 1) * sizeof *d->nsrcprobes);
    used = calloc((size_t)(o->argc > 0 ? o->argc : 1), 1);
    if (pg->srcs == NULL || d->srcprobes == NULL || d->nsrcprobes == NULL || used == NULL)
        goto fail;
    ds_macros mac = { o->argc, o->argv, ds_opt_on(pg->opt, DSO_DEFAULTARGS), used };
    if (compile_text(d, ds_prelude, strlen(ds_prelude), DS_PSPEC_NAME, 0, 0, -1, NULL) < 0) {
        format_error(pg, NULL, err);
        rc = NTA_EFORMAT;
        goto fail;
    }
    for (int i = 0; i < nsrcs; i++) {
        const nta_dscript_src *s = &srcs[i];
        pg->srcs[i].label = s->label;
        pg->srcs[i].is_file = s->kind == NTA_DSRC_FILE;
        static const ds_pspec specs[] = {
            [NTA_DSRC_FILE] = DS_PSPEC_NAME, [NTA_DSRC_PROVIDER] = DS_PSPEC_PROVIDER,
            [NTA_DSRC_MODULE] = DS_PSPEC_MODULE, [NTA_DSRC_FUNC] = DS_PSPEC_FUNC,
            [NTA_DSRC_NAME] = DS_PSPEC_NAME, [NTA_DSRC_ID] = DS_PSPEC_NAME,
        };
        mac.defaultargs = ds_opt_on(pg->opt, DSO_DEFAULTARGS);
        if (compile_text(d, s->text, s->len, specs[s->kind], s->kind == NTA_DSRC_ID,
                         s->kind != NTA_DSRC_FILE, i, &mac) < 0) {
            format_error(pg, s, err);
            rc = NTA_EFORMAT;
            goto fail;
        }
    }
    if (!ds_opt_on(pg->opt, DSO_ARGREF) && !ds_opt_on(pg->opt, DSO_DEFAULTARGS))
        for (int i = 1; i < o->argc; i++)
            if (!used[i]) {
                ds_diag_set(&pg->diag, "D_MACRO_UNUSED", 0,
                            "extraneous argument '%s' ($%d is not referenced)", o->argv[i], i);
                format_error(pg, nsrcs > 0 ? &srcs[nsrcs - 1] : NULL, err);
                rc = NTA_EFORMAT;
                goto fail;
            }
    pg->aggv = ds_alloc(pg->arena, (size_t)(pg->naggs ? pg->naggs : 1) * sizeof *pg->aggv);
    if (pg->aggv == NULL)
        goto fail;
    for (ds_agg *a = pg->aggs; a != NULL; a = a->next)
        pg->aggv[a->id] = a;
    ds_shard_check_end(d);
    free(used);
    *out = d;
    return 0;
fail:
    if (rc == NTA_ENOMEM && err->code == 0)
        nta_err_set(err, NTA_ENOMEM, "out of memory");
    free(used);
    nta_dscript_free(d);
    return rc;
}

int nta_dscript_quiet(const nta_dscript *d)
{
    return ds_opt_on(d->pg.opt, DSO_QUIET);
}

void nta_dscript_banner(const nta_dscript *d, int i, char *buf, size_t n)
{
    const ds_srcinfo *s = &d->pg.srcs[i];
    int m = s->matches;
    if (s->is_file) {
        snprintf(buf, n, "script '%s' matched %d probe%s", s->label, m, m == 1 ? "" : "s");
    } else {
        size_t cut = strcspn(s->label, "{/;");
        snprintf(buf, n, "description '%.*s' matched %d probe%s", (int)cut, s->label, m,
                 m == 1 ? "" : "s");
    }
}

uint32_t nta_dscript_probes(const nta_dscript *d)
{
    return d->pg.net_probes;
}

uint32_t nta_dscript_fields(const nta_dscript *d)
{
    return d->pg.fields;
}

int nta_dscript_list(const nta_dscript *d, int nsrcs, FILE *o)
{
    if (fprintf(o, "%5s %10s %17s %33s %s\n", "ID", "PROVIDER", "MODULE", "FUNCTION", "NAME") < 0)
        return NTA_EIO;
    if (nsrcs == 0) {
        for (int i = 0; i < d->pg.ptab.n; i++) {
            const ds_probe *p = d->pg.ptab.v[i];
            if (fprintf(o, "%5d %10s %17s %33s %s\n", p->id, p->prov, p->mod, p->func, p->name) < 0)
                return NTA_EIO;
        }
        return 0;
    }
    for (int s = 0; s < nsrcs; s++)
        for (int i = 0; i < d->nsrcprobes[s]; i++) {
            const ds_probe *p = d->srcprobes[s][i];
            if (fprintf(o, "%5d %10s %17s %33s %s\n", p->id, p->prov, p->mod, p->func, p->name) < 0)
                return NTA_EIO;
        }
    return 0;
}
