/* dscript/arena.c: chunked bump allocator (see arena.h). */
#include "dscript/arena.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64u * 1024u)

typedef struct chunk {
    struct chunk *next;
    size_t cap, used;
    max_align_t data[];
} chunk;

struct ds_arena {
    chunk *head;
    size_t total;
};

ds_arena *ds_arena_new(void)
{
    return calloc(1, sizeof(ds_arena));
}

void ds_arena_free(ds_arena *a)
{
    if (a == NULL)
        return;
    chunk *c = a->head;
    while (c != NULL) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a);
}

void *ds_alloc(ds_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    chunk *c = a->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        chunk *nc = malloc(sizeof(chunk) + cap);
        if (nc == NULL)
            return NULL;
        nc->cap = cap;
        nc->used = 0;
        nc->next = a->head;
        a->head = nc;
        c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

char *ds_strndup(ds_arena *a, const char *s, size_t n)
{
    char *d = ds_alloc(a, n + 1);
    if (d != NULL && n > 0)
        memcpy(d, s, n);
    return d;
}

size_t ds_arena_used(const ds_arena *a)
{
    return a->total;
}
