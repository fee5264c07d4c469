/* analyzer/flow.h: the connection table, keyed by protocol and canonical 4-tuple.
 *
 * Connections live in a slab addressed by index (the slab may move when it grows; callers keep
 * indices, and pointers only until the next insert). Two recency lists order connections by
 * their last packet time (ties: the earlier touched first): OPEN ones expire after the idle
 * timeout, CLOSING ones (every traced end in TIME_WAIT or CLOSED) after 2*MSL. The order is
 * kept by time even when packets come out of time order, so that when a connection expires
 * depends on its own packets and the clock only, not on other connections: a shard holding
 * some of the connections expires each exactly when one run holding all of them would.
 * Memory follows the connections alive at once: freed slots are reused, and --max-flows
 * evicts the least recently seen (CLOSING first). */
#ifndef NTA_ANALYZER_FLOW_H
#define NTA_ANALYZER_FLOW_H

#include <stdint.h>

#include "analyzer/tcb.h"
#include "common/err.h"

typedef struct nta_flow_table nta_flow_table;

enum { NTA_FLOW_OPEN = 1, NTA_FLOW_CLOSING = 2 };

nta_flow_table *nta_flow_new(uint32_t max_flows);   /* 0 = unlimited */
void nta_flow_free(nta_flow_table *ft);

/* Index of the connection for this packet's endpoints, creating it when absent (*created set).
 * *side is the index of (a, pa) in the connection. Returns 0 when the table cannot grow
 * (out of memory). May evict (see nta_flow_evictions). */
uint32_t nta_flow_get(nta_flow_table *ft, uint8_t proto, const nta_addr *a, uint16_t pa,
                      const nta_addr *b, uint16_t pb, int *side, int *created);

nta_conn *nta_flow_at(nta_flow_table *ft, uint32_t idx);

/* Marks a packet at now, the pkt-th of the input: the connection moves into list
 * (NTA_FLOW_OPEN/CLOSING) after every connection whose last packet time is not later (the
 * tail, unless packets came out of time order). */
void nta_flow_touch(nta_flow_table *ft, uint32_t idx, uint64_t now, uint64_t pkt, int list);

/* The least recently seen connection of list, 0 when empty. */
uint32_t nta_flow_oldest(const nta_flow_table *ft, int list);

void nta_flow_remove(nta_flow_table *ft, uint32_t idx);

uint64_t nta_flow_live(const nta_flow_table *ft);
uint64_t nta_flow_peak(const nta_flow_table *ft);
uint64_t nta_flow_evictions(const nta_flow_table *ft);
/* Bytes held by the table (slab + index), for the memory figures. */
uint64_t nta_flow_bytes(const nta_flow_table *ft);

#endif
