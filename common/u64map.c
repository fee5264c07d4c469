/* common/u64map.c: see u64map.h. */
#include "common/u64map.h"

#include <stdlib.h>

static size_t slot_of(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

void nta_u64map_init(nta_u64map *m)
{
    m->keys = m->vals = NULL;
    m->cap = m->n = 0;
}

void nta_u64map_fini(nta_u64map *m)
{
    free(m->keys);
    free(m->vals);
    nta_u64map_init(m);
}

uint64_t *nta_u64map_get(const nta_u64map *m, uint64_t key)
{
    if (m->cap == 0 || key == 0)
        return NULL;
    for (size_t i = slot_of(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == key)
            return &m->vals[i];
    return NULL;
}

static int grow(nta_u64map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    uint64_t *k = calloc(cap, sizeof *k), *v = calloc(cap, sizeof *v);
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = slot_of(m->keys[i], cap);
        while (k[j])
            j = (j + 1) & (cap - 1);
        k[j] = m->keys[i];
        v[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = k;
    m->vals = v;
    m->cap = cap;
    return 0;
}

int nta_u64map_set(nta_u64map *m, uint64_t key, uint64_t val)
{
    uint64_t *p = nta_u64map_get(m, key);
    if (p != NULL) {
        *p = val;
        return 0;
    }
    if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
        return -1;
    size_t i = slot_of(key, m->cap);
    while (m->keys[i])
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    return 0;
}

void nta_u64map_del(nta_u64map *m, uint64_t key)
{
    if (m->cap == 0 || key == 0)
        return;
    size_t mask = m->cap - 1, i = slot_of(key, m->cap);
    while (m->keys[i] != key) {
        if (!m->keys[i])
            return;
        i = (i + 1) & mask;
    }
    size_t j = i;
    for (;;) {
        m->keys[i] = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (!m->keys[j]) {
                m->n--;
                return;
            }
            size_t home = slot_of(m->keys[j], m->cap);
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                continue;
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            i = j;
            break;
        }
    }
}
