/* source/flow_tally.h: packets per flow, counted by nta plan, and the placement of the heaviest
 * flows on shards (issue 17; man/nta.1 "SHARDS", "The hash").
 *
 * A shard cannot split a connection, so the slowest shard holds at least the largest one; by
 * hash alone, two elephants often share a shard while another holds mice (hdr128.pcap: the
 * largest connection is a quarter of the packets, and at N = 2 one shard held 90 %). The plan
 * reads every packet anyway: it counts each Community ID flow's packets here, then places the
 * heaviest flows greedily (largest first, each on the shard with the fewest packets so far, after
 * every other flow was put where its hash puts it). Shards, nta split and nta merge only read the
 * resulting list; every flow not in it goes where its hash says. */
#ifndef NTA_SOURCE_FLOW_TALLY_H
#define NTA_SOURCE_FLOW_TALLY_H

#include <stdint.h>

#include "common/sha1.h"

/* A flow placed by the plan: its Community ID digest, its shard and the packets counted. */
typedef struct nta_placed {
    uint8_t digest[NTA_SHA1_LEN];
    uint32_t shard;
    uint64_t packets;
} nta_placed;

typedef struct nta_flow_tally nta_flow_tally;

nta_flow_tally *nta_flow_tally_new(void);
void nta_flow_tally_free(nta_flow_tally *t);
/* The index of the flow with this digest, added when new; UINT32_MAX when memory ran out (the
 * tally then says failed). */
uint32_t nta_flow_tally_flow(nta_flow_tally *t, const uint8_t digest[NTA_SHA1_LEN]);
/* One packet of flow f (an index from nta_flow_tally_flow), or of no flow (UINT32_MAX: a
 * packet without an IP header, which goes to shard 0). */
void nta_flow_tally_count(nta_flow_tally *t, uint32_t f);
/* Whether memory ran out while counting. */
int nta_flow_tally_failed(const nta_flow_tally *t);

/* The flows with at least 1/(256 n) of the packets (at most NTA_PLACED_MAX, the heaviest; ties
 * by digest), placed as the file's comment says, heaviest first, into *out (n_out entries; the
 * caller frees it); loads[k] gets the packets shard k will hold. n >= 2. 0, or NTA_ENOMEM. */
#define NTA_PLACED_MAX 1024
int nta_flow_tally_place(const nta_flow_tally *t, uint32_t n, nta_placed **out, uint32_t *n_out,
                         uint64_t *loads);

/* The entry of digest in placed (n entries sorted by digest), or NULL. */
const nta_placed *nta_placed_find(const nta_placed *placed, uint32_t n,
                                  const uint8_t digest[NTA_SHA1_LEN]);
/* Sorts placed by digest (for nta_placed_find); 0, or -1 when a digest is there twice. */
int nta_placed_sort(nta_placed *placed, uint32_t n);

#endif
