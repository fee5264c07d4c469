/* dscript/check.c: cooking expressions (see check.h): names, types, constant folding, lvalues. */
#include "dscript/check_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ck_err(ck *k, const char *tag, int line, const char *fmt, ...)
{
    if (k->quiet_errors || k->d->set)
        return -1;
    char msg[sizeof k->d->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ds_diag_set(k->d, tag, line, "%s", msg);
    return -1;
}

static int nomem(ck *k, int line)
{
    return ck_err(k, "D_NOMEM", line, "out of memory");
}

/* ---- built-in variables ---- */

static const dtype t_size = { DK_INT, 8, 0, 0, "size_t", 30, NTA_ARG_NONE, NULL, 0 };
static const dtype t_pid = { DK_INT, 4, 1, 0, "pid_t", 42, NTA_ARG_NONE, NULL, 0 };
static const dtype t_uid = { DK_INT, 4, 0, 0, "uid_t", 44, NTA_ARG_NONE, NULL, 0 };
static const dtype t_gid = { DK_INT, 4, 0, 0, "gid_t", 45, NTA_ARG_NONE, NULL, 0 };
static const dtype t_id = { DK_INT, 4, 1, 0, "id_t", 43, NTA_ARG_NONE, NULL, 0 };
static const dtype t_cpu = { DK_INT, 4, 1, 0, "processorid_t", 47, NTA_ARG_NONE, NULL, 0 };
static const dtype t_uint_t = { DK_INT, 4, 0, 0, "uint_t", 38, NTA_ARG_NONE, NULL, 0 };

static const struct {
    const char *name;
    const dtype *t;
} builtins[] = {
    { "arg0", &ds_t_int64 }, { "arg1", &ds_t_int64 }, { "arg2", &ds_t_int64 },
    { "arg3", &ds_t_int64 }, { "arg4", &ds_t_int64 }, { "arg5", &ds_t_int64 },
    { "arg6", &ds_t_int64 }, { "arg7", &ds_t_int64 }, { "arg8", &ds_t_int64 },
    { "arg9", &ds_t_int64 }, { "caller", &ds_t_uintptr }, { "cpu", &t_cpu },
    { "epid", &t_uint_t }, { "errno", &ds_t_int }, { "execname", &ds_t_string },
    { "gid", &t_gid }, { "id", &t_uint_t }, { "ipl", &t_uint_t }, { "pid", &t_pid },
    { "ppid", &t_pid }, { "probefunc", &ds_t_string }, { "probemod", &ds_t_string },
    { "probename", &ds_t_string }, { "probeprov", &ds_t_string },
    { "stackdepth", &ds_t_uint32 }, { "tid", &t_id }, { "timestamp", &ds_t_uint64 },
    { "ucaller", &ds_t_uint64 }, { "uid", &t_uid }, { "ustackdepth", &ds_t_uint32 },
    { "vtimestamp", &ds_t_uint64 }, { "walltimestamp", &ds_t_int64 },
    { "zonename", &ds_t_string }, { "jid", &ds_t_int }, { "jailname", &ds_t_string },
};

static const char *const kernel_only[] = {
    "curthread", "curpsinfo", "curlwpsinfo", "curcpu", "uregs", "ustack", "stack",
};

/* ---- helpers ---- */

static ds_var *find_var(ds_prog *pg, vscope s, const char *name)
{
    for (ds_var *v = pg->vars; v != NULL; v = v->next)
        if (v->scope == s && strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

static ds_var *new_var(ck *k, vscope s, const char *name, vkind kind, int line)
{
    ds_prog *pg = k->pg;
    ds_var *v = ds_alloc(pg->arena, sizeof *v);
    if (v == NULL) {
        nomem(k, line);
        return NULL;
    }
    v->name = name;
    v->scope = s;
    v->kind = kind;
    if (s == VS_GLOBAL && kind != VK_ASSOC)
        v->slot = pg->nglobals++;
    else if (s == VS_THIS)
        v->slot = pg->nthis++;
    else
        v->slot = pg->ndyn++;
    /* append: creation order is the order libdtrace would list them */
    ds_var **tail = &pg->vars;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = v;
    return v;
}

static ds_inline *find_inline(ds_prog *pg, const char *name)
{
    for (ds_inline *i = pg->inlines; i != NULL; i = i->next)
        if (strcmp(i->name, name) == 0)
            return i;
    return NULL;
}

static ds_enumc *find_enum(ds_prog *pg, const char *name)
{
    for (ds_enumc *e = pg->enums; e != NULL; e = e->next)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

static int builtin_type(const char *name, const dtype **t)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, name) == 0) {
            *t = builtins[i].t;
            return 1;
        }
    return 0;
}

static void set_const(ck *k, cx *out, const dtype *t, uint64_t v)
{
    memset(out, 0, sizeof *out);
    out->t = t;
    out->cst = 1;
    out->cv = v;
    out->n = ln_const(k->pg, v);
}

/* The value a cast leaves in a register (dt_cg_typecast, d-language.md section 3.6). */
static uint64_t cast_value(uint64_t v, const dtype *from, const dtype *to)
{
    int ss = from->kind == DK_INT ? from->size : 8, ssg = from->kind == DK_INT && from->sgn;
    int ds = to->kind == DK_INT ? to->size : 8, dsg = to->kind == DK_INT && to->sgn;
    if (ds == ss && ssg != dsg)
        return v;
    if (ds > ss && !ssg)
        return v;
    if (ds > ss) {
        int n = 64 - ss * 8;
        v = (uint64_t)((int64_t)(v << n) >> n);
        if (!dsg && ds < 8)
            v &= (1ull << (ds * 8)) - 1;
        return v;
    }
    if (ds != 8) {
        int n = 64 - ds * 8;
        v = dsg ? (uint64_t)((int64_t)(v << n) >> n) : (v << n) >> n;
    }
    return v;
}

rnode *ck_convert(ck *k, cx *x, const dtype *to)
{
    if (to->kind != DK_INT || x->t->kind != DK_INT)
        return x->n;
    if (x->cst)
        return ln_const(k->pg, cast_value(x->cv, x->t, to));
    return ln_cast(k->pg, x->n, x->t, to);
}

int ck_compatible(const dtype *a, const dtype *b, int rhs_zero)
{
    if (a->kind == DK_INT)
        return b->kind == DK_INT || b->kind == DK_PTR;
    if (a->kind == DK_STRING)
        return b->kind == DK_STRING || (b->kind == DK_INT && rhs_zero);
    if (a->kind == DK_PTR)
        return b->kind == DK_PTR || (b->kind == DK_INT && rhs_zero);
    return 0;
}

static const char *tname(const cx *x)
{
    if (x->agg != NULL)
        return "aggregation";
    return x->t ? x->t->name : "void";
}

/* ---- identifiers ---- */

static int cook_inline(ck *k, ds_inline *in, ast *args, int line, cx *out);

static int cook_ident(ck *k, ast *e, cx *out)
{
    const char *name = e->s;
    ds_prog *pg = k->pg;
    memset(out, 0, sizeof *out);
    for (binding *b = k->binds; b != NULL; b = b->next)
        if (strcmp(b->name, name) == 0) {
            out->t = b->t;
            out->n = ln_temp(pg, b->slot);
            return out->n ? 0 : nomem(k, e->line);
        }
    if (strchr(name, '`') != NULL)
        return ck_err(k, "D_SYM_NOMOD", e->line,
                      "failed to resolve %s: kernel symbols are not available to nta run", name);
    const dtype *bt;
    if (builtin_type(name, &bt)) {
        /* arg0..arg9 are the structures' pointers: keep every structure built */
        if (strncmp(name, "arg", 3) == 0)
            pg->fields |= NTA_F_TCPS_CONN | NTA_F_IPV46;
        out->t = bt;
        out->n = ln_builtin(pg, name);
        return out->n ? 0 : nomem(k, e->line);
    }
    for (size_t i = 0; i < sizeof kernel_only / sizeof kernel_only[0]; i++)
        if (strcmp(kernel_only[i], name) == 0)
            return ck_err(k, "D_NTA_UNSUP", e->line,
                          "%s is a kernel structure that nta run cannot provide from a capture",
                          name);
    if (strcmp(name, "args") == 0)
        return ck_err(k, "D_ARGS_IDX", e->line, "args[ ] must be indexed: args[N]");
    ds_inline *in = find_inline(pg, name);
    if (in != NULL) {
        if (in->nparams > 0)
            return ck_err(k, "D_PROTO_LEN", e->line,
                          "%s[ ] prototype mismatch: 0 args passed, %d expected", name,
                          in->nparams);
        return cook_inline(k, in, NULL, e->line, out);
    }
    ds_enumc *en = find_enum(pg, name);
    if (en != NULL) {
        set_const(k, out, &ds_t_int, (uint64_t)en->v);
        return out->n ? 0 : nomem(k, e->line);
    }
    ds_var *v = find_var(pg, VS_GLOBAL, name);
    if (v != NULL) {
        if (v->kind == VK_ASSOC)
            return ck_err(k, "D_IDENT_BADREF", e->line,
                          "%s is an associative array: it must be indexed, %s[ ]", name, name);
        if (v->kind == VK_ARRAY) {
            out->t = ds_type_array(&pg->types, v->t, v->nelem);
            out->arrayvar = v;
            return out->t ? 0 : nomem(k, e->line);
        }
        if (v->t == NULL)
            return ck_err(k, "D_IDENT_UNDEF", e->line,
                          "failed to resolve %s: Unknown variable name", name);
        lval lv = { v, NULL, 0, NULL };
        out->t = v->t;
        out->n = ln_load(pg, &lv);
        return out->n ? 0 : nomem(k, e->line);
    }
    return ck_err(k, "D_IDENT_UNDEF", e->line, "failed to resolve %s: Unknown variable name",
                  name);
}

static int cook_inline(ck *k, ds_inline *in, ast *args, int line, cx *out)
{
    ds_prog *pg = k->pg;
    memset(out, 0, sizeof *out);
    if (in->is_const) {
        if (in->t->kind == DK_STRING) {
            out->t = in->t;
            out->cs = in->cs;
            out->n = ln_str(pg, in->cs);
        } else {
            set_const(k, out, in->t, in->cv);
        }
        return out->n ? 0 : nomem(k, line);
    }
    if (in->busy)
        return ck_err(k, "D_IDENT_BADREF", line, "inline %s is defined in terms of itself",
                      in->name);
    if (k->inline_depth >= DS_MAX_DEPTH)
        return ck_err(k, "D_IDENT_BADREF", line,
                      "inline %s: inlines nest too deeply (more than %d in one another)", in->name,
                      DS_MAX_DEPTH);
    int n = 0;
    for (ast *a = args; a != NULL; a = a->next)
        n++;
    if (n != in->nparams)
        return ck_err(k, "D_PROTO_LEN", line, "%s[ ] prototype mismatch: %d arg%s passed, %d expected",
                      in->name, n, n == 1 ? "" : "s", in->nparams);
    int first = k->temps_used;
    k->temps_used += n;
    if (k->temps_used > pg->ntemps)
        pg->ntemps = k->temps_used;
    rnode *argn[8];
    binding binds[8];
    int i = 0;
    for (ast *a = args; a != NULL; a = a->next, i++) {
        cx ax;
        if (ck_cook(k, a, &ax) < 0)
            return -1;
        if (!ck_compatible(in->ptypes[i], ax.t, ax.cst && ax.cv == 0))
            return ck_err(k, "D_PROTO_ARG", a->line,
                          "%s[ ] argument #%d is incompatible with prototype:\n\tprototype: %s\n"
                          "\t argument: %s", in->name, i + 1, in->ptypes[i]->name, tname(&ax));
        argn[i] = ck_convert(k, &ax, in->ptypes[i]);
        binds[i].name = in->it->pnames[i];
        binds[i].slot = first + i;
        binds[i].t = in->ptypes[i];
        binds[i].next = i + 1 < n ? &binds[i + 1] : NULL;
    }
    binding *saved = k->binds;
    k->binds = n > 0 ? &binds[0] : NULL;
    in->busy = 1;
    k->inline_depth++;
    cx body;
    int rc = ck_cook(k, in->it->value, &body);
    k->inline_depth--;
    in->busy = 0;
    k->binds = saved;
    if (rc < 0)
        return -1;
    if (!ck_compatible(in->t, body.t, body.cst && body.cv == 0))
        return ck_err(k, "D_OP_INCOMPAT", line,
                      "inline %s definition uses incompatible types: \"%s\" = \"%s\"", in->name,
                      in->t->name, tname(&body));
    out->t = in->t;
    rnode *b = ck_convert(k, &body, in->t);
    out->n = n > 0 ? ln_bind(pg, first, argn, n, b) : b;
    k->temps_used = first;
    return out->n ? 0 : nomem(k, line);
}

/* ---- lvalues ---- */

static int cook_keys_for(ck *k, ds_var *v, ast *keys, int line, lval *lv)
{
    rnode **kn = ds_alloc(k->pg->arena, DS_MAXKEYS * sizeof *kn);
    if (kn == NULL)
        return nomem(k, line);
    lv->keys = kn;
    return ck_keys(k, v->name, keys, line, &v->nkeys, v->keyt, &v->keys_known, kn) < 0
               ? -1 : (lv->nkeys = v->nkeys, 0);
}

/* The place e names, created when unknown with value type vt (NULL: int64_t, for ++/--). */
static int cook_lvalue(ck *k, ast *e, const dtype *vt, const char *opname, lval *lv,
                       const dtype **t)
{
    ds_prog *pg = k->pg;
    memset(lv, 0, sizeof *lv);
    const dtype *newt = vt != NULL ? vt : &ds_t_int64;
    if (newt->kind == DK_VOID)
        return ck_err(k, "D_OP_VOID", e->line, "operator %s may not be applied to a void value",
                      opname);
    switch (e->kind) {
    case A_IDENT: {
        const dtype *bt;
        for (binding *b = k->binds; b != NULL; b = b->next)
            if (strcmp(b->name, e->s) == 0)
                goto notlv;
        if (builtin_type(e->s, &bt) || find_inline(pg, e->s) || find_enum(pg, e->s))
            goto notlv;
        ds_var *v = find_var(pg, VS_GLOBAL, e->s);
        if (v == NULL && (v = new_var(k, VS_GLOBAL, e->s, VK_SCALAR, e->line)) == NULL)
            return -1;
        if (v->kind != VK_SCALAR)
            goto notlv;
        if (v->t == NULL)
            v->t = newt;
        lv->var = v;
        *t = v->t;
        return 0;
    }
    case A_THIS: case A_SELF: {
        vscope s = e->kind == A_THIS ? VS_THIS : VS_SELF;
        ds_var *v = find_var(pg, s, e->s);
        if (v == NULL && (v = new_var(k, s, e->s, VK_SCALAR, e->line)) == NULL)
            return -1;
        if (v->t == NULL)
            v->t = newt;
        lv->var = v;
        *t = v->t;
        return 0;
    }
    case A_INDEX: {
        ast *base = e->a;
        if (base->kind != A_IDENT || strcmp(base->s, "args") == 0)
            goto notlv;
        const dtype *bt;
        if (builtin_type(base->s, &bt) || find_inline(pg, base->s) || find_enum(pg, base->s))
            goto notlv;
        ds_var *v = find_var(pg, VS_GLOBAL, base->s);
        if (v != NULL && v->kind == VK_SCALAR)
            goto notlv;
        if (v == NULL && (v = new_var(k, VS_GLOBAL, base->s, VK_ASSOC, e->line)) == NULL)
            return -1;
        lv->var = v;
        if (v->kind == VK_ARRAY) {
            if (e->b == NULL || e->b->next != NULL)
                return ck_err(k, "D_ARR_BADREF", e->line,
                              "%s[ ] requires exactly one index", v->name);
            cx ix;
            if (ck_cook(k, e->b, &ix) < 0)
                return -1;
            if (ix.t->kind != DK_INT)
                return ck_err(k, "D_ARR_BADREF", e->line, "index of %s[ ] must be an integer",
                              v->name);
            if (ix.cst && (int64_t)ix.cv >= 0 && ix.cv >= (uint64_t)v->nelem)
                return ck_err(k, "D_ARR_BOUNDS", e->line,
                              "index %lld is out of range for array %s",
                              (long long)ix.cv, v->name);
            lv->index = ix.n;
            *t = v->t;
            return 0;
        }
        if (cook_keys_for(k, v, e->b, e->line, lv) < 0)
            return -1;
        if (v->t == NULL)
            v->t = newt;
        *t = v->t;
        return 0;
    }
    default:
        break;
    }
notlv:
    return ck_err(k, "D_OP_LVAL", e->line, "operator %s requires modifiable lvalue", opname);
}

/* ---- operators ---- */

static int is_zero_const(const cx *x) { return x->t->kind == DK_INT && x->cst && x->cv == 0; }

static uint64_t fold_binary(int op, uint64_t a, uint64_t b, int sgn)
{
    switch (op) {
    case T_PLUS: return a + b;
    case T_MINUS: return a - b;
    case T_STAR: return a * b;
    case T_DIV:
        if (sgn) {
            if ((int64_t)b == -1)
                return (uint64_t)0 - a;
            return (uint64_t)((int64_t)a / (int64_t)b);
        }
        return a / b;
    case T_MOD:
        if (sgn) {
            if ((int64_t)b == -1)
                return 0;
            return (uint64_t)((int64_t)a % (int64_t)b);
        }
        return a % b;
    case T_BAND: return a & b;
    case T_BOR: return a | b;
    case T_XOR: return a ^ b;
    case T_LSH: return a << (b & 63);
    case T_RSH: return sgn ? (uint64_t)((int64_t)a >> (b & 63)) : a >> (b & 63);
    case T_LT: return sgn ? (int64_t)a < (int64_t)b : a < b;
    case T_LE: return sgn ? (int64_t)a <= (int64_t)b : a <= b;
    case T_GT: return sgn ? (int64_t)a > (int64_t)b : a > b;
    case T_GE: return sgn ? (int64_t)a >= (int64_t)b : a >= b;
    case T_EQ: return a == b;
    case T_NE: return a != b;
    default: return 0;
    }
}

static const char *opstr(int op)
{
    return ds_tok_text(op == T_EPRED ? T_DIV : op);
}

static int cook_binary(ck *k, ast *e, cx *out)
{
    ds_prog *pg = k->pg;
    cx a, b;
    if (ck_cook(k, e->a, &a) < 0 || ck_cook(k, e->b, &b) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    int op = e->op;
    if (op == T_COMMA) {
        out->t = b.t;
        out->n = a.n && b.n ? ln_comma(pg, a.n, b.n) : NULL;
        if (b.n == NULL)
            return ck_err(k, "D_OP_VOID", e->line, "void value in expression");
        return out->n ? 0 : nomem(k, e->line);
    }
    if (a.agg != NULL || b.agg != NULL || a.t->kind == DK_VOID || b.t->kind == DK_VOID ||
        a.t->kind == DK_ARRAY || b.t->kind == DK_ARRAY || a.t->kind == DK_XSTRUCT ||
        b.t->kind == DK_XSTRUCT)
        goto incompat;
    if (op == T_LAND || op == T_LOR || op == T_LXOR) {
        out->t = &ds_t_int;
        if (a.cst && b.cst) {
            int x = a.cv != 0, y = b.cv != 0;
            set_const(k, out, &ds_t_int, op == T_LAND ? (x && y) : op == T_LOR ? (x || y) : (x != y));
            return out->n ? 0 : nomem(k, e->line);
        }
        out->n = ln_logical(pg, op, a.n, b.n);
        return out->n ? 0 : nomem(k, e->line);
    }
    int cmp = op == T_LT || op == T_LE || op == T_GT || op == T_GE || op == T_EQ || op == T_NE;
    if (cmp && (a.t->kind == DK_STRING || b.t->kind == DK_STRING)) {
        /* strings compare with strcmp; the constant 0 is a NULL string, which reads as "" */
        if ((a.t->kind != DK_STRING && !is_zero_const(&a)) ||
            (b.t->kind != DK_STRING && !is_zero_const(&b)))
            goto incompat;
        rnode *x = a.t->kind == DK_STRING ? a.n : ln_str(pg, NULL);
        rnode *y = b.t->kind == DK_STRING ? b.n : ln_str(pg, NULL);
        out->t = &ds_t_int;
        out->n = ln_strcmp(pg, op, x, y);
        return out->n ? 0 : nomem(k, e->line);
    }
    if ((op == T_PLUS || op == T_MINUS) &&
        (a.t->kind == DK_STRING || (op == T_PLUS && b.t->kind == DK_STRING))) {
        /* pointer arithmetic on a string (codegen.tst.str_store_var) */
        cx *s = a.t->kind == DK_STRING ? &a : &b, *i = a.t->kind == DK_STRING ? &b : &a;
        if (i->t->kind != DK_INT)
            goto incompat;
        out->t = &ds_t_string;
        out->n = ln_stradd(pg, s->n, i->n, op == T_MINUS);
        return out->n ? 0 : nomem(k, e->line);
    }
    if (!ds_is_scalar(a.t) || !ds_is_scalar(b.t))
        goto incompat;
    if (!cmp && (a.t->kind == DK_PTR || b.t->kind == DK_PTR) && op != T_PLUS && op != T_MINUS)
        goto incompat;
    const dtype *ta = a.t->kind == DK_PTR ? &ds_t_uintptr : a.t;
    const dtype *tb = b.t->kind == DK_PTR ? &ds_t_uintptr : b.t;
    const dtype *t = ds_type_promote(ta, tb);
    if ((op == T_DIV || op == T_MOD) && b.cst && b.cv == 0)
        return ck_err(k, "D_DIV_ZERO", e->line, "expression contains division by zero");
    out->t = cmp ? &ds_t_int : t;
    if (a.cst && b.cst) {
        set_const(k, out, out->t, fold_binary(op, a.cv, b.cv, t->sgn));
        return out->n ? 0 : nomem(k, e->line);
    }
    out->n = ln_binary(pg, op, a.n, b.n, t);
    return out->n ? 0 : nomem(k, e->line);
incompat:
    return ck_err(k, "D_OP_INCOMPAT", e->line, "operands have incompatible types: \"%s\" %s \"%s\"",
                  tname(&a), opstr(op), tname(&b));
}

static int cook_unary(ck *k, ast *e, cx *out)
{
    ds_prog *pg = k->pg;
    int op = e->op;
    if (op == T_BAND)
        return ck_err(k, "D_NTA_UNSUP", e->line,
                      "pointers are not supported by nta run (operator &)");
    cx a;
    if (ck_cook(k, e->a, &a) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    if (op == T_STAR) {
        if (a.t->kind == DK_PTR && a.t->argt != NTA_ARG_NONE && a.t->argt != NTA_ARG_VOID) {
            dtype *st = ds_alloc(pg->arena, sizeof *st);
            if (st == NULL)
                return nomem(k, e->line);
            st->kind = DK_XSTRUCT;
            st->argt = a.t->argt;
            st->name = ds_type_sname(a.t->argt);
            out->t = st;
            out->n = a.n;
            out->argi = a.argi;
            return 0;
        }
        return ck_err(k, "D_NTA_UNSUP", e->line,
                      "pointers are not supported by nta run (operator * on \"%s\")", tname(&a));
    }
    if (a.agg != NULL || !(ds_is_scalar(a.t) || (op == T_NOT && a.t->kind == DK_STRING)))
        return ck_err(k, "D_OP_SCALAR", e->line, "operator %s requires an operand of scalar type",
                      ds_tok_text(op));
    if (op == T_NOT) {
        out->t = &ds_t_int;
        if (a.cst) {
            set_const(k, out, &ds_t_int, a.cv == 0);
            return out->n ? 0 : nomem(k, e->line);
        }
        out->n = ln_unary(pg, op, a.n);
        return out->n ? 0 : nomem(k, e->line);
    }
    if (a.t->kind != DK_INT)
        return ck_err(k, "D_OP_INT", e->line, "operator %s requires an operand of integral type",
                      ds_tok_text(op));
    if (op == T_PLUS) {
        *out = a;
        return 0;
    }
    out->t = a.t;
    if (a.cst) {
        set_const(k, out, a.t, op == T_MINUS ? (uint64_t)0 - a.cv : ~a.cv);
        return out->n ? 0 : nomem(k, e->line);
    }
    out->n = ln_unary(pg, op, a.n);
    return out->n ? 0 : nomem(k, e->line);
}

static int cook_incdec(ck *k, ast *e, cx *out)
{
    int inc = e->kind == A_PREINC || e->kind == A_POSTINC;
    int post = e->kind == A_POSTINC || e->kind == A_POSTDEC;
    lval lv;
    const dtype *t;
    if (cook_lvalue(k, e->a, NULL, inc ? "++" : "--", &lv, &t) < 0)
        return -1;
    if (t->kind != DK_INT)
        return ck_err(k, "D_OP_INT", e->line, "operator %s requires an operand of integral type",
                      inc ? "++" : "--");
    memset(out, 0, sizeof *out);
    out->t = t;
    rnode *one = ln_const(k->pg, 1);
    out->n = one ? ln_assign(k->pg, &lv, inc ? T_PLUS : T_MINUS, one, t, post) : NULL;
    return out->n ? 0 : nomem(k, e->line);
}

static int assign_binop(int op)
{
    switch (op) {
    case T_ADD_EQ: return T_PLUS;
    case T_SUB_EQ: return T_MINUS;
    case T_MUL_EQ: return T_STAR;
    case T_DIV_EQ: return T_DIV;
    case T_MOD_EQ: return T_MOD;
    case T_LSH_EQ: return T_LSH;
    case T_RSH_EQ: return T_RSH;
    case T_AND_EQ: return T_BAND;
    case T_XOR_EQ: return T_XOR;
    case T_OR_EQ: return T_BOR;
    default: return T_ASSIGN;
    }
}

static int cook_assign(ck *k, ast *e, cx *out)
{
    ds_prog *pg = k->pg;
    if (e->a->kind == A_AGG)
        return ck_err(k, "D_AGG_ASSIGN", e->line,
                      "an aggregation assignment is a statement of its own, not an expression");
    cx r;
    if (ck_cook(k, e->b, &r) < 0)
        return -1;
    if (r.agg != NULL || r.t->kind == DK_ARRAY || r.t->kind == DK_XSTRUCT)
        return ck_err(k, "D_OP_INCOMPAT", e->line,
                      "operands have incompatible types: \"...\" %s \"%s\"", ds_tok_text(e->op),
                      tname(&r));
    if (r.n == NULL || r.t->kind == DK_VOID)
        return ck_err(k, "D_OP_VOID", e->line, "operator %s may not be applied to a void value",
                      ds_tok_text(e->op));
    int bop = assign_binop(e->op);
    /* a new variable takes the type of what is assigned; the constant 0 makes an int */
    const dtype *vt = r.t->kind == DK_PTR && r.t->argt == NTA_ARG_NONE ? &ds_t_uintptr : r.t;
    lval lv;
    const dtype *t;
    if (cook_lvalue(k, e->a, vt, ds_tok_text(e->op), &lv, &t) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    out->t = t;
    if (bop == T_ASSIGN) {
        if (!ck_compatible(t, r.t, is_zero_const(&r)))
            return ck_err(k, "D_OP_INCOMPAT", e->line,
                          "operands have incompatible types: \"%s\" = \"%s\"", t->name, r.t->name);
        rnode *v = r.n;
        if (t->kind == DK_STRING && r.t->kind != DK_STRING)
            v = ln_str(pg, NULL);
        out->n = v ? ln_assign(pg, &lv, T_ASSIGN, v, t, 0) : NULL;
        return out->n ? 0 : nomem(k, e->line);
    }
    if (t->kind != DK_INT || r.t->kind != DK_INT)
        return ck_err(k, "D_OP_INCOMPAT", e->line,
                      "operands have incompatible types: \"%s\" %s \"%s\"", t->name,
                      ds_tok_text(e->op), r.t->name);
    if ((bop == T_DIV || bop == T_MOD) && r.cst && r.cv == 0)
        return ck_err(k, "D_DIV_ZERO", e->line, "expression contains division by zero");
    out->n = ln_assign(pg, &lv, bop, r.n, ds_type_promote(t, r.t), 0);
    return out->n ? 0 : nomem(k, e->line);
}

static int cook_ternary(ck *k, ast *e, cx *out)
{
    cx c, a, b;
    if (ck_cook(k, e->a, &c) < 0)
        return -1;
    if (c.agg != NULL || !(ds_is_scalar(c.t) || c.t->kind == DK_STRING))
        return ck_err(k, "D_OP_SCALAR", e->line, "operator ?: expression must be of scalar type");
    if (ck_cook(k, e->b, &a) < 0 || ck_cook(k, e->c, &b) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    const dtype *t;
    rnode *x = a.n, *y = b.n;
    if (a.t->kind == DK_STRING || b.t->kind == DK_STRING) {
        if ((a.t->kind != DK_STRING && !is_zero_const(&a)) ||
            (b.t->kind != DK_STRING && !is_zero_const(&b)))
            goto incompat;
        t = &ds_t_string;
        if (a.t->kind != DK_STRING)
            x = ln_str(k->pg, NULL);
        if (b.t->kind != DK_STRING)
            y = ln_str(k->pg, NULL);
    } else if (a.t->kind == DK_INT && b.t->kind == DK_INT) {
        t = ds_type_promote(a.t, b.t);
    } else if (ds_is_scalar(a.t) && ds_is_scalar(b.t)) {
        t = a.t->kind == DK_PTR ? a.t : b.t;
    } else {
        goto incompat;
    }
    out->t = t;
    if (c.cst) {
        cx *pick = c.cv ? &a : &b;
        if (t->kind == DK_INT && pick->cst) {
            set_const(k, out, t, pick->cv);
            return out->n ? 0 : nomem(k, e->line);
        }
        out->n = c.cv ? x : y;
        out->cs = pick->cs;
        return out->n ? 0 : nomem(k, e->line);
    }
    out->n = ln_ternary(k->pg, c.n, x, y);
    return out->n ? 0 : nomem(k, e->line);
incompat:
    return ck_err(k, "D_OP_INCOMPAT", e->line,
                  "operator ?: operands must have compatible types: \"%s\" and \"%s\"", tname(&a),
                  tname(&b));
}

static int cook_cast(ck *k, ast *e, cx *out)
{
    const char *why;
    const dtype *to = ds_type_of_spec(&k->pg->types, e->ts, &why);
    if (to == NULL)
        return ck_err(k, "D_NTA_UNSUP", e->line, "%s %s not supported by nta run", why,
                      why[strlen(why) - 1] == 's' ? "are" : "is");
    cx a;
    if (ck_cook(k, e->a, &a) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    if (to->kind == DK_VOID) {
        out->t = to;
        out->n = a.n;
        return 0;
    }
    if (to->kind == DK_STRING) {
        if (a.t->kind != DK_STRING)
            goto bad;
        *out = a;
        return 0;
    }
    if (to->kind == DK_PTR) {
        if (!ds_is_scalar(a.t))
            goto bad;
        out->t = to;
        out->n = a.n;
        return 0;
    }
    if (!ds_is_scalar(a.t))
        goto bad;
    const dtype *from = a.t->kind == DK_PTR ? &ds_t_uintptr : a.t;
    out->t = to;
    if (a.cst) {
        set_const(k, out, to, cast_value(a.cv, from, to));
        return out->n ? 0 : nomem(k, e->line);
    }
    out->n = ln_cast(k->pg, a.n, from, to);
    return out->n ? 0 : nomem(k, e->line);
bad:
    return ck_err(k, "D_CAST_INVAL", e->line, "invalid cast expression: \"%s\" to \"%s\"",
                  tname(&a), to->name);
}

static uint64_t size_of(ck *k, const dtype *t)
{
    switch (t->kind) {
    case DK_INT: return t->size;
    case DK_STRING: return k->pg->opt[DSO_STRSIZE];
    case DK_PTR: return 8;
    case DK_ARRAY: return (uint64_t)t->nelem * (t->elem->kind == DK_STRING
                                                 ? (uint64_t)k->pg->opt[DSO_STRSIZE]
                                                 : t->elem->size);
    default: return 0;
    }
}

/* ---- args[], members, indexing ---- */

static int cook_args(ck *k, ast *e, cx *out)
{
    memset(out, 0, sizeof *out);
    if (k->probe == NULL)
        return ck_err(k, "D_ARGS_MULTI", e->line,
                      "args[ ] may not be referenced because probe description %s matches an "
                      "unstable set of probes", k->pdesc);
    if (e->b == NULL || e->b->next != NULL)
        return ck_err(k, "D_ARGS_IDX", e->line, "args[ ] requires exactly one index");
    cx ix;
    if (ck_cook(k, e->b, &ix) < 0)
        return -1;
    if (!ix.cst)
        return ck_err(k, "D_ARGS_IDX", e->line, "args[ ] index must be an integer constant");
    int64_t i = (int64_t)ix.cv;
    ds_probe *p = k->probe;
    nta_argtype at = NTA_ARG_NONE;
    if (p->kind == PK_NET && i >= 0 && i < NTA_MAX_ARGS)
        at = nta_probe_args(p->np)[i];
    if (p->kind == PK_SILENT)
        return ck_err(k, "D_ARGS_IDX", e->line,
                      "args[ ] of %s:%s:%s:%s are not available: nta never fires this probe",
                      p->prov, p->mod, p->func, p->name);
    if (at == NTA_ARG_NONE)
        return ck_err(k, "D_ARGS_IDX", e->line, "index %lld is out of range for %s:%s:%s:%s args[ ]",
                      (long long)i, p->prov, p->mod, p->func, p->name);
    out->t = at == NTA_ARG_VOID ? &ds_t_voidp : ds_type_xptr(&k->pg->types, at);
    out->n = ln_argptr(k->pg, (int)i);
    out->argi = (int)i;
    if (out->t == NULL || out->n == NULL)
        return nomem(k, e->line);
    /* reading the pointer needs the structure's presence */
    int nf;
    const nta_field *f = nta_fields_of(at, &nf);
    for (int j = 0; j < nf; j++)
        if (f[j].group != NTA_F_ALL) {
            k->pg->fields |= f[j].group;
            break;
        }
    return 0;
}

static int cook_member(ck *k, ast *e, cx *out)
{
    cx a;
    if (ck_cook(k, e->a, &a) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    nta_argtype at;
    if (e->op == T_PTR) {
        if (a.t->kind != DK_PTR || a.t->argt == NTA_ARG_NONE || a.t->argt == NTA_ARG_VOID)
            return ck_err(k, "D_OP_PTR", e->line,
                          "operator -> must be applied to a pointer to a translated structure, "
                          "not \"%s\"", tname(&a));
        at = a.t->argt;
    } else {
        if (a.t->kind == DK_PTR)
            return ck_err(k, "D_OP_SOU", e->line,
                          "operator . cannot be applied to a pointer (\"%s\"): use ->", tname(&a));
        if (a.t->kind != DK_XSTRUCT)
            return ck_err(k, "D_OP_SOU", e->line,
                          "operator . cannot be applied to type \"%s\"; must be applied to a "
                          "struct or union", tname(&a));
        at = a.t->argt;
    }
    const nta_field *f = nta_field_find(at, e->s);
    if (f == NULL) {
        if (at == NTA_ARG_TCPINFO && strcmp(e->s, "tcp_hdr") == 0)
            return ck_err(k, "D_NTA_UNSUP", e->line,
                          "tcp_hdr (the raw header) is not available in nta run");
        return ck_err(k, "D_TYPE_MEMBER", e->line, "%s is not a member of %s", e->s,
                      ds_type_sname(at));
    }
    /* which args[] the structure is: the pointer node tells */
    out->t = ds_type_of_field(f->dtype);
    out->n = ln_field(k->pg, a.argi, f);
    if (f->group != NTA_F_ALL)
        k->pg->fields |= f->group;
    return out->n ? 0 : nomem(k, e->line);
}

static int cook_index(ck *k, ast *e, cx *out)
{
    ds_prog *pg = k->pg;
    ast *base = e->a;
    memset(out, 0, sizeof *out);
    if (base->kind == A_IDENT) {
        const char *name = base->s;
        int bound = 0;
        for (binding *b = k->binds; b != NULL; b = b->next)
            bound |= strcmp(b->name, name) == 0;
        if (!bound) {
            if (strcmp(name, "args") == 0 && find_var(pg, VS_GLOBAL, name) == NULL)
                return cook_args(k, e, out);
            ds_inline *in = find_inline(pg, name);
            if (in != NULL && in->nparams > 0)
                return cook_inline(k, in, e->b, e->line, out);
            ds_var *v = find_var(pg, VS_GLOBAL, name);
            const dtype *bt;
            if (v == NULL && !builtin_type(name, &bt) && in == NULL && !find_enum(pg, name)) {
                /* "[" after an unknown name declares an associative array (dt_lex.l) */
                if ((v = new_var(k, VS_GLOBAL, name, VK_ASSOC, e->line)) == NULL)
                    return -1;
            }
            if (v != NULL && v->kind != VK_SCALAR) {
                lval lv;
                memset(&lv, 0, sizeof lv);
                lv.var = v;
                if (v->kind == VK_ARRAY) {
                    if (e->b == NULL || e->b->next != NULL)
                        return ck_err(k, "D_ARR_BADREF", e->line,
                                      "%s[ ] requires exactly one index", v->name);
                    cx ix;
                    if (ck_cook(k, e->b, &ix) < 0)
                        return -1;
                    if (ix.t->kind != DK_INT)
                        return ck_err(k, "D_ARR_BADREF", e->line,
                                      "index of %s[ ] must be an integer", v->name);
                    lv.index = ix.n;
                } else {
                    if (cook_keys_for(k, v, e->b, e->line, &lv) < 0)
                        return -1;
                    if (v->t == NULL)
                        v->t = &ds_t_int64;
                }
                out->t = v->t;
                out->n = ln_load(pg, &lv);
                return out->n ? 0 : nomem(k, e->line);
            }
        }
    }
    /* a string indexed: its bytes */
    cx s;
    if (ck_cook(k, base, &s) < 0)
        return -1;
    if (s.t->kind == DK_STRING) {
        if (e->b == NULL || e->b->next != NULL)
            return ck_err(k, "D_OP_ARRAY", e->line, "a string takes exactly one index");
        cx ix;
        if (ck_cook(k, e->b, &ix) < 0)
            return -1;
        if (ix.t->kind != DK_INT)
            return ck_err(k, "D_OP_ARRAY", e->line, "a string index must be an integer");
        out->t = &ds_t_char;
        out->n = ln_strindex(pg, s.n, ix.n);
        return out->n ? 0 : nomem(k, e->line);
    }
    return ck_err(k, "D_OP_ARRAY", e->line,
                  "operator [ ] may not be applied to operand of type \"%s\"", tname(&s));
}

/* ---- subroutines ---- */

/* Result and argument kinds: s string, n string or NULL (0), i integer; '|' starts the
 * optional ones. Results: s string, i int, z size_t, l int64_t, h uint16_t, w uint32_t,
 * q uint64_t. */
static const struct {
    const char *name, *sig;
} subrs[] = {
    { "strlen", "z:s" }, { "strjoin", "s:ss" }, { "substr", "s:si|i" }, { "strtok", "s:ns" },
    { "strchr", "s:si" }, { "strrchr", "s:si" }, { "strstr", "s:ss" }, { "index", "i:ss|i" },
    { "rindex", "i:ss|i" }, { "basename", "s:s" }, { "dirname", "s:s" },
    { "cleanpath", "s:s" }, { "lltostr", "s:i|i" }, { "toupper", "s:s" }, { "tolower", "s:s" },
    { "htons", "h:i" }, { "ntohs", "h:i" }, { "htonl", "w:i" }, { "ntohl", "w:i" },
    { "htonll", "q:i" }, { "ntohll", "q:i" }, { "strtoll", "l:s|i" }, { "rand", "i:" },
    { "progenyof", "i:i" },
};

static const char *const unsupported_subrs[] = {
    "speculation", "copyin", "copyinstr", "copyinto", "alloca", "bcopy", "msgsize", "msgdsize",
    "getmajor", "getminor", "ddi_pathname", "mutex_owned", "mutex_owner", "mutex_type_adaptive",
    "mutex_type_spin", "rw_read_held", "rw_write_held", "rw_iswriter", "inet_ntoa",
    "inet_ntoa6", "inet_ntop", "link_ntop", "memref", "d_path", "vstackdepth",
};

static const dtype *sig_type(char c)
{
    switch (c) {
    case 's': return &ds_t_string;
    case 'z': return &t_size;
    case 'l': return &ds_t_int64;
    case 'h': return &ds_t_uint16;
    case 'w': return &ds_t_uint32;
    case 'q': return &ds_t_uint64;
    default: return &ds_t_int;
    }
}

static int cook_call(ck *k, ast *e, cx *out)
{
    memset(out, 0, sizeof *out);
    if (e->a->kind != A_IDENT)
        return ck_err(k, "D_FUNC_IDENT", e->line, "function designator is not of function type");
    const char *name = e->a->s;
    if (ck_is_aggfn(name))
        return ck_err(k, "D_AGG_FUNC", e->line,
                      "%s( ) may only be used as the value of an aggregation: @a = %s(...)", name,
                      name);
    if (ck_is_action(name)) {
        /* an action has no value (d-language.md: actions are void) */
        out->t = &ds_t_void;
        return 0;
    }
    for (size_t i = 0; i < sizeof unsupported_subrs / sizeof unsupported_subrs[0]; i++)
        if (strcmp(unsupported_subrs[i], name) == 0)
            return ck_err(k, "D_NTA_UNSUP", e->line,
                          "%s( ) is not supported by nta run (it needs %s)", name,
                          strcmp(name, "speculation") == 0 ? "speculative tracing"
                                                           : "kernel memory or pointers");
    const char *sig = NULL;
    for (size_t i = 0; i < sizeof subrs / sizeof subrs[0]; i++)
        if (strcmp(subrs[i].name, name) == 0)
            sig = subrs[i].sig;
    if (sig == NULL)
        return ck_err(k, "D_IDENT_UNDEF", e->line, "failed to resolve %s: Unknown function name",
                      name);
    const char *args = sig + 2;
    int min = 0, max = 0, opt = 0;
    for (const char *p = args; *p; p++) {
        if (*p == '|') {
            opt = 1;
            continue;
        }
        max++;
        if (!opt)
            min++;
    }
    int n = 0;
    for (ast *a = e->b; a != NULL; a = a->next)
        n++;
    if (n < min || n > max)
        return ck_err(k, "D_PROTO_LEN", e->line,
                      "%s( ) prototype mismatch: %d arg%s passed, %s%d expected", name, n,
                      n == 1 ? "" : "s", min == max ? "" : n < min ? "at least " : "at most ",
                      n < min ? min : max);
    rnode *argn[4];
    int i = 0;
    const char *p = args;
    for (ast *a = e->b; a != NULL; a = a->next, i++, p++) {
        if (*p == '|')
            p++;
        cx ax;
        if (ck_cook(k, a, &ax) < 0)
            return -1;
        int ok;
        const char *proto;
        if (*p == 's') {
            ok = ax.t->kind == DK_STRING && ax.agg == NULL;
            proto = "string";
        } else if (*p == 'n') {
            ok = (ax.t->kind == DK_STRING || is_zero_const(&ax)) && ax.agg == NULL;
            proto = "string";
        } else {
            ok = ax.t->kind == DK_INT && ax.agg == NULL;
            proto = "int";
        }
        if (!ok)
            return ck_err(k, "D_PROTO_ARG", a->line,
                          "%s( ) argument #%d is incompatible with prototype:\n\tprototype: %s\n"
                          "\t argument: %s", name, i + 1, proto, tname(&ax));
        argn[i] = ax.t->kind == DK_STRING || *p != 'n' ? ax.n : ln_str(k->pg, NULL);
    }
    out->t = sig_type(sig[0]);
    out->n = ln_subr(k->pg, name, argn, n);
    return out->n ? 0 : nomem(k, e->line);
}

/* ---- the dispatcher ---- */

int ck_cook(ck *k, ast *e, cx *out)
{
    ds_prog *pg = k->pg;
    memset(out, 0, sizeof *out);
    switch (e->kind) {
    case A_INT: {
        const dtype *t = ds_type_of_const(e->v, e->iflags);
        uint64_t v = e->v;
        if (e->iflags & TI_CHAR) {
            if (v <= 0xffffffffull) {
                t = &ds_t_int;
                v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
            } else {
                t = &ds_t_long;
            }
        }
        set_const(k, out, t, v);
        return out->n ? 0 : nomem(k, e->line);
    }
    case A_STR: {
        size_t max = (size_t)pg->opt[DSO_STRSIZE];
        size_t n = strnlen(e->s, e->slen);
        out->t = &ds_t_string;
        out->cs = n <= max ? e->s : ds_strndup(pg->arena, e->s, max);
        out->n = out->cs ? ln_str(pg, out->cs) : NULL;
        return out->n ? 0 : nomem(k, e->line);
    }
    case A_IDENT:
        return cook_ident(k, e, out);
    case A_AGG: {
        if (e->mdim)
            return ck_err(k, "D_AGG_MDIM", e->line,
                          "multi-dimensional aggregations are not supported: @%s[ ][ ]", e->s);
        out->agg = ck_agg(k, e->s, e->line);
        out->t = &ds_t_void;
        return out->agg ? 0 : -1;
    }
    case A_THIS: case A_SELF: {
        ds_var *v = find_var(pg, e->kind == A_THIS ? VS_THIS : VS_SELF, e->s);
        if (v == NULL || v->t == NULL)
            return ck_err(k, "D_IDENT_UNDEF", e->line, "failed to resolve %s->%s: Unknown variable name",
                          e->kind == A_THIS ? "this" : "self", e->s);
        lval lv = { v, NULL, 0, NULL };
        out->t = v->t;
        out->n = ln_load(pg, &lv);
        return out->n ? 0 : nomem(k, e->line);
    }
    case A_INDEX:
        return cook_index(k, e, out);
    case A_CALL:
        return cook_call(k, e, out);
    case A_MEMBER:
        return cook_member(k, e, out);
    case A_UNARY:
        return cook_unary(k, e, out);
    case A_PREINC: case A_PREDEC: case A_POSTINC: case A_POSTDEC:
        return cook_incdec(k, e, out);
    case A_BINARY:
        return cook_binary(k, e, out);
    case A_TERNARY:
        return cook_ternary(k, e, out);
    case A_ASSIGN:
        return cook_assign(k, e, out);
    case A_CAST:
        return cook_cast(k, e, out);
    case A_SIZEOF_T: {
        const char *why;
        const dtype *t = ds_type_of_spec(&pg->types, e->ts, &why);
        if (t == NULL)
            return ck_err(k, "D_NTA_UNSUP", e->line, "sizeof of %s is not supported by nta run", why);
        if (t->kind == DK_VOID)
            return ck_err(k, "D_SIZEOF_TYPE", e->line, "cannot apply sizeof to an expression of type void");
        set_const(k, out, &t_size, size_of(k, t));
        return out->n ? 0 : nomem(k, e->line);
    }
    case A_SIZEOF_E: {
        cx a;
        if (ck_cook(k, e->a, &a) < 0)
            return -1;
        if (a.agg != NULL || a.t->kind == DK_VOID || size_of(k, a.t) == 0)
            return ck_err(k, "D_SIZEOF_TYPE", e->line, "cannot apply sizeof to an expression of type %s",
                          tname(&a));
        set_const(k, out, &t_size, size_of(k, a.t));
        return out->n ? 0 : nomem(k, e->line);
    }
    case A_STRINGOF: {
        cx a;
        if (ck_cook(k, e->a, &a) < 0)
            return -1;
        if (a.t->kind != DK_STRING)
            return ck_err(k, "D_STRINGOF_TYPE", e->line,
                          "stringof( ) operand must be a string in nta run, not \"%s\"", tname(&a));
        *out = a;
        return 0;
    }
    case A_OFFSETOF:
        return ck_err(k, "D_NTA_UNSUP", e->line,
                      "offsetof( ) needs user-defined structs, which are not supported by nta run");
    case A_XLATE:
        return ck_err(k, "D_NTA_UNSUP", e->line, "translators (xlate) are not supported by nta run");
    default:
        return ck_err(k, "D_SYNTAX", e->line, "statement used as an expression");
    }
}
