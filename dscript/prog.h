/* dscript/prog.h: a compiled D program: variables, aggregations, enablings, options.
 *
 * Built by compile.c and check.c in the program's arena; the runtime (run.c) only reads it,
 * except the run-time state in `rc`. Identifiers are created in compile order as libdtrace
 * creates them (d-language.md section 3.8): by declaration, or by the first assignment-like
 * use of an unknown name; an aggregation's ID is the order of its first reference. */
#ifndef NTA_DSCRIPT_PROG_H
#define NTA_DSCRIPT_PROG_H

#include "dscript/arena.h"
#include "dscript/ast.h"
#include "dscript/lex.h"
#include "dscript/opts.h"
#include "dscript/ptab.h"
#include "dscript/rt.h"
#include "dscript/types.h"

#define DS_MAXKEYS 8

typedef enum vscope { VS_GLOBAL, VS_THIS, VS_SELF } vscope;
typedef enum vkind { VK_SCALAR, VK_ASSOC, VK_ARRAY } vkind;

typedef struct ds_var {
    const char *name;
    vscope scope;
    vkind kind;
    const dtype *t;                  /**< value (element) type; NULL until first assigned */
    int nkeys;                       /**< VK_ASSOC */
    const dtype *keyt[DS_MAXKEYS];
    int keys_known;
    int nelem;                       /**< VK_ARRAY */
    int slot;                        /**< globals and this->: slot; self-> and assocs: dynamic id */
    int declared;
    struct ds_var *next;
} ds_var;

typedef struct ds_inline {
    const char *name;
    const dtype *t;
    item *it;
    int is_const;                    /**< folded: cv (integers) or cs (strings) */
    uint64_t cv;
    const char *cs;
    int nparams;
    const dtype *ptypes[8];
    int busy;                        /**< being expanded: recursion is an error */
    struct ds_inline *next;
} ds_inline;

typedef struct ds_enumc {
    const char *name;
    int64_t v;
    struct ds_enumc *next;
} ds_enumc;

typedef enum agf {
    AGF_COUNT, AGF_SUM, AGF_AVG, AGF_MIN, AGF_MAX, AGF_STDDEV, AGF_QUANTIZE, AGF_LQUANTIZE,
    AGF_LLQUANTIZE,
} agf;

typedef struct ds_agg {
    const char *name;                /**< without '@' */
    int id;
    int fn;                          /**< agf, -1 until the first aggregating assignment */
    int64_t prm[4];                  /**< lquantize low, high, step; llquantize factor, low, high, steps */
    int nkeys;
    const dtype *keyt[DS_MAXKEYS];
    int keys_known;
    int line;
    struct ds_agg *next;
} ds_agg;

typedef struct ds_ecb {
    int epid;
    ds_probe *probe;
    const rnode *pred;
    const rnode *body;
    int records;                     /**< a firing prints a not-quiet line */
} ds_ecb;

typedef struct ds_srcinfo {
    const char *label;               /**< the path (-s) or the description text (-n ...) */
    int is_file;
    int matches;                     /**< probes matched, for the banner */
} ds_srcinfo;

typedef struct ds_prog {
    ds_arena *arena;
    ds_types types;
    ds_ptab ptab;
    ds_diag diag;
    int64_t opt[DS_NOPTS];
    int testing;                     /**< dtrace-utils test-suite layout */
    ds_var *vars;
    int nglobals, nthis, ndyn;
    ds_agg *aggs;
    int naggs;
    ds_agg **aggv;                   /**< by id, after compiling */
    ds_inline *inlines;
    ds_enumc *enums;
    ds_ecb **ecbs;
    int necbs, ecbcap;
    int ntemps;
    uint32_t net_probes;             /**< nta_probe bits some enabling is on */
    uint32_t fields;                 /**< NTA_F_* groups the program reads */
    ds_srcinfo *srcs;
    int nsrc;
    /* the run */
    rctx rc;
} ds_prog;

#endif
