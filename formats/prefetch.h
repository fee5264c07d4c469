/* formats/prefetch.h: reading a capture in a thread of its own, ahead of the analysis.
 *
 * Reading (system calls, libpcap's copies, decompression) was a third of a run's time, spent
 * while the analysis waited. A prefetcher runs an opened reader in a second thread, which
 * copies packets into a few fixed chunks; the caller's thread takes them through an ordinary
 * nta_reader, so nothing downstream changes. No allocation per packet: chunks are reused.
 *
 * Interfaces: a reader announces interfaces from inside next(), which now runs in the reading
 * thread, while the interface table belongs to the caller's thread. So the reader is opened
 * with the prefetcher's sink, which, once the thread runs, queues announcements with the
 * packets; the caller's side forwards them to the real sink when it reaches them. Before the
 * thread starts (or when it cannot) they are forwarded at once.
 *
 * Use: nta_prefetch_new(), open the reader with nta_prefetch_sink(), then nta_prefetch_start()
 * replaces the reader by one that reads from the thread; closing that reader ends the thread and
 * closes the original. */
#ifndef NTA_FORMATS_PREFETCH_H
#define NTA_FORMATS_PREFETCH_H

#include "formats/capture.h"

typedef struct nta_prefetch nta_prefetch;

/* downstream receives the interfaces, always on the caller's thread. NULL when out of memory. */
nta_prefetch *nta_prefetch_new(nta_iface_sink downstream);

/* The sink to open the reader with. */
nta_iface_sink nta_prefetch_sink(nta_prefetch *pf);

/* For a prefetcher that was never started (the reader failed to open, or the thread could not
 * start: then only after the reader is closed, as its sink stays in use). NULL does nothing. */
void nta_prefetch_free(nta_prefetch *pf);

/* Starts the thread on *rd (opened with this prefetcher's sink) and replaces *rd by the
 * prefetching reader, which owns pf, the original reader and s from now on (closing it frees
 * them). s is the stream the reader reads, or NULL: on a stream that can wait (a pipe), what
 * was read is handed over before each wait, so live packets are not held back. Returns 0, or
 * NTA_ENOMEM / NTA_EIO when the thread cannot start: *rd and s are then left as they were,
 * still usable without a thread. */
int nta_prefetch_start(nta_prefetch *pf, nta_reader *rd, nta_stream *s, nta_err *err);

/* fn runs on the caller's thread before it waits for packets not yet read (e.g. to flush
 * output, as nta_stream_set_wait_hook does without a prefetcher). pf must be started. */
void nta_prefetch_set_wait_hook(nta_prefetch *pf, void (*fn)(void *), void *ctx);

#endif
