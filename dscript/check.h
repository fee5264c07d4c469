/* dscript/check.h: type checking ("cooking", as libdtrace's dt_parser.c calls it) and lowering
 * of declarations and clauses.
 *
 * A clause is cooked once per probe description, against the one probe it matches (args[]
 * needs exactly one: D_ARGS_MULTI otherwise), its actions before its predicate with a retry
 * when an action names a variable only the predicate creates (dt_cook_clause). Names resolve
 * in DTrace's order: inline parameters, built-in variables, inlines, enums, variables; an
 * unknown name is created by its first assignment-like use. Errors carry DTrace's D_* tags and
 * wording. */
#ifndef NTA_DSCRIPT_CHECK_H
#define NTA_DSCRIPT_CHECK_H

#include "dscript/prog.h"

/* Declarations (variables, typedefs handled by the parser, inlines, enums). 0 or -1. */
int ds_check_decl(ds_prog *pg, item *it);

/* Cook a clause for one description: probe is the single probe it matches, or NULL when it
 * matches none (-Z) or several (nmatch); pdesc is the description's four fields joined. Returns
 * 0 with the predicate (NULL: none), the body and whether a firing records data. */
int ds_check_clause(ds_prog *pg, item *cl, ds_probe *probe, int nmatch, const char *pdtext,
                    const rnode **pred, const rnode **body, int *records);

#endif
