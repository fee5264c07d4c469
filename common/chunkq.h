/* common/chunkq.h: a fixed ring of byte chunks passed from one producer thread to one consumer.
 *
 * For work split across two threads with records of any size (packets read ahead, log lines
 * formatted behind): the producer appends records to a chunk and hands it over whole; the
 * consumer reads its records and gives the chunk back. The lock is taken twice per chunk, never
 * per record, and chunks are reused, so the hot path neither locks nor allocates per record.
 * Order is kept: chunks come out in the order they were handed over. */
#ifndef NTA_COMMON_CHUNKQ_H
#define NTA_COMMON_CHUNKQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define NTA_CHUNKQ_MAX 16

typedef struct nta_chunk {
    uint8_t *buf;
    size_t cap, used;
    void *meta;          /**< meta_size bytes of the user's, per chunk */
} nta_chunk;

typedef struct nta_chunkq {
    pthread_mutex_t mu;
    pthread_cond_t filled, freed;
    nta_chunk chunks[NTA_CHUNKQ_MAX];
    unsigned n;
    unsigned head, count;   /* oldest handed-over chunk; handed over and not given back */
    int stop;
    int producer_waits;     /* the producer sleeps until chunks are given back */
    int live;               /* the lock and conditions exist */
    /* producer's side */
    nta_chunk *fill;
    void (*before)(nta_chunk *, void *);
    void *before_ctx;
} nta_chunkq;

/* nchunks (<= NTA_CHUNKQ_MAX) chunks of chunk_bytes, each with meta_size bytes of metadata.
 * 0, or NTA_ENOMEM (q then needs no fini). */
int nta_chunkq_init(nta_chunkq *q, unsigned nchunks, size_t chunk_bytes, size_t meta_size);
void nta_chunkq_fini(nta_chunkq *q);

/* Producer: room for size bytes at the end of the chunk being filled. When it does not fit,
 * the chunk is handed over first, and the next one taken (waiting while all are full); a record
 * larger than a chunk grows one. NULL after nta_chunkq_stop() (*oom 0) or when memory for a
 * grown chunk ran out (*oom 1). */
uint8_t *nta_chunkq_reserve(nta_chunkq *q, size_t size, int *oom);

/* Producer: the last `size` bytes reserved went unused (e.g. room read into, partly filled). */
void nta_chunkq_unreserve(nta_chunkq *q, size_t size);

/* Producer: the chunk being filled (taken if none; NULL after stop), e.g. to set its meta. */
nta_chunk *nta_chunkq_filling(nta_chunkq *q);

/* Producer: fn runs on every chunk just before it is handed over (to fill in its meta). */
void nta_chunkq_on_hand_over(nta_chunkq *q, void (*fn)(nta_chunk *, void *), void *ctx);

/* Producer: hand the chunk being filled over now (nothing happens when it is empty, unless
 * force: an empty chunk can still carry meta, e.g. how the input ended). */
void nta_chunkq_hand_over(nta_chunkq *q, int force);

/* Consumer: the next chunk handed over, waiting for it. wait, when not NULL, runs once before
 * waiting (e.g. to flush output while the producer is slow). NULL when the queue was stopped
 * and nothing is left. */
nta_chunk *nta_chunkq_take(nta_chunkq *q, void (*wait)(void *), void *ctx);

/* Consumer: give the chunk from nta_chunkq_take() back. */
void nta_chunkq_give_back(nta_chunkq *q);

/* Either side: no more chunks will be taken or filled; waiters wake up. */
void nta_chunkq_stop(nta_chunkq *q);

/* Starts fn(arg) in a thread with every signal blocked, so signals stay with the caller's
 * thread (its handlers, SIGPIPE of its writes). 0, or pthread_create's error. */
int nta_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
