/* dscript/rt.h: the closure tree nta run executes, and the state of one run.
 *
 * d-language.md section 2.3's value model: every value is a 64-bit "register" (a string is a
 * pointer to its bytes, NULL allowed and compared as ""), types matter only at casts, at
 * divisions, shifts and comparisons (signedness), and where data is recorded. A node's
 * function evaluates it; the tree is built once per (clause, probe description) by lower.c and
 * never changes. A fault (division by zero, a NULL string printed, ...) sets rctx.fault and
 * makes every later side effect of the clause a no-op; the clause's output is then dropped,
 * as DTrace drops a faulting ECB's records. Nothing here allocates per event: strings built
 * during a firing come from the scratch area, which is reset for every clause. */
#ifndef NTA_DSCRIPT_RT_H
#define NTA_DSCRIPT_RT_H

#include <stdint.h>
#include <stdio.h>

#include "event/fields.h"
#include "event/probes.h"

typedef struct rctx rctx;
typedef struct rnode rnode;
typedef uint64_t (*rn_fn)(const rnode *n, rctx *c);

struct rnode {
    rn_fn f;
    const rnode *a, *b, *c;
    const rnode *const *kids;
    int nkids;
    uint64_t k, k2;
    uint32_t off;
    uint8_t size, sgn;       /**< integer width and signedness (casts, records, loads) */
    uint8_t dsize, dsgn;     /**< a cast's source type */
    uint8_t is_str;          /**< the value is a string pointer */
    const void *p;           /**< per-kind data: variable, field, format, aggregation */
    int line;
};

/* DTrace's fault codes (dtrace.h DTRACEFLT_*), and nta's own for bounds. */
enum { FLT_NONE = 0, FLT_BADADDR = 1, FLT_BADALIGN = 2, FLT_ILLOP = 3, FLT_DIVZERO = 4,
       FLT_NOSCRATCH = 5, FLT_KPRIV = 6, FLT_UPRIV = 7, FLT_TUPOFLOW = 8, FLT_BADSTACK = 9,
       FLT_BOUNDS = 10 };

/* A growable byte buffer (output staging, printa, keys). */
typedef struct ds_buf {
    char *p;
    size_t n, cap;
    int oom;                 /**< an append failed for lack of memory */
} ds_buf;

void ds_buf_put(ds_buf *b, const void *s, size_t n);
void ds_buf_putc(ds_buf *b, char ch);
void ds_buf_pad(ds_buf *b, char ch, size_t n);
void ds_buf_printf(ds_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ds_buf_free(ds_buf *b);
/* Room for n more bytes at b->p + b->n (the caller advances b->n); NULL when out of memory. */
char *ds_buf_reserve(ds_buf *b, size_t n);

struct ds_prog;
struct ds_probe;
struct ds_ecb;
struct ds_dyn;
struct ds_aggrt;

/* An address's text form, cached by value (a capture shows few addresses). */
typedef struct ds_addr_slot {
    nta_addr a;
    uint8_t used;
    uint64_t firing;         /**< the last firing that read it: not replaced during that one */
    char s[NTA_ADDR_STRLEN];
} ds_addr_slot;
#define DS_ADDR_CACHE 256

struct rctx {
    struct ds_prog *pg;
    /* the current firing */
    const nta_event *ev;
    const void *arg[NTA_MAX_ARGS];   /**< translated structures; NULL where the provider passes NULL */
    uint64_t argv[10];               /**< arg0..arg9 */
    const struct ds_probe *probe;
    const struct ds_ecb *ecb;
    uint64_t ts, wall;
    uint64_t pid, tid;
    const char *execname;
    /* fault state of the running clause */
    int fault;
    uint64_t fault_addr;
    int fault_action;                /**< 0: the predicate, N: action #N */
    int action;                      /**< the action being executed */
    /* storage */
    uint64_t *gv;                    /**< globals (string ones: a pointer to their buffer) */
    uint64_t *tv;                    /**< this-> */
    char **tstr;                     /**< this-> string buffers by slot (NULL for ints) */
    int ntv;
    uint64_t *temps;                 /**< inline parameters */
    struct ds_dyn *dyn;              /**< associative arrays and self-> */
    size_t strmax;                   /**< strsize: the longest string */
    /* per-clause scratch */
    char *scratch;
    size_t scratch_cap, scratch_used;
    unsigned char *key;              /**< tuple key being built */
    size_t keycap;
    const char *strtok_pos;          /**< strtok()'s saved position (DTrace keeps it per CPU) */
    char *strtok_buf;
    uint64_t rand;                   /**< rand()'s state (deterministic) */
    /* output: clauses write straight into the run's output buffer; a fault cuts it back to
     * where the clause began, which drops the clause's records as DTrace drops them */
    ds_buf *stage;
    size_t text_hdr;                 /**< the open text record (output.h), or (size_t)-1 */
    /* exit */
    int exited, exit_status;
    /* aggregations */
    struct ds_aggrt *aggs;
    /* options that change at run time (setopt) */
    int quiet, aggsortkey, aggsortkeypos, aggsortpos, aggsortrev, rawbytes;
    /* run-time messages (faults, setopt): the caller prints them on stderr */
    void (*msg)(void *ctx, const char *m);
    void *msg_ctx;
    /* address texts: by value across the run; a slot read during a firing is not replaced
     * before it ends (a text stays put however many addresses the firing formats): another
     * address landing on it then gets a copy of its own in evaddr */
    ds_addr_slot *addr_cache;
    uint64_t firing;                 /**< counts firings: the per-field texts' generation */
    struct ds_evaddr {
        uint64_t firing;
        uint32_t argi, off;
        char s[NTA_ADDR_STRLEN];
    } evaddr[8];
    unsigned evaddr_next;
};

/* Scratch bytes for one string of at most strmax characters (plus NUL); NULL sets the
 * "out of scratch space" fault. */
char *ds_scratch(rctx *c, size_t n);
/* Record a fault (first one wins). */
void ds_fault(rctx *c, int code, uint64_t addr);
/* argN (N < NTA_MAX_ARGS) of the network probe firing now: its pointer-like value (run.c). */
uint64_t ds_net_argv(const rctx *c, int i);

#endif
