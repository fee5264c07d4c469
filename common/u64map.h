/* common/u64map.h: a map from non-zero 64-bit keys to 64-bit values (DTrace's assoc arrays
 * indexed by cs_cid, e.g. dur[] and last[] of the article's scripts).
 *
 * Open addressing with linear probing, at most half full; deleting shifts the probe run back
 * (no tombstones), so memory follows the keys alive at once. Key 0 is reserved for "empty". */
#ifndef NTA_COMMON_U64MAP_H
#define NTA_COMMON_U64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct nta_u64map {
    uint64_t *keys;
    uint64_t *vals;
    size_t cap, n;
} nta_u64map;

void nta_u64map_init(nta_u64map *m);
void nta_u64map_fini(nta_u64map *m);
/* Pointer to the value of key, NULL when absent. Valid until the next set or del. */
uint64_t *nta_u64map_get(const nta_u64map *m, uint64_t key);
/* 0, or -1 when out of memory (the map is unchanged). */
int nta_u64map_set(nta_u64map *m, uint64_t key, uint64_t val);
void nta_u64map_del(nta_u64map *m, uint64_t key);

#endif
