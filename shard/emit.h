/* shard/emit.h: a shard run's sink: the events' positions and what the inner sink saves go into
 * a shard file (shard/shard_file.h), and nothing is printed (issue 17).
 *
 * The inner sink is a report set made with this emitter's saver (reports/report_set.h:
 * nta_report_set_opts.saver), or the event recorder below (nta events and, later, nta run).
 * Each event's position (event/probes.h) is set before the inner sink sees it, so the records
 * it saves are grouped where one run would have emitted them. */
#ifndef NTA_SHARD_EMIT_H
#define NTA_SHARD_EMIT_H

#include <stdio.h>

#include "common/err.h"
#include "event/probes.h"
#include "event/run_info.h"
#include "reports/report.h"
#include "source/plan.h"

typedef struct nta_shard_emit nta_shard_emit;

/* The channel of events in an events shard. */
#define NTA_SHARD_CHAN_EVENTS 0

/* Starts the shard file f (seekable; the caller closes it after nta_shard_emit_close) for shard
 * `index` of plan, of kind NTA_SHARD_REPORT or NTA_SHARD_EVENTS, with the command's options
 * (opts: bytes every shard of a merge must share). 0 or a negative NTA_E* with err set. */
int nta_shard_emit_new(nta_shard_emit **out, FILE *f, const nta_plan *plan, uint32_t index,
                       uint32_t kind, const void *opts, size_t optslen, nta_err *err);
/* Where reports save (valid while e lives). */
const nta_report_saver *nta_shard_emit_saver(nta_shard_emit *e);
/* The sink to run: inner (a report set with the saver), with positions recorded. With inner
 * NULL, the event recorder: every event of the probes (bit per nta_probe, 0 all) is saved whole
 * on channel NTA_SHARD_CHAN_EVENTS. The run's info (counts, skipped packets) is written when
 * the sink finishes. */
const nta_sink *nta_shard_emit_sink(nta_shard_emit *e, const nta_sink *inner, uint32_t probes);
/* Ends the file after the run (0 or the writer's first error, err set) and frees e. A run that
 * failed calls it with failed set: the file is left without its DONE section, so that a merge
 * refuses it. */
int nta_shard_emit_close(nta_shard_emit *e, int failed, nta_err *err);

#endif
