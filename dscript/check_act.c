/* dscript/check_act.c: cooking statements, actions, aggregations, declarations and clauses
 * (see check.h). Messages and tags follow libdtrace's dt_cc.c (dt_compile_agg, the lquantize
 * and llquantize checks, dt_action_printa) and dt_printf.c. */
#include "dscript/check_int.h"

#include <stdio.h>
#include <string.h>

#include "dscript/fmt.h"

static int nomem(ck *k, int line)
{
    return ck_err(k, "D_NOMEM", line, "out of memory");
}

static const char *const actions[] = {
    "printf", "printa", "trace", "exit", "trunc", "clear", "normalize", "denormalize", "setopt",
};

static const char *const unsupported_actions[] = {
    "stack", "ustack", "jstack", "tracemem", "copyout", "copyoutstr", "system", "raise", "stop",
    "panic", "breakpoint", "chill", "freopen", "ftruncate", "speculate", "commit", "discard",
    "print", "printm", "func", "sym", "mod", "usym", "umod", "uaddr", "uregs", "pcap",
};

int ck_is_action(const char *name)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(actions[i], name) == 0)
            return 1;
    for (size_t i = 0; i < sizeof unsupported_actions / sizeof unsupported_actions[0]; i++)
        if (strcmp(unsupported_actions[i], name) == 0)
            return 2;
    return 0;
}

static const char *const aggfns[] = {
    [AGF_COUNT] = "count", [AGF_SUM] = "sum", [AGF_AVG] = "avg", [AGF_MIN] = "min",
    [AGF_MAX] = "max", [AGF_STDDEV] = "stddev", [AGF_QUANTIZE] = "quantize",
    [AGF_LQUANTIZE] = "lquantize", [AGF_LLQUANTIZE] = "llquantize",
};

static int aggfn_id(const char *name)
{
    for (int i = 0; i < (int)(sizeof aggfns / sizeof aggfns[0]); i++)
        if (strcmp(aggfns[i], name) == 0)
            return i;
    return -1;
}

int ck_is_aggfn(const char *name)
{
    return aggfn_id(name) >= 0;
}

ds_agg *ck_agg(ck *k, const char *name, int line)
{
    ds_prog *pg = k->pg;
    ds_agg **tail = &pg->aggs;
    for (ds_agg *a = pg->aggs; a != NULL; a = a->next) {
        if (strcmp(a->name, name) == 0)
            return a;
        tail = &a->next;
    }
    ds_agg *a = ds_alloc(pg->arena, sizeof *a);
    if (a == NULL) {
        nomem(k, line);
        return NULL;
    }
    a->name = name;
    a->id = pg->naggs++;
    a->fn = -1;
    a->line = line;
    *tail = a;
    return a;
}

/* The type name of an argument that is not what a prototype wants, without keeping errors. */
static const char *arg_type_name(ck *k, ast *e)
{
    if (e->kind == A_AGG)
        return "aggregation";
    cx x;
    int q = k->quiet_errors;
    k->quiet_errors = 1;
    int rc = ck_cook(k, e, &x);
    k->quiet_errors = q;
    if (rc < 0 || x.t == NULL)
        return "void";
    return x.agg ? "aggregation" : x.t->name;
}

int ck_keys(ck *k, const char *what, ast *keys, int line, int *nkeys, const dtype **keyt,
            int *known, rnode **out)
{
    int n = 0;
    for (ast *a = keys; a != NULL; a = a->next)
        n++;
    if (n > DS_MAXKEYS)
        return ck_err(k, "D_PROTO_LEN", line, "%s[ ] has too many keys: %d (at most %d)", what, n,
                      DS_MAXKEYS);
    if (*known && n != *nkeys)
        return ck_err(k, "D_PROTO_LEN", line, "%s[ ] prototype mismatch: %d key%s passed, %d expected",
                      what, n, n == 1 ? "" : "s", *nkeys);
    int i = 0;
    for (ast *a = keys; a != NULL; a = a->next, i++) {
        cx x;
        if (ck_cook(k, a, &x) < 0)
            return -1;
        if (x.agg != NULL || x.t->kind == DK_VOID || x.t->kind == DK_ARRAY ||
            x.t->kind == DK_XSTRUCT || x.n == NULL)
            return ck_err(k, "D_KEY_TYPE", a->line, "%s[ ] key #%d is of incompatible type %s",
                          what, i + 1, x.agg ? "aggregation" : x.t->name);
        const dtype *t = x.t->kind == DK_PTR ? &ds_t_uintptr : x.t;
        if (*known) {
            if (!ck_compatible(keyt[i], t, 0))
                return ck_err(k, "D_PROTO_ARG", a->line,
                              "%s[ ] argument #%d is incompatible with prototype:\n\tprototype: %s\n"
                              "\t argument: %s", what, i + 1, keyt[i]->name, t->name);
        } else {
            keyt[i] = t;
        }
        x.t = t;
        out[i] = ck_convert(k, &x, keyt[i]);
    }
    *nkeys = n;
    *known = 1;
    return 0;
}

/* ---- aggregations ---- */

static int need_const(ck *k, ast *a, cx *x)
{
    return ck_cook(k, a, x) < 0 ? -1 : 0;
}

static int check_lquantize(ck *k, ast *e, ds_agg *ag, ast *arg1, int64_t prm[4])
{
    ast *arg2 = arg1->next, *arg3 = arg2->next;
    cx b, l;
    if (need_const(k, arg1, &b) < 0 || need_const(k, arg2, &l) < 0)
        return -1;
    if (!b.cst || b.t->kind != DK_INT)
        return ck_err(k, "D_LQUANT_BASETYPE", arg1->line,
                      "lquantize( ) argument #1 must be an integer constant");
    int64_t base = (int64_t)b.cv;
    if (base < INT32_MIN || base > INT32_MAX)
        return ck_err(k, "D_LQUANT_BASEVAL", arg1->line,
                      "lquantize( ) argument #1 must be a 32-bit quantity");
    if (!l.cst || l.t->kind != DK_INT)
        return ck_err(k, "D_LQUANT_LIMTYPE", arg2->line,
                      "lquantize( ) argument #2 must be an integer constant");
    int64_t lim = (int64_t)l.cv;
    if (lim < INT32_MIN || lim > INT32_MAX)
        return ck_err(k, "D_LQUANT_LIMVAL", arg2->line,
                      "lquantize( ) argument #2 must be a 32-bit quantity");
    if (lim < base)
        return ck_err(k, "D_LQUANT_MISMATCH", e->line,
                      "lquantize( ) base (argument #1) must be less than limit (argument #2)");
    int64_t step = 1;
    if (arg3 != NULL) {
        cx s;
        if (need_const(k, arg3, &s) < 0)
            return -1;
        if (!s.cst || s.t->kind != DK_INT || (int64_t)s.cv <= 0)
            return ck_err(k, "D_LQUANT_STEPTYPE", arg3->line,
                          "lquantize( ) argument #3 must be a non-zero positive integer constant");
        if (s.cv > UINT16_MAX)
            return ck_err(k, "D_LQUANT_STEPVAL", arg3->line,
                          "lquantize( ) argument #3 must be a 16-bit quantity");
        step = (int64_t)s.cv;
    }
    int64_t levels = (lim - base) / step;
    if (levels == 0)
        return ck_err(k, "D_LQUANT_STEPLARGE", e->line,
                      "lquantize( ) step (argument #3) too large: must have at least one "
                      "quantization level");
    if (levels > UINT16_MAX)
        return ck_err(k, "D_LQUANT_STEPSMALL", e->line,
                      "lquantize( ) step (argument #3) too small: number of quantization levels "
                      "must be a 16-bit quantity");
    if (ag->fn == AGF_LQUANTIZE) {
        int64_t ob = ag->prm[0], ostep = ag->prm[2], olev = (ag->prm[1] - ag->prm[0]) / ostep;
        if (ob != base)
            return ck_err(k, "D_LQUANT_MATCHBASE", e->line,
                          "lquantize( ) base (argument #1) doesn't match previous declaration: "
                          "expected %lld", (long long)ob);
        if (olev * ostep != levels * step)
            return ck_err(k, "D_LQUANT_MATCHLIM", e->line,
                          "lquantize( ) limit (argument #2) doesn't match previous declaration: "
                          "expected %lld", (long long)(ob + olev * ostep));
        if (ostep != step)
            return ck_err(k, "D_LQUANT_MATCHSTEP", e->line,
                          "lquantize( ) step (argument #3) doesn't match previous declaration: "
                          "expected %lld", (long long)ostep);
    }
    prm[0] = base;
    prm[1] = lim;
    prm[2] = step;
    return 0;
}

static int check_llquantize(ck *k, ast *e, ds_agg *ag, ast *arg1, int64_t prm[4])
{
    ast *a[4] = { arg1, arg1->next, arg1->next->next, arg1->next->next->next };
    cx x[4];
    for (int i = 0; i < 4; i++)
        if (need_const(k, a[i], &x[i]) < 0)
            return -1;
    if (!x[0].cst || x[0].t->kind != DK_INT || (int64_t)x[0].cv <= 0)
        return ck_err(k, "D_LLQUANT_FACTORTYPE", a[0]->line,
                      "llquantize( ) argument #1 must be a non-zero positive integer constant");
    if (x[0].cv > UINT16_MAX || x[0].cv < 2)
        return ck_err(k, "D_LLQUANT_FACTORVAL", a[0]->line,
                      "llquantize( ) argument #1 must be a 16-bit quantity greater than 1");
    if (!x[1].cst || x[1].t->kind != DK_INT || (int64_t)x[1].cv < 0)
        return ck_err(k, "D_LLQUANT_LOWTYPE", a[1]->line,
                      "llquantize( ) argument #2 must be a non-negative integer constant");
    if (x[1].cv > UINT16_MAX)
        return ck_err(k, "D_LLQUANT_LOWVAL", a[1]->line,
                      "llquantize( ) argument #2 must be a 16-bit quantity");
    if (!x[2].cst || x[2].t->kind != DK_INT || (int64_t)x[2].cv < 0)
        return ck_err(k, "D_LLQUANT_HIGHTYPE", a[2]->line,
                      "llquantize( ) argument #3 must be a non-negative integer constant");
    if (x[2].cv > UINT16_MAX)
        return ck_err(k, "D_LLQUANT_HIGHVAL", a[2]->line,
                      "llquantize( ) argument #3 must be a 16-bit quantity");
    if (x[2].cv < x[1].cv)
        return ck_err(k, "D_LLQUANT_HIGHMISMATCH", e->line,
                      "llquantize( ) high magnitude (argument #3) must be at least the low "
                      "magnitude (argument #2)");
    if (!x[3].cst || x[3].t->kind != DK_INT || (int64_t)x[3].cv <= 0)
        return ck_err(k, "D_LLQUANT_NSTEPTYPE", a[3]->line,
                      "llquantize( ) argument #4 must be a non-zero positive integer constant");
    if (x[3].cv > UINT16_MAX)
        return ck_err(k, "D_LLQUANT_NSTEPVAL", a[3]->line,
                      "llquantize( ) argument #4 must be a 16-bit quantity");
    uint64_t f = x[0].cv, steps = x[3].cv;
    if ((steps < f && f % steps != 0) || (steps >= f && steps % f != 0))
        return ck_err(k, "D_LLQUANT_STEPVAL", a[3]->line,
                      "llquantize( ) number of steps (argument #4) must divide, or be a multiple "
                      "of, the factor (argument #1)");
    /* factor^(high+1) must fit in 64 bits */
    uint64_t p = 1;
    for (uint64_t i = 0; i <= x[2].cv; i++) {
        if (p > UINT64_MAX / f)
            return ck_err(k, "D_LLQUANT_MAGTOOBIG", e->line,
                          "llquantize( ) factor (argument #1) raised to the high magnitude "
                          "(argument #3) plus one overflows 64 bits");
        p *= f;
    }
    if (ag->fn == AGF_LLQUANTIZE &&
        (ag->prm[0] != (int64_t)f || ag->prm[1] != (int64_t)x[1].cv ||
         ag->prm[2] != (int64_t)x[2].cv || ag->prm[3] != (int64_t)steps))
        return ck_err(k, "D_LLQUANT_MATCHARGS", e->line,
                      "llquantize( ) arguments don't match the previous declaration of @%s",
                      ag->name);
    prm[0] = (int64_t)f;
    prm[1] = (int64_t)x[1].cv;
    prm[2] = (int64_t)x[2].cv;
    prm[3] = (int64_t)steps;
    return 0;
}

static int cook_aggregation(ck *k, ast *e, rnode **out)
{
    ast *lhs = e->a, *rhs = e->b;
    if (lhs->mdim)
        return ck_err(k, "D_AGG_MDIM", lhs->line,
                      "multi-dimensional aggregations are not supported: @%s[ ][ ]", lhs->s);
    if (e->op != T_ASSIGN)
        return ck_err(k, "D_OP_AGG", e->line, "operator %s may not be applied to an aggregation",
                      ds_tok_text(e->op));
    if (rhs->kind != A_CALL || rhs->a->kind != A_IDENT || aggfn_id(rhs->a->s) < 0)
        return ck_err(k, "D_AGG_FUNC", e->line,
                      "@%s must be assigned the result of an aggregating function", lhs->s);
    ds_agg *ag = ck_agg(k, lhs->s, lhs->line);
    if (ag == NULL)
        return -1;
    char what[80];
    snprintf(what, sizeof what, "@%s", lhs->s);
    rnode **keys = ds_alloc(k->pg->arena, DS_MAXKEYS * sizeof *keys);
    if (keys == NULL)
        return nomem(k, e->line);
    if (ck_keys(k, what, lhs->a, lhs->line, &ag->nkeys, ag->keyt, &ag->keys_known, keys) < 0)
        return -1;
    int fn = aggfn_id(rhs->a->s);
    const char *fname = aggfns[fn];
    if (ag->fn >= 0 && ag->fn != fn)
        return ck_err(k, "D_AGG_REDEF", e->line,
                      "aggregation redefined: @%s\n\t current: %s( )\n\tprevious: %s( )", ag->name,
                      fname, aggfns[ag->fn]);
    static const int minargs[] = { 0, 1, 1, 1, 1, 1, 1, 3, 5 };
    static const int maxargs[] = { 0, 1, 1, 1, 1, 1, 2, 5, 6 };
    int n = 0;
    for (ast *a = rhs->b; a != NULL; a = a->next)
        n++;
    if (n < minargs[fn] || n > maxargs[fn])
        return ck_err(k, "D_PROTO_LEN", rhs->line,
                      "%s( ) prototype mismatch: %d arg%s passed, %s%d expected", fname, n,
                      n == 1 ? "" : "s",
                      minargs[fn] == maxargs[fn] ? "" : n < minargs[fn] ? "at least " : "at most ",
                      n < minargs[fn] ? minargs[fn] : maxargs[fn]);
    rnode *val = NULL, *incr = NULL;
    const dtype *valt = &ds_t_int64;
    ast *vala = rhs->b;
    if (vala != NULL) {
        cx v;
        if (ck_cook(k, vala, &v) < 0)
            return -1;
        if (v.agg != NULL || v.t->kind != DK_INT || v.n == NULL)
            return ck_err(k, "D_AGG_SCALAR", vala->line, "%s( ) argument #1 must be of scalar type",
                          fname);
        val = v.n;
        valt = v.t;
    }
    int64_t prm[4] = { 0, 0, 0, 0 };
    ast *incra = NULL;
    if (fn == AGF_QUANTIZE) {
        incra = vala->next;
    } else if (fn == AGF_LQUANTIZE) {
        if (check_lquantize(k, rhs, ag, vala->next, prm) < 0)
            return -1;
        ast *s = vala->next->next->next;
        incra = s ? s->next : NULL;
    } else if (fn == AGF_LLQUANTIZE) {
        if (check_llquantize(k, rhs, ag, vala->next, prm) < 0)
            return -1;
        incra = vala->next->next->next->next->next;
    }
    if (incra != NULL) {
        cx v;
        if (ck_cook(k, incra, &v) < 0)
            return -1;
        if (v.agg != NULL || v.t->kind != DK_INT || v.n == NULL)
            return ck_err(k, "D_AGG_SCALAR", incra->line,
                          "%s( ) increment must be of scalar type", fname);
        incr = v.n;
    }
    ag->fn = fn;
    memcpy(ag->prm, prm, sizeof prm);
    *out = ln_aggregate(k->pg, ag, keys, ag->nkeys, val, incr, valt);
    return *out ? 0 : nomem(k, e->line);
}

/* ---- actions ---- */

static int argc_of(ast *call)
{
    int n = 0;
    for (ast *a = call->b; a != NULL; a = a->next)
        n++;
    return n;
}

static int proto_len(ck *k, ast *e, const char *name, int n, int min, int max)
{
    if (n >= min && n <= max)
        return 0;
    return ck_err(k, "D_PROTO_LEN", e->line, "%s( ) prototype mismatch: %d arg%s passed, %s%d expected",
                  name, n, n == 1 ? "" : "s", min == max ? "" : n < min ? "at least " : "at most ",
                  n < min ? min : max);
}

static int agg_arg(ck *k, ast *a, const char *fn, const char *tag, int argno, ds_agg **ag)
{
    if (a->kind != A_AGG || a->has_keys || a->mdim)
        return ck_err(k, tag, a->line,
                      "%s( ) argument #%d is incompatible with prototype:\n\tprototype: aggregation\n"
                      "\t argument: %s", fn, argno, arg_type_name(k, a));
    *ag = ck_agg(k, a->s, a->line);
    return *ag ? 0 : -1;
}

static int cook_printf(ck *k, ast *e, rnode **out)
{
    int n = argc_of(e);
    if (n < 1)
        return ck_err(k, "D_PRINTF_PROTO", e->line,
                      "printf( ) prototype mismatch: 0 args passed, at least 1 expected");
    cx f;
    if (ck_cook(k, e->b, &f) < 0)
        return -1;
    if (f.cs == NULL)
        return ck_err(k, "D_PRINTF_ARG_FMT", e->line,
                      "printf( ) argument #1 is incompatible with prototype:\n\tprototype: string "
                      "constant\n\t argument: %s", f.t->name);
    pformat *pf = ds_alloc(k->pg->arena, sizeof *pf);
    if (pf == NULL)
        return nomem(k, e->line);
    /* the format is the literal as written: strsize bounds string values, not the format
     * (dt_printf_create() takes the node's whole string) */
    const char *fs = e->b->kind == A_STR ? e->b->s : f.cs;
    size_t fl = e->b->kind == A_STR ? strnlen(e->b->s, e->b->slen) : strlen(f.cs);
    if (pf_parse(k->pg->arena, fs, fl, pf, k->d, e->line, "printf") < 0)
        return -1;
    rnode **args = ds_alloc(k->pg->arena, (size_t)(n > 1 ? n - 1 : 1) * sizeof *args);
    const dtype **types = ds_alloc(k->pg->arena, (size_t)(n > 1 ? n - 1 : 1) * sizeof *types);
    if (args == NULL || types == NULL)
        return nomem(k, e->line);
    int i = 0;
    for (ast *a = e->b->next; a != NULL; a = a->next, i++) {
        cx x;
        if (ck_cook(k, a, &x) < 0)
            return -1;
        if (x.agg != NULL || x.n == NULL || x.t->kind == DK_VOID || x.t->kind == DK_ARRAY ||
            x.t->kind == DK_XSTRUCT)
            return ck_err(k, "D_PRINTF_ARG_TYPE", a->line,
                          "printf( ) argument #%d is incompatible with prototype: %s", i + 2,
                          x.agg ? "aggregation" : x.t->name);
        args[i] = x.n;
        types[i] = x.t;
    }
    if (pf_check_printf(pf, types, n - 1, k->d, e->line, "printf") < 0)
        return -1;
    *out = ln_printf(k->pg, pf, args, n - 1);
    return *out ? 0 : nomem(k, e->line);
}

static int cook_printa(ck *k, ast *e, rnode **out)
{
    int n = argc_of(e);
    ast *a = e->b;
    pformat *pf = NULL;
    if (n == 0)
        return ck_err(k, "D_PRINTA_PROTO", e->line,
                      "printa( ) prototype mismatch: 0 args passed, at least 1 expected");
    int argno = 1;
    if (a->kind == A_STR) {
        if (n == 1)
            return ck_err(k, "D_PRINTA_PROTO", e->line,
                          "printa( ) prototype mismatch: 1 args passed, 2 expected");
        pf = ds_alloc(k->pg->arena, sizeof *pf);
        if (pf == NULL)
            return nomem(k, e->line);
        if (pf_parse(k->pg->arena, a->s, strnlen(a->s, a->slen), pf, k->d, e->line, "printa") < 0)
            return -1;
        a = a->next;
        argno = 2;
    }
    int naggs = n - (pf != NULL);
    ds_agg **aggs = ds_alloc(k->pg->arena, (size_t)naggs * sizeof *aggs);
    if (aggs == NULL)
        return nomem(k, e->line);
    for (int i = 0; a != NULL; a = a->next, i++, argno++)
        if (agg_arg(k, a, "printa", "D_PRINTA_AGGARG", argno, &aggs[i]) < 0)
            return -1;
    for (int i = 1; i < naggs; i++) {
        ds_agg *x = aggs[0], *y = aggs[i];
        if (!x->keys_known || !y->keys_known)
            continue;
        if (x->nkeys != y->nkeys)
            return ck_err(k, "D_PRINTA_AGGKEY", e->line,
                          "printa( ): @%s and @%s do not have matching key signatures: @%s has %d "
                          "key%s, @%s has %d key%s", x->name, y->name, x->name, x->nkeys,
                          x->nkeys == 1 ? "" : "s", y->name, y->nkeys, y->nkeys == 1 ? "" : "s");
        for (int j = 0; j < x->nkeys; j++)
            if (!ck_compatible(x->keyt[j], y->keyt[j], 0))
                return ck_err(k, "D_PRINTA_AGGPROTO", e->line,
                              "printa( ): @%s[ ] key #%d is incompatible with @%s:\n%9s key #%d: "
                              "%s\n%9s key #%d: %s", y->name, j + 1, x->name, x->name, j + 1,
                              x->keyt[j]->name, y->name, j + 1, y->keyt[j]->name);
    }
    if (pf != NULL) {
        /* key conversions take the first aggregation's keys in order (dt_printf_validate) */
        int ki = 0, nconv = 0;
        for (int i = 0; i < pf->n; i++) {
            pfconv *cv = &pf->c[i];
            if (cv->conv == 0)
                continue;
            nconv++;
            int need = cv->wstar + cv->pstar + (cv->agg || cv->conv == '%' ? 0 : 1);
            if (cv->agg) {
                if (cv->conv != 'd' && cv->conv != 'i' && cv->conv != 'u' && cv->conv != 'x' &&
                    cv->conv != 'X' && cv->conv != 'o' && cv->conv != 'c')
                    return ck_err(k, "D_PRINTF_ARG_TYPE", e->line,
                                  "printa( ) argument #%d is incompatible with conversion #%d "
                                  "prototype:\n\tconversion: %%@%s\n\t prototype: integer\n\t  "
                                  "argument: int64_t", 2, nconv, cv->name);
            }
            if (!aggs[0]->keys_known) {
                ki += need;
                continue;
            }
            for (int s = 0; s < need; s++, ki++) {
                if (ki >= aggs[0]->nkeys)
                    return ck_err(k, "D_PRINTF_ARG_PROTO", e->line,
                                  "printa( ) prototype mismatch: conversion #%d (%%%s) is missing "
                                  "a corresponding value argument", nconv, cv->name);
                const dtype *t = aggs[0]->keyt[ki];
                int str = t->kind == DK_STRING;
                if (s < cv->wstar + cv->pstar) {
                    if (str)
                        return ck_err(k, "D_PRINTF_DYN_TYPE", e->line,
                                      "printa( ) key #%d is incompatible with conversion #%d: a "
                                      "width needs an integer", ki + 1, nconv);
                    continue;
                }
                int conv_str = cv->conv == 's' || cv->conv == 'S' || cv->conv == 'I';
                if (conv_str != str && !(cv->conv == 'p' || cv->conv == 'a' || cv->conv == 'A'))
                    return ck_err(k, "D_PRINTF_ARG_TYPE", e->line,
                                  "printa( ) argument #%d is incompatible with conversion #%d "
                                  "prototype:\n\tconversion: %%%s\n\t prototype: %s\n\t  argument: %s",
                                  ki + 2, nconv, cv->name,
                                  conv_str ? "char [] or string (or use stringof)" : "integer",
                                  t->name);
                cv->astr = (uint8_t)str;
                cv->asize = str ? 0 : t->size;
                cv->asgn = !str && t->sgn;
            }
        }
    }
    *out = ln_printa(k->pg, pf, aggs, naggs);
    return *out ? 0 : nomem(k, e->line);
}

static int cook_action(ck *k, ast *e, rnode **out)
{
    const char *name = e->a->s;
    int n = argc_of(e);
    ds_prog *pg = k->pg;
    if (ck_is_action(name) == 2) {
        const char *why = strcmp(name, "speculate") == 0 || strcmp(name, "commit") == 0 ||
                                  strcmp(name, "discard") == 0
                              ? "speculative tracing is not supported by nta run"
                              : "it needs a live system: nta run reads captures";
        return ck_err(k, "D_NTA_UNSUP", e->line, "%s( ): %s", name, why);
    }
    k->records = 1;
    if (strcmp(name, "printf") == 0)
        return cook_printf(k, e, out);
    if (strcmp(name, "printa") == 0)
        return cook_printa(k, e, out);
    if (strcmp(name, "trace") == 0) {
        if (proto_len(k, e, name, n, 1, 1) < 0)
            return -1;
        cx x;
        if (ck_cook(k, e->b, &x) < 0)
            return -1;
        if (x.agg != NULL)
            return ck_err(k, "D_TRACE_AGG", e->line, "trace( ) may not be applied to an aggregation");
        if (x.n == NULL || x.t->kind == DK_VOID || x.t->kind == DK_ARRAY ||
            x.t->kind == DK_XSTRUCT)
            return ck_err(k, "D_TRACE_VOID", e->line,
                          "trace( ) may not be applied to a void or aggregate expression");
        *out = ln_trace(pg, x.n, x.t);
        return *out ? 0 : nomem(k, e->line);
    }
    if (strcmp(name, "exit") == 0) {
        if (proto_len(k, e, name, n, 1, 1) < 0)
            return -1;
        cx x;
        if (ck_cook(k, e->b, &x) < 0)
            return -1;
        if (x.agg != NULL || x.t->kind != DK_INT)
            return ck_err(k, "D_PROTO_ARG", e->line,
                          "exit( ) argument #1 is incompatible with prototype:\n\tprototype: int\n"
                          "\t argument: %s", x.agg ? "aggregation" : x.t->name);
        *out = ln_exit(pg, x.n);
        return *out ? 0 : nomem(k, e->line);
    }
    if (strcmp(name, "setopt") == 0) {
        if (proto_len(k, e, name, n, 1, 2) < 0)
            return -1;
        const char *v[2] = { NULL, NULL };
        int i = 0;
        for (ast *a = e->b; a != NULL; a = a->next, i++) {
            cx x;
            if (ck_cook(k, a, &x) < 0)
                return -1;
            if (x.cs == NULL)
                return ck_err(k, "D_PROTO_ARG", a->line,
                              "setopt( ) argument #%d is incompatible with prototype:\n\tprototype: "
                              "string constant\n\t argument: %s", i + 1, x.t->name);
            v[i] = x.cs;
        }
        *out = ln_setopt(pg, v[0], v[1]);
        return *out ? 0 : nomem(k, e->line);
    }
    /* trunc, clear, normalize, denormalize */
    const char *tag = strcmp(name, "trunc") == 0       ? "D_TRUNC_AGGARG"
                      : strcmp(name, "clear") == 0     ? "D_CLEAR_AGGARG"
                      : strcmp(name, "normalize") == 0 ? "D_NORMALIZE_AGGARG"
                                                       : "D_DENORMALIZE_AGGARG";
    int maxn = strcmp(name, "trunc") == 0 || strcmp(name, "normalize") == 0 ? 2 : 1;
    int minn = strcmp(name, "normalize") == 0 ? 2 : 1;
    if (n >= 1 && e->b->kind != A_AGG)
        return agg_arg(k, e->b, name, tag, 1, &(ds_agg *){ NULL });
    if (proto_len(k, e, name, n, minn, maxn) < 0)
        return -1;
    ds_agg *ag;
    if (agg_arg(k, e->b, name, tag, 1, &ag) < 0)
        return -1;
    rnode *arg = NULL;
    if (n == 2) {
        cx x;
        if (ck_cook(k, e->b->next, &x) < 0)
            return -1;
        if (x.agg != NULL || x.t->kind != DK_INT)
            return ck_err(k, strcmp(name, "trunc") == 0 ? "D_TRUNC_SCALAR" : "D_NORMALIZE_SCALAR",
                          e->line, "%s( ) argument #2 must be of scalar type", name);
        arg = x.n;
    }
    *out = ln_aggop(pg, name, ag, arg);
    return *out ? 0 : nomem(k, e->line);
}

/* ---- statements ---- */

static int cook_stmt(ck *k, ast *s, rnode **out)
{
    ast *e = s->a;
    if (e->kind == A_ASSIGN && e->a->kind == A_AGG)
        return cook_aggregation(k, e, out);
    if (e->kind == A_CALL && e->a->kind == A_IDENT && ck_is_action(e->a->s))
        return cook_action(k, e, out);
    cx x;
    if (ck_cook(k, e, &x) < 0)
        return -1;
    if (x.agg != NULL)
        return ck_err(k, "D_AGG_SCALAR", e->line, "aggregation @%s used as a statement", x.agg->name);
    *out = x.n != NULL ? x.n : ln_const(k->pg, 0);
    return *out ? 0 : nomem(k, e->line);
}

int ck_stmts(ck *k, ast *s, rnode **out)
{
    int n = 0;
    for (ast *p = s; p != NULL; p = p->next)
        n++;
    rnode **v = ds_alloc(k->pg->arena, (size_t)(n ? n : 1) * sizeof *v);
    if (v == NULL)
        return nomem(k, s ? s->line : 0);
    int m = 0;
    for (ast *p = s; p != NULL; p = p->next) {
        rnode *r = NULL;
        if (p->kind == S_EMPTY)
            continue;
        k->action++;
        int action = k->action;
        if (p->kind == S_IF) {
            cx c;
            if (ck_cook(k, p->a, &c) < 0)
                return -1;
            if (c.agg != NULL || !(ds_is_scalar(c.t) || c.t->kind == DK_STRING))
                return ck_err(k, "D_IF_SCALAR", p->line, "if( ) condition must be of scalar type");
            rnode *th, *el = NULL;
            if (ck_stmts(k, p->b, &th) < 0)
                return -1;
            if (p->c != NULL && ck_stmts(k, p->c, &el) < 0)
                return -1;
            r = ln_if(k->pg, c.n, th, el);
        } else if (cook_stmt(k, p, &r) < 0) {
            return -1;
        }
        if (r == NULL || (v[m] = ln_action_mark(k->pg, action, r)) == NULL)
            return nomem(k, p->line);
        m++;
    }
    *out = ln_list(k->pg, v, m);
    return *out ? 0 : nomem(k, s ? s->line : 0);
}

static int has_statements(ast *s)
{
    for (; s != NULL; s = s->next)
        if (s->kind != S_EMPTY)
            return 1;
    return 0;
}

int ds_check_clause(ds_prog *pg, item *cl, ds_probe *probe, int nmatch, const char *pdtext,
                    const rnode **pred, const rnode **body, int *records)
{
    ck k;
    memset(&k, 0, sizeof k);
    k.pg = pg;
    k.d = &pg->diag;
    k.probe = nmatch == 1 ? probe : NULL;
    k.nmatch = nmatch;
    k.pdesc = pdtext;
    rnode *b = NULL;
    cx p;
    memset(&p, 0, sizeof p);
    *pred = NULL;
    int rc = ck_stmts(&k, cl->body, &b);
    if (rc < 0 && cl->pred != NULL && pg->diag.tag != NULL &&
        (strcmp(pg->diag.tag, "D_IDENT_UNDEF") == 0 || strcmp(pg->diag.tag, "D_VAR_UNDEF") == 0)) {
        /* dt_cook_clause: the predicate may create what the actions use; cook it first */
        memset(&pg->diag, 0, sizeof pg->diag);
        k.action = 0;
        k.records = 0;
        k.temps_used = 0;
        if (ck_cook(&k, cl->pred, &p) < 0) {
            pg->diag.region = 1;
            return -1;
        }
        rc = ck_stmts(&k, cl->body, &b);
        if (rc < 0) {
            pg->diag.region = 2;
            return -1;
        }
    } else if (rc < 0) {
        pg->diag.region = 2;
        return -1;
    } else if (cl->pred != NULL) {
        int saved = k.action;
        k.action = 0;
        if (ck_cook(&k, cl->pred, &p) < 0) {
            pg->diag.region = 1;
            return -1;
        }
        k.action = saved;
    }
    if (cl->pred != NULL) {
        if (p.agg != NULL || p.n == NULL || !(ds_is_scalar(p.t) || p.t->kind == DK_STRING)) {
            ds_diag_set(&pg->diag, "D_PRED_SCALAR", cl->pred->line,
                        "predicate result must be of scalar type");
            pg->diag.region = 1;
            return -1;
        }
        *pred = p.n;
    }
    *body = b;
    *records = k.records || !has_statements(cl->body);
    return 0;
}

/* ---- declarations ---- */

static ds_var *find_var(ds_prog *pg, vscope s, const char *name)
{
    for (ds_var *v = pg->vars; v != NULL; v = v->next)
        if (v->scope == s && strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

static int decl_vars(ck *k, item *it)
{
    ds_prog *pg = k->pg;
    const char *why;
    const dtype *t = ds_type_of_spec(&pg->types, it->ts, &why);
    if (t == NULL)
        return ck_err(k, "D_NTA_UNSUP", it->line, "%s %s not supported by nta run", why,
                      why[strlen(why) - 1] == 's' ? "are" : "is");
    if (t->kind == DK_PTR)
        return ck_err(k, "D_NTA_UNSUP", it->line, "pointers are not supported by nta run");
    vscope sc = it->dclass == K_THIS ? VS_THIS : it->dclass == K_SELF ? VS_SELF : VS_GLOBAL;
    for (declr *d = it->decls; d != NULL; d = d->next) {
        if (d->ptr)
            return ck_err(k, "D_NTA_UNSUP", d->line, "pointers are not supported by nta run (%s)",
                          d->name);
        if (t->kind == DK_VOID)
            return ck_err(k, "D_DECL_VOIDOBJ", d->line, "cannot declare void object : %s", d->name);
        vkind kind = d->array_n >= 0 ? VK_ARRAY : d->nkeys > 0 ? VK_ASSOC : VK_SCALAR;
        if (kind != VK_SCALAR && sc != VS_GLOBAL)
            return ck_err(k, "D_DECL_ARRVA", d->line,
                          "%s-> variables cannot be arrays in nta run: %s",
                          sc == VS_THIS ? "this" : "self", d->name);
        if (kind == VK_ARRAY && d->array_n == 0)
            return ck_err(k, "D_DECL_ARRNULL", d->line, "array declaration requires a size: %s",
                          d->name);
        const dtype *keyt[8];
        for (int i = 0; i < d->nkeys; i++) {
            keyt[i] = ds_type_of_spec(&pg->types, d->keys[i], &why);
            if (keyt[i] == NULL || keyt[i]->kind == DK_VOID || keyt[i]->kind == DK_PTR)
                return ck_err(k, "D_KEY_TYPE", d->line, "%s[ ] key #%d has a type nta run cannot use",
                              d->name, i + 1);
        }
        ds_var *v = find_var(pg, sc, d->name);
        if (v != NULL) {
            if (v->kind != kind || (v->t != NULL && v->t != t))
                return ck_err(k, "D_DECL_IDRED", d->line, "identifier redeclared: %s", d->name);
            v->t = t;
            continue;
        }
        v = ds_alloc(pg->arena, sizeof *v);
        if (v == NULL)
            return nomem(k, d->line);
        v->name = d->name;
        v->scope = sc;
        v->kind = kind;
        v->t = t;
        v->declared = 1;
        if (kind == VK_ARRAY) {
            v->nelem = d->array_n;
            v->slot = pg->nglobals++;
        } else if (kind == VK_ASSOC) {
            v->nkeys = d->nkeys;
            memcpy(v->keyt, keyt, sizeof keyt[0] * (size_t)d->nkeys);
            v->keys_known = 1;
            v->slot = pg->ndyn++;
        } else if (sc == VS_GLOBAL) {
            v->slot = pg->nglobals++;
        } else if (sc == VS_THIS) {
            v->slot = pg->nthis++;
        } else {
            v->slot = pg->ndyn++;
        }
        ds_var **tail = &pg->vars;
        while (*tail != NULL)
            tail = &(*tail)->next;
        *tail = v;
    }
    return 0;
}

static int decl_inline(ck *k, item *it)
{
    ds_prog *pg = k->pg;
    const char *why;
    const dtype *t = ds_type_of_spec(&pg->types, it->ts, &why);
    if (t == NULL)
        return ck_err(k, "D_NTA_UNSUP", it->line, "%s %s not supported by nta run", why,
                      why[strlen(why) - 1] == 's' ? "are" : "is");
    for (ds_inline *i = pg->inlines; i != NULL; i = i->next)
        if (strcmp(i->name, it->name) == 0)
            return ck_err(k, "D_DECL_IDRED", it->line, "identifier redeclared: %s", it->name);
    ds_inline *in = ds_alloc(pg->arena, sizeof *in);
    if (in == NULL)
        return nomem(k, it->line);
    in->name = it->name;
    in->t = t;
    in->it = it;
    in->nparams = it->nparams;
    for (int i = 0; i < it->nparams; i++) {
        in->ptypes[i] = ds_type_of_spec(&pg->types, it->ptypes[i], &why);
        if (in->ptypes[i] == NULL)
            return ck_err(k, "D_NTA_UNSUP", it->line, "inline %s: %s %s not supported by nta run",
                          it->name, why, why[strlen(why) - 1] == 's' ? "are" : "is");
    }
    if (it->nparams == 0) {
        cx x;
        if (ck_cook(k, it->value, &x) < 0)
            return -1;
        if (!ck_compatible(t, x.t, x.cst && x.cv == 0))
            return ck_err(k, "D_OP_INCOMPAT", it->line,
                          "inline %s definition uses incompatible types: \"%s\" = \"%s\"",
                          it->name, t->name, x.t->name);
        if (x.cst && t->kind == DK_INT) {
            /* folded, and narrowed to the declared type as a cast would */
            in->is_const = 1;
            in->cv = x.cv;
            if (t->size < 8) {
                int sh = 64 - t->size * 8;
                in->cv = t->sgn ? (uint64_t)((int64_t)(x.cv << sh) >> sh) : (x.cv << sh) >> sh;
            }
        } else if (x.cs != NULL && t->kind == DK_STRING) {
            in->is_const = 1;
            in->cs = x.cs;
        }
    }
    ds_inline **tail = &pg->inlines;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = in;
    return 0;
}

static int decl_enum(ck *k, item *it)
{
    ds_prog *pg = k->pg;
    int64_t next = 0;
    for (enumr *e = it->enums; e != NULL; e = e->next) {
        if (e->value != NULL) {
            cx x;
            if (ck_cook(k, e->value, &x) < 0)
                return -1;
            if (!x.cst || x.t->kind != DK_INT)
                return ck_err(k, "D_DECL_ENCONST", e->line,
                              "enumerator '%s' must be assigned an integral constant expression",
                              e->name);
            next = (int64_t)x.cv;
        }
        if (next < INT32_MIN || next > INT32_MAX)
            return ck_err(k, "D_DECL_ENOFLOW", e->line, "enumerator '%s' overflows int", e->name);
        for (ds_enumc *o = pg->enums; o != NULL; o = o->next)
            if (strcmp(o->name, e->name) == 0)
                return ck_err(k, "D_DECL_IDRED", e->line, "identifier redeclared: %s", e->name);
        ds_enumc *c = ds_alloc(pg->arena, sizeof *c);
        if (c == NULL)
            return nomem(k, e->line);
        c->name = e->name;
        c->v = next;
        c->next = pg->enums;
        pg->enums = c;
        next++;
    }
    if (it->decls != NULL) {
        item var = *it;
        tspec ts = { it->line, TS_INT, 0, NULL, 0 };
        var.ts = &ts;
        return decl_vars(k, &var);
    }
    return 0;
}

int ds_check_decl(ds_prog *pg, item *it)
{
    ck k;
    memset(&k, 0, sizeof k);
    k.pg = pg;
    k.d = &pg->diag;
    k.pdesc = "";
    switch (it->kind) {
    case I_DECL: return decl_vars(&k, it);
    case I_INLINE: return decl_inline(&k, it);
    case I_ENUM: return decl_enum(&k, it);
    default: return 0;
    }
}
