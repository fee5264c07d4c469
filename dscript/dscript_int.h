/* dscript/dscript_int.h: the nta_dscript object, shared by compile.c, run.c and aggs.c. */
#ifndef NTA_DSCRIPT_DSCRIPT_INT_H
#define NTA_DSCRIPT_DSCRIPT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/chunkq.h"
#include "dscript/dscript.h"
#include "dscript/lex.h"
#include "dscript/prog.h"

typedef struct ds_tick {
    ds_probe *probe;
    uint64_t next;                   /**< next firing time */
    uint64_t skipped, gaps;          /**< firings left out in idle gaps, and how many gaps */
} ds_tick;

struct nta_dscript {
    ds_prog pg;
    /* listing: the probes each source matched */
    ds_probe ***srcprobes;
    int *nsrcprobes;
    /* run */
    nta_dscript_run run;
    ds_buf out;                      /**< records not yet handed to the consumer (output.h) */
    atomic_int write_failed;         /**< the consumer's write failed */
    atomic_int write_errno;          /**< and why */
    int interrupted;                 /**< the run was stopped (^C): dtrace's extra "\n" */
    int noinput;                     /**< no input: walltimestamp = start time + the virtual clock */
    nta_chunkq q;                    /**< records to the consumer thread */
    pthread_t thread;
    int threaded;
    pthread_mutex_t flush_mu;        /**< a forced flush waits for the consumer */
    pthread_cond_t flush_cv;
    uint64_t flushed;
    int header_done;
    int begun, finished;
    uint64_t t0, last_ts;
    ds_tick *ticks;
    int nticks;
    uint64_t tick_firings;
    int in_error;                    /**< the ERROR probe is firing (no nested ERROR) */
    ds_probe *begin_p, *end_p, *error_p;
    uint64_t tick_gap;
    /* sharding (issue 17): the check while compiling (shardable.c) */
    char shard_why[512];             /**< the first reason it cannot shard; "" when it can */
#define DS_SHARD_NAMES 64
    const char *ck_begin_set[DS_SHARD_NAMES], *ck_net_read[DS_SHARD_NAMES];
    int ck_nbegin, ck_nnet, ck_over, ck_begin_ts;
    const char *ck_cid[DS_SHARD_NAMES];   /**< arrays keyed by a connection id, and where */
    int ck_cidpos[DS_SHARD_NAMES], ck_ncid;
    /* and running as a shard (shard.c) */
    int shard;                       /**< BEGIN's header not printed; output taken per event */
    ds_buf shard_text;               /**< one event's formatted output */
};

/* run.c: BEGIN at time ts (the clock starts there). */
void ds_begin(nta_dscript *d, uint64_t ts);
/* run.c: fire the enablings of probe (ev NULL for dtrace/profile probes) at time ts. */
void ds_fire(nta_dscript *d, ds_probe *p, const nta_event *ev, uint64_t ts);
/* aggs.c: runtime state of the aggregations; exit-time printing. */
int ds_aggs_start(nta_dscript *d);
void ds_aggs_free(nta_dscript *d);
void ds_aggs_print_exit(nta_dscript *d);
/* aggs.c: the table of aggregation id (NULL: none, or never assigned). */
struct nta_agg *ds_aggs_table(nta_dscript *d, uint64_t id);
/* shardable.c: the sharding check of a compiled clause on the nm probes m, and at the end. */
void ds_shard_check_clause(nta_dscript *d, const item *it, ds_probe *const *m, int nm,
                           const char *full, int srcidx);
void ds_shard_check_end(nta_dscript *d);

#endif
