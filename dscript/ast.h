/* dscript/ast.h: the untyped syntax tree of a D program and the parser that builds it.
 *
 * The grammar is libdtrace's dt_grammar.y (shared/reference/d-language.md sections 1.1, 2.1):
 * program items (clauses, declarations, inlines, enums, typedefs), statements (expressions,
 * if/else, the last one's ';' optional), and C's fifteen expression levels plus D's ^^.
 * Nodes live in the compile arena. Syntax errors use DTrace's wording: 'syntax error near
 * "TOKEN"'. Nesting deeper than DS_MAX_DEPTH (or an operator chain longer than DS_MAX_CHAIN) is an error, never a stack overflow. */
#ifndef NTA_DSCRIPT_AST_H
#define NTA_DSCRIPT_AST_H

#include "dscript/lex.h"

#define DS_MAX_DEPTH 200
/* Longest chain of left-associative operators (a + b + c ...): the tree is that deep. */
#define DS_MAX_CHAIN 2000

/* A type as written: keywords, a typedef name or struct/union/enum tag, pointers, an array. */
typedef struct tspec {
    int line;
    unsigned kw;          /**< TS_* keywords seen */
    int nlong;            /**< 0, 1 or 2 */
    const char *name;     /**< typedef name, or the tag of struct/union/enum */
    int ptr;              /**< '*' count */
} tspec;

enum { TS_CHAR = 1, TS_SHORT = 2, TS_INT = 4, TS_SIGNED = 8, TS_UNSIGNED = 16, TS_VOID = 32,
       TS_STRING = 64, TS_STRUCT = 128, TS_UNION = 256, TS_ENUM = 512, TS_NAMED = 1024,
       TS_CONST = 2048, TS_LONG = 4096 };

typedef enum akind {
    /* expressions */
    A_INT, A_STR, A_IDENT, A_AGG, A_THIS, A_SELF, A_INDEX, A_CALL, A_MEMBER, A_UNARY,
    A_PREINC, A_PREDEC, A_POSTINC, A_POSTDEC, A_BINARY, A_TERNARY, A_ASSIGN, A_CAST,
    A_SIZEOF_T, A_SIZEOF_E, A_STRINGOF, A_OFFSETOF, A_XLATE,
    /* statements */
    S_EXPR, S_IF, S_EMPTY,
} akind;

typedef struct ast {
    akind kind;
    int op;               /**< token of the operator (A_UNARY, A_BINARY, A_ASSIGN, A_MEMBER) */
    int line;
    struct ast *a, *b, *c;
    struct ast *next;     /**< argument lists, key lists, statement lists */
    uint64_t v;           /**< A_INT */
    unsigned iflags;      /**< A_INT: TI_* */
    const char *s;        /**< identifier, member, aggregation name, string bytes */
    size_t slen;
    int has_keys;         /**< A_AGG: "@a[...]" (keys in a; a NULL with has_keys: "@a[]") */
    int mdim;             /**< A_AGG: "@a[..][..]" */
    tspec *ts;            /**< A_CAST, A_SIZEOF_T, A_OFFSETOF */
} ast;

typedef struct pdesc {
    const char *text;     /**< as written */
    int line;
    struct pdesc *next;
} pdesc;

typedef enum ikind { I_CLAUSE, I_DECL, I_INLINE, I_ENUM, I_TYPEDEF, I_UNSUPPORTED } ikind;

/* One declarator of a declaration: "x", "a[5]", "last[uint64_t]", "t[int, string]". */
typedef struct declr {
    const char *name;
    int line;
    int array_n;          /**< scalar array size (-1: none) */
    int nkeys;            /**< associative: key types (keys[]) */
    tspec *keys[8];
    int ptr;              /**< '*' in front of the name */
    struct declr *next;
} declr;

typedef struct enumr {
    const char *name;
    int line;
    ast *value;           /**< NULL: previous + 1 */
    struct enumr *next;
} enumr;

typedef struct item {
    ikind kind;
    int line;
    struct item *next;
    /* I_CLAUSE */
    pdesc *pdescs;
    ast *pred;            /**< NULL: none */
    ast *body;            /**< statement list; NULL and no_body: a bare description (-n) */
    int no_body;
    /* I_DECL, I_INLINE, I_TYPEDEF */
    int dclass;           /**< 0, K_THIS or K_SELF */
    tspec *ts;
    declr *decls;
    /* I_INLINE */
    const char *name;
    int nparams;
    tspec *ptypes[8];
    const char *pnames[8];
    ast *value;
    /* I_ENUM */
    enumr *enums;
    /* I_UNSUPPORTED */
    const char *what;
} item;

/* Does a name denote a type (built in or a typedef declared so far)? For casts and for the
 * declaration/probe-specifier decision. */
typedef int (*ds_is_type_fn)(void *ctx, const char *s, size_t n);

/* Parse a whole program. bare_pspec: a description without predicate or actions is allowed
 * (dtrace -n BEGIN). Returns the item list (NULL for an empty program) with *ok = 1, or
 * *ok = 0 with the diagnostic set. Typedefs are reported through on_typedef as they are
 * parsed, so later casts see them. */
item *ds_parse(dlex *lx, int bare_pspec, ds_is_type_fn is_type,
               int (*on_typedef)(void *ctx, item *td), void *ctx, int *ok);

#endif
