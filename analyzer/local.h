/* analyzer/local.h: which endpoints are traced hosts (where DTrace "would have run").
 *
 * DESIGN.md, "Semantics": --local ADDR[/LEN] (repeatable), --local all, or inferred. Loopback
 * addresses are always local. Inference counts, over the first packets, the distinct TCP/UDP
 * flows each address takes part in: one address clearly dominating (in at least twice as many
 * flows as any other, and in at least 2) is the traced host; otherwise every address is. */
#ifndef NTA_ANALYZER_LOCAL_H
#define NTA_ANALYZER_LOCAL_H

#include <stdint.h>

#include "common/addr.h"
#include "formats/decode.h"

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

/* Inference over a lookahead of packets. */
typedef struct nta_infer nta_infer;
nta_infer *nta_infer_new(void);
void nta_infer_free(nta_infer *inf);
void nta_infer_add(nta_infer *inf, const nta_decoded *d);
/* Decide into l (sets all or one prefix, inferred = 1, why). */
void nta_infer_decide(nta_infer *inf, nta_locals *l);

#endif
