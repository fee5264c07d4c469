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
};

/* run.c: fire the enablings of probe (ev NULL for dtrace/profile probes) at time ts. */
void ds_fire(nta_dscript *d, ds_probe *p, const nta_event *ev, uint64_t ts);
/* aggs.c: runtime state of the aggregations; exit-time printing. */
int ds_aggs_start(nta_dscript *d);
void ds_aggs_free(nta_dscript *d);
void ds_aggs_print_exit(nta_dscript *d);

#endif
