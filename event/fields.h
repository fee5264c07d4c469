/* event/fields.h: every argument field of a probe event, by its DTrace name.
 *
 * One enumeration serves the JSON Lines, CSV and text writers so they cannot disagree on names
 * or order. Field names are the FreeBSD translators' (tcps_rnxt, ip_plength, ...). */
#ifndef NTA_EVENT_FIELDS_H
#define NTA_EVENT_FIELDS_H

#include <stdint.h>

#include "event/probes.h"

typedef enum nta_fkind { NTA_FK_UINT, NTA_FK_INT, NTA_FK_STR, NTA_FK_ADDR } nta_fkind;

typedef struct nta_fval {
    nta_fkind kind;
    uint64_t u;
    int64_t i;
    const char *s;
    const nta_addr *a;
} nta_fval;

/* Called for each field of an argument structure of type t; p NULL = names only (values zero). */
typedef void (*nta_field_fn)(void *ctx, const char *name, const nta_fval *v);
void nta_fields_visit(nta_argtype t, const void *p, nta_field_fn fn, void *ctx);

/* Number of fields of type t. */
int nta_fields_count(nta_argtype t);

/* The argument types that can stand at args[pos] over all probes, in a fixed order (for CSV
 * columns). Returns how many, up to 4. */
int nta_fields_types_at(int pos, nta_argtype out[4]);

#endif
