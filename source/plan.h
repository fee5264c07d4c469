/* source/plan.h: a plan fixes once what every shard of a run must agree on (issue 17; DESIGN.md,
 * "Beyond one machine").
 *
 * `nta plan` reads the inputs once, as one run would: it decides the traced hosts (given, or
 * inferred from the first packets exactly as `nta report` infers them: inferring per shard
 * would disagree), counts the packets (after the filter), follows the run's clock (the latest
 * capture time so far) to its end, finds where `--bytes --interval` blocks start (the clock at
 * the first packet that fires a tcp or udp send or receive probe), and records each input (size,
 * format, counts, first and last time, the error that stopped it) and the interfaces. Shards
 * take all of it from the plan, and `nta merge` prints the inputs' messages and counts from it,
 * as one run would have.
 *
 * It also counts each flow's packets and places the heaviest flows on shards of its choosing, so
 * that no shard holds two elephants while another holds mice (source/flow_tally.h).
 *
 * Written as JSON (schema_version 2, man/nta.1 "SHARDS"); plan_id is the SHA-1 of the document
 * without it, so a shard made from another plan, or from an edited one, is told apart. Parsing
 * checks every member (a plan is a file a user may give anything as). */
#ifndef NTA_SOURCE_PLAN_H
#define NTA_SOURCE_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "event/run_info.h"
#include "source/flow_tally.h"
#include "source/source.h"

#define NTA_PLAN_MAX_SHARDS 4096

typedef struct nta_plan_input {
    nta_input_info info;          /**< path, format, compression, records, bad records, warn, err */
    uint64_t size;                /**< bytes of the file when planned */
    uint64_t packets;             /**< its packets after the filter */
    uint64_t first_ns, last_ns;   /**< time of its first and last packet (0 without packets) */
} nta_plan_input;

typedef struct nta_plan_iface {
    char name[128];
    uint32_t linktype;
} nta_plan_iface;

typedef struct nta_plan {
    char id[41];                  /**< SHA-1 of the document without plan_id, hex */
    uint32_t shards;
    /* the analysis options every shard runs with */
    char *filter, *ifname;        /**< NULL when not given */
    uint64_t msl_ns, idle_ns;
    uint32_t max_flows;
    nta_locals traced;            /**< decided, with how (why) */
    int ninputs;
    nta_plan_input *inputs;
    int nifaces;
    nta_plan_iface *ifaces;
    uint64_t packets;             /**< in the whole input, after the filter */
    uint64_t filtered;            /**< rejected by the filter */
    uint64_t clock_end;           /**< the run's clock after the last packet */
    int has_origin;               /**< a packet fires tcp/udp send or receive probes */
    uint64_t origin_ns;           /**< --bytes --interval: the clock at the first such packet */
    nta_placed *placed;           /**< the heaviest flows, each on the shard the plan chose
                                       (source/flow_tally.h), sorted by digest */
    uint32_t nplaced;
    uint64_t *shard_packets;      /**< the packets each shard holds (shards entries) */
    char *text;                   /**< the document as written (shards carry it) */
} nta_plan;

/* Reads every input (opened with o: filter, ifname, msl, idle timeout, max flows, --local) and
 * makes the plan for `shards` shards. Inputs must be files that can be read again (not
 * standard input or a FIFO) and captures, not dtrace text: NTA_EUSAGE says which is not. An
 * input that cannot be read is recorded in the plan, as a run records it. Returns 0 or a
 * negative NTA_E* with err set. The caller frees *out. */
int nta_plan_make(nta_plan **out, const char *const *inputs, int ninputs, const nta_source_opts *o,
                  uint32_t shards, nta_err *err);

/* The plan from the JSON text of len bytes (a file, or what a shard file carries): 0, or
 * NTA_ECORRUPT naming what is wrong (not JSON, a member missing or of the wrong type, plan_id
 * not matching the content), NTA_ENOMEM. */
int nta_plan_parse(nta_plan **out, const char *text, size_t len, nta_err *err);
/* The same from a file; NTA_EIO when it cannot be read. */
int nta_plan_load(nta_plan **out, const char *path, nta_err *err);
void nta_plan_free(nta_plan *p);

/* Source options for a shard of p: the plan's analysis options, its traced hosts as decided,
 * and *spec (caller's storage, which must outlive the source) for shard `index`; `buckets` when
 * the input is an nta split bucket. Observers in o are kept. */
void nta_plan_shard_opts(const nta_plan *p, uint32_t index, int buckets, nta_shard_spec *spec,
                         nta_source_opts *o);

/* Checks that a shard's inputs are the plan's: the same paths, each file still of the planned
 * size. 0, or NTA_EUSAGE with err saying which differs. */
int nta_plan_check_inputs(const nta_plan *p, char *const *paths, int npaths, nta_err *err);

/* What a run over the plan's inputs says about them, for a merge: ninputs entries in *out,
 * pointing into p (valid while p lives). */
const nta_input_info *nta_plan_input_info(const nta_plan *p, int i);

#endif
