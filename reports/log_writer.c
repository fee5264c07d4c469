/* reports/log_writer.c: the writer thread of the per-event logs (log_writer.h).
 *
 * Records travel in a chunk ring (common/chunkq.h): a header naming the report and its
 * formatter, then the report's own bytes. The writer formats each in order; when a write fails
 * it stops the ring, so the next push fails and the run ends with an error instead of
 * analysing on into a full disk. */
#define _GNU_SOURCE
#include "reports/log_writer.h"

#include <pthread.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/chunkq.h"
#include "reports/report.h"

#define NCHUNKS 8
#define CHUNK_BYTES (256u * 1024u)
#define MAX_FILES 8   /* logs of one run: --states and --packets today */

typedef struct rec {
    nta_report *r;
    nta_logw_fmt fmt;
    uint32_t size;   /* the whole record, a multiple of 8 */
    uint32_t pad;
} rec;

struct nta_logw {
    nta_chunkq q;
    pthread_t thread;
    int finished;
    atomic_int failed;             /* 0, or the errno of the write that failed */
    nta_report *reps[MAX_FILES];   /* writer thread: reports written, flushed when it waits */
    int nreps;
};

static void flush_files(void *ctx)
{
    nta_logw *w = ctx;
    for (int i = 0; i < w->nreps; i++) {
        nta_report *r = w->reps[i];
        if ((r->drain != NULL && r->drain(r) < 0) || fflush(r->opts.stream) != 0)
            atomic_store(&w->failed, errno ? errno : EIO);
    }
}

static void note_report(nta_logw *w, nta_report *r)
{
    for (int i = 0; i < w->nreps; i++)
        if (w->reps[i] == r)
            return;
    if (w->nreps < MAX_FILES)
        w->reps[w->nreps++] = r;
}

static void *run(void *arg)
{
    nta_logw *w = arg;
    nta_chunk *c;
    while ((c = nta_chunkq_take(&w->q, flush_files, w)) != NULL) {
        for (size_t pos = 0; pos < c->used && !atomic_load(&w->failed);) {
            rec h;
            memcpy(&h, c->buf + pos, sizeof h);
            note_report(w, h.r);
            if (h.fmt(h.r, c->buf + pos + sizeof h) < 0) {
                atomic_store(&w->failed, errno ? errno : EIO);
                nta_chunkq_stop(&w->q);   /* the producer's next push fails */
            }
            pos += h.size;
        }
        nta_chunkq_give_back(&w->q);
    }
    return NULL;
}

nta_logw *nta_logw_new(void)
{
    nta_logw *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    atomic_init(&w->failed, 0);
    if (nta_chunkq_init(&w->q, NCHUNKS, CHUNK_BYTES, 0) < 0) {
        free(w);
        return NULL;
    }
    int rc = nta_thread_start(&w->thread, run, w);
    if (rc != 0) {
        nta_chunkq_fini(&w->q);
        free(w);
        return NULL;
    }
    return w;
}

void *nta_logw_push(nta_logw *w, nta_report *r, nta_logw_fmt fmt, size_t size)
{
    if (atomic_load_explicit(&w->failed, memory_order_relaxed))
        return NULL;
    size_t total = sizeof(rec) + ((size + 7) & ~(size_t)7);
    int oom;
    uint8_t *d = nta_chunkq_reserve(&w->q, total, &oom);
    if (d == NULL)
        return NULL;
    rec h = { r, fmt, (uint32_t)total, 0 };
    memcpy(d, &h, sizeof h);
    return d + sizeof h;
}

/* The stream was opened at offset 0 of the old file: whatever was written through it so far
 * (e.g. a JSON head, by the analysing thread) is new and stays; the old bytes after it go. The
 * lock keeps the other thread's writes out between the flush and the cut. */
static int truncate_stream(nta_report *r, const void *unused)
{
    (void)unused;
    FILE *f = r->opts.stream;
    flockfile(f);
    off_t pos = fflush(f) == 0 ? ftello(f) : -1;
    int rc = pos >= 0 && ftruncate(fileno(f), pos) == 0 ? 0 : -1;
    funlockfile(f);
    return rc;
}

int nta_logw_truncate(nta_logw *w, nta_report *r)
{
    if (nta_logw_push(w, r, truncate_stream, 0) == NULL)
        return -1;
    nta_chunkq_hand_over(&w->q, 0);   /* now: the writer has nothing else to do yet */
    return 0;
}

void nta_logw_hand_over(nta_logw *w)
{
    nta_chunkq_hand_over(&w->q, 0);
}

int nta_logw_finish(nta_logw *w)
{
    if (!w->finished) {
        nta_chunkq_hand_over(&w->q, 0);
        nta_chunkq_stop(&w->q);   /* the writer drains what was handed over, then ends */
        pthread_join(w->thread, NULL);
        w->finished = 1;
    }
    int e = atomic_load(&w->failed);
    if (e)
        errno = e;   /* the writer thread's reason, for the message */
    return e ? -1 : 0;
}

void nta_logw_free(nta_logw *w)
{
    if (w == NULL)
        return;
    nta_logw_finish(w);
    nta_chunkq_fini(&w->q);
    free(w);
}
