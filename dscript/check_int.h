/* dscript/check_int.h: what check.c (expressions) and check_act.c (statements, actions,
 * aggregations) share. */
#ifndef NTA_DSCRIPT_CHECK_INT_H
#define NTA_DSCRIPT_CHECK_INT_H

#include "dscript/check.h"
#include "dscript/lower.h"

/* A cooked expression. */
typedef struct cx {
    const dtype *t;
    rnode *n;                 /**< evaluates it; NULL for arrays named whole, aggregations */
    int cst;                  /**< an integer constant: cv */
    uint64_t cv;
    const char *cs;           /**< a string constant */
    ds_agg *agg;              /**< an aggregation named in an expression */
    ds_var *arrayvar;         /**< a scalar array named whole (sizeof) */
    int argi;                 /**< args[argi] (a translated structure's pointer) */
} cx;

typedef struct binding {
    const char *name;
    int slot;
    const dtype *t;
    struct binding *next;
} binding;

typedef struct ck {
    ds_prog *pg;
    ds_diag *d;
    ds_probe *probe;
    int nmatch;
    const char *pdesc;
    int action;               /**< the action being cooked (0: the predicate) */
    int records;
    binding *binds;
    int temps_used;
    int inline_depth;         /**< inlines being expanded, one in another */
    int quiet_errors;         /**< cooking only to name a type: errors are not kept */
} ck;

int ck_err(ck *k, const char *tag, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ck_cook(ck *k, ast *e, cx *out);
/* Convert a cooked integer to type to (a cast node, folded for constants). */
rnode *ck_convert(ck *k, cx *x, const dtype *to);
/* Are values of type b assignable to a (dt_node_is_argcompat)? rhs_zero: b is the constant 0. */
int ck_compatible(const dtype *a, const dtype *b, int rhs_zero);
/* Find an aggregation by name, creating it (its ID: order of first reference). */
ds_agg *ck_agg(ck *k, const char *name, int line);
/* Keys of an associative array or aggregation: cook, check against (or set) the signature,
 * convert to the key types. 0 or -1. */
int ck_keys(ck *k, const char *what, ast *keys, int line, int *nkeys, const dtype **keyt,
            int *known, rnode **out);
int ck_is_action(const char *name);
int ck_is_aggfn(const char *name);
int ck_stmts(ck *k, ast *s, rnode **out);

#endif
