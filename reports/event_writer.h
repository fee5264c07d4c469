/* reports/event_writer.h: sinks that write probe events as JSON Lines, CSV or DTrace-style text.
 *
 * Schemas (man/nta.1, "EVENTS"): JSONL mirrors args[N]->field with DTrace's names and
 * schema_version 1 (DESIGN.md, "Machine formats"); CSV has one header row, columns ts_ns, probe,
 * host, then argN.field for every field any probe can have; text is what dtrace prints for a
 * firing without quiet (CPU, ID, FUNCTION:NAME) followed by the main fields; none writes
 * nothing (for measuring the analyzer alone).
 * Events are formatted into a buffer the writer owns, handed to stdio in large blocks: no
 * allocation per event. */
#ifndef NTA_REPORTS_EVENT_WRITER_H
#define NTA_REPORTS_EVENT_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "event/probes.h"
#include "common/err.h"

typedef enum nta_evfmt {
    NTA_EVFMT_JSONL, NTA_EVFMT_CSV, NTA_EVFMT_TEXT, NTA_EVFMT_NONE,
    NTA_EVFMT_DTRACE,   /**< the lines dtrace/nta-events.d prints, which nta reads back */
} nta_evfmt;

/* Make a sink writing to fp (not closed by the writer). Returns 0 or NTA_ENOMEM. */
int nta_event_writer_new(nta_sink *out, FILE *fp, nta_evfmt fmt);
void nta_event_writer_free(nta_sink *s);

/* The NTA_F_* fields the input shows (default all): the others are written as null (JSONL) or
 * empty (CSV), and ts_ns likewise when the input has no timestamps. */
void nta_event_writer_set_known(nta_sink *s, uint32_t known);

/* 0, or the errno of the write that failed (for the message naming the output). */
int nta_event_writer_errno(const nta_sink *s);

/* Hand what is held to the file now (before the input may block, so that a reader of the
 * output sees the events so far). 0 or NTA_EIO. */
int nta_event_writer_flush(const nta_sink *s);

#endif
