/* event/infer.c: inferring the traced host from the flows of the first packets or lines
 * (see infer.h).
 *
 * Two small open-addressing tables (flows seen, flows per address), each capped at 1<<16
 * entries: the lookahead is bounded, so is this. */
#include "event/infer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP (1u << 16)

typedef struct flow_key {
    nta_addr a, b;
    uint16_t pa, pb;
    uint8_t proto, used;
} flow_key;

typedef struct addr_count {
    nta_addr a;
    uint32_t flows;
    uint8_t used;
} addr_count;

struct nta_infer {
    flow_key *flows;
    addr_count *addrs;
    uint32_t nflows, naddrs;
};

nta_infer *nta_infer_new(void)
{
    nta_infer *inf = calloc(1, sizeof *inf);
    if (inf == NULL)
        return NULL;
    inf->flows = calloc(CAP, sizeof *inf->flows);
    inf->addrs = calloc(CAP, sizeof *inf->addrs);
    if (inf->flows == NULL || inf->addrs == NULL) {
        nta_infer_free(inf);
        return NULL;
    }
    return inf;
}

void nta_infer_free(nta_infer *inf)
{
    if (inf == NULL)
        return;
    free(inf->flows);
    free(inf->addrs);
    free(inf);
}

static uint32_t hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static void count_addr(nta_infer *inf, const nta_addr *a)
{
    uint32_t i = hash_bytes(a, sizeof *a) & (CAP - 1);
    while (inf->addrs[i].used && !nta_addr_eq(&inf->addrs[i].a, a))
        i = (i + 1) & (CAP - 1);
    if (!inf->addrs[i].used) {
        if (inf->naddrs >= CAP / 2)
            return;
        inf->addrs[i].used = 1;
        inf->addrs[i].a = *a;
        inf->naddrs++;
    }
    inf->addrs[i].flows++;
}

void nta_infer_add(nta_infer *inf, uint8_t proto, const nta_addr *s, uint16_t sport,
                   const nta_addr *t, uint16_t dport)
{
    if (proto != 6 && proto != 17)
        return;
    flow_key k;
    memset(&k, 0, sizeof k);
    int swap = nta_addr_cmp(s, t) > 0;
    k.a = swap ? *t : *s;
    k.b = swap ? *s : *t;
    k.pa = swap ? dport : sport;
    k.pb = swap ? sport : dport;
    k.proto = proto;
    k.used = 1;
    uint32_t i = hash_bytes(&k, sizeof k) & (CAP - 1);
    while (inf->flows[i].used) {
        if (memcmp(&inf->flows[i], &k, sizeof k) == 0)
            return;   /* flow already counted */
        i = (i + 1) & (CAP - 1);
    }
    if (inf->nflows >= CAP / 2)
        return;
    inf->flows[i] = k;
    inf->nflows++;
    count_addr(inf, &k.a);
    count_addr(inf, &k.b);
}

void nta_infer_decide(nta_infer *inf, nta_locals *l)
{
    const addr_count *top = NULL, *second = NULL;
    for (uint32_t i = 0; i < CAP; i++) {
        const addr_count *c = &inf->addrs[i];
        if (!c->used || nta_addr_is_loopback(&c->a))
            continue;
        if (top == NULL || c->flows > top->flows || (c->flows == top->flows
                                                     && nta_addr_cmp(&c->a, &top->a) < 0)) {
            second = top;
            top = c;
        } else if (second == NULL || c->flows > second->flows) {
            second = c;
        }
    }
    l->inferred = 1;
    char a[NTA_ADDR_STRLEN];
    if (top != NULL && top->flows >= 2 && (second == NULL || top->flows >= 2 * second->flows)) {
        l->n = 1;
        l->all = 0;
        l->p[0].addr = top->a;
        l->p[0].len = top->a.family == 4 ? 32 : 128;
        snprintf(l->why, sizeof l->why, "inferred: %s takes part in %u of %u flows",
                 nta_addr_str(&top->a, a), top->flows, inf->nflows);
    } else {
        l->all = 1;
        if (top == NULL && inf->nflows > 0)
            snprintf(l->why, sizeof l->why, "inferred: every flow is on loopback");
        else if (top == NULL)
            snprintf(l->why, sizeof l->why, "inferred: no TCP or UDP flow in the first packets");
        else
            snprintf(l->why, sizeof l->why,
                     "inferred: no address dominates (%s in %u of %u flows, next in %u)",
                     nta_addr_str(&top->a, a), top->flows, inf->nflows,
                     second ? second->flows : 0);
    }
}
