/* reports/report_set.c: the reports of one run as one sink (see report_set.h).
 *
 * Text is what the article's scripts print under dtrace; JSON and CSV carry the inputs, the
 * traced hosts and the skipped-input counts around the rows (man/nta.1, "REPORTS"). Streaming
 * reports (the logs, --bytes text and CSV) write while events arrive: their envelope heads go
 * out at on_start, their tails at on_finish; when several share one output, each buffers in a
 * temporary file so that reports do not interleave. */
#define _GNU_SOURCE
#include "reports/report_set.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/jstring.h"
#include "common/tmpfile.h"
#include "common/varint.h"
#include "reports/log_writer.h"

/* The set's own metrics: counts of probe firings, and the analyzer's figures. */
static const struct {
    const char *name;
    nta_probe probe;
} probe_metrics[] = {
    { "connect_refused", NTA_PROBE_TCP_CONNECT_REFUSED },
    { "accept_refused", NTA_PROBE_TCP_ACCEPT_REFUSED },
    { "connect_established", NTA_PROBE_TCP_CONNECT_ESTABLISHED },
    { "accept_established", NTA_PROBE_TCP_ACCEPT_ESTABLISHED },
    { "connect_request", NTA_PROBE_TCP_CONNECT_REQUEST },
};
enum { NPROBE_METRICS = sizeof probe_metrics / sizeof probe_metrics[0] };

static const char metrics_help[] =
    "  ooo.packets ooo.bytes ooo.total_packets ooo.total_bytes ooo.packets_ratio ooo.bytes_ratio\n"
    "  durations.count durations.p50_ms durations.p90_ms durations.p99_ms durations.max_ms\n"
    "  bytes.tcp_in bytes.tcp_out bytes.udp_in bytes.udp_out bytes.skipped_intervals\n"
    "  states.lines  packets.lines\n"
    "  connect_refused accept_refused connect_established accept_established connect_request\n"
    "  midstream (connections picked up without their handshake)\n";

typedef struct active {
    nta_report *r;
    int output;          /* written out (else computed only for a --fail-if metric) */
    FILE *dest;          /* its destination file (the command's), or NULL for the shared one */
    FILE *devnull;       /* computed only: where its streaming lines go (the set's) */
    FILE *tmp;           /* streaming report sharing the output with others: buffered here */
    int is_log;          /* a per-event log (its lines formatted by the log writer) */
} active;

struct nta_report_set {
    nta_report_set_opts o;
    active a[NTA_NREPORTS];
    int n;
    int nout;                  /* reports written out */
    int own_files;             /* every report written out has a file of its own */
    nta_report *by_probe[NTA_PROBE__COUNT][NTA_NREPORTS + 1];   /* NULL-ended */
    uint64_t probe_counts[NTA_PROBE__COUNT];
    nta_logw *lw;              /* the per-event logs' writer thread, NULL: inline */
    const nta_run_info *info;
    uint64_t midstream;
    int werr, werrno;
    const char *failed;        /* the report whose on_event failed first, and why */
    int failed_errno;
    nta_sink sink;
};

/* ---- envelopes ---- */

static void traced_text(const nta_run_info *info, char *desc, size_t n)
{
    nta_locals_describe(&info->traced, desc, n);
}

static json_t *inputs_json(const nta_run_info *info)
{
    json_t *inputs = json_array();
    for (int i = 0; i < info->ninputs; i++)
        json_array_append_new(inputs, nta_jstring(info->inputs[i].path));
    return inputs;
}

static void csv_preamble(FILE *o, const nta_run_info *info, const char *name)
{
    char desc[1024];
    traced_text(info, desc, sizeof desc);
    fprintf(o, "# nta report %s (schema_version 1)\n# inputs:", name);
    for (int i = 0; i < info->ninputs; i++)
        fprintf(o, " %s", info->inputs[i].path);
    fprintf(o, "\n# traced: %s (%s)\n", desc, info->traced.why);
}

/* The head of a report's JSON object, up to its rows array; the tail (skipped counts) follows
 * the rows. Streaming reports get the head before their first row. */
static void json_head(FILE *o, const nta_run_info *info, const char *name)
{
    char desc[1024];
    traced_text(info, desc, sizeof desc);
    json_t *h = json_pack("{s:i, s:s, s:o, s:s, s:s}", "schema_version", 1, "report", name, "inputs",
                          inputs_json(info), "traced", desc, "traced_how", info->traced.why);
    char *text = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(o, "%.*s,\"rows\":[", (int)(strlen(text) - 1), text);   /* drop the closing brace */
    free(text);
    json_decref(h);
}

static json_t *skipped_json(const nta_run_info *info)
{
    json_t *o = json_object();
    for (int i = 0; i < info->nskipped; i++)
        json_object_set_new(o, info->skipped[i].reason, json_integer((json_int_t)info->skipped[i].count));
    return o;
}

static json_t *report_json(nta_report *r, const nta_run_info *info)
{
    char desc[1024];
    traced_text(info, desc, sizeof desc);
    json_t *rows = r->write_json_rows != NULL ? json_array() : r->json_rows(r);
    return json_pack("{s:i, s:s, s:o, s:s, s:s, s:o, s:o}", "schema_version", 1, "report", r->name,
                     "inputs", inputs_json(info), "traced", desc, "traced_how", info->traced.why,
                     "skipped", skipped_json(info), "rows", rows ? rows : json_null());
}

static int copy_stream(FILE *from, FILE *to)
{
    char buf[65536];
    size_t n;
    rewind(from);
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            return -1;
    return ferror(from) ? -1 : 0;
}

static int csv_skipped(FILE *s, const nta_run_info *info)
{
    int rc = fprintf(s, "# skipped:") < 0;
    for (int i = 0; i < info->nskipped; i++)
        rc |= fprintf(s, " %s=%lld", info->skipped[i].reason, (long long)info->skipped[i].count) < 0;
    rc |= fputc('\n', s) == EOF;
    return rc ? -1 : 0;
}

/* Final text or CSV output of one report into o. */
static int finish_report(nta_report_set *rs, active *a, FILE *o, const nta_run_info *info)
{
    nta_report *r = a->r;
    switch (rs->o.fmt) {
    case NTA_RFMT_TEXT:
        if (r->write_text(r, o) < 0)
            return -1;
        break;
    case NTA_RFMT_CSV: {
        if (!r->streaming)
            csv_preamble(o, info, r->name);
        FILE *s = r->streaming ? r->opts.stream : o;
        if (r->write_csv(r, s) < 0 || csv_skipped(s, info) < 0)
            return -1;
        break;
    }
    case NTA_RFMT_JSON:
        break;
    }
    if (a->tmp != NULL && copy_stream(a->tmp, o) < 0)
        return -1;
    return 0;
}

static int finish_json(nta_report_set *rs, active *a, FILE *o, const nta_run_info *info)
{
    int werr = 0;
    if (a->r->streaming) {
        if (a->r->drain != NULL && a->r->drain(a->r) < 0)
            return -1;
        json_t *sk = skipped_json(info);
        char *text = json_dumps(sk, JSON_COMPACT | JSON_PRESERVE_ORDER);
        werr |= fprintf(a->r->opts.stream, "\n],\"skipped\":%s}\n", text ? text : "{}") < 0;
        free(text);
        json_decref(sk);
        if (a->tmp != NULL)
            werr |= copy_stream(a->tmp, o) < 0;
    } else if (a->r->write_json_rows != NULL) {
        /* the envelope from Jansson with an empty rows array, which is the document's last
         * member: the report writes its rows where the "[]" stands */
        (void)rs;
        json_t *j = report_json(a->r, info);
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(j);
        const char *at = text != NULL ? strstr(text, "\"rows\": []\n}") : NULL;
        if (at == NULL) {
            free(text);
            return -1;
        }
        size_t head = (size_t)(at - text) + strlen("\"rows\": ");
        werr |= fwrite(text, 1, head, o) != head;
        werr |= a->r->write_json_rows(a->r, o) < 0;
        werr |= fputs(at + strlen("\"rows\": []"), o) == EOF || fputc('\n', o) == EOF;
        free(text);
    } else {
        json_t *j = report_json(a->r, info);
        werr |= json_dumpf(j, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0;
        werr |= fputc('\n', o) == EOF;
        json_decref(j);
    }
    return werr ? -1 : 0;
}

/* ---- the sink ---- */

static void note_werr(nta_report_set *rs, int failed)
{
    if (failed && !rs->werr) {
        rs->werr = 1;
        rs->werrno = errno;
    }
}

static int on_start(void *ctx, const nta_run_info *info)
{
    nta_report_set *rs = ctx;
    rs->info = info;
    for (int i = 0; i < rs->n && rs->o.saver == NULL; i++) {   /* streaming rows start now: their preamble first */
        if (!rs->a[i].output || !rs->a[i].r->streaming)
            continue;
        if (rs->o.fmt == NTA_RFMT_CSV)
            csv_preamble(rs->a[i].r->opts.stream, info, rs->a[i].r->name);
        else if (rs->o.fmt == NTA_RFMT_JSON)
            json_head(rs->a[i].r->opts.stream, info, rs->a[i].r->name);
    }
    return 0;
}

static int on_event(void *ctx, const nta_event *ev)
{
    nta_report_set *rs = ctx;
    rs->probe_counts[ev->probe]++;
    for (nta_report *const *r = rs->by_probe[ev->probe]; *r != NULL; r++)
        if ((*r)->on_event(*r, ev) < 0) {
            rs->failed = (*r)->name;
            rs->failed_errno = errno;
            return NTA_EIO;
        }
    return 0;
}

/* A shard's end: every report's state, and the set's own (the probe counts), saved. */
static int save_all(nta_report_set *rs)
{
    for (int i = 0; i < rs->n; i++)
        if (rs->a[i].r->save != NULL && rs->a[i].r->save(rs->a[i].r) < 0)
            return NTA_EIO;
    nta_buf b = { 0 };
    nta_buf_uv(&b, 0);   /* order key */
    for (int p = 0; p < NTA_PROBE__COUNT; p++)
        nta_buf_uv(&b, rs->probe_counts[p]);
    const nta_report_saver *sv = rs->o.saver;
    int rc = b.failed ? NTA_ENOMEM : sv->state(sv->ctx, NTA_NREPORTS, b.p, b.n);
    nta_buf_free(&b);
    return rc < 0 ? NTA_EIO : 0;
}

/* Renders every report, in order: into one output, one JSON document when there are several;
 * files of their own are flushed (the command closes them). */
static int on_finish(void *ctx, const nta_run_info *info)
{
    nta_report_set *rs = ctx;
    rs->info = info;
    rs->midstream = info->midstream;
    if (rs->o.saver != NULL)
        return save_all(rs);
    FILE *out = rs->o.out;
    note_werr(rs, rs->lw != NULL && nta_logw_finish(rs->lw) < 0);
    int shared_json = rs->o.fmt == NTA_RFMT_JSON && !rs->own_files && rs->nout > 1;
    if (shared_json)
        note_werr(rs, fputs("{\"schema_version\":1,\"reports\":[\n", out) == EOF);
    int first = 1;
    for (int k = 0; k < rs->n; k++) {
        active *a = &rs->a[k];
        if (!a->output)
            continue;
        FILE *o = a->dest ? a->dest : out;
        if (shared_json && !first)
            note_werr(rs, fputs(",\n", out) == EOF);
        first = 0;
        if (rs->o.fmt != NTA_RFMT_JSON)
            note_werr(rs, finish_report(rs, a, o, info) < 0);
        else
            note_werr(rs, finish_json(rs, a, o, info) < 0);
        if (a->dest != NULL)
            note_werr(rs, fflush(a->dest) != 0 || ferror(a->dest));
    }
    if (shared_json)
        note_werr(rs, fputs("]}\n", out) == EOF);
    note_werr(rs, fflush(out) != 0 || ferror(out));
    return 0;
}

const nta_sink *nta_report_set_sink(nta_report_set *rs)
{
    return &rs->sink;
}

static nta_report *by_chan(nta_report_set *rs, uint8_t chan)
{
    for (int i = 0; i < rs->n; i++)
        if (rs->a[i].r->opts.chan == chan)
            return rs->a[i].r;
    return NULL;
}

int nta_report_set_load(nta_report_set *rs, uint8_t chan, uint64_t key, const uint8_t *p, size_t n,
                        nta_err *err)
{
    if (chan == NTA_NREPORTS) {
        nta_cur c = nta_cur_make(p, n);
        for (int i = 0; i < NTA_PROBE__COUNT; i++) {
            uint64_t v;
            if (nta_cur_uv(&c, &v) < 0)
                return nta_err_set(err, NTA_ECORRUPT, "damaged probe counts");
            rs->probe_counts[i] += v;
        }
        return c.left == 0 ? 0 : nta_err_set(err, NTA_ECORRUPT, "damaged probe counts");
    }
    nta_report *r = by_chan(rs, chan);
    if (r == NULL || r->load == NULL)
        return nta_err_set(err, NTA_EUSAGE, "state of a report (channel %u) the merge does not "
                           "make", chan);
    return r->load(r, key, p, n, err);
}

int nta_report_set_loaded(nta_report_set *rs, nta_err *err)
{
    for (int i = 0; i < rs->n; i++) {
        nta_report *r = rs->a[i].r;
        int rc = r->load != NULL ? r->load(r, 0, NULL, 0, err) : 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

int nta_report_set_replay(nta_report_set *rs, uint8_t chan, const uint8_t *p, size_t n)
{
    nta_report *r = by_chan(rs, chan);
    if (r == NULL || r->replay == NULL)
        return NTA_ECORRUPT;
    return r->replay(r, p, n) < 0 ? NTA_EIO : 0;
}

void nta_report_set_on_wait(void *ctx)
{
    nta_report_set *rs = ctx;
    if (rs->lw != NULL)
        nta_logw_hand_over(rs->lw);
}

const char *nta_report_set_failed(const nta_report_set *rs, int *errnum)
{
    *errnum = rs->failed_errno;
    return rs->failed;
}

int nta_report_set_write_status(nta_report_set *rs)
{
    if (rs->werr)
        errno = rs->werrno;
    return rs->werr ? -1 : 0;
}

/* ---- making the set ---- */

/* Makes report i of the set, whose slot already holds its destination. */
static int add_report(nta_report_set *rs, int i, const nta_report_dest *d, nta_err *err)
{
    active *a = &rs->a[i];
    FILE *stream = rs->o.out;
    if (!a->output) {
        stream = a->devnull = fopen("/dev/null", "w");
        if (stream == NULL)
            return nta_err_set(err, NTA_EIO, "cannot open /dev/null: %s", strerror(errno));
    } else if (a->dest != NULL) {
        stream = a->dest;
    } else if (rs->nout > 1) {
        /* several reports share the output: keep this one's lines apart */
        const char *dir = rs->o.tmpdir != NULL ? rs->o.tmpdir : "/tmp";
        if ((a->tmp = nta_tmpfile(dir)) == NULL)
            return nta_err_set(err, NTA_EIO, "cannot make a temporary file in %s for the %s report "
                               "(several reports share one output): %s; set TMPDIR, or use "
                               "--output-dir", dir, d->kind->name, strerror(errno));
        stream = a->tmp;
    }
    nta_report_opts ro = { rs->o.fmt, stream, rs->o.interval_ns, rs->o.known, rs->lw, rs->o.tmpdir,
                          rs->o.max_flows, rs->o.saver, 0, rs->o.origin_ns };
    for (int k = 0; k < NTA_NREPORTS; k++)
        if (nta_report_kinds[k] == d->kind)
            ro.chan = (uint8_t)k;
    if ((a->r = nta_report_new(d->kind, &ro)) == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    if (!a->r->streaming && a->tmp != NULL) {
        fclose(a->tmp);
        a->tmp = NULL;
    }
    return 0;
}

int nta_report_set_new(nta_report_set **out, const nta_report_set_opts *o,
                       const nta_report_dest *dests, int ndests, nta_err *err)
{
    *out = NULL;
    nta_report_set *rs = calloc(1, sizeof *rs);
    int rc = 0;
    if (rs == NULL || ndests > NTA_NREPORTS) {
        rc = rs == NULL ? nta_err_set(err, NTA_ENOMEM, "out of memory")
                        : nta_err_set(err, NTA_EUSAGE, "more reports than there are");
        goto fail;
    }
    rs->o = *o;
    rs->own_files = 1;
    rs->n = ndests;
    for (int i = 0; i < ndests; i++) {
        rs->a[i].dest = dests[i].file;
        rs->a[i].output = dests[i].output;
        rs->a[i].is_log = dests[i].kind->is_log;
        rs->nout += dests[i].output;
        if (dests[i].output && dests[i].file == NULL)
            rs->own_files = 0;
        /* the per-event logs are formatted and written on a thread of their own (NULL: inline;
         * a shard formats nothing) */
        if (dests[i].kind->is_log && rs->lw == NULL && o->saver == NULL)
            rs->lw = nta_logw_new();
    }
    for (int i = 0; i < ndests; i++)
        if ((rc = add_report(rs, i, &dests[i], err)) < 0)
            goto fail;
    uint32_t probes = 0, tcps = 0;
    for (int i = 0; i < rs->n; i++) {
        probes |= rs->a[i].r->kind->probes;
        if (rs->a[i].r->kind->needs_tcpsinfo)
            tcps |= rs->a[i].r->kind->probes;
    }
    for (int i = 0; i < NPROBE_METRICS; i++)
        probes |= 1u << probe_metrics[i].probe;
    for (int pr = 0; pr < NTA_PROBE__COUNT; pr++) {
        int k = 0;
        for (int i = 0; i < rs->n; i++)
            if ((rs->a[i].r->kind->probes >> pr) & 1u)
                rs->by_probe[pr][k++] = rs->a[i].r;
        rs->by_probe[pr][k] = NULL;
    }
    /* no report reads ipv4info/ipv6info; tcpsinfo only on the probes of a report that says so
     * (--ooo reads it on tcp:::receive: tcp:::send's copy would be built for nobody) */
    rs->sink = (nta_sink){ .on_start = on_start, .on_event = on_event, .on_finish = on_finish,
                           .ctx = rs, .probes = probes,
                           .skip = NTA_SKIP_IPV46INFO | NTA_SKIP_TCPSINFO, .tcps_probes = tcps };
    *out = rs;
    return 0;
fail:
    nta_report_set_free(rs);
    return rc;
}

void nta_report_set_free(nta_report_set *rs)
{
    if (rs == NULL)
        return;
    nta_logw_free(rs->lw);
    for (int i = 0; i < rs->n; i++) {
        if (rs->a[i].tmp)
            fclose(rs->a[i].tmp);
        if (rs->a[i].devnull)
            fclose(rs->a[i].devnull);
        if (rs->a[i].r != NULL)
            rs->a[i].r->free(rs->a[i].r);
    }
    free(rs);
}

/* ---- metrics ---- */

int nta_metric_known(const char *name, const nta_report_kind **owner)
{
    *owner = NULL;
    for (int i = 0; i < NPROBE_METRICS; i++)
        if (strcmp(name, probe_metrics[i].name) == 0)
            return 1;
    if (strcmp(name, "midstream") == 0)
        return 1;
    for (int k = 0; k < NTA_NREPORTS; k++)
        for (const char *const *m = nta_report_kinds[k]->metrics; *m != NULL; m++)
            if (strcmp(name, *m) == 0) {
                *owner = nta_report_kinds[k];
                return 1;
            }
    return 0;
}

int nta_metric_available(const char *name, const nta_run_info *info, const char **why)
{
    *why = NULL;
    for (int i = 0; i < NPROBE_METRICS; i++)
        if (strcmp(name, probe_metrics[i].name) == 0 && !(info->probes >> probe_metrics[i].probe & 1u)) {
            *why = "the probe it counts never fires in it";
            return 0;
        }
    if (strcmp(name, "midstream") == 0 && info->dtext) {
        *why = "connections are picked up mid-stream only when a capture is analysed";
        return 0;
    }
    return 1;
}

const char *nta_metrics_help(void)
{
    return metrics_help;
}

int nta_report_set_metric(nta_report_set *rs, const char *name, double *v)
{
    for (int i = 0; i < NPROBE_METRICS; i++)
        if (strcmp(name, probe_metrics[i].name) == 0) {
            *v = (double)rs->probe_counts[probe_metrics[i].probe];
            return 0;
        }
    if (strcmp(name, "midstream") == 0) {
        *v = (double)rs->midstream;
        return 0;
    }
    for (int i = 0; i < rs->n; i++)
        if (rs->a[i].r->metric(rs->a[i].r, name, v) == 0)
            return 0;
    return -1;
}
