/* dscript/opts.c: the option table (see opts.h), after libdtrace's dt_options.c. */
#include "dscript/opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum okind {
    OK_CFLAG,      /**< compile flag: no value allowed */
    OK_RUNTIME,    /**< boolean words or a number */
    OK_SIZE,       /**< number with k/m/g/t */
    OK_RATE,       /**< number with a time unit or hz */
    OK_VALUE,      /**< any text, but a value is required */
    OK_ANY,        /**< any text or none */
    OK_BUFPOLICY,  /**< fill, switch, ring */
    OK_BUFRESIZE,  /**< auto, manual */
} okind;

typedef enum oclass { OC_CT, OC_RT, OC_DRT } oclass;

static const struct {
    const char *name;
    okind kind;
    oclass cls;
} table[] = {
    /* the ones nta uses, at their DSO_* index */
    [DSO_QUIET] = { "quiet", OK_RUNTIME, OC_DRT },
    [DSO_STRSIZE] = { "strsize", OK_SIZE, OC_RT },
    [DSO_AGGSORTKEY] = { "aggsortkey", OK_RUNTIME, OC_DRT },
    [DSO_AGGSORTKEYPOS] = { "aggsortkeypos", OK_RUNTIME, OC_DRT },
    [DSO_AGGSORTPOS] = { "aggsortpos", OK_RUNTIME, OC_DRT },
    [DSO_AGGSORTREV] = { "aggsortrev", OK_RUNTIME, OC_DRT },
    [DSO_RAWBYTES] = { "rawbytes", OK_RUNTIME, OC_DRT },
    [DSO_DEFAULTARGS] = { "defaultargs", OK_CFLAG, OC_CT },
    [DSO_ZDEFS] = { "zdefs", OK_CFLAG, OC_CT },
    [DSO_ERRTAGS] = { "errtags", OK_CFLAG, OC_CT },
    [DSO_ARGREF] = { "argref", OK_CFLAG, OC_CT },
    [DSO_FLOWINDENT] = { "flowindent", OK_RUNTIME, OC_DRT },
    /* compile-time options */
    { "aggpercpu", OK_CFLAG, OC_CT }, { "amin", OK_VALUE, OC_CT }, { "core", OK_VALUE, OC_CT },
    { "cpp", OK_CFLAG, OC_CT }, { "cpphdrs", OK_CFLAG, OC_CT }, { "cpppath", OK_VALUE, OC_CT },
    { "ctypes", OK_VALUE, OC_CT }, { "dtypes", OK_VALUE, OC_CT }, { "debug", OK_CFLAG, OC_CT },
    { "define", OK_VALUE, OC_CT }, { "droptags", OK_CFLAG, OC_CT }, { "empty", OK_CFLAG, OC_CT },
    { "encoding", OK_VALUE, OC_CT }, { "evaltime", OK_VALUE, OC_CT },
    { "incdir", OK_VALUE, OC_CT }, { "iregs", OK_VALUE, OC_CT }, { "kdefs", OK_CFLAG, OC_CT },
    { "knodefs", OK_CFLAG, OC_CT }, { "late", OK_VALUE, OC_CT }, { "lazyload", OK_ANY, OC_CT },
    { "ldpath", OK_VALUE, OC_CT }, { "libdir", OK_VALUE, OC_CT },
    { "linkmode", OK_VALUE, OC_CT }, { "linktype", OK_VALUE, OC_CT },
    { "nolibs", OK_CFLAG, OC_CT }, { "pgmax", OK_VALUE, OC_CT }, { "pspec", OK_CFLAG, OC_CT },
    { "setenv", OK_VALUE, OC_CT }, { "stdc", OK_VALUE, OC_CT }, { "strip", OK_CFLAG, OC_CT },
    { "syslibdir", OK_VALUE, OC_CT }, { "tree", OK_VALUE, OC_CT }, { "tregs", OK_VALUE, OC_CT },
    { "udefs", OK_CFLAG, OC_CT }, { "undef", OK_VALUE, OC_CT }, { "unodefs", OK_CFLAG, OC_CT },
    { "unsetenv", OK_VALUE, OC_CT }, { "verbose", OK_CFLAG, OC_CT },
    { "version", OK_VALUE, OC_CT },
    /* run-time options (fixed once tracing runs) */
    { "aggsize", OK_SIZE, OC_RT }, { "bufsize", OK_SIZE, OC_RT },
    { "bufpolicy", OK_BUFPOLICY, OC_RT }, { "bufresize", OK_BUFRESIZE, OC_RT },
    { "cleanrate", OK_RATE, OC_RT }, { "cpu", OK_RUNTIME, OC_RT },
    { "destructive", OK_RUNTIME, OC_RT }, { "dynvarsize", OK_SIZE, OC_RT },
    { "grabanon", OK_RUNTIME, OC_RT }, { "jstackframes", OK_RUNTIME, OC_RT },
    { "jstackstrsize", OK_SIZE, OC_RT }, { "nspec", OK_RUNTIME, OC_RT },
    { "specsize", OK_SIZE, OC_RT }, { "stackframes", OK_RUNTIME, OC_RT },
    { "statusrate", OK_RATE, OC_RT }, { "ustackframes", OK_RUNTIME, OC_RT },
    { "temporal", OK_RUNTIME, OC_RT },
    /* dynamic run-time options */
    { "agghist", OK_RUNTIME, OC_DRT }, { "aggpack", OK_RUNTIME, OC_DRT },
    { "aggrate", OK_RATE, OC_DRT }, { "aggzoom", OK_RUNTIME, OC_DRT },
    { "stackindent", OK_RUNTIME, OC_DRT }, { "switchrate", OK_RATE, OC_DRT },
};

enum { NTABLE = sizeof table / sizeof table[0] };
_Static_assert(NTABLE <= DS_NOPTS, "DS_NOPTS too small");

void ds_opts_init(int64_t *v)
{
    for (int i = 0; i < DS_NOPTS; i++)
        v[i] = DS_OPT_UNSET;
    v[DSO_STRSIZE] = 256;
}

static int parse_runtime(const char *arg, int64_t *out)
{
    static const char *const couples[][2] = {
        { "yes", "no" }, { "enable", "disable" }, { "enabled", "disabled" },
        { "true", "false" }, { "on", "off" }, { "set", "unset" },
    };
    if (arg == NULL) {
        *out = 1;
        return 0;
    }
    if (arg[0] == '\0') {
        *out = DS_OPT_UNSET;
        return 0;
    }
    for (size_t i = 0; i < sizeof couples / sizeof couples[0]; i++) {
        if (strcasecmp(couples[i][0], arg) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(couples[i][1], arg) == 0) {
            *out = DS_OPT_UNSET;
            return 0;
        }
    }
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 0);
    if (*end != '\0' || errno != 0 || v < 0)
        return -1;
    *out = v;
    return 0;
}

static int parse_size(const char *arg, int64_t *out)
{
    if (arg == NULL || !(arg[0] >= '0' && arg[0] <= '9'))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 0);
    if (errno != 0)
        return -1;
    unsigned long long mul = 1;
    switch (*end) {
    case 't': case 'T': mul *= 1024; /* FALLTHROUGH */
    case 'g': case 'G': mul *= 1024; /* FALLTHROUGH */
    case 'm': case 'M': mul *= 1024; /* FALLTHROUGH */
    case 'k': case 'K': mul *= 1024; end++; break;
    default: break;
    }
    if (*end != '\0' || v > (unsigned long long)INT64_MAX / mul)
        return -1;
    *out = (int64_t)(v * mul);
    return 0;
}

static int parse_rate(const char *arg, int64_t *out)
{
    static const struct {
        const char *s;
        uint64_t mul;
    } units[] = {
        { "ns", 1 }, { "nsec", 1 }, { "us", 1000 }, { "usec", 1000 }, { "ms", 1000000 },
        { "msec", 1000000 }, { "s", 1000000000 }, { "sec", 1000000000 },
        { "m", 60000000000ull }, { "min", 60000000000ull }, { "h", 3600000000000ull },
        { "hour", 3600000000000ull }, { "d", 86400000000000ull }, { "day", 86400000000000ull },
        { "hz", 0 }, { "", 1 },
    };
    if (arg == NULL || !(arg[0] >= '0' && arg[0] <= '9'))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 0);
    if (errno != 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(units[i].s, end) != 0)
            continue;
        if (units[i].mul == 0) {
            if (v == 0)
                return -1;
            *out = (int64_t)(1000000000ull / v);
        } else {
            if (v > (unsigned long long)INT64_MAX / units[i].mul)
                return -1;
            *out = (int64_t)(v * units[i].mul);
        }
        return 0;
    }
    return -1;
}

int ds_opt_set(int64_t *v, const char *name, const char *value, int active, const char **why)
{
    int i;
    for (i = 0; i < NTABLE; i++)
        if (table[i].name != NULL && strcmp(table[i].name, name) == 0)
            break;
    if (i == NTABLE) {
        *why = "Invalid option name";
        return -1;
    }
    if (active && table[i].cls == OC_RT) {
        *why = "Operation illegal when tracing is active";
        return -1;
    }
    int64_t val = 1;
    int rc = 0;
    switch (table[i].kind) {
    case OK_CFLAG: rc = value == NULL ? 0 : -1; break;
    case OK_RUNTIME: rc = parse_runtime(value, &val); break;
    case OK_SIZE: rc = parse_size(value, &val); break;
    case OK_RATE: rc = parse_rate(value, &val); break;
    case OK_VALUE: rc = value == NULL ? -1 : 0; break;
    case OK_ANY: break;
    case OK_BUFPOLICY:
        rc = value != NULL && (strcmp(value, "fill") == 0 || strcmp(value, "switch") == 0 ||
                               strcmp(value, "ring") == 0) ? 0 : -1;
        break;
    case OK_BUFRESIZE:
        rc = value != NULL && (strcmp(value, "auto") == 0 || strcmp(value, "manual") == 0) ? 0 : -1;
        break;
    }
    if (rc == 0 && i == DSO_STRSIZE && (val < 1 || val > 65536))
        rc = -1;   /* nta's own bound: strings live in per-variable buffers */
    if (rc < 0) {
        *why = "Invalid value for specified option";
        return -1;
    }
    v[i] = val;
    return 0;
}
