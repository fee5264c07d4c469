/* analyzer/flow.c: open-addressing hash of connection indices over a slab (see flow.h).
 *
 * Linear probing over a power-of-two slot array kept at most 50% full; deletion shifts later
 * entries back (no tombstones, so lookups stay short however many connections come and go).
 * Slot 0 of the slab is unused so that index 0 can mean "none". A forgotten connection's
 * reassembly queue blocks are freed with it (nta_tcb_release). */
#include "analyzer/flow.h"

#include <stdlib.h>
#include <string.h>

struct nta_flow_table {
    nta_conn *slab;
    uint32_t cap, used;       /* slab slots allocated / ever handed out (high-water mark) */
    uint32_t free_head;       /* reusable slab slots, linked through .next */
    uint32_t *slots;
    uint32_t nslots;
    uint32_t head[3], tail[3];   /* recency lists, indexed by NTA_FLOW_OPEN / _CLOSING */
    uint64_t live, peak, evictions;
    uint32_t max_flows;
    uint32_t last;          /* connection of the previous lookup: bulk transfers repeat it */
};

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t key_hash(uint8_t proto, const nta_addr *a, uint16_t pa, const nta_addr *b,
                         uint16_t pb)
{
    uint64_t x[4], y[4];
    memcpy(x, a->b, 16);
    memcpy(y, b->b, 16);
    /* symmetric in (a, pa) <-> (b, pb): both directions of a connection hash alike */
    uint64_t ha = mix(x[0] ^ mix(x[1] ^ ((uint64_t)pa << 8) ^ a->family));
    uint64_t hb = mix(y[0] ^ mix(y[1] ^ ((uint64_t)pb << 8) ^ b->family));
    return mix((ha + hb) ^ proto);
}

static int same(const nta_conn *c, uint8_t proto, const nta_addr *a, uint16_t pa,
                const nta_addr *b, uint16_t pb, int *side)
{
    if (c->proto != proto)
        return 0;
    if (c->port[0] == pa && c->port[1] == pb && nta_addr_eq(&c->addr[0], a)
        && nta_addr_eq(&c->addr[1], b)) {
        *side = 0;
        return 1;
    }
    if (c->port[0] == pb && c->port[1] == pa && nta_addr_eq(&c->addr[0], b)
        && nta_addr_eq(&c->addr[1], a)) {
        *side = 1;
        return 1;
    }
    return 0;
}

static uint32_t lookup_or_insert(nta_flow_table *ft, uint8_t proto, const nta_addr *a, uint16_t pa,
                                 const nta_addr *b, uint16_t pb, int *side, int *created);

nta_flow_table *nta_flow_new(uint32_t max_flows)
{
    nta_flow_table *ft = calloc(1, sizeof *ft);
    if (ft == NULL)
        return NULL;
    ft->max_flows = max_flows;
    ft->nslots = 1024;
    ft->slots = calloc(ft->nslots, sizeof *ft->slots);
    ft->cap = 512;
    ft->slab = calloc(ft->cap, sizeof *ft->slab);
    ft->used = 1;
    if (ft->slots == NULL || ft->slab == NULL) {
        nta_flow_free(ft);
        return NULL;
    }
    return ft;
}

void nta_flow_free(nta_flow_table *ft)
{
    if (ft == NULL)
        return;
    for (uint32_t i = 1; i < ft->used; i++) {   /* freed slots hold nothing: zeroed */
        nta_tcb_release(&ft->slab[i].t[0]);
        nta_tcb_release(&ft->slab[i].t[1]);
    }
    free(ft->slots);
    free(ft->slab);
    free(ft);
}

nta_conn *nta_flow_at(nta_flow_table *ft, uint32_t idx) { return &ft->slab[idx]; }

static void unlink_conn(nta_flow_table *ft, uint32_t idx)
{
    nta_conn *c = &ft->slab[idx];
    if (c->list == 0)
        return;
    if (c->prev)
        ft->slab[c->prev].next = c->next;
    else
        ft->head[c->list] = c->next;
    if (c->next)
        ft->slab[c->next].prev = c->prev;
    else
        ft->tail[c->list] = c->prev;
    c->prev = c->next = 0;
    c->list = 0;
}

void nta_flow_touch(nta_flow_table *ft, uint32_t idx, uint64_t now, uint64_t pkt, int list)
{
    nta_conn *c = &ft->slab[idx];
    if (now > c->last_ns)
        c->last_ns = now;
    c->last_pkt = pkt;
    if (c->list == list && ft->tail[list] == idx)
        return;   /* the tail already, and its time only grew */
    unlink_conn(ft, idx);
    /* after the last connection not later than this one: the tail, unless this packet came
     * out of time order (then a short walk back) */
    uint32_t after = ft->tail[list];
    while (after && ft->slab[after].last_ns > c->last_ns)
        after = ft->slab[after].prev;
    c->list = (uint8_t)list;
    c->prev = after;
    c->next = after ? ft->slab[after].next : ft->head[list];
    if (c->next)
        ft->slab[c->next].prev = idx;
    else
        ft->tail[list] = idx;
    if (after)
        ft->slab[after].next = idx;
    else
        ft->head[list] = idx;
}

uint32_t nta_flow_oldest(const nta_flow_table *ft, int list) { return ft->head[list]; }

static int grow_slots(nta_flow_table *ft)
{
    uint32_t n = ft->nslots * 2;
    uint32_t *s = calloc(n, sizeof *s);
    if (s == NULL)
        return -1;
    for (uint32_t i = 0; i < ft->nslots; i++) {
        uint32_t idx = ft->slots[i];
        if (idx == 0)
            continue;
        const nta_conn *c = &ft->slab[idx];
        uint64_t h = key_hash(c->proto, &c->addr[0], c->port[0], &c->addr[1], c->port[1]);
        uint32_t j = (uint32_t)h & (n - 1);
        while (s[j])
            j = (j + 1) & (n - 1);
        s[j] = idx;
    }
    free(ft->slots);
    ft->slots = s;
    ft->nslots = n;
    return 0;
}

void nta_flow_remove(nta_flow_table *ft, uint32_t idx)
{
    nta_conn *c = &ft->slab[idx];
    uint64_t h = key_hash(c->proto, &c->addr[0], c->port[0], &c->addr[1], c->port[1]);
    uint32_t mask = ft->nslots - 1, i = (uint32_t)h & mask;
    while (ft->slots[i] != idx) {
        if (ft->slots[i] == 0)
            return;   /* not in the table: nothing to do */
        i = (i + 1) & mask;
    }
    /* backward-shift deletion: move later members of the probe run into the hole */
    uint32_t j = i;
    for (;;) {
        ft->slots[i] = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (ft->slots[j] == 0)
                goto done;
            const nta_conn *o = &ft->slab[ft->slots[j]];
            uint32_t home = (uint32_t)key_hash(o->proto, &o->addr[0], o->port[0], &o->addr[1],
                                               o->port[1]) & mask;
            /* stays if its home lies cyclically in (i, j] */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                continue;
            ft->slots[i] = ft->slots[j];
            i = j;
            break;
        }
    }
done:
    if (ft->last == idx)
        ft->last = 0;
    unlink_conn(ft, idx);
    nta_tcb_release(&c->t[0]);
    nta_tcb_release(&c->t[1]);
    memset(c, 0, sizeof *c);
    c->next = ft->free_head;
    ft->free_head = idx;
    ft->live--;
}

uint32_t nta_flow_get(nta_flow_table *ft, uint8_t proto, const nta_addr *a, uint16_t pa,
                      const nta_addr *b, uint16_t pb, int *side, int *created)
{
    if (ft->last && same(&ft->slab[ft->last], proto, a, pa, b, pb, side)) {
        *created = 0;
        return ft->last;
    }
    uint32_t got = lookup_or_insert(ft, proto, a, pa, b, pb, side, created);
    ft->last = got;
    return got;
}

static uint32_t lookup_or_insert(nta_flow_table *ft, uint8_t proto, const nta_addr *a, uint16_t pa,
                                 const nta_addr *b, uint16_t pb, int *side, int *created)
{
    uint64_t h = key_hash(proto, a, pa, b, pb);
    uint32_t mask = ft->nslots - 1, i = (uint32_t)h & mask;
    *created = 0;
    for (; ft->slots[i]; i = (i + 1) & mask)
        if (same(&ft->slab[ft->slots[i]], proto, a, pa, b, pb, side))
            return ft->slots[i];
    if (ft->max_flows && ft->live >= ft->max_flows) {
        uint32_t victim = ft->head[NTA_FLOW_CLOSING] ? ft->head[NTA_FLOW_CLOSING]
                                                     : ft->head[NTA_FLOW_OPEN];
        if (victim) {
            nta_flow_remove(ft, victim);
            ft->evictions++;
        }
        return lookup_or_insert(ft, proto, a, pa, b, pb, side, created);
    }
    if ((ft->live + 1) * 2 > ft->nslots) {
        if (grow_slots(ft) < 0)
            return 0;
        return lookup_or_insert(ft, proto, a, pa, b, pb, side, created);
    }
    uint32_t idx = ft->free_head;
    if (idx) {
        ft->free_head = ft->slab[idx].next;
    } else {
        if (ft->used == ft->cap) {
            nta_conn *n = realloc(ft->slab, (size_t)ft->cap * 2 * sizeof *n);
            if (n == NULL)
                return 0;
            ft->slab = n;
            ft->cap *= 2;
        }
        idx = ft->used++;
    }
    nta_conn *c = &ft->slab[idx];
    memset(c, 0, sizeof *c);
    /* canonical order makes the stored tuple independent of which direction came first */
    int swap = nta_addr_cmp(a, b) > 0 || (nta_addr_cmp(a, b) == 0 && pa > pb);
    c->addr[0] = swap ? *b : *a;
    c->addr[1] = swap ? *a : *b;
    c->port[0] = swap ? pb : pa;
    c->port[1] = swap ? pa : pb;
    c->proto = proto;
    *side = swap ? 1 : 0;
    ft->slots[i] = idx;
    ft->live++;
    if (ft->live > ft->peak)
        ft->peak = ft->live;
    *created = 1;
    return idx;
}

uint64_t nta_flow_live(const nta_flow_table *ft) { return ft->live; }
uint64_t nta_flow_peak(const nta_flow_table *ft) { return ft->peak; }
uint64_t nta_flow_evictions(const nta_flow_table *ft) { return ft->evictions; }
uint64_t nta_flow_bytes(const nta_flow_table *ft)
{
    uint64_t b = (uint64_t)ft->cap * sizeof(nta_conn) + (uint64_t)ft->nslots * sizeof(uint32_t);
    for (uint32_t i = 1; i < ft->used; i++)   /* once per run: the reassembly queues' blocks */
        for (int k = 0; k < 2; k++)
            if (ft->slab[i].t[k].ooo_heap != NULL)
                b += NTA_TCB_OOO_MAX * sizeof *ft->slab[i].t[k].ooo_heap;
    return b;
}
