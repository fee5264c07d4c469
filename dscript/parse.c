/* dscript/parse.c: recursive descent with precedence climbing over the D lexer (see ast.h). */
#include "dscript/ast.h"

#include <string.h>

typedef struct parser {
    dlex *lx;
    ds_diag *diag;
    ds_arena *arena;
    dtok cur, ahead;
    int have_cur, have_ahead;
    int depth;
    int bare_pspec;
    ds_is_type_fn is_type;
    int (*on_typedef)(void *ctx, item *td);
    void *ctx;
} parser;

/* ---- tokens ---- */

static dtok *cur(parser *ps)
{
    if (!ps->have_cur) {
        if (ps->have_ahead) {
            ps->cur = ps->ahead;
            ps->have_ahead = 0;
        } else if (ds_lex_next(ps->lx, &ps->cur) < 0) {
            ps->cur.t = -1;
        }
        ps->have_cur = 1;
    }
    return &ps->cur;
}

static dtok *ahead(parser *ps)
{
    cur(ps);
    if (!ps->have_ahead && ps->cur.t >= 0) {
        if (ds_lex_next(ps->lx, &ps->ahead) < 0)
            ps->ahead.t = -1;
        ps->have_ahead = 1;
    }
    return ps->have_ahead ? &ps->ahead : &ps->cur;
}

static void advance(parser *ps) { ps->have_cur = 0; }

static int failed(parser *ps) { return ps->diag->set; }

/* 'syntax error near "TOKEN"' with the token as written (dt_grammar.y's yyerror). */
static void *syntax(parser *ps, const dtok *t)
{
    if (failed(ps) || t->t < 0)
        return NULL;
    if (t->t == T_EOF) {
        ds_diag_set(ps->diag, "D_SYNTAX", t->line, "syntax error near end of input");
    } else {
        int n = (int)(t->srclen > 100 ? 100 : t->srclen);
        ds_diag_set(ps->diag, "D_SYNTAX", t->line, "syntax error near \"%.*s\"", n, t->src);
    }
    return NULL;
}

static int expect(parser *ps, int tok)
{
    dtok *t = cur(ps);
    if (t->t != tok) {
        syntax(ps, t);
        return -1;
    }
    advance(ps);
    return 0;
}

static ast *node(parser *ps, akind k, int line)
{
    ast *n = ds_alloc(ps->arena, sizeof *n);
    if (n == NULL) {
        ds_diag_set(ps->diag, "D_NOMEM", line, "out of memory");
        return NULL;
    }
    n->kind = k;
    n->line = line;
    return n;
}

static int too_deep(parser *ps, int line)
{
    if (ps->depth <= DS_MAX_DEPTH)
        return 0;
    ds_diag_set(ps->diag, "D_SYNTAX", line,
                "program nesting is too deep (more than %d levels of expressions or statements)",
                DS_MAX_DEPTH);
    return 1;
}

/* ---- types as written ---- */

static int is_type_word(parser *ps, const dtok *t)
{
    switch (t->t) {
    case K_CHAR: case K_SHORT: case K_INT: case K_LONG: case K_SIGNED: case K_UNSIGNED:
    case K_VOID: case K_STRING: case K_STRUCT: case K_UNION: case K_ENUM: case K_CONST:
    case K_VOLATILE: case K_RESTRICT: case K_FLOAT: case K_DOUBLE:
        return 1;
    case T_IDENT:
        return ps->is_type != NULL && ps->is_type(ps->ctx, t->s, t->slen);
    default:
        return 0;
    }
}

/* Type specifier words, then '*'s. NULL (nothing consumed) when the text does not start with
 * one; NULL with the diagnostic set on error. */
static tspec *parse_tspec(parser *ps)
{
    dtok *t = cur(ps);
    if (!is_type_word(ps, t))
        return NULL;
    tspec *ts = ds_alloc(ps->arena, sizeof *ts);
    if (ts == NULL) {
        ds_diag_set(ps->diag, "D_NOMEM", t->line, "out of memory");
        return NULL;
    }
    ts->line = t->line;
    int base = 0;   /* a base type (keyword or name) has been seen */
    for (;;) {
        t = cur(ps);
        switch (t->t) {
        case K_CONST: case K_VOLATILE: case K_RESTRICT:
            ts->kw |= TS_CONST;
            advance(ps);
            continue;
        case K_SIGNED: ts->kw |= TS_SIGNED; advance(ps); continue;
        case K_UNSIGNED: ts->kw |= TS_UNSIGNED; advance(ps); continue;
        case K_CHAR: ts->kw |= TS_CHAR; base = 1; advance(ps); continue;
        case K_SHORT: ts->kw |= TS_SHORT; base = 1; advance(ps); continue;
        case K_INT: ts->kw |= TS_INT; base = 1; advance(ps); continue;
        case K_LONG:
            ts->kw |= TS_LONG;
            ts->nlong++;
            base = 1;
            advance(ps);
            continue;
        case K_VOID: ts->kw |= TS_VOID; base = 1; advance(ps); continue;
        case K_STRING: ts->kw |= TS_STRING; base = 1; advance(ps); continue;
        case K_FLOAT: case K_DOUBLE:
            ds_diag_set(ps->diag, "D_NTA_UNSUP", t->line,
                        "floating-point types are not supported by nta run (%s)",
                        t->t == K_FLOAT ? "float" : "double");
            return NULL;
        case K_STRUCT: case K_UNION: case K_ENUM: {
            if (base)
                return ts;
            ts->kw |= t->t == K_STRUCT ? TS_STRUCT : t->t == K_UNION ? TS_UNION : TS_ENUM;
            advance(ps);
            base = 1;
            t = cur(ps);
            if (t->t == T_IDENT || t->t == T_PSPEC) {
                ts->name = t->s;
                advance(ps);
            }
            continue;
        }
        case T_IDENT:
            if (!base && ts->kw == 0 && ps->is_type != NULL && ps->is_type(ps->ctx, t->s, t->slen)) {
                ts->kw |= TS_NAMED;
                ts->name = t->s;
                base = 1;
                advance(ps);
                continue;
            }
            break;
        default:
            break;
        }
        break;
    }
    while (cur(ps)->t == T_STAR) {
        ts->ptr++;
        advance(ps);
    }
    return failed(ps) ? NULL : ts;
}

/* ---- expressions ---- */

static ast *parse_expr(parser *ps);
static ast *parse_assign(parser *ps);
static ast *parse_cast(parser *ps);

/* Comma-separated assignment expressions up to the closing token. */
static ast *parse_args(parser *ps, int close, int *ok)
{
    ast *head = NULL, **tail = &head;
    *ok = 0;
    if (cur(ps)->t == close) {
        advance(ps);
        *ok = 1;
        return NULL;
    }
    for (;;) {
        ast *e = parse_assign(ps);
        if (e == NULL)
            return NULL;
        *tail = e;
        tail = &e->next;
        dtok *t = cur(ps);
        if (t->t == T_COMMA) {
            advance(ps);
            continue;
        }
        if (t->t == close) {
            advance(ps);
            *ok = 1;
            return head;
        }
        return syntax(ps, t);
    }
}

/* A member name after . or ->: an identifier or a keyword (dtrace_keyword_ident). */
static const char *member_name(parser *ps)
{
    dtok *t = cur(ps);
    if (t->t == T_IDENT || (t->t >= K_AUTO && t->t <= K_XLATE)) {
        const char *s = t->t == T_IDENT ? t->s : ds_tok_text(t->t);
        advance(ps);
        return s;
    }
    syntax(ps, t);
    return NULL;
}

static ast *parse_primary(parser *ps)
{
    dtok *t = cur(ps);
    ast *n;
    switch (t->t) {
    case T_INT:
        if ((n = node(ps, A_INT, t->line)) == NULL)
            return NULL;
        n->v = t->v;
        n->iflags = t->iflags;
        advance(ps);
        return n;
    case T_STRING:
        if ((n = node(ps, A_STR, t->line)) == NULL)
            return NULL;
        n->s = t->s;
        n->slen = t->slen;
        advance(ps);
        return n;
    case T_IDENT:
        if ((n = node(ps, A_IDENT, t->line)) == NULL)
            return NULL;
        n->s = t->s;
        advance(ps);
        return n;
    case T_AGG:
        if ((n = node(ps, A_AGG, t->line)) == NULL)
            return NULL;
        n->s = t->s;
        advance(ps);
        if (cur(ps)->t == T_LBRACK) {
            int ok;
            advance(ps);
            n->has_keys = 1;
            n->a = parse_args(ps, T_RBRACK, &ok);
            if (!ok)
                return NULL;
            if (cur(ps)->t == T_LBRACK) {
                n->mdim = 1;
                advance(ps);
                parse_args(ps, T_RBRACK, &ok);
                if (!ok)
                    return NULL;
            }
        }
        return n;
    case K_SELF: case K_THIS: {
        int k = t->t == K_SELF ? A_SELF : A_THIS;
        int line = t->line;
        advance(ps);
        if (expect(ps, T_PTR) < 0)
            return NULL;
        const char *m = member_name(ps);
        if (m == NULL || (n = node(ps, (akind)k, line)) == NULL)
            return NULL;
        n->s = m;
        return n;
    }
    case T_LPAR: {
        advance(ps);
        ast *e = parse_expr(ps);
        if (e == NULL || expect(ps, T_RPAR) < 0)
            return NULL;
        return e;
    }
    case K_XLATE:
        ds_diag_set(ps->diag, "D_NTA_UNSUP", t->line,
                    "translators (xlate) are not supported by nta run; the ip, tcp and udp "
                    "providers' arguments are already translated");
        return NULL;
    case K_OFFSETOF: {
        int line = t->line;
        advance(ps);
        if (expect(ps, T_LPAR) < 0)
            return NULL;
        tspec *ts = parse_tspec(ps);
        if (ts == NULL)
            return failed(ps) ? NULL : syntax(ps, cur(ps));
        if (expect(ps, T_COMMA) < 0)
            return NULL;
        const char *m = member_name(ps);
        if (m == NULL || expect(ps, T_RPAR) < 0 || (n = node(ps, A_OFFSETOF, line)) == NULL)
            return NULL;
        n->ts = ts;
        n->s = m;
        return n;
    }
    default:
        return syntax(ps, t);
    }
}

static ast *parse_postfix(parser *ps)
{
    ast *e = parse_primary(ps);
    while (e != NULL) {
        dtok *t = cur(ps);
        ast *n;
        int ok;
        switch (t->t) {
        case T_LBRACK:
            if ((n = node(ps, A_INDEX, t->line)) == NULL)
                return NULL;
            advance(ps);
            n->a = e;
            n->b = parse_args(ps, T_RBRACK, &ok);
            if (!ok)
                return NULL;
            e = n;
            break;
        case T_LPAR:
            if ((n = node(ps, A_CALL, t->line)) == NULL)
                return NULL;
            advance(ps);
            n->a = e;
            n->b = parse_args(ps, T_RPAR, &ok);
            if (!ok)
                return NULL;
            e = n;
            break;
        case T_DOT: case T_PTR: {
            if ((n = node(ps, A_MEMBER, t->line)) == NULL)
                return NULL;
            n->op = t->t;
            advance(ps);
            n->a = e;
            if ((n->s = member_name(ps)) == NULL)
                return NULL;
            e = n;
            break;
        }
        case T_INC: case T_DEC:
            if ((n = node(ps, t->t == T_INC ? A_POSTINC : A_POSTDEC, t->line)) == NULL)
                return NULL;
            advance(ps);
            n->a = e;
            e = n;
            break;
        default:
            return e;
        }
    }
    return NULL;
}

/* "(" starting a cast or sizeof(type)? */
static int lpar_type(parser *ps)
{
    return cur(ps)->t == T_LPAR && is_type_word(ps, ahead(ps));
}

static ast *parse_unary(parser *ps)
{
    dtok *t = cur(ps);
    int line = t->line;
    ast *n;
    ps->depth++;
    if (too_deep(ps, line)) {
        ps->depth--;
        return NULL;
    }
    switch (t->t) {
    case T_INC: case T_DEC:
        if ((n = node(ps, t->t == T_INC ? A_PREINC : A_PREDEC, line)) == NULL)
            break;
        advance(ps);
        if ((n->a = parse_unary(ps)) == NULL)
            n = NULL;
        break;
    case T_BAND: case T_STAR: case T_PLUS: case T_MINUS: case T_BNEG: case T_NOT:
        if ((n = node(ps, A_UNARY, line)) == NULL)
            break;
        n->op = t->t;
        advance(ps);
        if ((n->a = parse_cast(ps)) == NULL)
            n = NULL;
        break;
    case K_SIZEOF:
        advance(ps);
        if (lpar_type(ps)) {
            advance(ps);
            tspec *ts = parse_tspec(ps);
            if (ts == NULL || expect(ps, T_RPAR) < 0 || (n = node(ps, A_SIZEOF_T, line)) == NULL) {
                n = NULL;
                break;
            }
            n->ts = ts;
        } else {
            if ((n = node(ps, A_SIZEOF_E, line)) == NULL)
                break;
            if ((n->a = parse_unary(ps)) == NULL)
                n = NULL;
        }
        break;
    case K_STRINGOF:
        if ((n = node(ps, A_STRINGOF, line)) == NULL)
            break;
        advance(ps);
        if ((n->a = parse_unary(ps)) == NULL)
            n = NULL;
        break;
    default:
        n = parse_postfix(ps);
        break;
    }
    ps->depth--;
    return n;
}

static ast *parse_cast(parser *ps)
{
    if (!lpar_type(ps))
        return parse_unary(ps);
    int line = cur(ps)->line;
    advance(ps);
    tspec *ts = parse_tspec(ps);
    if (ts == NULL)
        return failed(ps) ? NULL : syntax(ps, cur(ps));
    if (expect(ps, T_RPAR) < 0)
        return NULL;
    ast *n = node(ps, A_CAST, line);
    if (n == NULL)
        return NULL;
    n->ts = ts;
    ps->depth++;
    if (!too_deep(ps, line))
        n->a = parse_cast(ps);
    ps->depth--;
    return n->a ? n : NULL;
}

/* Binary operator precedence (higher binds tighter); 0: not a binary operator. */
static int binprec(int t)
{
    switch (t) {
    case T_LOR: return 1;
    case T_LXOR: return 2;
    case T_LAND: return 3;
    case T_BOR: return 4;
    case T_XOR: return 5;
    case T_BAND: return 6;
    case T_EQ: case T_NE: return 7;
    case T_LT: case T_GT: case T_LE: case T_GE: return 8;
    case T_LSH: case T_RSH: return 9;
    case T_PLUS: case T_MINUS: return 10;
    case T_STAR: case T_DIV: case T_MOD: return 11;
    default: return 0;
    }
}

static int chain_too_long(parser *ps, int n, int line)
{
    if (n <= DS_MAX_CHAIN)
        return 0;
    ds_diag_set(ps->diag, "D_SYNTAX", line,
                "expression is too long (a chain of more than %d operators)", DS_MAX_CHAIN);
    return 1;
}

static ast *parse_binary(parser *ps, int minprec)
{
    ast *lhs = parse_cast(ps);
    int chain = 0;
    while (lhs != NULL) {
        dtok *t = cur(ps);
        int p = binprec(t->t);
        if (p == 0 || p < minprec)
            return lhs;
        ast *n = node(ps, A_BINARY, t->line);
        if (n == NULL)
            return NULL;
        n->op = t->t;
        advance(ps);
        n->a = lhs;
        if (chain_too_long(ps, ++chain, n->line) || (n->b = parse_binary(ps, p + 1)) == NULL)
            return NULL;
        lhs = n;
    }
    return NULL;
}

static ast *parse_cond(parser *ps)
{
    ast *c = parse_binary(ps, 1);
    if (c == NULL || cur(ps)->t != T_QUEST)
        return c;
    ast *n = node(ps, A_TERNARY, cur(ps)->line);
    if (n == NULL)
        return NULL;
    advance(ps);
    n->a = c;
    ps->depth++;
    if (too_deep(ps, n->line) || (n->b = parse_expr(ps)) == NULL || expect(ps, T_COLON) < 0 ||
        (n->c = parse_cond(ps)) == NULL)
        n = NULL;
    ps->depth--;
    return n;
}

static int is_assign_op(int t)
{
    return t == T_ASSIGN || t == T_ADD_EQ || t == T_SUB_EQ || t == T_MUL_EQ || t == T_DIV_EQ ||
           t == T_MOD_EQ || t == T_LSH_EQ || t == T_RSH_EQ || t == T_AND_EQ || t == T_XOR_EQ ||
           t == T_OR_EQ;
}

static ast *parse_assign(parser *ps)
{
    ast *lhs = parse_cond(ps);
    if (lhs == NULL || !is_assign_op(cur(ps)->t))
        return lhs;
    ast *n = node(ps, A_ASSIGN, cur(ps)->line);
    if (n == NULL)
        return NULL;
    n->op = cur(ps)->t;
    advance(ps);
    n->a = lhs;
    ps->depth++;
    if (too_deep(ps, n->line) || (n->b = parse_assign(ps)) == NULL)
        n = NULL;
    ps->depth--;
    return n;
}

static ast *parse_expr(parser *ps)
{
    ps->depth++;
    if (too_deep(ps, cur(ps)->line)) {
        ps->depth--;
        return NULL;
    }
    ast *e = parse_assign(ps);
    int chain = 0;
    while (e != NULL && cur(ps)->t == T_COMMA) {
        if (chain_too_long(ps, ++chain, cur(ps)->line)) {
            e = NULL;
            break;
        }
        ast *n = node(ps, A_BINARY, cur(ps)->line);
        if (n == NULL) {
            e = NULL;
            break;
        }
        n->op = T_COMMA;
        advance(ps);
        n->a = e;
        if ((n->b = parse_assign(ps)) == NULL) {
            e = NULL;
            break;
        }
        e = n;
    }
    ps->depth--;
    return e;
}

/* ---- statements ---- */

static ast *parse_stmts(parser *ps, int *ok);

static ast *parse_stmt_or_block(parser *ps);

static ast *parse_if(parser *ps)
{
    ast *n = node(ps, S_IF, cur(ps)->line);
    if (n == NULL)
        return NULL;
    advance(ps);
    if (expect(ps, T_LPAR) < 0 || (n->a = parse_expr(ps)) == NULL || expect(ps, T_RPAR) < 0)
        return NULL;
    n->b = parse_stmt_or_block(ps);
    if (failed(ps))
        return NULL;
    if (cur(ps)->t == K_ELSE) {
        advance(ps);
        n->c = parse_stmt_or_block(ps);
        if (failed(ps))
            return NULL;
    }
    return n;
}

/* One statement as a list of one, or a braced list. */
static ast *parse_stmt_or_block(parser *ps)
{
    dtok *t = cur(ps);
    ast *s = NULL;
    ps->depth++;
    if (too_deep(ps, t->line)) {
        ps->depth--;
        return NULL;
    }
    if (t->t == T_LBRACE) {
        int ok;
        advance(ps);
        s = parse_stmts(ps, &ok);
        if (ok && expect(ps, T_RBRACE) < 0)
            s = NULL;
    } else if (t->t == T_SEMI) {
        s = node(ps, S_EMPTY, t->line);
        advance(ps);
    } else if (t->t == K_IF) {
        s = parse_if(ps);
    } else {
        ast *e = parse_expr(ps);
        if (e != NULL && expect(ps, T_SEMI) == 0 && (s = node(ps, S_EXPR, e->line)) != NULL)
            s->a = e;
    }
    ps->depth--;
    return s;
}

/* Statements up to (not including) '}'; the last may lack its ';'. */
static ast *parse_stmts(parser *ps, int *ok)
{
    ast *head = NULL, **tail = &head;
    *ok = 0;
    for (;;) {
        dtok *t = cur(ps);
        if (t->t < 0)
            return NULL;
        if (t->t == T_RBRACE) {
            *ok = 1;
            return head;
        }
        ast *s;
        if (t->t == T_SEMI) {
            advance(ps);
            continue;
        }
        if (t->t == K_IF) {
            if ((s = parse_if(ps)) == NULL)
                return NULL;
        } else {
            ast *e = parse_expr(ps);
            if (e == NULL)
                return NULL;
            if ((s = node(ps, S_EXPR, e->line)) == NULL)
                return NULL;
            s->a = e;
            t = cur(ps);
            if (t->t == T_SEMI)
                advance(ps);
            else if (t->t != T_RBRACE)
                return syntax(ps, t);
        }
        *tail = s;
        while (s->next != NULL)
            s = s->next;
        tail = &s->next;
    }
}

/* ---- program items ---- */

static item *new_item(parser *ps, ikind k, int line)
{
    item *it = ds_alloc(ps->arena, sizeof *it);
    if (it == NULL) {
        ds_diag_set(ps->diag, "D_NOMEM", line, "out of memory");
        return NULL;
    }
    it->kind = k;
    it->line = line;
    return it;
}

static item *unsupported(parser *ps, int line, const char *what)
{
    ds_diag_set(ps->diag, "D_NTA_UNSUP", line, "%s %s not supported by nta run", what,
                strchr(what, ',') || what[strlen(what) - 1] == 's' ? "are" : "is");
    return NULL;
}

/* A clause: the first specifier already read. */
static item *parse_clause(parser *ps, dtok *first)
{
    item *it = new_item(ps, I_CLAUSE, first->line);
    if (it == NULL)
        return NULL;
    pdesc **tail = &it->pdescs;
    dtok spec = *first;
    for (;;) {
        pdesc *pd = ds_alloc(ps->arena, sizeof *pd);
        if (pd == NULL) {
            ds_diag_set(ps->diag, "D_NOMEM", spec.line, "out of memory");
            return NULL;
        }
        pd->text = spec.s;
        pd->line = spec.line;
        *tail = pd;
        tail = &pd->next;
        /* remember where we are: a bare description is followed by the next item */
        dlex save = *ps->lx;
        dtok *t = cur(ps);
        if (t->t == T_COMMA) {
            advance(ps);
            int r = ds_lex_pspec(ps->lx, &spec, ps->is_type, ps->ctx);
            if (r < 0)
                return NULL;
            if (r == 0)
                return syntax(ps, cur(ps));
            continue;
        }
        if (t->t == T_DIV || t->t == T_EPRED) {
            advance(ps);
            if ((it->pred = parse_expr(ps)) == NULL)
                return NULL;
            if (cur(ps)->t != T_EPRED)
                return syntax(ps, cur(ps));
            advance(ps);
            t = cur(ps);
        }
        if (t->t == T_LBRACE) {
            int ok;
            advance(ps);
            it->body = parse_stmts(ps, &ok);
            if (!ok || expect(ps, T_RBRACE) < 0)
                return NULL;
            return it;
        }
        if (it->pred != NULL || t->t < 0)
            return syntax(ps, t);
        if (!ps->bare_pspec) {
            ds_diag_set(ps->diag, "D_SYNTAX", it->line,
                        "expected predicate and/or actions following probe description");
            return NULL;
        }
        /* dtrace -n BEGIN: put back what was read after the description */
        *ps->lx = save;
        ps->have_cur = ps->have_ahead = 0;
        it->no_body = 1;
        return it;
    }
}

static declr *parse_declarator(parser *ps)
{
    declr *d = ds_alloc(ps->arena, sizeof *d);
    if (d == NULL) {
        ds_diag_set(ps->diag, "D_NOMEM", cur(ps)->line, "out of memory");
        return NULL;
    }
    d->array_n = -1;
    while (cur(ps)->t == T_STAR) {
        d->ptr++;
        advance(ps);
    }
    dtok *t = cur(ps);
    if (t->t != T_IDENT)
        return syntax(ps, t);
    d->name = t->s;
    d->line = t->line;
    advance(ps);
    if (cur(ps)->t == T_LBRACK) {
        advance(ps);
        t = cur(ps);
        if (t->t == T_INT) {
            if (t->v > 0x7fffffff) {
                ds_diag_set(ps->diag, "D_DECL_ARRBIG", t->line, "array dimension too big");
                return NULL;
            }
            d->array_n = (int)t->v;
            advance(ps);
            if (expect(ps, T_RBRACK) < 0)
                return NULL;
        } else {
            for (;;) {
                tspec *ts = parse_tspec(ps);
                if (ts == NULL)
                    return failed(ps) ? NULL : syntax(ps, cur(ps));
                if (d->nkeys == 8) {
                    ds_diag_set(ps->diag, "D_DECL_ARRBIG", t->line,
                                "associative array has too many key types (at most 8)");
                    return NULL;
                }
                d->keys[d->nkeys++] = ts;
                if (cur(ps)->t == T_COMMA) {
                    advance(ps);
                    continue;
                }
                if (expect(ps, T_RBRACK) < 0)
                    return NULL;
                break;
            }
        }
    }
    return d;
}

static item *parse_enum(parser *ps, int line)
{
    item *it = new_item(ps, I_ENUM, line);
    if (it == NULL)
        return NULL;
    advance(ps);   /* enum */
    if (cur(ps)->t == T_IDENT) {
        it->name = cur(ps)->s;
        advance(ps);
    }
    if (cur(ps)->t != T_LBRACE) {
        /* "enum tag var;": an int variable */
        it->kind = I_DECL;
        it->ts = ds_alloc(ps->arena, sizeof *it->ts);
        if (it->ts == NULL)
            return NULL;
        it->ts->kw = TS_INT;
        it->ts->line = line;
    } else {
        advance(ps);
        enumr **tail = &it->enums;
        while (cur(ps)->t != T_RBRACE) {
            dtok *t = cur(ps);
            if (t->t != T_IDENT)
                return syntax(ps, t);
            enumr *e = ds_alloc(ps->arena, sizeof *e);
            if (e == NULL)
                return NULL;
            e->name = t->s;
            e->line = t->line;
            advance(ps);
            if (cur(ps)->t == T_ASSIGN) {
                advance(ps);
                if ((e->value = parse_cond(ps)) == NULL)
                    return NULL;
            }
            *tail = e;
            tail = &e->next;
            if (cur(ps)->t == T_COMMA)
                advance(ps);
            else if (cur(ps)->t != T_RBRACE)
                return syntax(ps, cur(ps));
        }
        advance(ps);
    }
    declr **dt = &it->decls;
    while (cur(ps)->t != T_SEMI) {
        declr *d = parse_declarator(ps);
        if (d == NULL)
            return NULL;
        *dt = d;
        dt = &d->next;
        if (cur(ps)->t == T_COMMA)
            advance(ps);
        else if (cur(ps)->t != T_SEMI)
            return syntax(ps, cur(ps));
    }
    advance(ps);
    return it;
}

static item *parse_inline(parser *ps, int line)
{
    item *it = new_item(ps, I_INLINE, line);
    if (it == NULL)
        return NULL;
    advance(ps);
    if ((it->ts = parse_tspec(ps)) == NULL)
        return failed(ps) ? NULL : syntax(ps, cur(ps));
    dtok *t = cur(ps);
    if (t->t != T_IDENT)
        return syntax(ps, t);
    it->name = t->s;
    advance(ps);
    if (cur(ps)->t == T_LBRACK) {
        advance(ps);
        for (;;) {
            tspec *pt = parse_tspec(ps);
            if (pt == NULL)
                return failed(ps) ? NULL : syntax(ps, cur(ps));
            t = cur(ps);
            if (t->t != T_IDENT)
                return syntax(ps, t);
            if (it->nparams == 8) {
                ds_diag_set(ps->diag, "D_DECL_ARRBIG", t->line, "inline has too many parameters");
                return NULL;
            }
            it->ptypes[it->nparams] = pt;
            it->pnames[it->nparams++] = t->s;
            advance(ps);
            if (cur(ps)->t == T_COMMA) {
                advance(ps);
                continue;
            }
            if (expect(ps, T_RBRACK) < 0)
                return NULL;
            break;
        }
        if (it->nparams == 0)
            return syntax(ps, cur(ps));
    }
    if (expect(ps, T_ASSIGN) < 0 || (it->value = parse_expr(ps)) == NULL || expect(ps, T_SEMI) < 0)
        return NULL;
    return it;
}

/* A declaration, inline, enum, typedef, or an item nta does not support. */
static item *parse_decl(parser *ps)
{
    dtok *t = cur(ps);
    int line = t->line;
    switch (t->t) {
    case K_INLINE:
        return parse_inline(ps, line);
    case K_TRANSLATOR:
        return unsupported(ps, line, "user-defined translators");
    case K_PROVIDER:
        return unsupported(ps, line, "provider definitions (USDT)");
    case K_ENUM:
        return parse_enum(ps, line);
    case K_STRUCT: case K_UNION:
        return unsupported(ps, line, "user-defined structs and unions");
    case K_TYPEDEF: {
        advance(ps);
        dtok *s = cur(ps);
        if (s->t == K_STRUCT || s->t == K_UNION)
            return unsupported(ps, line, "user-defined structs and unions");
        item *it = new_item(ps, I_TYPEDEF, line);
        if (it == NULL)
            return NULL;
        if ((it->ts = parse_tspec(ps)) == NULL)
            return failed(ps) ? NULL : syntax(ps, cur(ps));
        s = cur(ps);
        if (s->t != T_IDENT)
            return syntax(ps, s);
        it->name = s->s;
        advance(ps);
        if (expect(ps, T_SEMI) < 0)
            return NULL;
        if (ps->on_typedef != NULL && ps->on_typedef(ps->ctx, it) < 0)
            return NULL;
        return it;
    }
    default:
        break;
    }
    item *it = new_item(ps, I_DECL, line);
    if (it == NULL)
        return NULL;
    for (;;) {
        t = cur(ps);
        if (t->t == K_THIS || t->t == K_SELF) {
            if (it->dclass != 0) {
                ds_diag_set(ps->diag, "D_DECL_CLASS", t->line,
                            "only one storage class may be specified in a declaration");
                return NULL;
            }
            it->dclass = t->t;
            advance(ps);
            continue;
        }
        if (t->t == K_STATIC || t->t == K_EXTERN || t->t == K_AUTO || t->t == K_REGISTER) {
            if (t->t == K_AUTO || t->t == K_REGISTER) {
                ds_diag_set(ps->diag, "D_DECL_BADCLASS", t->line,
                            "specified storage class not appropriate in D");
                return NULL;
            }
            advance(ps);
            continue;
        }
        break;
    }
    t = cur(ps);
    if (t->t == K_STRUCT || t->t == K_UNION)
        return unsupported(ps, line, "user-defined structs and unions");
    if (t->t == K_ENUM) {
        item *e = parse_enum(ps, line);
        if (e != NULL && e->kind == I_DECL)
            e->dclass = it->dclass;
        return e;
    }
    if ((it->ts = parse_tspec(ps)) == NULL)
        return failed(ps) ? NULL : syntax(ps, cur(ps));
    declr **dt = &it->decls;
    for (;;) {
        declr *d = parse_declarator(ps);
        if (d == NULL)
            return NULL;
        *dt = d;
        dt = &d->next;
        if (cur(ps)->t == T_COMMA) {
            advance(ps);
            continue;
        }
        if (expect(ps, T_SEMI) < 0)
            return NULL;
        return it;
    }
}

item *ds_parse(dlex *lx, int bare_pspec, ds_is_type_fn is_type,
               int (*on_typedef)(void *ctx, item *td), void *ctx, int *ok)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.lx = lx;
    ps.diag = lx->diag;
    ps.arena = lx->arena;
    ps.bare_pspec = bare_pspec;
    ps.is_type = is_type;
    ps.on_typedef = on_typedef;
    ps.ctx = ctx;
    item *head = NULL, **tail = &head;
    *ok = 0;
    for (;;) {
        /* items start where no token has been read ahead */
        item *it;
        if (ps.have_cur) {
            it = NULL;
            syntax(&ps, cur(&ps));
            return NULL;
        }
        dtok spec;
        int r = ds_lex_pspec(lx, &spec, is_type, ctx);
        if (r < 0)
            return NULL;
        if (r == 1) {
            it = parse_clause(&ps, &spec);
        } else {
            dtok *t = cur(&ps);
            if (t->t < 0)
                return NULL;
            if (t->t == T_EOF) {
                *ok = 1;
                return head;
            }
            it = parse_decl(&ps);
        }
        if (it == NULL)
            return NULL;
        /* the clause/declaration parsers consume exactly their own tokens */
        if (ps.have_ahead) {
            syntax(&ps, &ps.ahead);
            return NULL;
        }
        *tail = it;
        tail = &it->next;
    }
}
