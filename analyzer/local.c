/* analyzer/local.c: traced endpoints, given or inferred (see local.h).
 *
 * Inference keeps two small open-addressing tables (flows seen, flows per address), each
 * capped at 1<<16 entries: the lookahead is bounded, so is this. */
#include "analyzer/local.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nta_locals_add(nta_locals *l, const char *spec)
{
    if (strcmp(spec, "all") == 0) {
        l->all = 1;
        return 0;
    }
    if (l->n == NTA_LOCAL_MAX || nta_prefix_parse(spec, &l->p[l->n]) < 0)
        return -1;
    l->n++;
    return 0;
}

int nta_locals_is_local(const nta_locals *l, const nta_addr *a)
{
    if (l->all || nta_addr_is_loopback(a))
        return 1;
    for (int i = 0; i < l->n; i++)
        if (nta_prefix_match(&l->p[i], a))
            return 1;
    return 0;
}

void nta_locals_describe(const nta_locals *l, char *buf, size_t len)
{
    if (l->all) {
        snprintf(buf, len, "all");
        return;
    }
    buf[0] = '\0';
    for (int i = 0; i < l->n; i++) {
        char a[NTA_ADDR_STRLEN];
        /* DTrace's text prints an IPv4-compatible ::a.b.c.d as the bare dotted quad, which
         * would name a host this prefix does not match: those get the usual form */
        static const uint8_t zero12[12];
        if (l->p[i].addr.family != 6 || memcmp(l->p[i].addr.b, zero12, 12) != 0
            || inet_ntop(AF_INET6, l->p[i].addr.b, a, sizeof a) == NULL)
            nta_addr_str(&l->p[i].addr, a);
        int host = l->p[i].len == (l->p[i].addr.family == 4 ? 32 : 128);
        size_t used = strlen(buf);
        if (host)
            snprintf(buf + used, len - used, "%s%s", i ? ", " : "", a);
        else
            snprintf(buf + used, len - used, "%s%s/%u", i ? ", " : "", a, l->p[i].len);
    }
    if (l->n == 0)
        snprintf(buf, len, "loopback only");
}

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

void nta_infer_add(nta_infer *inf, const nta_decoded *d)
{
    if (d->ip_ver == 0 || d->l4 == NULL || (d->proto != 6 && d->proto != 17))
        return;
    flow_key k;
    memset(&k, 0, sizeof k);
    nta_addr s, t;
    nta_addr_set(&s, d->ip_ver, d->saddr);
    nta_addr_set(&t, d->ip_ver, d->daddr);
    int swap = nta_addr_cmp(&s, &t) > 0;
    k.a = swap ? t : s;
    k.b = swap ? s : t;
    k.pa = swap ? d->dport : d->sport;
    k.pb = swap ? d->sport : d->dport;
    k.proto = d->proto;
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
