/* reports/log_writer.h: the thread that formats and writes the per-event logs.
 *
 * --packets writes a line per TCP segment: on a large capture, formatting and writing those
 * lines cost as much as the whole analysis. With a writer, a log's on_event only copies the
 * few fields its line shows into a record (reports/report_log.c); a second thread formats the
 * records in order and writes them to the log's FILE, while the analysis goes on. One writer
 * serves every log of a run, so each FILE still gets its lines in event order.
 *
 * Lifecycle: nta_logw_new() before the run (reports get it in nta_report_opts.writer),
 * nta_logw_finish() after the last event and before anything else is written to the logs'
 * FILEs (their tails), nta_logw_free(). */
#ifndef NTA_REPORTS_LOG_WRITER_H
#define NTA_REPORTS_LOG_WRITER_H

#include <stddef.h>

typedef struct nta_logw nta_logw;
struct nta_report;

/* Formats one record for report r; 0, or -1 when writing failed. Runs on the writer thread. */
typedef int (*nta_logw_fmt)(struct nta_report *r, const void *rec);

/* NULL when out of memory or no thread can start (callers then format inline). */
nta_logw *nta_logw_new(void);

/* Room for a size-byte record that fmt will format for r, to fill at once. NULL when the
 * writer has stopped because a write failed (the run should stop: nta_logw_finish says why)
 * or memory ran out. */
void *nta_logw_push(nta_logw *w, struct nta_report *r, nta_logw_fmt fmt, size_t size);

/* Cuts r's stream (opts.stream: a regular file opened at its start without emptying it) to
 * what was written through it so far, on the writer thread and before any of r's lines: a
 * large old log takes tens of ms to free. 0, or -1 when the writer has stopped. */
int nta_logw_truncate(nta_logw *w, struct nta_report *r);

/* Cuts r's stream (opts.stream: a regular file opened at its start without emptying it) to
 * what was written through it so far, on the writer thread and before any of r's lines: a
 * large old log takes tens of ms to free. 0, or -1 when the writer has stopped. */
int nta_logw_truncate(nta_logw *w, struct nta_report *r);

/* Pass the records pushed so far on now (e.g. before waiting for live input), so lines are
 * not held back; the writer flushes its FILEs when it has nothing else to do. */
void nta_logw_hand_over(nta_logw *w);

/* Formats everything pushed, ends the thread. 0, or -1 when a write failed. Once only. */
int nta_logw_finish(nta_logw *w);

/* Finishes first if that was not done. NULL does nothing. */
void nta_logw_free(nta_logw *w);

#endif
