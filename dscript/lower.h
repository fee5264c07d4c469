/* dscript/lower.h: building the closure tree (rt.h) from what the checker has decided.
 *
 * The checker (check.c) resolves names and types and calls these builders; only lower.c and
 * the evaluators it points nodes at (eval.c, act.c) know how a node is laid out. Every builder
 * returns NULL when out of memory. Types passed in are the D types the checker computed:
 * they choose signedness for / % >> and comparisons, and widths for casts. */
#ifndef NTA_DSCRIPT_LOWER_H
#define NTA_DSCRIPT_LOWER_H

#include "dscript/prog.h"

/* An assignable place: a variable, an element of an associative or scalar array. */
typedef struct lval {
    ds_var *var;
    rnode **keys;              /**< VK_ASSOC: key values, already converted to the key types */
    int nkeys;
    rnode *index;              /**< VK_ARRAY */
} lval;

rnode *ln_const(ds_prog *pg, uint64_t v);
rnode *ln_str(ds_prog *pg, const char *s);
rnode *ln_cast(ds_prog *pg, rnode *x, const dtype *from, const dtype *to);
/* T_MINUS, T_BNEG, T_NOT */
rnode *ln_unary(ds_prog *pg, int op, rnode *x);
/* Integer arithmetic, bitwise and comparison operators; t: the promoted operand type. */
rnode *ln_binary(ds_prog *pg, int op, rnode *x, rnode *y, const dtype *t);
/* String comparison (== != < <= > >=, NULL reads as ""). */
rnode *ln_strcmp(ds_prog *pg, int op, rnode *x, rnode *y);
/* string + integer (or integer + string when swap), string - integer: a shorter string. */
rnode *ln_stradd(ds_prog *pg, rnode *s, rnode *i, int negate);
/* s[i]: the byte as a char. */
rnode *ln_strindex(ds_prog *pg, rnode *s, rnode *i);
/* T_LAND, T_LOR, T_LXOR */
rnode *ln_logical(ds_prog *pg, int op, rnode *x, rnode *y);
rnode *ln_ternary(ds_prog *pg, rnode *c, rnode *x, rnode *y);
/* Whether n always yields a string of the program's lifetime (a literal, or a ?: of such). */
int ln_static_str(const rnode *n);
rnode *ln_comma(ds_prog *pg, rnode *x, rnode *y);
rnode *ln_load(ds_prog *pg, const lval *lv);
/* lv op= rhs (op T_ASSIGN for plain =); post: ++/-- returning the old value. t: the value
 * type of the operation (signedness of /, %, >>). The node's value is the stored value. */
rnode *ln_assign(ds_prog *pg, const lval *lv, int op, rnode *rhs, const dtype *t, int post);
/* args[i] pointer value, a field of args[i], and the other builtins. */
rnode *ln_argptr(ds_prog *pg, int i);
rnode *ln_field(ds_prog *pg, int argi, const nta_field *f);
rnode *ln_builtin(ds_prog *pg, const char *name);
/* Inline parameters: evaluate args into temps[first..], then body. */
rnode *ln_bind(ds_prog *pg, int first, rnode **args, int nargs, rnode *body);
rnode *ln_temp(ds_prog *pg, int slot);
/* A subroutine call (strjoin, substr, ...); NULL name unknown. */
rnode *ln_subr(ds_prog *pg, const char *name, rnode **args, int nargs);
/* Statements. */
rnode *ln_if(ds_prog *pg, rnode *cond, rnode *then_list, rnode *else_list);
rnode *ln_list(ds_prog *pg, rnode **stmts, int n);
/* Sets the action number reported when a statement faults. */
rnode *ln_action_mark(ds_prog *pg, int action, rnode *stmt);

/* Actions (act.c). fmt: a validated format (fmt.h). */
struct pformat;
rnode *ln_printf(ds_prog *pg, const struct pformat *fmt, rnode **args, int nargs);
rnode *ln_trace(ds_prog *pg, rnode *x, const dtype *t);
rnode *ln_exit(ds_prog *pg, rnode *x);
rnode *ln_printa(ds_prog *pg, const struct pformat *fmt, ds_agg **aggs, int naggs);
rnode *ln_aggregate(ds_prog *pg, ds_agg *ag, rnode **keys, int nkeys, rnode *val, rnode *incr,
                    const dtype *valt);
rnode *ln_aggop(ds_prog *pg, const char *what, ds_agg *ag, rnode *arg);
rnode *ln_setopt(ds_prog *pg, const char *name, const char *value);

#endif
