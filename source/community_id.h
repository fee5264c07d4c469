/* source/community_id.h: the Community ID v1 of a packet's flow, and the shard it goes to.
 *
 * Community ID v1 (github.com/corelight/community-id-spec; tshark 4 computes it with
 * --enable-protocol communityid, the test's independent oracle): SHA-1 over seed (16 bits),
 * the two addresses, the protocol, a zero byte and the two ports (TCP, UDP, SCTP) or ICMP's
 * type and code mapped to ports as Zeek does, endpoints ordered so that the smaller
 * address:port comes first (not for one-way ICMP messages); other protocols hash addresses and
 * protocol only. nta adds one rule: a packet whose transport header is not there (a non-first
 * fragment, a header cut by the snap length) hashes as "other protocol". Both directions of a
 * TCP or UDP flow hash alike, so a connection's packets land in one shard.
 *
 * The shard of a packet (man/nta.1, "SHARDS"): the first four bytes of the digest read
 * big-endian, modulo the shard count; a packet without an IP header (ARP, ...) goes to shard 0. */
#ifndef NTA_SOURCE_COMMUNITY_ID_H
#define NTA_SOURCE_COMMUNITY_ID_H

#include <stdint.h>

#include "common/addr.h"
#include "common/sha1.h"
#include "formats/decode.h"
#include "source/flow_tally.h"

/* The digest (seed 0) of d's flow into digest; 1, or 0 when d has no IP header. */
int nta_community_id(const nta_decoded *d, uint16_t seed, uint8_t digest[NTA_SHA1_LEN]);
/* "1:<base64>" into buf (at least 32 bytes). */
void nta_community_id_text(const uint8_t digest[NTA_SHA1_LEN], char *buf);
/* The digest back from "1:<base64>" (as nta_community_id_text writes it): 0, or -1. */
int nta_community_id_parse(const char *text, uint8_t digest[NTA_SHA1_LEN]);
/* The shard of a digest among n (n >= 1). */
uint32_t nta_community_id_shard(const uint8_t digest[NTA_SHA1_LEN], uint32_t n);

/* Shard choice with a cache of recent flows: consecutive packets mostly belong to a few flows,
 * and a SHA-1 per packet would cost more than the rest of sorting them. Caller's storage.
 * A flow the plan placed (source/flow_tally.h) goes to its shard, any other where its digest
 * says. */
typedef struct nta_sharder_slot {
    nta_addr a, b;
    uint16_t pa, pb;
    uint8_t proto, kind, two_way, used;
    uint32_t shard;
    uint32_t flow;                   /**< counting: the flow's index in the tally */
} nta_sharder_slot;

typedef struct nta_sharder {
    uint32_t n;                      /**< shard count */
    const nta_placed *placed;        /**< sorted by digest (nta_placed_sort); NULL: none */
    uint32_t nplaced;
    nta_flow_tally *tally;           /**< when set, every packet picked is counted to its flow */
    uint32_t last_flow;              /**< the flow of the packet picked last (UINT32_MAX: none) */
    nta_sharder_slot cache[256];
} nta_sharder;

void nta_sharder_init(nta_sharder *s, uint32_t nshards);
/* The plan's placed flows (sorted by digest; they outlive s). */
void nta_sharder_place(nta_sharder *s, const nta_placed *placed, uint32_t n);
/* The shard of the decoded packet d. */
uint32_t nta_sharder_pick(nta_sharder *s, const nta_decoded *d);

#endif
