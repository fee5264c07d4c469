/* event/infer.h: the traced host inferred from flows, for captures and dtrace text alike.
 *
 * Counts, over the flows of the first packets (or Example 3 lines), the distinct TCP/UDP
 * flows each address takes part in: one address clearly dominating (in at least twice as many
 * flows as any other, and in at least 2) is the traced host; otherwise every address is
 * (DESIGN.md, "Semantics"). */
#ifndef NTA_EVENT_INFER_H
#define NTA_EVENT_INFER_H

#include <stdint.h>

#include "event/traced.h"

typedef struct nta_infer nta_infer;
nta_infer *nta_infer_new(void);
void nta_infer_free(nta_infer *inf);
/* One packet or line of a flow: proto 6 (TCP) or 17 (UDP); others are ignored. */
void nta_infer_add(nta_infer *inf, uint8_t proto, const nta_addr *s, uint16_t sport,
                   const nta_addr *t, uint16_t dport);
/* Decide into l (sets all or one prefix, inferred = 1, why). */
void nta_infer_decide(nta_infer *inf, nta_locals *l);

#endif
