/* dscript/arena.h: the compiler's bump allocator.
 *
 * Everything a compiled D program owns (tokens' texts, the syntax tree, types, the closure tree,
 * format descriptors) comes from one arena and is freed with it: nothing is freed piecemeal,
 * so error paths never leak. Allocation is from chunks of at least 64 KiB; memory is zeroed. */
#ifndef NTA_DSCRIPT_ARENA_H
#define NTA_DSCRIPT_ARENA_H

#include <stddef.h>

typedef struct ds_arena ds_arena;

ds_arena *ds_arena_new(void);
void ds_arena_free(ds_arena *a);
/* n zeroed bytes aligned for any type; NULL when out of memory. */
void *ds_alloc(ds_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n); NULL when out of memory. */
char *ds_strndup(ds_arena *a, const char *s, size_t n);
/* Bytes handed out so far (tests and the fuzz target bound it). */
size_t ds_arena_used(const ds_arena *a);

#endif
