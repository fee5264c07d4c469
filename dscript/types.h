/* dscript/types.h: D's types as nta run needs them.
 *
 * Integers of 1, 2, 4 and 8 bytes under their C, <stdint.h> and Solaris/BSD typedef names,
 * string, void, pointers to the providers' translated structures (csinfo_t *, ...), and the
 * scalar arrays of "int a[5]". Promotion follows libdtrace's dt_type_promote (d-language.md
 * section 2.1): rank = bits + 1 for unsigned, the higher rank wins, ties go to the type
 * declared later; there is no promotion to int first, so uint8_t & uint8_t is uint8_t.
 * User typedefs of these types are kept per program; structs, unions and other pointers are
 * outside nta run's subset (a compile error names them). */
#ifndef NTA_DSCRIPT_TYPES_H
#define NTA_DSCRIPT_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "dscript/arena.h"
#include "dscript/ast.h"
#include "event/probes.h"

typedef enum dkind { DK_INT, DK_STRING, DK_VOID, DK_PTR, DK_XSTRUCT, DK_ARRAY } dkind;

typedef struct dtype {
    dkind kind;
    uint8_t size;          /**< DK_INT: 1, 2, 4, 8; DK_PTR: 8 */
    uint8_t sgn;           /**< DK_INT: signed */
    uint8_t is_enum;       /**< an enum (an int for arithmetic) */
    const char *name;      /**< as DTrace prints it in messages */
    int rank_id;           /**< promotion tie-break */
    nta_argtype argt;      /**< DK_PTR / DK_XSTRUCT: the translated structure */
    const struct dtype *elem;   /**< DK_ARRAY */
    int nelem;
} dtype;

extern const dtype ds_t_int, ds_t_uint, ds_t_long, ds_t_ulong, ds_t_char, ds_t_uchar,
    ds_t_short, ds_t_ushort, ds_t_longlong, ds_t_ulonglong, ds_t_string, ds_t_void,
    ds_t_int8, ds_t_int16, ds_t_int32, ds_t_int64, ds_t_uint8, ds_t_uint16, ds_t_uint32,
    ds_t_uint64, ds_t_uintptr, ds_t_voidp;

typedef struct ds_typedef {
    const char *name;
    const dtype *t;
    struct ds_typedef *next;
} ds_typedef;

typedef struct ds_types {
    ds_arena *arena;
    ds_typedef *defs;     /**< the program's typedefs */
    dtype *xptr[16];      /**< pointer types to translated structures, made on demand */
} ds_types;

/* A built-in or typedef'd type by name; NULL when none. */
const dtype *ds_type_named(const ds_types *ts, const char *name, size_t n);
/* The type a written specifier denotes, or NULL with *why set ("struct in6_addr", ...) to
 * the reason nta cannot use it. */
const dtype *ds_type_of_spec(ds_types *ts, const tspec *sp, const char **why);
/* The integer type of size bytes and signedness (canonical C name). */
const dtype *ds_type_int(int size, int sgn);
/* Type of an integer constant from its value and TI_* flags (C's rules, LP64). */
const dtype *ds_type_of_const(uint64_t v, unsigned iflags);
/* dt_type_promote for two integer types. */
const dtype *ds_type_promote(const dtype *a, const dtype *b);
/* Pointer to translated structure t ("tcpsinfo_t *"). */
const dtype *ds_type_xptr(ds_types *ts, nta_argtype t);
/* The name of the structure of a DK_PTR/DK_XSTRUCT type ("tcpsinfo_t"). */
const char *ds_type_sname(nta_argtype t);
/* D type of a field, from event/fields.h's dtype text ("uint32_t", "u_long", "string"). */
const dtype *ds_type_of_field(const char *dtype_text);
/* An array type of n elements of elem. */
const dtype *ds_type_array(ds_types *ts, const dtype *elem, int n);

static inline int ds_is_int(const dtype *t) { return t->kind == DK_INT; }
static inline int ds_is_str(const dtype *t) { return t->kind == DK_STRING; }
static inline int ds_is_scalar(const dtype *t) { return t->kind == DK_INT || t->kind == DK_PTR; }

#endif
