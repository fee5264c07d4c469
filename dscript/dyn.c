/* dscript/dyn.c: the dynamic-variable table (see dyn.h). */
#include "dscript/dyn.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    uint64_t hash;
    uint32_t klen, vsize;
    struct entry *next_free;
    max_align_t value[];      /* vsize bytes, then the key */
} entry;

#define NCLASS 64             /* free lists for entries up to 64 * 32 bytes */

struct ds_dyn {
    entry **slots;
    size_t cap, n;
    entry *free[NCLASS];
};

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static size_t entry_size(size_t klen, size_t vsize)
{
    size_t vs = (vsize + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    return (sizeof(entry) + vs + klen + 31) / 32 * 32;
}

static unsigned char *key_of(entry *e)
{
    size_t vs = (e->vsize + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    return (unsigned char *)e->value + vs;
}

ds_dyn *ds_dyn_new(void)
{
    return calloc(1, sizeof(ds_dyn));
}

static void release(ds_dyn *d, entry *e)
{
    size_t cls = entry_size(e->klen, e->vsize) / 32;
    if (cls < NCLASS) {
        e->next_free = d->free[cls];
        d->free[cls] = e;
    } else {
        free(e);
    }
}

void ds_dyn_free(ds_dyn *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->cap; i++)
        free(d->slots[i]);
    for (int c = 0; c < NCLASS; c++) {
        entry *e = d->free[c];
        while (e != NULL) {
            entry *n = e->next_free;
            free(e);
            e = n;
        }
    }
    free(d->slots);
    free(d);
}

static size_t find(const ds_dyn *d, const void *key, size_t klen, uint64_t h, int *found)
{
    size_t mask = d->cap - 1, i = h & mask;
    for (;;) {
        entry *e = d->slots[i];
        if (e == NULL) {
            *found = 0;
            return i;
        }
        if (e->hash == h && e->klen == klen && memcmp(key_of(e), key, klen) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

void *ds_dyn_get(ds_dyn *d, const void *key, size_t klen)
{
    if (d->n == 0)
        return NULL;
    int found;
    size_t i = find(d, key, klen, hash_bytes(key, klen), &found);
    return found ? d->slots[i]->value : NULL;
}

static int grow(ds_dyn *d)
{
    size_t cap = d->cap ? d->cap * 2 : 64;
    entry **s = calloc(cap, sizeof *s);
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < d->cap; i++) {
        entry *e = d->slots[i];
        if (e == NULL)
            continue;
        size_t j = e->hash & (cap - 1);
        while (s[j] != NULL)
            j = (j + 1) & (cap - 1);
        s[j] = e;
    }
    free(d->slots);
    d->slots = s;
    d->cap = cap;
    return 0;
}

void *ds_dyn_put(ds_dyn *d, const void *key, size_t klen, size_t vsize)
{
    if ((d->n + 1) * 2 > d->cap && grow(d) < 0)
        return NULL;
    uint64_t h = hash_bytes(key, klen);
    int found;
    size_t i = find(d, key, klen, h, &found);
    if (found)
        return d->slots[i]->value;
    size_t sz = entry_size(klen, vsize);
    size_t cls = sz / 32;
    entry *e = NULL;
    if (cls < NCLASS && d->free[cls] != NULL) {
        e = d->free[cls];
        d->free[cls] = e->next_free;
    } else {
        e = malloc(sz);
        if (e == NULL)
            return NULL;
    }
    memset(e, 0, sz);
    e->hash = h;
    e->klen = (uint32_t)klen;
    e->vsize = (uint32_t)vsize;
    memcpy(key_of(e), key, klen);
    d->slots[i] = e;
    d->n++;
    return e->value;
}

void ds_dyn_del(ds_dyn *d, const void *key, size_t klen)
{
    if (d->n == 0)
        return;
    int found;
    size_t i = find(d, key, klen, hash_bytes(key, klen), &found);
    if (!found)
        return;
    release(d, d->slots[i]);
    d->slots[i] = NULL;
    d->n--;
    /* backward-shift the rest of the probe run */
    size_t mask = d->cap - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        entry *e = d->slots[j];
        if (e == NULL)
            return;
        size_t home = e->hash & mask;
        /* e may move to i when i lies cyclically in [home, j) */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            d->slots[i] = e;
            d->slots[j] = NULL;
            i = j;
        }
    }
}

size_t ds_dyn_count(const ds_dyn *d)
{
    return d->n;
}
