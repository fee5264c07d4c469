/* dscript/opts.h: DTrace's options (-x, #pragma D option, setopt()) and their values.
 *
 * Every option name of libdtrace's dt_options.c is known and its value validated the same way
 * (booleans by yes/no/enable/disable/true/false/on/off/set/unset or a number, sizes with
 * k/m/g/t, rates with ns..day or hz), because setopt() and -x report bad names and values.
 * Offline only a few change anything (quiet, strsize, the aggsort family, rawbytes, and the
 * compile flags defaultargs, zdefs, errtags, argref); the others are accepted and kept. Values
 * are DTrace's: DS_OPT_UNSET (-2) means unset, so quiet=0 still sets quiet, as in DTrace. */
#ifndef NTA_DSCRIPT_OPTS_H
#define NTA_DSCRIPT_OPTS_H

#include <stdint.h>

#define DS_OPT_UNSET ((int64_t)-2)

enum {
    DSO_QUIET, DSO_STRSIZE, DSO_AGGSORTKEY, DSO_AGGSORTKEYPOS, DSO_AGGSORTPOS, DSO_AGGSORTREV,
    DSO_RAWBYTES, DSO_DEFAULTARGS, DSO_ZDEFS, DSO_ERRTAGS, DSO_ARGREF, DSO_FLOWINDENT,
    DSO__FIRST_OTHER
};

/* Room for every option's value. */
#define DS_NOPTS 96

/* Defaults (strsize 256, the rest unset). */
void ds_opts_init(int64_t *v);
/* Set name to value (NULL: no value given). active: tracing has started (setopt()), when only
 * the dynamic run-time options may change. 0, or -1 with *why one of DTrace's messages
 * ("Invalid option name", "Invalid value for specified option", "Operation illegal when
 * tracing is active"). */
int ds_opt_set(int64_t *v, const char *name, const char *value, int active, const char **why);
static inline int ds_opt_on(const int64_t *v, int o) { return v[o] != DS_OPT_UNSET; }

#endif
