/* source/flow_tally.c: packets per Community ID flow and the placement of the heaviest (see
 * flow_tally.h). Flows live in arrays indexed by arrival; an open-addressing table (at most half
 * full) maps a digest to its index. Digests are uniform, so their bytes are the hash. */
#include "source/flow_tally.h"

#include <stdlib.h>
#include <string.h>

#include "source/community_id.h"

struct nta_flow_tally {
    uint8_t (*dg)[NTA_SHA1_LEN];
    uint64_t *pk;
    uint32_t n, cap;
    uint32_t *slots;   /* flow index + 1; 0 free */
    uint32_t mask;
    uint64_t other;    /* packets without an IP header */
    int failed;
};

nta_flow_tally *nta_flow_tally_new(void)
{
    return calloc(1, sizeof(nta_flow_tally));
}

void nta_flow_tally_free(nta_flow_tally *t)
{
    if (t == NULL)
        return;
    free(t->dg);
    free(t->pk);
    free(t->slots);
    free(t);
}

static uint32_t slot_of(const uint8_t *dg, uint32_t mask)
{
    uint32_t h;
    memcpy(&h, dg + 4, 4);   /* bytes 0-3 choose the shard; any others spread as well */
    return h & mask;
}

static int grow(nta_flow_tally *t)
{
    uint32_t cap = t->cap ? t->cap * 2 : 1024;
    if (cap <= t->cap)
        return -1;
    uint8_t(*dg)[NTA_SHA1_LEN] = realloc(t->dg, (size_t)cap * sizeof *dg);
    if (dg == NULL)
        return -1;
    t->dg = dg;
    uint64_t *pk = realloc(t->pk, (size_t)cap * sizeof *pk);
    if (pk == NULL)
        return -1;
    t->pk = pk;
    uint32_t *slots = calloc((size_t)cap * 2, sizeof *slots);
    if (slots == NULL)
        return -1;
    free(t->slots);
    t->slots = slots;
    t->mask = cap * 2 - 1;
    t->cap = cap;
    for (uint32_t i = 0; i < t->n; i++) {
        uint32_t j = slot_of(t->dg[i], t->mask);
        while (t->slots[j] != 0)
            j = (j + 1) & t->mask;
        t->slots[j] = i + 1;
    }
    return 0;
}

uint32_t nta_flow_tally_flow(nta_flow_tally *t, const uint8_t digest[NTA_SHA1_LEN])
{
    if (t->failed)
        return UINT32_MAX;
    if (t->n == t->cap && grow(t) < 0) {
        t->failed = 1;
        return UINT32_MAX;
    }
    uint32_t j = slot_of(digest, t->mask);
    for (; t->slots[j] != 0; j = (j + 1) & t->mask)
        if (memcmp(t->dg[t->slots[j] - 1], digest, NTA_SHA1_LEN) == 0)
            return t->slots[j] - 1;
    uint32_t f = t->n++;
    memcpy(t->dg[f], digest, NTA_SHA1_LEN);
    t->pk[f] = 0;
    t->slots[j] = f + 1;
    return f;
}

void nta_flow_tally_count(nta_flow_tally *t, uint32_t f)
{
    if (f < t->n)
        t->pk[f]++;
    else if (f == UINT32_MAX && !t->failed)
        t->other++;
}

int nta_flow_tally_failed(const nta_flow_tally *t)
{
    return t->failed;
}

/* Heaviest first; equal weights by digest, so that the placement is one for one input. */
static int by_weight(const void *a, const void *b)
{
    const nta_placed *x = a, *y = b;
    if (x->packets != y->packets)
        return x->packets > y->packets ? -1 : 1;
    return memcmp(x->digest, y->digest, NTA_SHA1_LEN);
}

int nta_flow_tally_place(const nta_flow_tally *t, uint32_t n, nta_placed **out, uint32_t *n_out,
                         uint64_t *loads)
{
    *out = NULL;
    *n_out = 0;
    uint64_t total = t->other;
    for (uint32_t i = 0; i < t->n; i++)
        total += t->pk[i];
    uint64_t least = total / (256 * (uint64_t)n);
    if (least == 0)
        least = 1;
    uint32_t nc = 0;
    for (uint32_t i = 0; i < t->n; i++)
        nc += t->pk[i] >= least;
    /* the candidates, their flow index in .shard until they are placed */
    nta_placed *c = malloc((size_t)(nc ? nc : 1) * sizeof *c);
    uint8_t *placed = calloc((size_t)(t->n ? t->n : 1), 1);
    if (c == NULL || placed == NULL) {
        free(c);
        free(placed);
        return -1;
    }
    nc = 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->pk[i] >= least) {
            memcpy(c[nc].digest, t->dg[i], NTA_SHA1_LEN);
            c[nc].packets = t->pk[i];
            c[nc++].shard = i;
        }
    qsort(c, nc, sizeof *c, by_weight);
    if (nc > NTA_PLACED_MAX)
        nc = NTA_PLACED_MAX;
    for (uint32_t j = 0; j < nc; j++)
        placed[c[j].shard] = 1;
    memset(loads, 0, (size_t)n * sizeof *loads);
    loads[0] = t->other;
    for (uint32_t i = 0; i < t->n; i++)
        if (!placed[i])
            loads[nta_community_id_shard(t->dg[i], n)] += t->pk[i];
    for (uint32_t j = 0; j < nc; j++) {
        uint32_t k = 0;
        for (uint32_t s = 1; s < n; s++)
            if (loads[s] < loads[k])
                k = s;
        loads[k] += c[j].packets;
        c[j].shard = k;
    }
    free(placed);
    *out = c;
    *n_out = nc;
    return 0;
}

static int by_digest(const void *a, const void *b)
{
    return memcmp(((const nta_placed *)a)->digest, ((const nta_placed *)b)->digest, NTA_SHA1_LEN);
}

int nta_placed_sort(nta_placed *placed, uint32_t n)
{
    if (n == 0)
        return 0;   /* placed may be NULL then, which qsort must not be given */
    qsort(placed, n, sizeof *placed, by_digest);
    for (uint32_t i = 1; i < n; i++)
        if (by_digest(&placed[i - 1], &placed[i]) == 0)
            return -1;
    return 0;
}

const nta_placed *nta_placed_find(const nta_placed *placed, uint32_t n,
                                  const uint8_t digest[NTA_SHA1_LEN])
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = memcmp(placed[mid].digest, digest, NTA_SHA1_LEN);
        if (c == 0)
            return &placed[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
