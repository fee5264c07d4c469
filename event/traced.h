/* event/traced.h: which endpoints are traced hosts (where DTrace "would have run").
 *
 * DESIGN.md, "Semantics": --local ADDR[/LEN] (repeatable), --local all, or inferred
 * (analyzer/infer.h). Loopback addresses are always local. Every sink learns the choice and
 * how it was made (nta_run_info), to print it in headers and JSON. */
#ifndef NTA_EVENT_TRACED_H
#define NTA_EVENT_TRACED_H

#include <stdint.h>

#include "common/addr.h"

#define NTA_LOCAL_MAX 64

typedef struct nta_locals {
    int all;                            /**< every address is traced */
    int inferred;                       /**< the choice was inferred (not given) */
    int n;
    nta_prefix p[NTA_LOCAL_MAX];
    char why[160];                      /**< how the choice was made, for stderr and JSON */
} nta_locals;

/* Adds "all" or ADDR[/LEN]; -1 when spec is neither (or too many). */
int nta_locals_add(nta_locals *l, const char *spec);
int nta_locals_is_local(const nta_locals *l, const nta_addr *a);
/* "10.0.0.1, fd00::/8" or "all" into buf. */
void nta_locals_describe(const nta_locals *l, char *buf, size_t len);

#endif
