/* common/sha1.h: SHA-1 (FIPS 180-4), for the Community ID flow hash and the plan's identity.
 *
 * Not for security: nta hashes flow tuples to pick a shard and names a plan by the digest of its
 * text, where SHA-1 is what the Community ID spec (github.com/corelight/community-id-spec)
 * prescribes. One context per message, on the caller's storage; no allocation. */
#ifndef NTA_COMMON_SHA1_H
#define NTA_COMMON_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define NTA_SHA1_LEN 20

typedef struct nta_sha1 {
    uint32_t h[5];
    uint64_t len;          /**< bytes hashed so far */
    uint8_t buf[64];       /**< a partial block */
    size_t nbuf;
} nta_sha1;

void nta_sha1_init(nta_sha1 *c);
void nta_sha1_update(nta_sha1 *c, const void *data, size_t n);
void nta_sha1_final(nta_sha1 *c, uint8_t out[NTA_SHA1_LEN]);
/* The digest of n bytes at data in one call. */
void nta_sha1_of(const void *data, size_t n, uint8_t out[NTA_SHA1_LEN]);

/* Standard base64 (RFC 4648, with padding) of n bytes into out (4 * ((n + 2) / 3) + 1 bytes,
 * NUL-terminated). Returns the length written. */
size_t nta_base64(const uint8_t *in, size_t n, char *out);
/* The bytes of padded standard base64 text of len characters (a multiple of 4) into out (room
 * for 3 * len / 4): how many, or -1 when the text is not that. */
long nta_base64_decode(const char *text, size_t len, uint8_t *out);

#endif
