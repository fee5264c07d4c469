/* common/chunkq.c: the chunk ring between a producer and a consumer thread (chunkq.h).
 *
 * Chunks i = head .. head+count-1 (mod n) are handed over, oldest first; the consumer reads
 * chunks[head] until it gives it back. The producer fills chunks[head+count], which is free
 * while count < n. A chunk's contents are published by the lock taken to hand it over. */
#include "common/chunkq.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

int nta_chunkq_init(nta_chunkq *q, unsigned nchunks, size_t chunk_bytes, size_t meta_size)
{
    memset(q, 0, sizeof *q);
    q->n = nchunks > NTA_CHUNKQ_MAX ? NTA_CHUNKQ_MAX : nchunks;
    for (unsigned i = 0; i < q->n; i++) {
        q->chunks[i].buf = malloc(chunk_bytes);
        q->chunks[i].cap = chunk_bytes;
        q->chunks[i].meta = calloc(1, meta_size ? meta_size : 1);
        if (q->chunks[i].buf == NULL || q->chunks[i].meta == NULL) {
            nta_chunkq_fini(q);
            return NTA_ENOMEM;
        }
    }
    if (pthread_mutex_init(&q->mu, NULL) != 0) {
        nta_chunkq_fini(q);
        return NTA_ENOMEM;
    }
    if (pthread_cond_init(&q->filled, NULL) != 0) {
        pthread_mutex_destroy(&q->mu);
        nta_chunkq_fini(q);
        return NTA_ENOMEM;
    }
    if (pthread_cond_init(&q->freed, NULL) != 0) {
        pthread_cond_destroy(&q->filled);
        pthread_mutex_destroy(&q->mu);
        nta_chunkq_fini(q);
        return NTA_ENOMEM;
    }
    q->live = 1;
    return 0;
}

void nta_chunkq_fini(nta_chunkq *q)
{
    for (unsigned i = 0; i < q->n; i++) {
        free(q->chunks[i].buf);
        free(q->chunks[i].meta);
        q->chunks[i].buf = NULL;
        q->chunks[i].meta = NULL;
    }
    if (q->live) {
        pthread_cond_destroy(&q->freed);
        pthread_cond_destroy(&q->filled);
        pthread_mutex_destroy(&q->mu);
        q->live = 0;
    }
}

nta_chunk *nta_chunkq_filling(nta_chunkq *q)
{
    if (q->fill != NULL)
        return q->fill;
    pthread_mutex_lock(&q->mu);
    while (q->count == q->n && !q->stop) {
        q->producer_waits = 1;
        pthread_cond_wait(&q->freed, &q->mu);
    }
    nta_chunk *c = q->stop ? NULL : &q->chunks[(q->head + q->count) % q->n];
    pthread_mutex_unlock(&q->mu);
    if (c != NULL)
        c->used = 0;
    q->fill = c;
    return c;
}

void nta_chunkq_on_hand_over(nta_chunkq *q, void (*fn)(nta_chunk *, void *), void *ctx)
{
    q->before = fn;
    q->before_ctx = ctx;
}

void nta_chunkq_hand_over(nta_chunkq *q, int force)
{
    nta_chunk *c = q->fill;
    if (c == NULL || (c->used == 0 && !force))
        return;
    if (q->before != NULL)
        q->before(c, q->before_ctx);
    q->fill = NULL;
    pthread_mutex_lock(&q->mu);
    q->count++;
    pthread_cond_signal(&q->filled);
    pthread_mutex_unlock(&q->mu);
}

uint8_t *nta_chunkq_reserve(nta_chunkq *q, size_t size, int *oom)
{
    *oom = 0;
    if (q->fill != NULL && q->fill->used > 0 && q->fill->used + size > q->fill->cap)
        nta_chunkq_hand_over(q, 0);
    nta_chunk *c = nta_chunkq_filling(q);
    if (c == NULL)
        return NULL;
    if (size > c->cap) {
        uint8_t *b = realloc(c->buf, size);
        if (b == NULL) {
            *oom = 1;
            return NULL;
        }
        c->buf = b;
        c->cap = size;
    }
    uint8_t *p = c->buf + c->used;
    c->used += size;
    return p;
}

void nta_chunkq_unreserve(nta_chunkq *q, size_t size)
{
    if (q->fill != NULL)
        q->fill->used -= size <= q->fill->used ? size : q->fill->used;
}

nta_chunk *nta_chunkq_take(nta_chunkq *q, void (*wait)(void *), void *ctx)
{
    pthread_mutex_lock(&q->mu);
    if (q->count == 0 && !q->stop && wait != NULL) {
        pthread_mutex_unlock(&q->mu);
        wait(ctx);
        pthread_mutex_lock(&q->mu);
    }
    while (q->count == 0 && !q->stop)
        pthread_cond_wait(&q->filled, &q->mu);
    nta_chunk *c = q->count > 0 ? &q->chunks[q->head] : NULL;
    pthread_mutex_unlock(&q->mu);
    return c;
}

void nta_chunkq_give_back(nta_chunkq *q)
{
    pthread_mutex_lock(&q->mu);
    q->head = (q->head + 1) % q->n;
    q->count--;
    /* a waiting producer wakes once half the ring is free, not at every chunk: waking a thread
     * on the other CPU is dear (on a VM an interrupt through the hypervisor), and the producer
     * then fills several chunks in one go */
    if (q->producer_waits && q->n - q->count >= (q->n + 1) / 2) {
        q->producer_waits = 0;
        pthread_cond_signal(&q->freed);
    }
    pthread_mutex_unlock(&q->mu);
}

void nta_chunkq_stop(nta_chunkq *q)
{
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->freed);
    pthread_cond_broadcast(&q->filled);
    pthread_mutex_unlock(&q->mu);
}

int nta_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
