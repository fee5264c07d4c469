/* dscript/lower.c: the closure tree's expression nodes: builders (lower.h) and evaluators.
 *
 * Evaluators follow DIF's semantics (d-language.md sections 2.3 and 3.6): 64-bit arithmetic
 * with the operand type's signedness for / % >> and comparisons, shifts by the count modulo
 * 64, casts by dt_cg_typecast's shift pairs, variables keeping all 64 bits (only declared
 * arrays store at their element's width), storing 0 into a dynamic variable deleting it, and
 * strings compared with strcmp, NULL reading as "". Every side effect first checks for a fault
 * already raised by the clause, so a faulting clause changes nothing after the fault. */
#include "dscript/lower.h"

#include <string.h>

#include "dscript/dyn.h"

#define EV(x) ((x)->f((x), c))

static rnode *mk(ds_prog *pg, rn_fn f)
{
    rnode *n = ds_alloc(pg->arena, sizeof *n);
    if (n != NULL)
        n->f = f;
    return n;
}

void ds_fault(rctx *c, int code, uint64_t addr)
{
    if (c->fault)
        return;
    c->fault = code;
    c->fault_addr = addr;
    c->fault_action = c->action;
}

char *ds_scratch(rctx *c, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (c->scratch_used + n > c->scratch_cap) {
        ds_fault(c, FLT_NOSCRATCH, 0);
        return NULL;
    }
    char *p = c->scratch + c->scratch_used;
    c->scratch_used += n;
    return p;
}

/* ---- constants ---- */

static uint64_t ev_const(const rnode *n, rctx *c)
{
    (void)c;
    return n->k;
}

rnode *ln_const(ds_prog *pg, uint64_t v)
{
    rnode *n = mk(pg, ev_const);
    if (n != NULL)
        n->k = v;
    return n;
}

rnode *ln_str(ds_prog *pg, const char *s)
{
    rnode *n = mk(pg, ev_const);
    if (n != NULL) {
        n->k = (uint64_t)(uintptr_t)s;
        n->is_str = 1;
    }
    return n;
}

/* ---- casts ---- */

static uint64_t cast(uint64_t v, int ss, int ssg, int ds, int dsg)
{
    if (ds == ss && ssg != dsg)
        return v;   /* dt_cg_typecast: a change of signedness alone keeps the register */
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

static uint64_t ev_cast(const rnode *n, rctx *c)
{
    return cast(EV(n->a), n->dsize, n->dsgn, n->size, n->sgn);
}

rnode *ln_cast(ds_prog *pg, rnode *x, const dtype *from, const dtype *to)
{
    int ss = from->kind == DK_INT ? from->size : 8, ds = to->kind == DK_INT ? to->size : 8;
    int ssg = from->kind == DK_INT && from->sgn, dsg = to->kind == DK_INT && to->sgn;
    if ((ds == ss && (ssg != dsg || ds == 8)) || (ds > ss && !ssg))
        return x;
    rnode *n = mk(pg, ev_cast);
    if (n != NULL) {
        n->a = x;
        n->dsize = (uint8_t)ss;
        n->dsgn = (uint8_t)ssg;
        n->size = (uint8_t)ds;
        n->sgn = (uint8_t)dsg;
    }
    return n;
}

/* ---- operators ---- */

static uint64_t ev_neg(const rnode *n, rctx *c) { return (uint64_t)0 - EV(n->a); }
static uint64_t ev_bneg(const rnode *n, rctx *c) { return ~EV(n->a); }
static uint64_t ev_lnot(const rnode *n, rctx *c) { return EV(n->a) == 0; }

rnode *ln_unary(ds_prog *pg, int op, rnode *x)
{
    rnode *n = mk(pg, op == T_MINUS ? ev_neg : op == T_BNEG ? ev_bneg : ev_lnot);
    if (n != NULL)
        n->a = x;
    return n;
}

#define BIN(name, expr)                                                                    \
    static uint64_t name(const rnode *n, rctx *c)                                          \
    {                                                                                      \
        uint64_t a = EV(n->a), b = EV(n->b);                                               \
        return (expr);                                                                     \
    }
BIN(ev_add, a + b)
BIN(ev_sub, a - b)
BIN(ev_mul, a * b)
BIN(ev_and, a & b)
BIN(ev_or, a | b)
BIN(ev_xor, a ^ b)
BIN(ev_shl, a << (b & 63))
BIN(ev_shr_u, a >> (b & 63))
BIN(ev_shr_s, (uint64_t)((int64_t)a >> (b & 63)))
BIN(ev_lt_u, a < b)
BIN(ev_le_u, a <= b)
BIN(ev_gt_u, a > b)
BIN(ev_ge_u, a >= b)
BIN(ev_lt_s, (int64_t)a < (int64_t)b)
BIN(ev_le_s, (int64_t)a <= (int64_t)b)
BIN(ev_gt_s, (int64_t)a > (int64_t)b)
BIN(ev_ge_s, (int64_t)a >= (int64_t)b)
BIN(ev_eq, a == b)
BIN(ev_ne, a != b)
#undef BIN

/* x & K, with the constant in the node: D's flag tests (args[4]->tcp_flags & TH_SYN) */
static uint64_t ev_andk(const rnode *n, rctx *c) { return EV(n->a) & n->k2; }

static uint64_t divide(rctx *c, int op, uint64_t a, uint64_t b, int sgn)
{
    if (b == 0) {
        ds_fault(c, FLT_DIVZERO, 0);
        return 0;
    }
    if (sgn) {
        if ((int64_t)b == -1)
            return op == T_DIV ? (uint64_t)0 - a : 0;
        return op == T_DIV ? (uint64_t)((int64_t)a / (int64_t)b) : (uint64_t)((int64_t)a % (int64_t)b);
    }
    return op == T_DIV ? a / b : a % b;
}

static uint64_t ev_div(const rnode *n, rctx *c)
{
    uint64_t a = EV(n->a), b = EV(n->b);
    return divide(c, (int)n->k, a, b, n->sgn);
}

/* One binary operation on two values (also used by compound assignments). */
static uint64_t binop(rctx *c, int op, uint64_t a, uint64_t b, int sgn)
{
    switch (op) {
    case T_PLUS: return a + b;
    case T_MINUS: return a - b;
    case T_STAR: return a * b;
    case T_DIV: case T_MOD: return divide(c, op, a, b, sgn);
    case T_BAND: return a & b;
    case T_BOR: return a | b;
    case T_XOR: return a ^ b;
    case T_LSH: return a << (b & 63);
    case T_RSH: return sgn ? (uint64_t)((int64_t)a >> (b & 63)) : a >> (b & 63);
    default: return b;
    }
}

rnode *ln_binary(ds_prog *pg, int op, rnode *x, rnode *y, const dtype *t)
{
    int s = t->kind == DK_INT && t->sgn;
    rn_fn f = NULL;
    switch (op) {
    case T_PLUS: f = ev_add; break;
    case T_MINUS: f = ev_sub; break;
    case T_STAR: f = ev_mul; break;
    case T_DIV: case T_MOD: f = ev_div; break;
    case T_BAND: f = ev_and; break;
    case T_BOR: f = ev_or; break;
    case T_XOR: f = ev_xor; break;
    case T_LSH: f = ev_shl; break;
    case T_RSH: f = s ? ev_shr_s : ev_shr_u; break;
    case T_LT: f = s ? ev_lt_s : ev_lt_u; break;
    case T_LE: f = s ? ev_le_s : ev_le_u; break;
    case T_GT: f = s ? ev_gt_s : ev_gt_u; break;
    case T_GE: f = s ? ev_ge_s : ev_ge_u; break;
    case T_EQ: f = ev_eq; break;
    case T_NE: f = ev_ne; break;
    default: return NULL;
    }
    if (f == ev_and && y->f == ev_const && !y->is_str)
        f = ev_andk;
    rnode *n = mk(pg, f);
    if (n != NULL) {
        n->a = x;
        n->b = y;
        n->k = (uint64_t)op;
        n->k2 = y->k;
        n->sgn = (uint8_t)s;
    }
    return n;
}

static int dstrcmp(const char *a, const char *b)
{
    if (a == NULL)
        a = "";
    if (b == NULL)
        b = "";
    return strcmp(a, b);
}

static uint64_t ev_strcmp(const rnode *n, rctx *c)
{
    const char *a = (const char *)(uintptr_t)EV(n->a);
    const char *b = (const char *)(uintptr_t)EV(n->b);
    int r = dstrcmp(a, b);
    switch ((int)n->k) {
    case T_LT: return r < 0;
    case T_LE: return r <= 0;
    case T_GT: return r > 0;
    case T_GE: return r >= 0;
    case T_EQ: return r == 0;
    default: return r != 0;
    }
}

rnode *ln_strcmp(ds_prog *pg, int op, rnode *x, rnode *y)
{
    rnode *n = mk(pg, ev_strcmp);
    if (n != NULL) {
        n->a = x;
        n->b = y;
        n->k = (uint64_t)op;
    }
    return n;
}

static uint64_t ev_stradd(const rnode *n, rctx *c)
{
    const char *s = (const char *)(uintptr_t)EV(n->a);
    int64_t i = (int64_t)EV(n->b);
    if (s == NULL)
        return 0;
    if (n->k)
        i = -i;
    size_t len = strlen(s);
    if (i < 0)
        i = 0;
    if ((uint64_t)i > len)
        i = (int64_t)len;
    return (uint64_t)(uintptr_t)(s + i);
}

rnode *ln_stradd(ds_prog *pg, rnode *s, rnode *i, int negate)
{
    rnode *n = mk(pg, ev_stradd);
    if (n != NULL) {
        n->a = s;
        n->b = i;
        n->k = (uint64_t)negate;
        n->is_str = 1;
    }
    return n;
}

static uint64_t ev_strindex(const rnode *n, rctx *c)
{
    const char *s = (const char *)(uintptr_t)EV(n->a);
    int64_t i = (int64_t)EV(n->b);
    if (s == NULL) {
        ds_fault(c, FLT_BADADDR, 0);
        return 0;
    }
    if (i < 0 || (uint64_t)i >= c->strmax || (size_t)i > strlen(s))
        return 0;
    return (uint64_t)(int64_t)(signed char)s[i];
}

rnode *ln_strindex(ds_prog *pg, rnode *s, rnode *i)
{
    rnode *n = mk(pg, ev_strindex);
    if (n != NULL) {
        n->a = s;
        n->b = i;
    }
    return n;
}

static uint64_t ev_land(const rnode *n, rctx *c) { return EV(n->a) != 0 && EV(n->b) != 0; }
static uint64_t ev_lor(const rnode *n, rctx *c) { return EV(n->a) != 0 || EV(n->b) != 0; }
static uint64_t ev_lxor(const rnode *n, rctx *c)
{
    int a = EV(n->a) != 0;
    int b = EV(n->b) != 0;
    return a != b;
}

rnode *ln_logical(ds_prog *pg, int op, rnode *x, rnode *y)
{
    rnode *n = mk(pg, op == T_LAND ? ev_land : op == T_LOR ? ev_lor : ev_lxor);
    if (n != NULL) {
        n->a = x;
        n->b = y;
    }
    return n;
}

static uint64_t ev_ternary(const rnode *n, rctx *c) { return EV(n->a) ? EV(n->b) : EV(n->c); }
/* c ? K1 : K2 (Example 3's flag names) */
static uint64_t ev_ternary_kk(const rnode *n, rctx *c) { return EV(n->a) ? n->k : n->k2; }

int ln_static_str(const rnode *n)
{
    if (n->f == ev_const)
        return n->is_str;
    return (n->f == ev_ternary || n->f == ev_ternary_kk) && ln_static_str(n->b) &&
           ln_static_str(n->c);
}

rnode *ln_ternary(ds_prog *pg, rnode *cond, rnode *x, rnode *y)
{
    int kk = x->f == ev_const && y->f == ev_const;
    rnode *n = mk(pg, kk ? ev_ternary_kk : ev_ternary);
    if (n != NULL) {
        n->a = cond;
        n->b = x;
        n->c = y;
        n->k = x->k;
        n->k2 = y->k;
    }
    return n;
}

static uint64_t ev_comma(const rnode *n, rctx *c)
{
    EV(n->a);
    return EV(n->b);
}

rnode *ln_comma(ds_prog *pg, rnode *x, rnode *y)
{
    rnode *n = mk(pg, ev_comma);
    if (n != NULL) {
        n->a = x;
        n->b = y;
    }
    return n;
}

/* ---- variables ---- */

/* Encode a dynamic variable's key into c->key: the variable, the thread (self->), then each
 * component (integers as 8 bytes, strings with their NUL). Returns its length. */
static size_t dyn_key(rctx *c, const ds_var *v, const uint64_t *vals, int nkeys)
{
    unsigned char *p = c->key;
    uint32_t id = (uint32_t)v->slot;
    memcpy(p, &id, 4);
    size_t n = 4;
    if (v->scope == VS_SELF) {
        memcpy(p + n, &c->tid, 8);
        n += 8;
    }
    for (int i = 0; i < nkeys; i++) {
        if (v->keyt[i]->kind == DK_STRING) {
            const char *s = (const char *)(uintptr_t)vals[i];
            size_t l = s ? strnlen(s, c->strmax) : 0;
            if (l > 0)
                memcpy(p + n, s, l);
            p[n + l] = '\0';
            n += l + 1;
        } else {
            memcpy(p + n, &vals[i], 8);
            n += 8;
        }
    }
    return n;
}

static int is_dyn(const ds_var *v) { return v->kind == VK_ASSOC || v->scope == VS_SELF; }
static int is_strvar(const ds_var *v) { return v->t != NULL && v->t->kind == DK_STRING; }

static void eval_keys(const rnode *n, rctx *c, uint64_t *vals)
{
    for (int i = 0; i < n->nkids; i++)
        vals[i] = EV(n->kids[i]);
}

static uint64_t ev_gload(const rnode *n, rctx *c) { return c->gv[n->k]; }
static uint64_t ev_tload(const rnode *n, rctx *c) { return c->tv[n->k]; }
static uint64_t ev_tload_str(const rnode *n, rctx *c) { return (uint64_t)(uintptr_t)c->tstr[n->k]; }

static uint64_t ev_dynload(const rnode *n, rctx *c)
{
    const ds_var *v = n->p;
    uint64_t vals[DS_MAXKEYS];
    eval_keys(n, c, vals);
    size_t kl = dyn_key(c, v, vals, n->nkids);
    void *val = ds_dyn_get(c->dyn, c->key, kl);
    if (val == NULL)
        return 0;
    if (is_strvar(v))
        return (uint64_t)(uintptr_t)val;
    uint64_t x;
    memcpy(&x, val, 8);
    return x;
}

static uint64_t ev_arrload(const rnode *n, rctx *c)
{
    const ds_var *v = n->p;
    uint64_t i = EV(n->a);
    if (i >= (uint64_t)v->nelem) {
        ds_fault(c, FLT_BOUNDS, i);
        return 0;
    }
    uint64_t *arr = (uint64_t *)(uintptr_t)c->gv[v->slot];
    if (v->t->kind == DK_STRING)
        return (uint64_t)(uintptr_t)((char *)arr + i * (c->strmax + 1));
    return arr[i];
}

rnode *ln_load(ds_prog *pg, const lval *lv)
{
    const ds_var *v = lv->var;
    rnode *n;
    if (v->kind == VK_ARRAY) {
        n = mk(pg, ev_arrload);
        if (n != NULL)
            n->a = lv->index;
    } else if (is_dyn(v)) {
        n = mk(pg, ev_dynload);
        if (n != NULL) {
            n->kids = (const rnode *const *)lv->keys;
            n->nkids = lv->nkeys;
        }
    } else {
        n = mk(pg, v->scope != VS_THIS ? ev_gload : is_strvar(v) ? ev_tload_str : ev_tload);
    }
    if (n != NULL) {
        n->p = v;
        n->k = (uint64_t)v->slot;
        n->is_str = is_strvar(v);
    }
    return n;
}

/* Copy a string into a variable's buffer of strmax + 1 bytes. */
static void store_str(rctx *c, char *dst, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    size_t l = strnlen(src, c->strmax);
    memmove(dst, src, l);
    dst[l] = '\0';
}

static uint64_t ev_assign(const rnode *n, rctx *c)
{
    const ds_var *v = n->p;
    int op = (int)n->k, post = (int)n->k2;
    uint64_t vals[DS_MAXKEYS];
    uint64_t idx = 0;
    eval_keys(n, c, vals);
    if (v->kind == VK_ARRAY) {
        idx = EV(n->c);
        if (c->fault == 0 && idx >= (uint64_t)v->nelem)
            ds_fault(c, FLT_BOUNDS, idx);
    }
    if (c->fault)
        return 0;
    int str = is_strvar(v);
    uint64_t old = 0;
    size_t kl = 0;
    void *dv = NULL;
    /* the old value is read before the right-hand side runs, as DIF's registers are */
    if (is_dyn(v)) {
        kl = dyn_key(c, v, vals, n->nkids);
        if (op != T_ASSIGN) {
            dv = ds_dyn_get(c->dyn, c->key, kl);
            if (dv != NULL)
                memcpy(&old, dv, 8);
        }
    } else if (v->kind == VK_ARRAY) {
        uint64_t *arr = (uint64_t *)(uintptr_t)c->gv[v->slot];
        if (!str)
            old = arr[idx];
    } else {
        old = v->scope == VS_THIS ? c->tv[v->slot] : c->gv[v->slot];
    }
    uint64_t rhs = EV(n->b);
    if (c->fault)
        return 0;
    if (is_dyn(v))
        kl = dyn_key(c, v, vals, n->nkids);   /* the right-hand side may have used c->key */
    uint64_t nv = op == T_ASSIGN ? rhs : binop(c, op, old, rhs, n->sgn);
    if (c->fault)
        return 0;
    if (str) {
        const char *s = (const char *)(uintptr_t)nv;
        if (is_dyn(v)) {
            if (s == NULL) {
                ds_dyn_del(c->dyn, c->key, kl);
                return 0;
            }
            char *buf = ds_dyn_put(c->dyn, c->key, kl, c->strmax + 1);
            if (buf == NULL) {
                ds_fault(c, FLT_NOSCRATCH, 0);
                return 0;
            }
            store_str(c, buf, s);
            return (uint64_t)(uintptr_t)buf;
        }
        char *buf;
        if (v->kind == VK_ARRAY)
            buf = (char *)(uintptr_t)c->gv[v->slot] + idx * (c->strmax + 1);
        else if (v->scope == VS_THIS)
            buf = c->tstr[v->slot];
        else
            buf = (char *)(uintptr_t)c->gv[v->slot];
        store_str(c, buf, s);
        return (uint64_t)(uintptr_t)buf;
    }
    if (is_dyn(v)) {
        if (nv == 0) {
            ds_dyn_del(c->dyn, c->key, kl);
        } else {
            void *slot = ds_dyn_put(c->dyn, c->key, kl, 8);
            if (slot == NULL) {
                ds_fault(c, FLT_NOSCRATCH, 0);
                return 0;
            }
            memcpy(slot, &nv, 8);
        }
    } else if (v->kind == VK_ARRAY) {
        uint64_t *arr = (uint64_t *)(uintptr_t)c->gv[v->slot];
        nv = cast(nv, 8, 1, v->t->size, v->t->sgn);   /* fixed-layout memory: the element's width */
        arr[idx] = nv;
    } else if (v->scope == VS_THIS) {
        c->tv[v->slot] = nv;
    } else {
        c->gv[v->slot] = nv;
    }
    return post ? old : nv;
}

rnode *ln_assign(ds_prog *pg, const lval *lv, int op, rnode *rhs, const dtype *t, int post)
{
    rnode *n = mk(pg, ev_assign);
    if (n == NULL)
        return NULL;
    n->p = lv->var;
    n->kids = (const rnode *const *)lv->keys;
    n->nkids = lv->nkeys;
    n->c = lv->index;
    n->b = rhs;
    n->k = (uint64_t)op;
    n->k2 = (uint64_t)post;
    n->sgn = (uint8_t)(t->kind == DK_INT && t->sgn);
    n->is_str = is_strvar(lv->var);
    return n;
}

/* ---- probe arguments and built-in variables ---- */

static uint64_t ev_argv(const rnode *n, rctx *c)
{
    return c->ev != NULL && n->k < NTA_MAX_ARGS ? ds_net_argv(c, (int)n->k) : c->argv[n->k];
}

rnode *ln_argptr(ds_prog *pg, int i)
{
    rnode *n = mk(pg, ev_argv);
    if (n != NULL)
        n->k = (uint64_t)i;
    return n;
}

static const unsigned char *arg_of(const rnode *n, rctx *c)
{
    return (const unsigned char *)c->arg[n->k];
}

static uint64_t ev_f_u8(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    return s ? s[n->off] : n->k2;
}

static uint64_t ev_f_u16(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    uint16_t v;
    if (s == NULL)
        return n->k2;
    memcpy(&v, s + n->off, 2);
    return v;
}

static uint64_t ev_f_u32(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    uint32_t v;
    if (s == NULL)
        return n->k2;
    memcpy(&v, s + n->off, 4);
    return v;
}

static uint64_t ev_f_u64(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    uint64_t v;
    if (s == NULL)
        return n->k2;
    memcpy(&v, s + n->off, 8);
    return v;
}

static uint64_t ev_f_i8(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    return s ? (uint64_t)(int64_t)(int8_t)s[n->off] : n->k2;
}

static uint64_t ev_f_i32(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    int32_t v;
    if (s == NULL)
        return n->k2;
    memcpy(&v, s + n->off, 4);
    return (uint64_t)(int64_t)v;
}

static uint64_t ev_f_zero(const rnode *n, rctx *c)
{
    (void)n;
    (void)c;
    return 0;
}

static uint64_t ev_f_addr(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    if (s == NULL)
        return n->k2;
    nta_addr a;
    memcpy(&a, s + n->off, sizeof a);
    ds_addr_slot *slot = &c->addr_cache[nta_addr_slot(&a, 8)];
    int hit = slot->used && nta_addr_eq(&slot->a, &a);
    if (hit && c->strmax >= NTA_ADDR_STRLEN - 1) {
        slot->firing = c->firing;
        return (uint64_t)(uintptr_t)slot->s;
    }
    if (!hit && !(slot->used && slot->firing == c->firing)) {
        slot->a = a;
        slot->used = 1;
        slot->firing = c->firing;
        nta_addr_str(&a, slot->s);
        if (c->strmax >= NTA_ADDR_STRLEN - 1)
            return (uint64_t)(uintptr_t)slot->s;
    }
    /* the slot holds another address this firing has read, or strsize cuts the text: a copy
     * of this firing's own (eight per firing, more than the address fields a probe has) */
    struct ds_evaddr *e = &c->evaddr[c->evaddr_next++ & 7];
    char t[NTA_ADDR_STRLEN];
    const char *src = slot->s;
    if (!nta_addr_eq(&slot->a, &a)) {
        nta_addr_str(&a, t);
        src = t;
    }
    size_t l = strnlen(src, c->strmax);
    memcpy(e->s, src, l);
    e->s[l] = '\0';
    return (uint64_t)(uintptr_t)e->s;
}

static uint64_t ev_f_strp(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    const char *p;
    if (s == NULL)
        return n->k2;
    memcpy(&p, s + n->off, sizeof p);
    return (uint64_t)(uintptr_t)(p ? p : "");
}

static uint64_t ev_f_proto(const rnode *n, rctx *c)
{
    const unsigned char *s = arg_of(n, c);
    if (s == NULL)
        return n->k2;
    return (uint64_t)(uintptr_t)nta_ip_protostr(s[n->off]);
}

rnode *ln_field(ds_prog *pg, int argi, const nta_field *f)
{
    rn_fn fn;
    switch ((nta_fstore)f->store) {
    case NTA_FS_U8: fn = ev_f_u8; break;
    case NTA_FS_U16: fn = ev_f_u16; break;
    case NTA_FS_U32: fn = ev_f_u32; break;
    case NTA_FS_U64: fn = ev_f_u64; break;
    case NTA_FS_I8: fn = ev_f_i8; break;
    case NTA_FS_I32: fn = ev_f_i32; break;
    case NTA_FS_ADDR: fn = ev_f_addr; break;
    case NTA_FS_STRP: fn = ev_f_strp; break;
    case NTA_FS_PROTOSTR: fn = ev_f_proto; break;
    default: fn = ev_f_zero; break;
    }
    rnode *n = mk(pg, fn);
    if (n == NULL)
        return NULL;
    n->k = (uint64_t)argi;
    n->off = f->off;
    n->p = f;
    int is_str = f->store == NTA_FS_ADDR || f->store == NTA_FS_STRP || f->store == NTA_FS_PROTOSTR;
    n->is_str = (uint8_t)is_str;
    /* the translator's value for a NULL structure (event/fields.h) */
    n->k2 = is_str ? (uint64_t)(uintptr_t)f->null_str : (uint64_t)f->null_int;
    return n;
}

static uint64_t ev_ts(const rnode *n, rctx *c) { (void)n; return c->ts; }
static uint64_t ev_wall(const rnode *n, rctx *c) { (void)n; return c->wall; }
static uint64_t ev_id(const rnode *n, rctx *c) { (void)n; return (uint64_t)c->probe->id; }
static uint64_t ev_epid(const rnode *n, rctx *c) { (void)n; return c->ecb ? (uint64_t)c->ecb->epid : 0; }
static uint64_t ev_pid(const rnode *n, rctx *c) { (void)n; return c->pid; }
static uint64_t ev_tid(const rnode *n, rctx *c) { (void)n; return c->tid; }
static uint64_t ev_execname(const rnode *n, rctx *c) { (void)n; return (uint64_t)(uintptr_t)c->execname; }
static uint64_t ev_prov(const rnode *n, rctx *c) { (void)n; return (uint64_t)(uintptr_t)c->probe->prov; }
static uint64_t ev_mod(const rnode *n, rctx *c) { (void)n; return (uint64_t)(uintptr_t)c->probe->mod; }
static uint64_t ev_func(const rnode *n, rctx *c) { (void)n; return (uint64_t)(uintptr_t)c->probe->func; }
static uint64_t ev_name(const rnode *n, rctx *c) { (void)n; return (uint64_t)(uintptr_t)c->probe->name; }

rnode *ln_builtin(ds_prog *pg, const char *name)
{
    static const struct {
        const char *name;
        rn_fn f;
        int str;
    } map[] = {
        { "timestamp", ev_ts, 0 }, { "vtimestamp", ev_ts, 0 }, { "walltimestamp", ev_wall, 0 },
        { "id", ev_id, 0 }, { "epid", ev_epid, 0 }, { "pid", ev_pid, 0 }, { "tid", ev_tid, 0 },
        { "execname", ev_execname, 1 }, { "probeprov", ev_prov, 1 }, { "probemod", ev_mod, 1 },
        { "probefunc", ev_func, 1 }, { "probename", ev_name, 1 },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, name) == 0) {
            rnode *n = mk(pg, map[i].f);
            if (n != NULL)
                n->is_str = (uint8_t)map[i].str;
            return n;
        }
    if (strncmp(name, "arg", 3) == 0 && name[3] >= '0' && name[3] <= '9' && name[4] == '\0')
        return ln_argptr(pg, name[3] - '0');
    if (strcmp(name, "zonename") == 0)
        return ln_str(pg, "global");
    if (strcmp(name, "jailname") == 0)
        return ln_str(pg, "");
    /* cpu, uid, gid, ppid, errno, ipl, caller, ... : documented offline constants (0) */
    return ln_const(pg, 0);
}

/* ---- inline parameters ---- */

static uint64_t ev_bind(const rnode *n, rctx *c)
{
    for (int i = 0; i < n->nkids; i++)
        c->temps[n->k + (uint64_t)i] = EV(n->kids[i]);
    return EV(n->a);
}

rnode *ln_bind(ds_prog *pg, int first, rnode **args, int nargs, rnode *body)
{
    rnode **kids = ds_alloc(pg->arena, (size_t)nargs * sizeof *kids);
    rnode *n = kids ? mk(pg, ev_bind) : NULL;
    if (n == NULL)
        return NULL;
    memcpy(kids, args, (size_t)nargs * sizeof *kids);
    n->kids = (const rnode *const *)kids;
    n->nkids = nargs;
    n->k = (uint64_t)first;
    n->a = body;
    n->is_str = body->is_str;
    return n;
}

static uint64_t ev_temp(const rnode *n, rctx *c) { return c->temps[n->k]; }

rnode *ln_temp(ds_prog *pg, int slot)
{
    rnode *n = mk(pg, ev_temp);
    if (n != NULL)
        n->k = (uint64_t)slot;
    return n;
}

/* ---- statements ---- */

static uint64_t ev_list(const rnode *n, rctx *c)
{
    for (int i = 0; i < n->nkids && !c->fault; i++)
        EV(n->kids[i]);
    return 0;
}

rnode *ln_list(ds_prog *pg, rnode **stmts, int n)
{
    rnode *l = mk(pg, ev_list);
    if (l != NULL) {
        l->kids = (const rnode *const *)stmts;
        l->nkids = n;
    }
    return l;
}

static uint64_t ev_if(const rnode *n, rctx *c)
{
    uint64_t v = EV(n->a);
    if (c->fault)
        return 0;
    if (v)
        EV(n->b);
    else if (n->c != NULL)
        EV(n->c);
    return 0;
}

rnode *ln_if(ds_prog *pg, rnode *cond, rnode *then_list, rnode *else_list)
{
    rnode *n = mk(pg, ev_if);
    if (n != NULL) {
        n->a = cond;
        n->b = then_list;
        n->c = else_list;
    }
    return n;
}

static uint64_t ev_mark(const rnode *n, rctx *c)
{
    c->action = (int)n->k;
    return EV(n->a);
}

rnode *ln_action_mark(ds_prog *pg, int action, rnode *stmt)
{
    rnode *n = mk(pg, ev_mark);
    if (n != NULL) {
        n->k = (uint64_t)action;
        n->a = stmt;
    }
    return n;
}
