/* source/split.h: `nta split`: the plan's inputs cut into one pcapng bucket per shard (issue 17).
 *
 * One read of the inputs (with the plan's filter and interface names) puts each packet into the
 * bucket of its shard (source/community_id.h), as an EPB carrying the packet's index in the whole
 * input (epb_packetid) and, for a packet out of time order, the input's clock (a custom option:
 * formats/capture_write.h). Every bucket declares the trace's interfaces in the trace's order
 * (each as soon as a packet needs it or a later one), so a shard reading its bucket numbers
 * interfaces, and names them, as a run over all the inputs does. */
#ifndef NTA_SOURCE_SPLIT_H
#define NTA_SOURCE_SPLIT_H

#include <stdio.h>

#include "common/err.h"
#include "source/plan.h"

/* Writes plan->shards buckets into out[0..shards) (pcapng; the caller opened and closes them).
 * 0, or a negative NTA_E* with err set: the inputs unreadable as planned (NTA_EUSAGE when they
 * no longer hold the plan's packets), a write failed (NTA_EIO). o: observers (progress, stop)
 * only; the analysis options are the plan's. */
int nta_split_run(const nta_plan *plan, FILE **out, const nta_source_opts *o, nta_err *err);

#endif
