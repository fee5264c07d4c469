/* dscript/ptab.c: the probe table and probe-description matching (see ptab.h). */
#include "dscript/ptab.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* nta's IDs for the FreeBSD 14 probes it never fires (the fired ones are event/probes.h's). */
static const struct {
    const char *prov, *name;
    int id;
} silent[] = {
    { "udplite", "send", 57622 }, { "udplite", "receive", 57623 },
    { "tcp", "debug-input", 57640 }, { "tcp", "debug-output", 57641 },
    { "tcp", "debug-user", 57642 }, { "tcp", "debug-drop", 57643 },
    { "tcp", "receive-autoresize", 57644 }, { "tcp", "siftr", 57645 },
};

/* FreeBSD's profile provider creates these when it loads (profile.c profile_provide with no
 * description); the rest are made on demand. */
static const char *const precreated[] = {
    "profile-97", "profile-199", "profile-499", "profile-997", "profile-1999", "profile-4001",
    "profile-4999", "tick-1", "tick-10", "tick-100", "tick-500", "tick-1000", "tick-5000",
};

#define PROFILE_ID_BASE 57700

static int add(ds_ptab *pt, ds_probe *p)
{
    if (pt->n == pt->cap) {
        int cap = pt->cap ? pt->cap * 2 : 64;
        ds_probe **v = ds_alloc(pt->arena, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        if (pt->n > 0)
            memcpy(v, pt->v, (size_t)pt->n * sizeof *v);
        pt->v = v;
        pt->cap = cap;
    }
    int i = pt->n;
    while (i > 0 && pt->v[i - 1]->id > p->id) {
        pt->v[i] = pt->v[i - 1];
        i--;
    }
    pt->v[i] = p;
    pt->n++;
    return 0;
}

static ds_probe *mk(ds_ptab *pt, int id, ds_pkind k, const char *prov, const char *mod,
                    const char *func, const char *name)
{
    ds_probe *p = ds_alloc(pt->arena, sizeof *p);
    if (p == NULL)
        return NULL;
    p->id = id;
    p->kind = k;
    p->prov = prov;
    p->mod = mod;
    p->func = func;
    p->name = name;
    return add(pt, p) < 0 ? NULL : p;
}

int ds_profile_interval(const char *rate, uint64_t *ns)
{
    static const struct {
        const char *s;
        uint64_t mult;
    } units[] = {
        { "ns", 1 }, { "nsec", 1 }, { "us", 1000 }, { "usec", 1000 }, { "ms", 1000000 },
        { "msec", 1000000 }, { "s", 1000000000ull }, { "sec", 1000000000ull },
        { "m", 60000000000ull }, { "min", 60000000000ull }, { "h", 3600000000000ull },
        { "hour", 3600000000000ull }, { "d", 86400000000000ull }, { "day", 86400000000000ull },
        { "hz", 0 }, { "", 0 },
    };
    if (!(rate[0] >= '0' && rate[0] <= '9'))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(rate, &end, 10);
    if (errno != 0 || v == 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(units[i].s, end) != 0)
            continue;
        if (units[i].mult == 0) {
            if (v > 1000000000ull)
                return -1;
            *ns = 1000000000ull / v;
        } else {
            if (v > UINT64_MAX / units[i].mult)
                return -1;
            *ns = v * units[i].mult;
        }
        return 0;
    }
    return -1;
}

static ds_probe *profile_probe(ds_ptab *pt, const char *name)
{
    const char *rate;
    if (strncmp(name, "tick-", 5) == 0)
        rate = name + 5;
    else if (strncmp(name, "profile-", 8) == 0)
        rate = name + 8;
    else
        return NULL;
    uint64_t ns;
    if (ds_profile_interval(rate, &ns) < 0)
        return NULL;
    for (int i = 0; i < pt->n; i++)
        if (pt->v[i]->kind == PK_PROFILE && strcmp(pt->v[i]->name, name) == 0)
            return pt->v[i];
    char *nm = ds_strndup(pt->arena, name, strlen(name));
    if (nm == NULL)
        return NULL;
    ds_probe *p = mk(pt, pt->next_profile_id++, PK_PROFILE, "profile", "", "", nm);
    if (p != NULL)
        p->interval_ns = ns;
    return p;
}

int ds_ptab_init(ds_ptab *pt, ds_arena *a)
{
    memset(pt, 0, sizeof *pt);
    pt->arena = a;
    pt->next_profile_id = PROFILE_ID_BASE;
    if (mk(pt, 1, PK_BEGIN, "dtrace", "", "", "BEGIN") == NULL ||
        mk(pt, 2, PK_END, "dtrace", "", "", "END") == NULL ||
        mk(pt, 3, PK_ERROR, "dtrace", "", "", "ERROR") == NULL)
        return -1;
    for (int p = 0; p < NTA_PROBE__COUNT; p++) {
        ds_probe *d = mk(pt, nta_probe_id((nta_probe)p), PK_NET, nta_probe_provider((nta_probe)p),
                         "kernel", "none", nta_probe_short((nta_probe)p));
        if (d == NULL)
            return -1;
        d->np = (nta_probe)p;
        pt->net[p] = d;
    }
    for (size_t i = 0; i < sizeof silent / sizeof silent[0]; i++)
        if (mk(pt, silent[i].id, PK_SILENT, silent[i].prov, "kernel", "none", silent[i].name) == NULL)
            return -1;
    for (size_t i = 0; i < sizeof precreated / sizeof precreated[0]; i++)
        if (profile_probe(pt, precreated[i]) == NULL)
            return -1;
    return 0;
}

int ds_pdesc_split(const char *text, ds_pspec spec, ds_arena *a, const char *fields[4],
                   ds_diag *d, int line)
{
    const char *part[4];
    size_t len[4];
    int n = 0;
    const char *s = text;
    for (;;) {
        const char *c = strchr(s, ':');
        if (n == 4 || (int)spec - n < -1) {
            ds_diag_set(d, "D_PDESC_INVAL", line,
                        "invalid probe description \"%s\": Overspecified probe description", text);
            return -1;
        }
        part[n] = s;
        len[n] = c ? (size_t)(c - s) : strlen(s);
        n++;
        if (c == NULL)
            break;
        s = c + 1;
    }
    if (n > (int)spec + 1) {
        ds_diag_set(d, "D_PDESC_INVAL", line,
                    "invalid probe description \"%s\": Overspecified probe description", text);
        return -1;
    }
    for (int i = 0; i < 4; i++)
        fields[i] = "";
    int first = (int)spec - (n - 1);
    for (int i = 0; i < n; i++) {
        char *f = ds_strndup(a, part[i], len[i]);
        if (f == NULL) {
            ds_diag_set(d, "D_NOMEM", line, "out of memory");
            return -1;
        }
        fields[first + i] = f;
    }
    return 0;
}

static int field_match(const char *pat, const char *have)
{
    return pat[0] == '\0' || fnmatch(pat, have, 0) == 0;
}

int ds_ptab_match(ds_ptab *pt, const char *const fields[4], ds_probe **out, int cap)
{
    if (strpbrk(fields[3], "*?[\\") == NULL && fields[3][0] != '\0')
        profile_probe(pt, fields[3]);   /* failure: no such probe, which matching shows */
    int n = 0;
    for (int i = 0; i < pt->n; i++) {
        ds_probe *p = pt->v[i];
        if (field_match(fields[0], p->prov) && field_match(fields[1], p->mod) &&
            field_match(fields[2], p->func) && field_match(fields[3], p->name)) {
            if (n < cap)
                out[n] = p;
            n++;
        }
    }
    return n;
}

ds_probe *ds_ptab_net(const ds_ptab *pt, nta_probe np)
{
    return (unsigned)np < NTA_PROBE__COUNT ? pt->net[np] : NULL;
}
