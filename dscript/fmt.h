/* dscript/fmt.h: printf()/printa() formats and trace() records, as libdtrace prints them.
 *
 * Formats are parsed and checked once at compile time (dt_printf.c dt_printf_create and
 * dt_printf_validate; shared/reference/d-language.md section 3.1 and dtrace-providers.md
 * section 5.6) into conversion descriptors that know their argument's size and signedness, so
 * that printing a firing's values is a loop over descriptors with no parsing: the length
 * modifier follows the argument's size, %d of an unsigned type prints unsigned, a precision of
 * 0 is ignored, %? is a width of 16, %Y is local time as "YYYY Mon DD HH:MM:SS". trace()
 * follows dt_consume.c (FreeBSD widths, or dtrace-utils' under the test-suite layout). */
#ifndef NTA_DSCRIPT_FMT_H
#define NTA_DSCRIPT_FMT_H

#include <stdint.h>

#include "dscript/arena.h"
#include "dscript/lex.h"
#include "dscript/rt.h"
#include "dscript/types.h"

enum { PF_MINUS = 1, PF_PLUS = 2, PF_SPACE = 4, PF_HASH = 8, PF_ZERO = 16, PF_QUOTE = 32 };

typedef struct pfconv {
    const char *lit;          /**< literal text before the conversion */
    size_t litlen;
    char conv;                /**< d i u x X o c s S p a A Y T I P k e f g E G %  */
    char name[8];             /**< length modifier and conversion, for messages ("lld") */
    unsigned flags;
    int width, prec;          /**< -1: none */
    int wstar, pstar;         /**< '*' width/precision from an argument */
    int agg;                  /**< '@': an aggregation's value (printa) */
    /* set when checked: the argument's record */
    uint8_t asize, asgn, astr;
} pfconv;

typedef struct pformat {
    pfconv *c;
    int n;
    const char *tail;         /**< literal text after the last conversion */
    size_t taillen;
    const char *text;
    /* set by pf_check_printf: the literal bytes of one firing, and whether every conversion
     * is one of d i u o x X c s with fixed width and precision (formatted in one reservation) */
    size_t litbytes;
    int fast;
    /* the argument registers that are strings (nstr -1: more than 16, look at each) */
    int nstr;
    uint16_t str[16];
} pformat;

/* Parse fmt (len bytes) for func ("printf", "printa"). 0, or -1 with the diagnostic set. */
int pf_parse(ds_arena *a, const char *fmt, size_t len, pformat *out, ds_diag *d, int line,
             const char *func);

/* Check printf()'s arguments (types, count) and record their sizes in the descriptors. */
int pf_check_printf(pformat *f, const dtype *const *argt, int nargs, ds_diag *d, int line,
                    const char *func);

/* Format one firing: vals[] are the argument registers in order (star widths included).
 * Strings are pointers; a NULL one faults (as DTrace copying from address 0). */
void pf_format(rctx *c, ds_buf *out, const pformat *f, const uint64_t *vals);

/* One value of a printa() row: a key component or an aggregation's value. */
typedef struct pfval {
    int is_str;
    const char *s;
    uint64_t v;
    uint8_t size, sgn;
} pfval;

/* Format the conversions and literals of f for one printa() row whose non-'@' conversions
 * take keys[] in order and whose '@' conversions call emit_agg (which prints the value or a
 * histogram). Star widths take keys as well (printa.tst.dynwidth). */
void pf_format_row(ds_buf *out, const pformat *f, const pfval *keys, int nkeys,
                   void (*emit_agg)(void *ctx, ds_buf *out, int which, const pfconv *cv),
                   void *ctx);

/* One conversion of an integer value with the descriptor's flags/width/precision. */
void pf_int(ds_buf *out, const pfconv *cv, uint64_t v, int sgn, int size);

/* trace(): the record of a value of size bytes (0: a string of strmax + 1 bytes). */
void tr_format(ds_buf *out, uint64_t v, const dtype *t, int quiet, int testing, int rawbytes,
               size_t strmax);

/* dt_print_bytes(): a string-looking record prints as a string, anything else as hex rows. */
void tr_bytes(ds_buf *out, const unsigned char *p, size_t n, int quiet, int rawbytes, int width);

#endif
