/* dscript/shardable.c: whether a D program can run as shards (issue 17), decided while it
 * compiles.
 *
 * A shard sees only its connections' events, so a program shards when what its network
 * clauses change is per connection or in aggregations (which merge exactly): the merged output
 * is then one run's. Refused, with the first reason found (source, line, probe and what):
 *   - in a clause of a network probe (ip, tcp, udp) or of ERROR (it fires inside them):
 *     assigning (=, op=, ++, --) a scalar global, or a thread-local (self->: offline every
 *     event is one thread, so it is a global); assigning an array element whose key has no
 *     connection id in it (args[N]->cs_cid, tcps_addr or udps_addr: a connection's packets are
 *     all in one shard, and ids are one run's); calling exit(), printa(), trunc(), clear(),
 *     normalize(), denormalize() or setopt(), which act across connections;
 *   - profile/tick probes (they fire on the whole run's clock);
 *   - exit() in BEGIN (the run would read nothing; a shard cannot know);
 *   - BEGIN reading timestamp/vtimestamp/walltimestamp and setting a variable a network clause
 *     reads: BEGIN's time is the run's first event, which a shard does not know.
 * Reading globals set in BEGIN is fine (every shard runs BEGIN); END runs only in the merge.
 * A connection-keyed array whose key type is narrower than 64 bits (tcp4-states.d's
 * `int last[int]`) shards too: its ids collide only between connections 2^20 packets apart,
 * which the shard refuses at run time from the plan's packet count (nta_dscript_shard_narrow). */
#include <stdio.h>
#include <string.h>

#include "dscript/dscript_int.h"

typedef struct sck {
    nta_dscript *d;
    const char *where;       /* "x.d line 12: tcp:::send" */
    int net, begin;
} sck;

static void refuse(sck *k, const char *fmt, const char *name)
{
    nta_dscript *d = k->d;
    if (d->shard_why[0] != '\0')
        return;
    char what[256];
    snprintf(what, sizeof what, fmt, name);
    snprintf(d->shard_why, sizeof d->shard_why, "%s %s", k->where, what);
}

static void add_name(const char **v, int *n, int *over, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(v[i], s) == 0)
            return;
    if (*n < DS_SHARD_NAMES)
        v[(*n)++] = s;
    else
        *over = 1;
}

static const ast *uncast(const ast *e)
{
    while (e != NULL && e->kind == A_CAST)
        e = e->a;
    return e;
}

/* The key position holding a connection id, or -1. */
static int cid_key(const ast *keys)
{
    int i = 0;
    for (const ast *k = keys; k != NULL; k = k->next, i++) {
        const ast *e = uncast(k);
        if (e != NULL && e->kind == A_MEMBER && e->s != NULL &&
            (strcmp(e->s, "cs_cid") == 0 || strcmp(e->s, "tcps_addr") == 0 ||
             strcmp(e->s, "udps_addr") == 0))
            return i;
    }
    return -1;
}

static void target(sck *k, const ast *t)
{
    nta_dscript *d = k->d;
    if (t == NULL)
        return;
    if (k->begin && t->kind == A_IDENT)
        add_name(d->ck_begin_set, &d->ck_nbegin, &d->ck_over, t->s);
    if (k->begin && t->kind == A_INDEX && t->a != NULL && t->a->kind == A_IDENT)
        add_name(d->ck_begin_set, &d->ck_nbegin, &d->ck_over, t->a->s);
    if (!k->net)
        return;
    if (t->kind == A_IDENT) {
        refuse(k, "assigns the global '%s' (a shard sees only its connections)", t->s);
    } else if (t->kind == A_SELF) {
        refuse(k, "assigns the thread-local 'self->%s' (offline every event is one thread: "
                  "a global)", t->s);
    } else if (t->kind == A_INDEX && t->a != NULL && t->a->kind == A_IDENT) {
        int pos = cid_key(t->b);
        if (pos < 0)
            refuse(k, "assigns '%s[...]' with a key that is not a connection's "
                      "(args[1]->cs_cid, args[3]->tcps_addr)", t->a->s);
        else if (d->ck_ncid < DS_SHARD_NAMES) {
            d->ck_cid[d->ck_ncid] = t->a->s;
            d->ck_cidpos[d->ck_ncid++] = pos;
        }
    } else if (t->kind != A_THIS && t->kind != A_AGG) {
        refuse(k, "assigns %s that is not per connection", "a variable");
    }
}

static const char *const across[] = {
    "exit", "printa", "trunc", "clear", "normalize", "denormalize", "setopt", NULL,
};

static void walk(sck *k, const ast *e, int depth)
{
    nta_dscript *d = k->d;
    for (; e != NULL; e = e->next) {
        if (depth > DS_MAX_DEPTH + 16)
            return;   /* the parser bounds the depth; this only guards the walk */
        switch (e->kind) {
        case A_ASSIGN: case A_PREINC: case A_PREDEC: case A_POSTINC: case A_POSTDEC:
            target(k, e->a);
            break;
        case A_CALL:
            if (e->a != NULL && e->a->kind == A_IDENT) {
                for (int i = 0; across[i] != NULL; i++)
                    if (strcmp(e->a->s, across[i]) == 0 && (k->net || (k->begin && i == 0)))
                        refuse(k, k->net ? "calls %s(), which acts across connections"
                                         : "calls %s() (a shard cannot stop the run)", e->a->s);
            }
            break;
        case A_IDENT:
            if (k->begin && (strcmp(e->s, "timestamp") == 0 || strcmp(e->s, "vtimestamp") == 0 ||
                             strcmp(e->s, "walltimestamp") == 0))
                d->ck_begin_ts = 1;
            if (k->net)
                add_name(d->ck_net_read, &d->ck_nnet, &d->ck_over, e->s);
            break;
        default:
            break;
        }
        walk(k, e->a, depth + 1);
        walk(k, e->b, depth + 1);
        walk(k, e->c, depth + 1);
    }
}

void ds_shard_check_clause(nta_dscript *d, const item *it, ds_probe *const *m, int nm,
                           const char *full, int srcidx)
{
    if (srcidx < 0 || it->no_body)
        return;
    sck k = { d, NULL, 0, 0 };
    for (int i = 0; i < nm; i++) {
        if (m[i]->kind == PK_NET || m[i]->kind == PK_ERROR)
            k.net = 1;
        else if (m[i]->kind == PK_BEGIN)
            k.begin = 1;
        else if (m[i]->kind == PK_PROFILE && d->shard_why[0] == '\0')
            snprintf(d->shard_why, sizeof d->shard_why, "%s line %d: %s: profile probes fire on "
                     "the whole run's clock", d->pg.srcs[srcidx].is_file ? d->pg.srcs[srcidx].label
                     : "description", it->line, full);
    }
    if (!k.net && !k.begin)
        return;
    char where[512];
    if (d->pg.srcs[srcidx].is_file)
        snprintf(where, sizeof where, "%s line %d: %s", d->pg.srcs[srcidx].label, it->line, full);
    else
        snprintf(where, sizeof where, "%s", full);   /* -n: the description is the source */
    k.where = where;
    walk(&k, it->pred, 0);
    walk(&k, it->body, 0);
}

void ds_shard_check_end(nta_dscript *d)
{
    if (d->shard_why[0] != '\0' || !d->ck_begin_ts)
        return;
    if (d->ck_over) {
        snprintf(d->shard_why, sizeof d->shard_why, "BEGIN reads the time (the first event's, "
                 "which a shard does not know) and sets variables network clauses may read");
        return;
    }
    for (int i = 0; i < d->ck_nbegin; i++)
        for (int j = 0; j < d->ck_nnet; j++)
            if (strcmp(d->ck_begin_set[i], d->ck_net_read[j]) == 0) {
                snprintf(d->shard_why, sizeof d->shard_why, "BEGIN reads the time (the first "
                         "event's, which a shard does not know) and sets '%s', which a network "
                         "clause reads", d->ck_begin_set[i]);
                return;
            }
}

const char *nta_dscript_shard_refusal(const nta_dscript *d)
{
    return d->shard_why[0] != '\0' ? d->shard_why : NULL;
}

const char *nta_dscript_shard_narrow(const nta_dscript *d)
{
    for (int i = 0; i < d->ck_ncid; i++)
        for (const ds_var *v = d->pg.vars; v != NULL; v = v->next)
            if (v->scope == VS_GLOBAL && strcmp(v->name, d->ck_cid[i]) == 0 &&
                d->ck_cidpos[i] < v->nkeys && v->keyt[d->ck_cidpos[i]] != NULL &&
                v->keyt[d->ck_cidpos[i]]->kind == DK_INT && v->keyt[d->ck_cidpos[i]]->size < 8)
                return v->name;
    return NULL;
}
