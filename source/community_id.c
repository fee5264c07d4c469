/* source/community_id.c: Community ID v1 and the shard of a packet (see community_id.h).
 *
 * Byte layout hashed (all big-endian): seed(2) saddr(4|16) daddr(4|16) proto(1) 0(1)
 * [sport(2) dport(2)]. ICMP (IPv4 protocol 1) and ICMPv6 (58): "sport" is the type, "dport"
 * the type of the matching reply for request/reply pairs (then the pair is ordered like a
 * flow), else the code (one-way: never reordered); pycommunityid's icmp.py and icmp6.py list
 * the pairs, after Zeek. */
#include "source/community_id.h"

#include <string.h>

#include "common/cursor.h"

enum { KIND_PORTS, KIND_ICMP, KIND_NONE };

/* ICMP request/reply pairs: type -> counterpart, -1 for one-way messages. */
static int icmp_counterpart(uint8_t proto, uint8_t type)
{
    static const uint8_t v4[][2] = { { 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 },
                                     { 16, 15 }, { 10, 9 }, { 9, 10 }, { 17, 18 }, { 18, 17 } };
    static const uint8_t v6[][2] = { { 128, 129 }, { 129, 128 }, { 130, 131 }, { 131, 130 },
                                     { 133, 134 }, { 134, 133 }, { 135, 136 }, { 136, 135 },
                                     { 139, 140 }, { 140, 139 }, { 144, 145 }, { 145, 144 } };
    const uint8_t(*t)[2] = proto == 1 ? v4 : v6;
    size_t n = proto == 1 ? sizeof v4 / sizeof v4[0] : sizeof v6 / sizeof v6[0];
    for (size_t i = 0; i < n; i++)
        if (t[i][0] == type)
            return t[i][1];
    return -1;
}

/* The flow tuple as hashed: addresses, ports (or ICMP's), kind, and whether it may be
 * reordered. */
typedef struct tuple {
    nta_addr s, d;
    uint16_t sp, dp;
    uint8_t proto, kind, two_way;
} tuple;

static int make_tuple(const nta_decoded *d, tuple *t)
{
    if (d->ip_ver != 4 && d->ip_ver != 6)
        return 0;
    nta_addr_set(&t->s, d->ip_ver, d->saddr);
    nta_addr_set(&t->d, d->ip_ver, d->daddr);
    t->proto = d->proto;
    t->sp = t->dp = 0;
    t->kind = KIND_NONE;
    t->two_way = 1;
    int icmp = (d->proto == 1 && d->ip_ver == 4) || (d->proto == 58 && d->ip_ver == 6);
    if (d->l4 == NULL)
        return 1;   /* a non-first fragment: no transport header to read */
    if ((d->proto == 6 || d->proto == 17 || d->proto == 132) && d->l4_caplen >= 4) {
        t->sp = nta_be16(d->l4);
        t->dp = nta_be16(d->l4 + 2);
        t->kind = KIND_PORTS;
    } else if (icmp && d->l4_caplen >= 2) {
        int peer = icmp_counterpart(d->proto, d->l4[0]);
        t->sp = d->l4[0];
        t->dp = peer >= 0 ? (uint16_t)peer : d->l4[1];
        t->two_way = peer >= 0;
        t->kind = KIND_ICMP;
    }
    return 1;
}

static void hash_tuple(const tuple *t, uint16_t seed, uint8_t digest[NTA_SHA1_LEN])
{
    size_t alen = t->s.family == 4 ? 4 : 16;
    const nta_addr *a = &t->s, *b = &t->d;
    uint16_t pa = t->sp, pb = t->dp;
    int c = memcmp(a->b, b->b, alen);
    if (t->two_way && (c > 0 || (c == 0 && pa > pb))) {
        a = &t->d;
        b = &t->s;
        pa = t->dp;
        pb = t->sp;
    }
    uint8_t buf[2 + 32 + 2 + 4];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, a->b, alen);
    n += alen;
    memcpy(buf + n, b->b, alen);
    n += alen;
    buf[n++] = t->proto;
    buf[n++] = 0;
    if (t->kind != KIND_NONE) {
        buf[n++] = (uint8_t)(pa >> 8);
        buf[n++] = (uint8_t)pa;
        buf[n++] = (uint8_t)(pb >> 8);
        buf[n++] = (uint8_t)pb;
    }
    nta_sha1_of(buf, n, digest);
}

int nta_community_id(const nta_decoded *d, uint16_t seed, uint8_t digest[NTA_SHA1_LEN])
{
    tuple t;
    if (!make_tuple(d, &t))
        return 0;
    hash_tuple(&t, seed, digest);
    return 1;
}

void nta_community_id_text(const uint8_t digest[NTA_SHA1_LEN], char *buf)
{
    buf[0] = '1';
    buf[1] = ':';
    nta_base64(digest, NTA_SHA1_LEN, buf + 2);
}

int nta_community_id_parse(const char *text, uint8_t digest[NTA_SHA1_LEN])
{
    uint8_t b[21];
    if (strncmp(text, "1:", 2) != 0 || strlen(text) != 30
        || nta_base64_decode(text + 2, 28, b) != NTA_SHA1_LEN)
        return -1;
    memcpy(digest, b, NTA_SHA1_LEN);
    char back[32];
    nta_community_id_text(digest, back);
    return strcmp(back, text) == 0 ? 0 : -1;   /* one spelling per digest */
}

uint32_t nta_community_id_shard(const uint8_t digest[NTA_SHA1_LEN], uint32_t n)
{
    uint32_t v = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 | (uint32_t)digest[2] << 8
                 | digest[3];
    return n > 1 ? v % n : 0;
}

void nta_sharder_init(nta_sharder *s, uint32_t nshards)
{
    memset(s, 0, sizeof *s);
    s->n = nshards ? nshards : 1;
}

void nta_sharder_place(nta_sharder *s, const nta_placed *placed, uint32_t n)
{
    s->placed = placed;
    s->nplaced = n;
}

static uint32_t pick(nta_sharder *s, const nta_decoded *d);

uint32_t nta_sharder_pick(nta_sharder *s, const nta_decoded *d)
{
    if (s->tally == NULL)
        return pick(s, d);
    uint32_t k = pick(s, d);
    nta_flow_tally_count(s->tally, s->last_flow);
    return k;
}

static uint32_t pick(nta_sharder *s, const nta_decoded *d)
{
    tuple t;
    s->last_flow = UINT32_MAX;
    if (s->n <= 1 || !make_tuple(d, &t))
        return 0;
    /* the slot of the unordered tuple, so that both directions share it */
    uint64_t x[2], y[2];
    memcpy(x, t.s.b, 16);
    memcpy(y, t.d.b, 16);
    uint64_t h = (x[0] ^ x[1] ^ y[0] ^ y[1] ^ ((uint64_t)(t.sp ^ t.dp) << 32) ^ t.proto ^ t.kind)
                 * 0x9e3779b97f4a7c15ull;
    nta_sharder_slot *c = &s->cache[h >> 56];
    if (c->used && c->proto == t.proto && c->kind == t.kind && c->two_way == t.two_way) {
        if ((c->pa == t.sp && c->pb == t.dp && nta_addr_eq(&c->a, &t.s) && nta_addr_eq(&c->b, &t.d))
            /* the other direction of a flow that is ordered before hashing */
            || (t.two_way && c->pa == t.dp && c->pb == t.sp && nta_addr_eq(&c->a, &t.d)
                && nta_addr_eq(&c->b, &t.s))) {
            s->last_flow = c->flow;
            return c->shard;
        }
    }
    uint8_t dg[NTA_SHA1_LEN];
    hash_tuple(&t, 0, dg);
    c->a = t.s;
    c->b = t.d;
    c->pa = t.sp;
    c->pb = t.dp;
    c->proto = t.proto;
    c->kind = t.kind;
    c->two_way = t.two_way;
    c->used = 1;
    const nta_placed *pl = s->nplaced > 0 ? nta_placed_find(s->placed, s->nplaced, dg) : NULL;
    c->shard = pl != NULL ? pl->shard : nta_community_id_shard(dg, s->n);
    c->flow = s->tally != NULL ? nta_flow_tally_flow(s->tally, dg) : UINT32_MAX;
    s->last_flow = c->flow;
    return c->shard;
}
