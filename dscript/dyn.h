/* dscript/dyn.h: DTrace's dynamic variables: associative array elements and self-> variables.
 *
 * One table for all of them, as DTrace has one dynamic-variable space: a key is the
 * variable's ID, then (self->) the thread, then the tuple's encoded components. An element
 * exists only while it holds a non-zero value: storing 0 deletes it (d-language.md section
 * 3.8). Open addressing with linear probing, at most half full, backward-shift deletion;
 * entries are reused from free lists by size, so a program that stores and deletes per event
 * allocates only while its peak number of live elements grows. */
#ifndef NTA_DSCRIPT_DYN_H
#define NTA_DSCRIPT_DYN_H

#include <stddef.h>
#include <stdint.h>

typedef struct ds_dyn ds_dyn;

ds_dyn *ds_dyn_new(void);
void ds_dyn_free(ds_dyn *d);
/* The value bytes of key, NULL when absent. Valid until the next put or del. */
void *ds_dyn_get(ds_dyn *d, const void *key, size_t klen);
/* The value bytes of key, created zeroed (vsize bytes) when absent; NULL when out of memory. */
void *ds_dyn_put(ds_dyn *d, const void *key, size_t klen, size_t vsize);
void ds_dyn_del(ds_dyn *d, const void *key, size_t klen);
size_t ds_dyn_count(const ds_dyn *d);

#endif
