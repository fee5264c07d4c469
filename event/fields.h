/* event/fields.h: every argument field of a probe event, in one table.
 *
 * One row per field of each translator structure (event/probes.h), in the order the FreeBSD
 * translators declare them (cddl/lib/libdtrace/{ip,tcp,udp}.d; shared/reference/
 * dtrace-providers.md section 2): its name, its D type, where the value is held in nta's C
 * structure, the NTA_F_* group saying whether an input shows it, and what the translator
 * gives for a NULL pointer. Every writer of events (JSON Lines, CSV, text, ntaev1), the ntaev1
 * reader, the field-group lookups and the D runtime read this table, so they cannot disagree
 * on names, order or types. */
#ifndef NTA_EVENT_FIELDS_H
#define NTA_EVENT_FIELDS_H

#include <stdint.h>

#include "event/probes.h"

/* How writers print a value. */
typedef enum nta_fkind { NTA_FK_UINT, NTA_FK_INT, NTA_FK_STR, NTA_FK_ADDR } nta_fkind;

/* How a value is held in its C structure. */
typedef enum nta_fstore {
    NTA_FS_U8, NTA_FS_U16, NTA_FS_U32, NTA_FS_U64,   /**< unsigned (uintptr_t is U64) */
    NTA_FS_I8, NTA_FS_I32,                           /**< signed */
    NTA_FS_ADDR,       /**< nta_addr; a D string in DTrace's inet_ntoa/inet_ntoa6 form */
    NTA_FS_STRP,       /**< const char * (if_name) */
    NTA_FS_PROTOSTR,   /**< derived: protocols[] of the uint8_t at off (ipv4_protostr, ipv6_nextstr) */
    NTA_FS_ZERO,       /**< not held: FreeBSD's translators always give 0 (pkt_addr, cs_addr,
                            cs_pid, cs_zoneid) */
} nta_fstore;

typedef struct nta_field {
    nta_argtype arg;       /**< the structure it belongs to */
    const char *name;      /**< the translator's member name */
    const char *dtype;     /**< its D type as the translator declares it ("uint32_t", "string") */
    uint8_t kind;          /**< nta_fkind */
    uint8_t store;         /**< nta_fstore */
    uint16_t off;          /**< offset in the C structure (PROTOSTR: of the protocol byte) */
    uint32_t group;        /**< NTA_F_* bit an input must show for the value to be known;
                                NTA_F_ALL for values that are the same whatever the input */
    int64_t null_int;      /**< integers: the translator's value for a NULL pointer */
    const char *null_str;  /**< strings: the same ("<null>", "", ...); NULL: a NULL string */
} nta_field;

/* A value read out of an argument structure. */
typedef struct nta_fval {
    nta_fkind kind;
    uint64_t u;
    int64_t i;
    const char *s;
    const nta_addr *a;
} nta_fval;

/* The fields of structure t, in declaration order: *n of them (0 and NULL for none/void). */
const nta_field *nta_fields_of(nta_argtype t, int *n);
/* The field of t named name, or NULL. */
const nta_field *nta_field_find(nta_argtype t, const char *name);

/* The value of f in the structure at arg. arg NULL (the provider passed none) gives nta's
 * writers' zero form: 0, "" for if_name, "<null>" for the protocol strings, an address of
 * family 0 (printed as ""). The strings point into arg or static storage. */
void nta_field_value(const nta_field *f, const void *arg, nta_fval *v);

/* The argument types that can stand at args[pos] over all probes, in a fixed order (for CSV
 * columns). Returns how many, up to 4. */
int nta_fields_types_at(int pos, nta_argtype out[4]);

/* The group of a field (NTA_F_ALL when t has no such field). */
uint32_t nta_field_group(nta_argtype t, const char *name);
/* What a group is, for messages: "timestamp", "args[1]->cs_cid", "args[3] (ifinfo_t)", ... */
const char *nta_field_group_name(uint32_t bit);

#endif
