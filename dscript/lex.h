/* dscript/lex.h: D tokens, the lexer, and the compiler's diagnostic record.
 *
 * Follows libdtrace's dt_lex.l as described in shared/reference/d-language.md sections 1.1 and
 * 2.1: C tokens plus D's (`@agg`, `^^`, `->`, probe specifiers), the "/" look-ahead that tells a
 * predicate's closing slash from a division, stresc2chr escapes (unknown escapes keep their
 * backslash), multi-character constants packed big-endian, $n/$$n macro arguments, #pragma and
 * #! lines, and line numbers counted from 1 over every line of the text. The parser asks for a
 * probe specifier explicitly (ds_lex_pspec) where libdtrace's S2 start condition would be. */
#ifndef NTA_DSCRIPT_LEX_H
#define NTA_DSCRIPT_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "dscript/arena.h"

/* A compile error: DTrace's tag, the line (0: none), the message without the trailing newline.
 * The first error wins; later ones are ignored. */
typedef struct ds_diag {
    int set;
    const char *tag;
    int line;
    int region;          /* 0, or where a -n program failed: 1 predicate, 2 action list */
    char msg[480];
} ds_diag;

void ds_diag_set(ds_diag *d, const char *tag, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

enum {
    T_EOF = 0, T_INT, T_STRING, T_IDENT, T_AGG, T_PSPEC,
    /* punctuation */
    T_LPAR, T_RPAR, T_LBRACK, T_RBRACK, T_LBRACE, T_RBRACE, T_COMMA, T_SEMI, T_COLON, T_QUEST,
    T_DOT, T_PTR, T_INC, T_DEC, T_PLUS, T_MINUS, T_STAR, T_DIV, T_EPRED, T_MOD, T_LSH, T_RSH,
    T_LT, T_GT, T_LE, T_GE, T_EQ, T_NE, T_BAND, T_XOR, T_BOR, T_LAND, T_LOR, T_LXOR, T_NOT,
    T_BNEG, T_ASSIGN, T_ADD_EQ, T_SUB_EQ, T_MUL_EQ, T_DIV_EQ, T_MOD_EQ, T_LSH_EQ, T_RSH_EQ,
    T_AND_EQ, T_XOR_EQ, T_OR_EQ,
    /* keywords (dt_lex.l's list) */
    K_AUTO, K_BREAK, K_CASE, K_CHAR, K_CONST, K_CONTINUE, K_COUNTER, K_DEFAULT, K_DO, K_DOUBLE,
    K_ELSE, K_ENUM, K_EXTERN, K_FLOAT, K_FOR, K_GOTO, K_IF, K_IMPORT, K_INLINE, K_INT, K_LONG,
    K_OFFSETOF, K_PROBE, K_PROVIDER, K_REGISTER, K_RESTRICT, K_RETURN, K_SELF, K_SHORT,
    K_SIGNED, K_SIZEOF, K_STATIC, K_STRING, K_STRINGOF, K_STRUCT, K_SWITCH, K_THIS,
    K_TRANSLATOR, K_TYPEDEF, K_UNION, K_UNSIGNED, K_USERLAND, K_VOID, K_VOLATILE, K_WHILE,
    K_XLATE,
    T__COUNT
};

/* Integer constant suffixes and base (C's typing rules, d-language.md section 3.6). */
enum { TI_UNSIGNED = 1, TI_LONG = 2, TI_LONGLONG = 4, TI_NOTDEC = 8, TI_CHAR = 16 };

typedef struct dtok {
    int t;
    int line;
    const char *src;     /**< where it starts in the text ("near" in syntax errors) */
    size_t srclen;
    uint64_t v;          /**< T_INT */
    unsigned iflags;     /**< T_INT: TI_* */
    const char *s;       /**< T_STRING (escapes resolved; may hold NULs), T_IDENT, T_AGG, T_PSPEC */
    size_t slen;
} dtok;

/* Called for "#pragma D option a[=b]" (each option) with the option text; returns 0 or -1
 * after setting the diagnostic. */
typedef int (*ds_option_fn)(void *ctx, int line, const char *name, const char *value);

typedef struct ds_macros {
    int argc;            /**< argv[0] is $0 (the script's name) */
    char *const *argv;
    int defaultargs;     /**< -x defaultargs: an undefined $n is 0, $$n "" */
    uint8_t *used;       /**< argc flags, set for each $n/$$n referenced (D_MACRO_UNUSED) */
} ds_macros;

typedef struct dlex {
    const char *src, *p, *end;
    int line;
    int parens, brackets;
    ds_arena *arena;
    ds_diag *diag;
    const ds_macros *macros;
    ds_option_fn on_option;
    void *option_ctx;
} dlex;

void ds_lex_init(dlex *lx, const char *src, size_t len, ds_arena *a, ds_diag *d,
                 const ds_macros *m, ds_option_fn fn, void *fnctx);
/* The next token of an expression or statement. 0, or -1 with the diagnostic set. */
int ds_lex_next(dlex *lx, dtok *t);
/* Skip blanks, comments and control lines, then: 1 with *t a probe specifier (T_PSPEC) when
 * the text there is one (a word of specifier characters that is not a keyword or one of the
 * type names is_type accepts), 0 when it is not (nothing consumed), -1 on error. */
int ds_lex_pspec(dlex *lx, dtok *t, int (*is_type)(void *ctx, const char *s, size_t n), void *ctx);
/* The keyword or punctuation text of a token kind ("inline", "->"). */
const char *ds_tok_text(int t);

#endif
