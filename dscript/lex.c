/* dscript/lex.c: the D lexer (see lex.h). */
#include "dscript/lex.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ds_diag_set(ds_diag *d, const char *tag, int line, const char *fmt, ...)
{
    if (d->set)
        return;
    d->set = 1;
    d->tag = tag;
    d->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(d->msg);
    while (n > 0 && d->msg[n - 1] == '\n')
        d->msg[--n] = '\0';
}

static const struct {
    const char *s;
    int t;
} keywords[] = {
    { "auto", K_AUTO }, { "break", K_BREAK }, { "case", K_CASE }, { "char", K_CHAR },
    { "const", K_CONST }, { "continue", K_CONTINUE }, { "counter", K_COUNTER },
    { "default", K_DEFAULT }, { "do", K_DO }, { "double", K_DOUBLE }, { "else", K_ELSE },
    { "enum", K_ENUM }, { "extern", K_EXTERN }, { "float", K_FLOAT }, { "for", K_FOR },
    { "goto", K_GOTO }, { "if", K_IF }, { "import", K_IMPORT }, { "inline", K_INLINE },
    { "int", K_INT }, { "long", K_LONG }, { "offsetof", K_OFFSETOF }, { "probe", K_PROBE },
    { "provider", K_PROVIDER }, { "register", K_REGISTER }, { "restrict", K_RESTRICT },
    { "return", K_RETURN }, { "self", K_SELF }, { "short", K_SHORT }, { "signed", K_SIGNED },
    { "sizeof", K_SIZEOF }, { "static", K_STATIC }, { "string", K_STRING },
    { "stringof", K_STRINGOF }, { "struct", K_STRUCT }, { "switch", K_SWITCH },
    { "this", K_THIS }, { "translator", K_TRANSLATOR }, { "typedef", K_TYPEDEF },
    { "union", K_UNION }, { "unsigned", K_UNSIGNED }, { "userland", K_USERLAND },
    { "void", K_VOID }, { "volatile", K_VOLATILE }, { "while", K_WHILE }, { "xlate", K_XLATE },
};

/* Punctuation, longest first so that a prefix never shadows a longer token. */
static const struct {
    const char *s;
    int t;
} puncts[] = {
    { "<<=", T_LSH_EQ }, { ">>=", T_RSH_EQ },
    { "->", T_PTR }, { "++", T_INC }, { "--", T_DEC }, { "<<", T_LSH }, { ">>", T_RSH },
    { "<=", T_LE }, { ">=", T_GE }, { "==", T_EQ }, { "!=", T_NE }, { "&&", T_LAND },
    { "||", T_LOR }, { "^^", T_LXOR }, { "+=", T_ADD_EQ }, { "-=", T_SUB_EQ },
    { "*=", T_MUL_EQ }, { "/=", T_DIV_EQ }, { "%=", T_MOD_EQ }, { "&=", T_AND_EQ },
    { "^=", T_XOR_EQ }, { "|=", T_OR_EQ },
    { "(", T_LPAR }, { ")", T_RPAR }, { "[", T_LBRACK }, { "]", T_RBRACK }, { "{", T_LBRACE },
    { "}", T_RBRACE }, { ",", T_COMMA }, { ";", T_SEMI }, { ":", T_COLON }, { "?", T_QUEST },
    { ".", T_DOT }, { "+", T_PLUS }, { "-", T_MINUS }, { "*", T_STAR }, { "/", T_DIV },
    { "%", T_MOD }, { "<", T_LT }, { ">", T_GT }, { "&", T_BAND }, { "^", T_XOR },
    { "|", T_BOR }, { "!", T_NOT }, { "~", T_BNEG }, { "=", T_ASSIGN },
};

const char *ds_tok_text(int t)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].t == t)
            return keywords[i].s;
    for (size_t i = 0; i < sizeof puncts / sizeof puncts[0]; i++)
        if (puncts[i].t == t)
            return puncts[i].s;
    switch (t) {
    case T_EOF: return "end of input";
    case T_EPRED: return "/";
    default: return "?";
    }
}

void ds_lex_init(dlex *lx, const char *src, size_t len, ds_arena *a, ds_diag *d,
                 const ds_macros *m, ds_option_fn fn, void *fnctx)
{
    memset(lx, 0, sizeof *lx);
    lx->src = lx->p = src;
    lx->end = src + len;
    lx->line = 1;
    lx->arena = a;
    lx->diag = d;
    lx->macros = m;
    lx->on_option = fn;
    lx->option_ctx = fnctx;
}

static int fail(dlex *lx, const char *tag, const char *fmt, const char *arg)
{
    ds_diag_set(lx->diag, tag, lx->line, fmt, arg);
    return -1;
}

static int is_ident_start(int c) { return isalpha(c) || c == '_' || c == '`'; }
static int is_ident_char(int c) { return isalnum(c) || c == '_' || c == '`'; }

/* ---- control lines ---- */

/* The words of a control line, split at blanks. */
static int split_words(char *s, char **w, int max)
{
    int n = 0;
    while (*s != '\0' && n < max) {
        while (*s == ' ' || *s == '\t' || *s == '\f' || *s == '\v' || *s == '\r')
            s++;
        if (*s == '\0')
            break;
        w[n++] = s;
        while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\f' && *s != '\v' && *s != '\r')
            s++;
        if (*s != '\0')
            *s++ = '\0';
    }
    return n;
}

/* "#pragma D option a=b c", "#pragma D depends_on ...", "#line N", "# N", "#!...". The text is
 * the line without its '#'. Comments on the line are not stripped (libdtrace's control-line
 * scan does not either). */
static int control_line(dlex *lx, const char *text, size_t n, int first_line)
{
    char buf[1024];
    if (n >= sizeof buf)
        return fail(lx, "D_PRAGMA_INVAL", "control line is too long (%s)", "more than 1023 characters");
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (buf[0] == '!' && first_line)
        return 0;                      /* #! interpreter line */
    char *w[64];
    int nw = split_words(buf, w, 64);
    if (nw == 0)
        return 0;                      /* a lone '#' */
    if (isdigit((unsigned char)w[0][0]) || strcmp(w[0], "line") == 0) {
        const char *num = isdigit((unsigned char)w[0][0]) ? w[0] : (nw > 1 ? w[1] : "");
        char *end;
        long v = strtol(num, &end, 10);
        if (*num == '\0' || *end != '\0' || v < 1)
            return fail(lx, "D_PRAGMA_MALFORM", "malformed #line directive%s", "");
        lx->line = (int)v - 1;          /* the newline ending this line adds one */
        return 0;
    }
    if (strcmp(w[0], "pragma") != 0) {
        ds_diag_set(lx->diag, "D_PRAGMA_INVAL", lx->line,
                    "invalid control directive: #%s (the C preprocessor, dtrace -C, is not "
                    "supported by nta run)", w[0]);
        return -1;
    }
    if (nw < 2 || strcmp(w[1], "D") != 0)
        return 0;                      /* other pragmas are ignored, as a C compiler would */
    if (nw < 3)
        return fail(lx, "D_PRAGMA_MALFORM", "malformed #pragma D directive%s", "");
    if (strcmp(w[2], "option") == 0) {
        if (nw < 4)
            return fail(lx, "D_PRAGMA_MALFORM", "malformed #pragma %s <option>[=value]", "option");
        for (int i = 3; i < nw; i++) {
            char *eq = strchr(w[i], '=');
            if (eq != NULL)
                *eq = '\0';
            if (lx->on_option != NULL &&
                lx->on_option(lx->option_ctx, lx->line, w[i], eq ? eq + 1 : NULL) < 0)
                return -1;
        }
        return 0;
    }
    if (strcmp(w[2], "depends_on") == 0 || strcmp(w[2], "binding") == 0 ||
        strcmp(w[2], "attributes") == 0 || strcmp(w[2], "error") == 0 ||
        strcmp(w[2], "ident") == 0)
        return 0;
    ds_diag_set(lx->diag, "D_PRAGMA_INVAL", lx->line, "invalid control directive: #pragma D %s",
                w[2]);
    return -1;
}

/* Skip blanks, comments and control lines (which begin a line). */
static int skip_space(dlex *lx)
{
    for (;;) {
        const char *p = lx->p;
        while (p < lx->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
                               *p == '\f' || *p == '\v')) {
            if (*p == '\n')
                lx->line++;
            p++;
        }
        lx->p = p;
        if (p + 1 < lx->end && p[0] == '/' && p[1] == '*') {
            int start = lx->line;
            p += 2;
            while (p + 1 < lx->end && !(p[0] == '*' && p[1] == '/')) {
                if (*p == '\n')
                    lx->line++;
                p++;
            }
            if (p + 1 >= lx->end) {
                lx->p = lx->end;
                ds_diag_set(lx->diag, "D_SYNTAX", start,
                            "end-of-file encountered before matching */");
                return -1;
            }
            lx->p = p + 2;
            continue;
        }
        if (p < lx->end && *p == '#') {
            /* only at the start of a line (blanks before it allowed) */
            const char *q = p;
            while (q > lx->src && (q[-1] == ' ' || q[-1] == '\t'))
                q--;
            if (q == lx->src || q[-1] == '\n') {
                const char *e = memchr(p, '\n', (size_t)(lx->end - p));
                if (e == NULL)
                    e = lx->end;
                int first = lx->line == 1 && q == lx->src;
                if (control_line(lx, p + 1, (size_t)(e - p - 1), first) < 0)
                    return -1;
                lx->p = e;
                continue;
            }
        }
        return 0;
    }
}

/* ---- literals ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One character of a literal at *pp (after its opening quote), escapes resolved as
 * libdtrace's stresc2chr: an unknown escape keeps its backslash, so it yields two bytes.
 * Appends to out and returns how many bytes (1 or 2). */
static int lit_char(const char **pp, const char *end, unsigned char *out)
{
    const char *p = *pp;
    if (*p != '\\' || p + 1 >= end) {
        out[0] = (unsigned char)*p;
        *pp = p + 1;
        return 1;
    }
    p++;
    int c = (unsigned char)*p++;
    switch (c) {
    case 'a': out[0] = '\a'; break;
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'v': out[0] = '\v'; break;
    case '"': out[0] = '"'; break;
    case '\\': out[0] = '\\'; break;
    case 'x': {
        int v = 0, n = 0, d;
        while (n < 2 && p < end && (d = hexval((unsigned char)*p)) >= 0) {
            v = v * 16 + d;
            p++;
            n++;
        }
        if (n == 0) {
            out[0] = '\\';
            out[1] = 'x';
            *pp = p;
            return 2;
        }
        out[0] = (unsigned char)v;
        break;
    }
    default:
        if (c >= '0' && c <= '7') {
            int v = c - '0', n = 1;
            while (n < 3 && p < end && *p >= '0' && *p <= '7') {
                v = v * 8 + (*p++ - '0');
                n++;
            }
            out[0] = (unsigned char)v;
            break;
        }
        out[0] = '\\';
        out[1] = (unsigned char)c;
        *pp = p;
        return 2;
    }
    *pp = p;
    return 1;
}

static int lex_string(dlex *lx, dtok *t)
{
    const char *p = lx->p + 1;
    size_t cap = 64, n = 0;
    /* the decoded text is never longer than the source text */
    const char *q = p;
    while (q < lx->end && *q != '"') {
        if (*q == '\\' && q + 1 < lx->end)
            q++;
        if (*q == '\n')
            break;
        q++;
    }
    if (q >= lx->end)
        return fail(lx, "D_SYNTAX", "end-of-file encountered before closing %s", "\"");
    if (*q == '\n')
        return fail(lx, "D_STR_NL", "newline encountered in string literal%s", "");
    cap = (size_t)(q - p) + 2;
    unsigned char *buf = ds_alloc(lx->arena, cap);
    if (buf == NULL)
        return fail(lx, "D_NOMEM", "out of memory%s", "");
    while (p < q)
        n += (size_t)lit_char(&p, q, buf + n);
    t->t = T_STRING;
    t->s = (const char *)buf;
    t->slen = n;
    lx->p = q + 1;
    return 0;
}

static int lex_char(dlex *lx, dtok *t)
{
    const char *p = lx->p + 1;
    const char *q = p;
    while (q < lx->end && *q != '\'' && *q != '\n') {
        if (*q == '\\' && q + 1 < lx->end && q[1] != '\n')
            q++;
        q++;
    }
    if (q >= lx->end || *q == '\n')
        return fail(lx, "D_CHR_NL", "newline encountered in character constant%s", "");
    unsigned char buf[64];
    size_t n = 0;
    while (p < q) {
        if (n + 2 > sizeof buf)
            return fail(lx, "D_CHR_OFLOW", "character constant is too long%s", "");
        n += (size_t)lit_char(&p, q, buf + n);
    }
    if (n == 0)
        return fail(lx, "D_CHR_NULL", "empty character constant%s", "");
    if (n > 8)
        return fail(lx, "D_CHR_OFLOW", "character constant is too long%s", "");
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | buf[i];
    t->t = T_INT;
    t->v = v;
    t->iflags = TI_CHAR | TI_NOTDEC;
    lx->p = q + 1;
    return 0;
}

static int lex_number(dlex *lx, dtok *t)
{
    const char *p = lx->p;
    const char *s = p;
    if (p[0] == '0' && p + 1 < lx->end && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        while (p < lx->end && isxdigit((unsigned char)*p))
            p++;
    } else {
        while (p < lx->end && isdigit((unsigned char)*p))
            p++;
        if (p < lx->end && (*p == '.' || *p == 'e' || *p == 'E'))
            return fail(lx, "D_SYNTAX", "floating-point constants are not permitted%s", "");
    }
    size_t digits = (size_t)(p - s);
    unsigned fl = 0;
    while (p < lx->end && (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L')) {
        if (*p == 'u' || *p == 'U')
            fl |= TI_UNSIGNED;
        else if (fl & TI_LONG)
            fl |= TI_LONGLONG;
        else
            fl |= TI_LONG;
        p++;
    }
    if (p < lx->end && is_ident_char((unsigned char)*p))
        return fail(lx, "D_SYNTAX", "invalid digit in integer constant%s", "");
    char buf[80];
    if (digits >= sizeof buf || (digits == 2 && (s[1] == 'x' || s[1] == 'X')))
        return fail(lx, "D_INT_OFLOW", "integer constant is too large%s", "");
    memcpy(buf, s, digits);
    buf[digits] = '\0';
    int base = 10;
    if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
        base = 16;
    else if (buf[0] == '0' && buf[1] != '\0')
        base = 8;
    if (base == 8)
        for (size_t i = 1; i < digits; i++)
            if (buf[i] > '7')
                return fail(lx, "D_INT_DIGIT", "invalid digit (%c) in octal integer constant",
                            (char[]){ buf[i], '\0' });
    errno = 0;
    char *end;
    unsigned long long v = strtoull(buf, &end, base);
    if (errno != 0)
        return fail(lx, "D_INT_OFLOW", "integer constant %s results in integer overflow", buf);
    t->t = T_INT;
    t->v = v;
    t->iflags = fl | (base != 10 ? TI_NOTDEC : 0);
    lx->p = p;
    return 0;
}

/* $n, $$n, $name: substituted here as libdtrace's lexer does. */
static int lex_macro(dlex *lx, dtok *t)
{
    const char *p = lx->p + 1;
    int as_string = 0;
    if (p < lx->end && *p == '$') {
        as_string = 1;
        p++;
    }
    const char *s = p;
    while (p < lx->end && is_ident_char((unsigned char)*p))
        p++;
    size_t n = (size_t)(p - s);
    char name[64];
    if (n == 0 || n >= sizeof name)
        return fail(lx, "D_SYNTAX", "syntax error near \"%s\"", "$");
    memcpy(name, s, n);
    name[n] = '\0';
    lx->p = p;
    const char *val = NULL;
    if (isdigit((unsigned char)name[0])) {
        char *end;
        long i = strtol(name, &end, 10);
        if (*end != '\0')
            return fail(lx, "D_SYNTAX", "syntax error near \"$%s\"", name);
        const ds_macros *m = lx->macros;
        if (m != NULL && i >= 0 && i < m->argc) {
            val = m->argv[i];
            if (m->used != NULL)
                m->used[i] = 1;
        } else if (m != NULL && m->defaultargs) {
            val = as_string ? "" : "0";
        } else {
            ds_diag_set(lx->diag, "D_MACRO_UNDEF", lx->line, "macro argument %s%s is not defined",
                        as_string ? "$$" : "$", name);
            return -1;
        }
    } else if (strcmp(name, "pid") == 0 || strcmp(name, "ppid") == 0 ||
               strcmp(name, "uid") == 0 || strcmp(name, "gid") == 0 ||
               strcmp(name, "sid") == 0 || strcmp(name, "pgid") == 0 ||
               strcmp(name, "projid") == 0 || strcmp(name, "taskid") == 0) {
        val = "0";   /* nta run's own process has no meaning for a capture (man page) */
    } else {
        ds_diag_set(lx->diag, "D_MACRO_UNDEF", lx->line, "macro argument %s%s is not defined",
                    as_string ? "$$" : "$", name);
        return -1;
    }
    size_t vl = strlen(val);
    if (!as_string) {
        /* an integer when it reads as one, an identifier when it is one, else a string */
        const char *v = val;
        int neg = v[0] == '-';
        if (isdigit((unsigned char)v[neg])) {
            char *end;
            errno = 0;
            unsigned long long x = strtoull(v + neg, &end, 0);
            if (*end == '\0' && errno == 0) {
                t->t = T_INT;
                t->v = neg ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
                t->iflags = neg ? TI_LONG : 0;
                return 0;
            }
        }
        if (vl > 0 && is_ident_start((unsigned char)v[0])) {
            size_t i = 1;
            while (i < vl && is_ident_char((unsigned char)v[i]))
                i++;
            if (i == vl) {
                t->t = T_IDENT;
                t->s = ds_strndup(lx->arena, v, vl);
                t->slen = vl;
                for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
                    if (strcmp(keywords[k].s, v) == 0)
                        t->t = keywords[k].t;
                return t->s ? 0 : fail(lx, "D_NOMEM", "out of memory%s", "");
            }
        }
    }
    t->t = T_STRING;
    t->s = ds_strndup(lx->arena, val, vl);
    t->slen = vl;
    return t->s ? 0 : fail(lx, "D_NOMEM", "out of memory%s", "");
}

int ds_lex_next(dlex *lx, dtok *t)
{
    memset(t, 0, sizeof *t);
    if (skip_space(lx) < 0)
        return -1;
    t->line = lx->line;
    t->src = lx->p;
    if (lx->p >= lx->end) {
        t->t = T_EOF;
        return 0;
    }
    const char *p = lx->p;
    int c = (unsigned char)*p;
    int rc = 0;
    if (is_ident_start(c)) {
        const char *s = p;
        while (p < lx->end && is_ident_char((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - s);
        t->t = T_IDENT;
        for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
            if (strlen(keywords[k].s) == n && memcmp(keywords[k].s, s, n) == 0)
                t->t = keywords[k].t;
        t->s = ds_strndup(lx->arena, s, n);
        t->slen = n;
        lx->p = p;
        if (t->s == NULL)
            rc = fail(lx, "D_NOMEM", "out of memory%s", "");
    } else if (isdigit(c)) {
        rc = lex_number(lx, t);
    } else if (c == '.' && p + 1 < lx->end && isdigit((unsigned char)p[1])) {
        rc = fail(lx, "D_SYNTAX", "floating-point constants are not permitted%s", "");
    } else if (c == '"') {
        rc = lex_string(lx, t);
    } else if (c == '\'') {
        rc = lex_char(lx, t);
    } else if (c == '$') {
        rc = lex_macro(lx, t);
    } else if (c == '@') {
        const char *s = ++p;
        while (p < lx->end && is_ident_char((unsigned char)*p))
            p++;
        t->t = T_AGG;
        t->s = ds_strndup(lx->arena, s, (size_t)(p - s));
        t->slen = (size_t)(p - s);
        lx->p = p;
    } else {
        size_t left = (size_t)(lx->end - p);
        size_t i;
        for (i = 0; i < sizeof puncts / sizeof puncts[0]; i++) {
            size_t n = strlen(puncts[i].s);
            if (n <= left && memcmp(puncts[i].s, p, n) == 0)
                break;
        }
        if (i == sizeof puncts / sizeof puncts[0]) {
            char bad[8];
            snprintf(bad, sizeof bad, isprint(c) ? "%c" : "\\%03o", c);
            ds_diag_set(lx->diag, "D_SYNTAX", lx->line, "invalid character '%s'", bad);
            return -1;
        }
        t->t = puncts[i].t;
        lx->p = p + strlen(puncts[i].s);
        switch (t->t) {
        case T_LPAR: lx->parens++; break;
        case T_RPAR: lx->parens--; break;
        case T_LBRACK: lx->brackets++; break;
        case T_RBRACK: lx->brackets--; break;
        case T_DIV: {
            /* dt_lex.l: a "/" followed (after blanks) by EOF, ';', '{' or '/' closes a
             * predicate; anything else makes it a division */
            const char *q = lx->p;
            while (q < lx->end && strchr("\f\n\r\t\v ", *q) != NULL)
                q++;
            if (q >= lx->end || *q == ';' || *q == '{' || *q == '/') {
                if (lx->parens != 0)
                    return fail(lx, "D_SYNTAX", "closing ) expected in predicate before /%s", "");
                if (lx->brackets != 0)
                    return fail(lx, "D_SYNTAX", "closing ] expected in predicate before /%s", "");
                t->t = T_EPRED;
            }
            break;
        }
        default: break;
        }
    }
    t->srclen = (size_t)(lx->p - t->src);
    return rc;
}

static int is_pspec_char(int c)
{
    return isalnum(c) || c == '-' || c == '$' || c == ':' || c == '_' || c == '.' || c == '?' ||
           c == '*' || c == '\\' || c == '[' || c == ']' || c == '!' || c == '`';
}

int ds_lex_pspec(dlex *lx, dtok *t, int (*is_type)(void *ctx, const char *s, size_t n), void *ctx)
{
    memset(t, 0, sizeof *t);
    if (skip_space(lx) < 0)
        return -1;
    const char *p = lx->p, *s = p;
    while (p < lx->end && is_pspec_char((unsigned char)*p))
        p++;
    size_t n = (size_t)(p - s);
    if (n == 0)
        return 0;
    if (memchr(s, ':', n) == NULL) {
        /* a plain word: a declaration when it is a keyword or a type name */
        int word = is_ident_start((unsigned char)s[0]);
        for (size_t i = 1; i < n && word; i++)
            word = is_ident_char((unsigned char)s[i]);
        if (word) {
            for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
                if (strlen(keywords[k].s) == n && memcmp(keywords[k].s, s, n) == 0)
                    return 0;
            if (is_type != NULL && is_type(ctx, s, n))
                return 0;
        }
    }
    t->t = T_PSPEC;
    t->line = lx->line;
    t->src = s;
    t->srclen = n;
    t->s = ds_strndup(lx->arena, s, n);
    t->slen = n;
    lx->p = p;
    return t->s ? 1 : fail(lx, "D_NOMEM", "out of memory%s", "");
}
