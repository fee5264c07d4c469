/* source/plan.c: making, writing and reading a plan (see plan.h).
 *
 * The plan is built by one survey of the inputs (nta_source_survey: the same reading, filter
 * and traced-host decision as a run) and kept as Jansson's JSON_INDENT(2) text. Reading checks
 * each member's type and range: a plan comes from a file and reaches every shard and the merge.
 * Strings are kept as the plan owns them; nta_input_info's pointers point at them. */
#include "source/plan.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/synth.h"
#include "common/jsonesc.h"
#include "common/sha1.h"
#include "formats/decode.h"
#include "formats/trace.h"
#include "source/community_id.h"

#define HASH_NAME "community-id-v1"

void nta_plan_free(nta_plan *p)
{
    if (p == NULL)
        return;
    for (int i = 0; p->inputs != NULL && i < p->ninputs; i++) {
        free((char *)p->inputs[i].info.path);
        free((char *)p->inputs[i].info.format);
        free((char *)p->inputs[i].info.compression);
    }
    free(p->inputs);
    free(p->ifaces);
    free(p->filter);
    free(p->ifname);
    free(p->placed);
    free(p->shard_packets);
    free(p->text);
    free(p);
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

/* ---- making ---- */

typedef struct survey_state {
    nta_plan *p;
    int have_first;
    nta_sharder sharder;    /* with a tally: every packet counted to its flow */
} survey_state;

static int plan_start(void *ctx, const nta_run_info *info)
{
    survey_state *s = ctx;
    s->p->traced = info->traced;
    return 0;
}

static int plan_packet(void *ctx, const nta_packet *pkt, const nta_decoded *d, uint64_t index,
                       uint64_t clock)
{
    survey_state *s = ctx;
    nta_plan *p = s->p;
    p->packets = index + 1;
    p->clock_end = clock;
    if (pkt->file < (uint32_t)p->ninputs) {
        nta_plan_input *in = &p->inputs[pkt->file];
        if (in->packets++ == 0)
            in->first_ns = pkt->ts_ns;
        in->last_ns = pkt->ts_ns;
    }
    if (!p->has_origin && nta_analyzer_fires_l4(&p->traced, d)) {
        p->has_origin = 1;
        p->origin_ns = clock;
    }
    if (p->shards > 1)
        nta_sharder_pick(&s->sharder, d);
    return 0;
}

/* The heaviest flows placed and what each shard will hold (flow_tally.h); one shard holds all. */
static int place_flows(nta_plan *p, const nta_flow_tally *t, nta_err *err)
{
    if ((p->shard_packets = calloc(p->shards, sizeof *p->shard_packets)) == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    if (p->shards == 1) {
        p->shard_packets[0] = p->packets;
        return 0;
    }
    if (nta_flow_tally_failed(t)
        || nta_flow_tally_place(t, p->shards, &p->placed, &p->nplaced, p->shard_packets) < 0)
        return nta_err_set(err, NTA_ENOMEM, "out of memory counting the flows' packets");
    return 0;
}

/* Only files can be read twice (by the plan, then by each shard or the split). */
static int check_rereadable(const char *path, uint64_t *size, nta_err *err)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return nta_err_set(err, NTA_EUSAGE, "standard input cannot be planned: the shards read "
                           "their inputs again; save it to a file first");
    if (!nta_utf8_valid(path, strlen(path)))
        return nta_err_set(err, NTA_EUSAGE, "%s: a plan names its inputs in JSON, which needs "
                           "UTF-8 file names", path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return nta_err_set(err, NTA_EUSAGE, "%s is not a regular file: the shards read their "
                           "inputs again", path);
    *size = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

static int to_text(nta_plan *p, nta_err *err);

int nta_plan_make(nta_plan **out, const char *const *inputs, int ninputs, const nta_source_opts *o,
                  uint32_t shards, nta_err *err)
{
    *out = NULL;
    nta_source *src = NULL;
    int rc;
    nta_plan *p = calloc(1, sizeof *p);
    if (p == NULL || (p->inputs = calloc((size_t)(ninputs ? ninputs : 1), sizeof *p->inputs)) == NULL) {
        rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
        goto fail;
    }
    if (shards < 1 || shards > NTA_PLAN_MAX_SHARDS) {
        rc = nta_err_set(err, NTA_EUSAGE, "--shards takes 1 to %d", NTA_PLAN_MAX_SHARDS);
        goto fail;
    }
    p->shards = shards;
    p->ninputs = ninputs;
    for (int i = 0; i < ninputs; i++)
        if ((rc = check_rereadable(inputs[i], &p->inputs[i].size, err)) < 0)
            goto fail;
    if ((rc = nta_source_open(&src, inputs, ninputs, o, err)) < 0)
        goto fail;
    if (nta_source_info(src)->dtext) {
        rc = nta_err_set(err, NTA_EUSAGE, "%s is dtrace text: shards split captures by "
                         "connection", inputs[0]);
        goto fail;
    }
    survey_state *s = calloc(1, sizeof *s);
    nta_flow_tally *tally = nta_flow_tally_new();
    if (s == NULL || tally == NULL) {
        free(s);
        nta_flow_tally_free(tally);
        rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
        goto fail;
    }
    s->p = p;
    nta_sharder_init(&s->sharder, shards);
    s->sharder.tally = tally;
    rc = nta_source_survey(src, plan_start, plan_packet, s, err);
    if (rc == 0)
        rc = place_flows(p, tally, err);
    free(s);
    nta_flow_tally_free(tally);
    if (rc < 0)
        goto fail;
    const nta_run_info *info = nta_source_info(src);
    p->filtered = info->filtered;
    p->filter = dup_or_null(o->filter);
    p->ifname = dup_or_null(o->ifname);
    p->msl_ns = o->msl_ns;
    p->idle_ns = o->idle_ns;
    p->max_flows = o->max_flows;
    for (int i = 0; i < ninputs; i++) {
        nta_input_info *in = &p->inputs[i].info;
        *in = info->inputs[i];
        in->path = strdup(info->inputs[i].path);
        in->format = strdup(info->inputs[i].format);
        in->compression = strdup(info->inputs[i].compression);
        if (in->path == NULL || in->format == NULL || in->compression == NULL) {
            rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
            goto fail;
        }
    }
    const nta_trace *t = nta_source_trace(src);
    p->nifaces = (int)nta_trace_nifaces(t);
    if ((p->ifaces = calloc((size_t)(p->nifaces ? p->nifaces : 1), sizeof *p->ifaces)) == NULL) {
        rc = nta_err_set(err, NTA_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < p->nifaces; i++) {
        const nta_iface *f = nta_trace_iface(t, (uint32_t)i);
        snprintf(p->ifaces[i].name, sizeof p->ifaces[i].name, "%s", f->name);
        p->ifaces[i].linktype = f->linktype;
    }
    if ((rc = to_text(p, err)) < 0)
        goto fail;
    nta_placed_sort(p->placed, p->nplaced);   /* written heaviest first, looked up by digest */
    nta_source_free(src);
    *out = p;
    return 0;
fail:
    nta_source_free(src);
    nta_plan_free(p);
    return rc;
}

/* ---- writing ---- */

static json_t *jstr(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *jint(uint64_t v)
{
    return json_integer((json_int_t)v);
}

static json_t *traced_json(const nta_locals *l)
{
    json_t *pre = json_array();
    for (int i = 0; i < l->n; i++) {
        char a[NTA_ADDR_STRLEN + 8];
        nta_addr_str(&l->p[i].addr, a);
        size_t n = strlen(a);
        snprintf(a + n, sizeof a - n, "/%u", l->p[i].len);
        json_array_append_new(pre, json_string(a));
    }
    return json_pack("{s:b, s:b, s:o, s:s}", "all", l->all, "inferred", l->inferred, "prefixes",
                     pre, "why", l->why);
}

static json_t *input_json(const nta_plan_input *in)
{
    const nta_input_info *f = &in->info;
    json_t *e = json_null();
    if (f->err.code != 0)
        e = json_pack("{s:i, s:s, s:s, s:I}", "code", f->err.code, "msg", f->err.msg, "file",
                      f->err.file, "offset", (json_int_t)f->err.offset);
    return json_pack("{s:s, s:o, s:s, s:s, s:o, s:o, s:s, s:b, s:o, s:o, s:o, s:o}", "path",
                     f->path, "size", jint(in->size), "format", f->format, "compression",
                     f->compression, "records", jint(f->records), "bad_records",
                     jint(f->bad_records), "warn", f->warn, "is_text", f->is_text, "error", e,
                     "packets", jint(in->packets), "first_ns", jint(in->first_ns), "last_ns",
                     jint(in->last_ns));
}

/* The document without plan_id; NULL when some string is not UTF-8 (Jansson refuses it). */
static json_t *plan_json(const nta_plan *p)
{
    json_t *inputs = json_array(), *ifaces = json_array();
    for (int i = 0; i < p->ninputs; i++)
        json_array_append_new(inputs, input_json(&p->inputs[i]));
    for (int i = 0; i < p->nifaces; i++)
        json_array_append_new(ifaces, json_pack("{s:s, s:i}", "name", p->ifaces[i].name,
                                                "linktype", (int)p->ifaces[i].linktype));
    json_t *opts = json_pack("{s:o, s:o, s:o, s:o, s:o}", "filter", jstr(p->filter), "ifname",
                             jstr(p->ifname), "msl_ns", jint(p->msl_ns), "idle_ns",
                             jint(p->idle_ns), "max_flows", jint(p->max_flows));
    json_t *placed = json_array(), *loads = json_array();
    for (uint32_t i = 0; i < p->nplaced; i++) {
        char id[32];
        nta_community_id_text(p->placed[i].digest, id);
        json_array_append_new(placed, json_pack("{s:s, s:i, s:o}", "community_id", id, "shard",
                                                (int)p->placed[i].shard, "packets",
                                                jint(p->placed[i].packets)));
    }
    for (uint32_t k = 0; k < p->shards; k++)
        json_array_append_new(loads, jint(p->shard_packets[k]));
    return json_pack("{s:i, s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "schema_version", 2, "type", "nta-plan", "shards", (int)p->shards, "hash",
                     HASH_NAME, "options", opts, "traced", traced_json(&p->traced), "inputs",
                     inputs, "interfaces", ifaces, "packets", jint(p->packets), "filtered",
                     jint(p->filtered), "clock_end_ns", jint(p->clock_end), "bytes_origin_ns",
                     p->has_origin ? jint(p->origin_ns) : json_null(), "placed", placed,
                     "shard_packets", loads);
}

static void hex_id(const char *text, char id[41])
{
    uint8_t d[NTA_SHA1_LEN];
    nta_sha1_of(text, strlen(text), d);
    for (int i = 0; i < NTA_SHA1_LEN; i++)
        snprintf(id + 2 * i, 3, "%02x", d[i]);
}

static const size_t dump_flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;

static int to_text(nta_plan *p, nta_err *err)
{
    json_t *j = plan_json(p);
    char *body = j != NULL ? json_dumps(j, dump_flags) : NULL;
    if (body == NULL) {
        json_decref(j);
        return nta_err_set(err, NTA_EUSAGE, "an interface name or warning is not UTF-8: the "
                           "plan cannot hold it");
    }
    hex_id(body, p->id);
    free(body);
    json_object_set_new(j, "plan_id", json_string(p->id));
    p->text = json_dumps(j, dump_flags);
    json_decref(j);
    return p->text != NULL ? 0 : nta_err_set(err, NTA_ENOMEM, "out of memory");
}

/* ---- reading ---- */

typedef struct reader {
    nta_err *err;
    int bad;
} reader;

static int bad(reader *r, const char *what)
{
    if (!r->bad)
        nta_err_set(r->err, NTA_ECORRUPT, "not an nta plan: %s", what);
    r->bad = 1;
    return -1;
}

static uint64_t get_u64(reader *r, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        char m[96];
        snprintf(m, sizeof m, "\"%s\" is not a count", key);
        bad(r, m);
        return 0;
    }
    return (uint64_t)json_integer_value(v);
}

/* A string member: a copy (NULL for null when nullable). */
static char *get_str(reader *r, json_t *o, const char *key, int nullable)
{
    json_t *v = json_object_get(o, key);
    if (nullable && json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        char m[96];
        snprintf(m, sizeof m, "\"%s\" is not a string", key);
        bad(r, m);
        return NULL;
    }
    char *s = strdup(json_string_value(v));
    if (s == NULL)
        bad(r, "out of memory");
    return s;
}

static void copy_to(reader *r, json_t *o, const char *key, char *dst, size_t cap)
{
    char *s = get_str(r, o, key, 0);
    if (s != NULL)
        snprintf(dst, cap, "%s", s);
    free(s);
}

static void read_traced(reader *r, json_t *t, nta_locals *l)
{
    memset(l, 0, sizeof *l);
    json_t *pre = json_object_get(t, "prefixes");
    if (!json_is_object(t) || !json_is_array(pre) || json_array_size(pre) > NTA_LOCAL_MAX
        || !json_is_boolean(json_object_get(t, "all"))
        || !json_is_boolean(json_object_get(t, "inferred"))) {
        bad(r, "\"traced\" is not a set of hosts");
        return;
    }
    l->all = json_is_true(json_object_get(t, "all"));
    l->inferred = json_is_true(json_object_get(t, "inferred"));
    for (size_t i = 0; i < json_array_size(pre); i++) {
        const char *s = json_string_value(json_array_get(pre, i));
        if (s == NULL || nta_prefix_parse(s, &l->p[l->n]) < 0) {
            bad(r, "a traced prefix is not an address/length");
            return;
        }
        l->n++;
    }
    copy_to(r, t, "why", l->why, sizeof l->why);
}

static void read_input(reader *r, json_t *o, nta_plan_input *in)
{
    nta_input_info *f = &in->info;
    if (!json_is_object(o)) {
        bad(r, "an input is not an object");
        return;
    }
    f->path = get_str(r, o, "path", 0);
    f->format = get_str(r, o, "format", 0);
    f->compression = get_str(r, o, "compression", 0);
    in->size = get_u64(r, o, "size");
    f->records = get_u64(r, o, "records");
    f->bad_records = get_u64(r, o, "bad_records");
    copy_to(r, o, "warn", f->warn, sizeof f->warn);
    f->is_text = json_is_true(json_object_get(o, "is_text"));
    in->packets = get_u64(r, o, "packets");
    in->first_ns = get_u64(r, o, "first_ns");
    in->last_ns = get_u64(r, o, "last_ns");
    nta_err_clear(&f->err);
    json_t *e = json_object_get(o, "error");
    if (json_is_object(e)) {
        json_t *code = json_object_get(e, "code"), *off = json_object_get(e, "offset");
        if (!json_is_integer(code) || json_integer_value(code) >= 0 || json_integer_value(code) < -100
            || !json_is_integer(off)) {
            bad(r, "an input's error has no code");
            return;
        }
        f->err.code = (int)json_integer_value(code);
        f->err.offset = (int64_t)json_integer_value(off);
        copy_to(r, e, "msg", f->err.msg, sizeof f->err.msg);
        copy_to(r, e, "file", f->err.file, sizeof f->err.file);
    } else if (!json_is_null(e)) {
        bad(r, "an input's error is neither null nor an object");
    }
}

static void read_options(reader *r, json_t *o, nta_plan *p)
{
    if (!json_is_object(o)) {
        bad(r, "\"options\" is not an object");
        return;
    }
    p->filter = get_str(r, o, "filter", 1);
    p->ifname = get_str(r, o, "ifname", 1);
    p->msl_ns = get_u64(r, o, "msl_ns");
    p->idle_ns = get_u64(r, o, "idle_ns");
    uint64_t mf = get_u64(r, o, "max_flows");
    if (mf > UINT32_MAX)
        bad(r, "\"max_flows\" is out of range");
    p->max_flows = (uint32_t)mf;
}

static void read_lists(reader *r, json_t *j, nta_plan *p)
{
    json_t *inputs = json_object_get(j, "inputs"), *ifaces = json_object_get(j, "interfaces");
    if (!json_is_array(inputs) || json_array_size(inputs) == 0 || json_array_size(inputs) > 65536
        || !json_is_array(ifaces) || json_array_size(ifaces) > 65536) {
        bad(r, "\"inputs\" or \"interfaces\" is not a list");
        return;
    }
    p->ninputs = (int)json_array_size(inputs);
    p->nifaces = (int)json_array_size(ifaces);
    p->inputs = calloc((size_t)p->ninputs, sizeof *p->inputs);
    p->ifaces = calloc((size_t)(p->nifaces ? p->nifaces : 1), sizeof *p->ifaces);
    if (p->inputs == NULL || p->ifaces == NULL) {
        bad(r, "out of memory");
        return;
    }
    for (int i = 0; i < p->ninputs && !r->bad; i++)
        read_input(r, json_array_get(inputs, (size_t)i), &p->inputs[i]);
    for (int i = 0; i < p->nifaces && !r->bad; i++) {
        json_t *f = json_array_get(ifaces, (size_t)i);
        copy_to(r, f, "name", p->ifaces[i].name, sizeof p->ifaces[i].name);
        uint64_t lt = get_u64(r, f, "linktype");
        p->ifaces[i].linktype = lt > UINT32_MAX ? 0 : (uint32_t)lt;
    }
}

/* The placed flows (each a Community ID on a shard, no flow twice) and the shards' packets. */
static void read_placement(reader *r, json_t *j, nta_plan *p)
{
    json_t *pl = json_object_get(j, "placed"), *loads = json_object_get(j, "shard_packets");
    if (!json_is_array(pl) || json_array_size(pl) > NTA_PLACED_MAX || !json_is_array(loads)
        || json_array_size(loads) != p->shards) {
        bad(r, "\"placed\" or \"shard_packets\" is not a list of its size");
        return;
    }
    p->nplaced = (uint32_t)json_array_size(pl);
    p->placed = calloc(p->nplaced ? p->nplaced : 1, sizeof *p->placed);
    p->shard_packets = calloc(p->shards, sizeof *p->shard_packets);
    if (p->placed == NULL || p->shard_packets == NULL) {
        bad(r, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < p->nplaced && !r->bad; i++) {
        json_t *f = json_array_get(pl, i);
        const char *id = json_string_value(json_object_get(f, "community_id"));
        if (id == NULL || nta_community_id_parse(id, p->placed[i].digest) < 0) {
            bad(r, "a placed flow's \"community_id\" is not one");
            return;
        }
        uint64_t k = get_u64(r, f, "shard");
        if (!r->bad && k >= p->shards)
            bad(r, "a placed flow's shard is out of range");
        p->placed[i].shard = (uint32_t)k;
        p->placed[i].packets = get_u64(r, f, "packets");
    }
    if (!r->bad && nta_placed_sort(p->placed, p->nplaced) < 0)
        bad(r, "a flow is placed twice");
    for (uint32_t k = 0; k < p->shards && !r->bad; k++) {
        json_t *v = json_array_get(loads, k);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            bad(r, "\"shard_packets\" holds something that is not a count");
        else
            p->shard_packets[k] = (uint64_t)json_integer_value(v);
    }
}

/* plan_id must be the digest of the rest: a plan edited by hand is another plan. */
static void check_id(reader *r, json_t *j, nta_plan *p)
{
    json_t *id = json_object_get(j, "plan_id");
    if (!json_is_string(id) || strlen(json_string_value(id)) != 40) {
        bad(r, "no \"plan_id\"");
        return;
    }
    snprintf(p->id, sizeof p->id, "%s", json_string_value(id));
    json_t *rest = json_deep_copy(j);
    json_object_del(rest, "plan_id");
    char *body = json_dumps(rest, dump_flags);
    json_decref(rest);
    char want[41] = "";
    if (body != NULL)
        hex_id(body, want);
    free(body);
    if (strcmp(want, p->id) != 0)
        bad(r, "its plan_id does not match its content (edited?)");
}

int nta_plan_parse(nta_plan **out, const char *text, size_t len, nta_err *err)
{
    *out = NULL;
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        return nta_err_set(err, NTA_ECORRUPT, "not an nta plan: line %d: %s", je.line, je.text);
    reader r = { err, 0 };
    nta_plan *p = calloc(1, sizeof *p);
    if (p == NULL) {
        json_decref(j);
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    }
    json_t *type = json_object_get(j, "type"), *hash = json_object_get(j, "hash");
    if (!json_is_object(j) || !json_is_string(type) || strcmp(json_string_value(type), "nta-plan") != 0)
        bad(&r, "no \"type\": \"nta-plan\"");
    else if (json_integer_value(json_object_get(j, "schema_version")) != 2)
        bad(&r, "schema_version is not 2 (a plan of another nta version?)");
    else if (!json_is_string(hash) || strcmp(json_string_value(hash), HASH_NAME) != 0)
        bad(&r, "its shard hash is not " HASH_NAME);
    if (!r.bad) {
        uint64_t shards = get_u64(&r, j, "shards");
        if (!r.bad && (shards < 1 || shards > NTA_PLAN_MAX_SHARDS))
            bad(&r, "\"shards\" is out of range");
        p->shards = (uint32_t)shards;
        read_options(&r, json_object_get(j, "options"), p);
        read_traced(&r, json_object_get(j, "traced"), &p->traced);
        read_lists(&r, j, p);
        if (!r.bad)
            read_placement(&r, j, p);
        p->packets = get_u64(&r, j, "packets");
        p->filtered = get_u64(&r, j, "filtered");
        p->clock_end = get_u64(&r, j, "clock_end_ns");
        json_t *o = json_object_get(j, "bytes_origin_ns");
        p->has_origin = !json_is_null(o);
        if (p->has_origin)
            p->origin_ns = get_u64(&r, j, "bytes_origin_ns");
    }
    if (!r.bad)
        check_id(&r, j, p);
    if (!r.bad && (p->text = malloc(len + 1)) != NULL) {
        memcpy(p->text, text, len);
        p->text[len] = '\0';
    }
    json_decref(j);
    if (r.bad || p->text == NULL) {
        int code = r.bad ? err->code : nta_err_set(err, NTA_ENOMEM, "out of memory");
        nta_plan_free(p);
        return code;
    }
    *out = p;
    return 0;
}

int nta_plan_load(nta_plan **out, const char *path, nta_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return nta_err_set(err, NTA_EIO, "cannot read %s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap && cap < (64u << 20)) {
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        } else if (n == cap) {
            break;   /* 64 MiB: no plan is this large */
        }
    }
    int ioerr = ferror(f);
    fclose(f);
    if (buf == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    int rc = ioerr ? nta_err_set(err, NTA_EIO, "cannot read %s", path)
                   : nta_plan_parse(out, buf, n, err);
    free(buf);
    if (rc < 0 && err->file[0] == '\0')
        snprintf(err->file, sizeof err->file, "%s", path);
    return rc;
}

/* ---- using ---- */

void nta_plan_shard_opts(const nta_plan *p, uint32_t index, int buckets, nta_shard_spec *spec,
                         nta_source_opts *o)
{
    spec->index = index;
    spec->count = p->shards;
    spec->buckets = buckets;
    spec->packets = p->packets;
    spec->clock_end = p->clock_end;
    spec->placed = p->placed;
    spec->nplaced = p->nplaced;
    o->shard = spec;
    o->filter = buckets ? NULL : p->filter;   /* a bucket holds the filtered packets */
    o->ifname = p->ifname;
    o->msl_ns = p->msl_ns;
    o->idle_ns = p->idle_ns;
    o->max_flows = p->max_flows;
    o->locals = p->traced;
    o->locals_given = 0;
    o->locals_decided = 1;
}

int nta_plan_check_inputs(const nta_plan *p, char *const *paths, int npaths, nta_err *err)
{
    if (npaths != p->ninputs)
        return nta_err_set(err, NTA_EUSAGE, "the plan has %d inputs, not %d", p->ninputs, npaths);
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        if (strcmp(paths[i], p->inputs[i].info.path) != 0)
            return nta_err_set(err, NTA_EUSAGE, "input %d is %s in the plan, not %s", i + 1,
                               p->inputs[i].info.path, paths[i]);
        if (stat(paths[i], &st) == 0 && (uint64_t)st.st_size != p->inputs[i].size)
            return nta_err_set(err, NTA_EUSAGE, "%s changed since the plan (%" PRIu64 " bytes "
                               "then, %lld now)", paths[i], p->inputs[i].size, (long long)st.st_size);
    }
    return 0;
}

const nta_input_info *nta_plan_input_info(const nta_plan *p, int i)
{
    return &p->inputs[i].info;
}
