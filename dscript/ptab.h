/* dscript/ptab.h: the probes nta run knows, and matching probe descriptions against them.
 *
 * The table is what `dtrace -l` would list on a FreeBSD 14 host with the network providers
 * (shared/reference/d-language.md sections 3.3 and 3.9): dtrace:::BEGIN/END/ERROR (IDs 1-3),
 * every ip, tcp, udp and udplite probe of sys/netinet/in_kdtrace.c with module "kernel" and
 * function "none" (the SDT provider's spelling of an empty function) and nta's fixed IDs
 * (event/probes.h; the probes nta never fires, such as tcp:::debug-input and tcp:::siftr, get
 * IDs of their own), and profile:::tick-N / profile-N, created when a description names one,
 * as the profile provider does. Descriptions match with shell globs per field; fewer than four
 * fields name the last ones (or, for -P/-m/-f, the one the option names). */
#ifndef NTA_DSCRIPT_PTAB_H
#define NTA_DSCRIPT_PTAB_H

#include <stdint.h>

#include "dscript/arena.h"
#include "dscript/lex.h"
#include "event/probes.h"

typedef enum ds_pkind {
    PK_BEGIN, PK_END, PK_ERROR,  /**< the dtrace provider */
    PK_NET,                      /**< an ip/tcp/udp probe nta fires (np) */
    PK_SILENT,                   /**< a FreeBSD probe nta knows but never fires */
    PK_PROFILE,                  /**< profile:::tick-N, profile-N */
} ds_pkind;

typedef struct ds_probe {
    int id;
    ds_pkind kind;
    const char *prov, *mod, *func, *name;
    nta_probe np;                /**< PK_NET */
    uint64_t interval_ns;        /**< PK_PROFILE */
    /* filled by the compiler: the enablings on this probe, in order */
    struct ds_ecb **ecbs;
    int necbs, ecbcap;
} ds_probe;

typedef struct ds_ptab {
    ds_arena *arena;
    ds_probe **v;                /**< by ascending ID */
    int n, cap;
    int next_profile_id;
    ds_probe *net[NTA_PROBE__COUNT];   /**< nta's probes by nta_probe: one look-up per event */
} ds_ptab;

/* Which field a description of fewer than four fields names (dtrace -P/-m/-f/-n). */
typedef enum ds_pspec { DS_PSPEC_PROVIDER, DS_PSPEC_MODULE, DS_PSPEC_FUNC, DS_PSPEC_NAME } ds_pspec;

int ds_ptab_init(ds_ptab *pt, ds_arena *a);

/* Split a description into its four fields. 0, or -1 with the diagnostic (D_PDESC_INVAL,
 * "invalid probe description "%s": Overspecified probe description"). */
int ds_pdesc_split(const char *text, ds_pspec spec, ds_arena *a, const char *fields[4],
                   ds_diag *d, int line);

/* The probes matching the four fields, in ID order, into out (room for cap); returns how many
 * match (may exceed cap). A profile probe the fields name exactly is created first. */
int ds_ptab_match(ds_ptab *pt, const char *const fields[4], ds_probe **out, int cap);

/* The probe of an nta event, or NULL. */
ds_probe *ds_ptab_net(const ds_ptab *pt, nta_probe p);

/* Parse a tick/profile rate suffix ("1sec", "10ms", "97" = Hz): 0 and the interval in ns, or -1. */
int ds_profile_interval(const char *rate, uint64_t *ns);

#endif
