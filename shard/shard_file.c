/* shard/shard_file.c: writing and reading shard files (see shard_file.h).
 *
 * The writer streams MAIN straight into the file (it is most of the file) and keeps TIMR, ENDS
 * and each STAT channel in temporary files until the end, when they are appended; MAIN's length
 * is written last, in place. The reader indexes the sections once (at most MAX_SECTIONS), then
 * reads each through its own buffer with pread, so that the merge can follow MAIN, TIMR and
 * ENDS of one file at once. */
#define _FILE_OFFSET_BITS 64
#include "shard/shard_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "NTASHRD1"
#define MAX_SECTIONS 64
#define STREAM_BUF (256u * 1024u)
#define MAX_PLAN (64u << 20)
#define MAX_OPTS (1u << 20)

/* ---- writing ---- */

struct nta_shardw {
    FILE *f;
    int rc;                       /* first error */
    nta_err err;
    off_t main_len_at;            /* where MAIN's length goes */
    off_t main_start;
    FILE *timr, *ends;
    FILE *state[NTA_SHARD_MAX_CHANNELS];
    nta_buf group;                /* the current group's records */
    uint64_t nrec;
    nta_event_pos cur;
    int have_cur;
    nta_event_pos prev[3];        /* the previous group of MAIN, TIMR, ENDS */
    nta_buf tmp;
};

static int wfail(nta_shardw *w, int code, const char *what)
{
    if (w->rc == 0) {
        w->rc = code;
        nta_err_set(&w->err, code, "writing the shard file failed: %s%s%s", what,
                    code == NTA_EIO ? ": " : "", code == NTA_EIO ? strerror(errno) : "");
    }
    return w->rc;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int write_section(nta_shardw *w, const char *tag, uint32_t sub, const void *p, uint64_t n)
{
    uint8_t h[16];
    memcpy(h, tag, 4);
    put_u32(h + 4, sub);
    put_u64(h + 8, n);
    if (fwrite(h, 1, 16, w->f) != 16 || (p != NULL && n > 0 && fwrite(p, 1, (size_t)n, w->f) != n))
        return wfail(w, NTA_EIO, tag);
    return 0;
}

/* A temporary file appended as a section. */
static int append_tmp(nta_shardw *w, const char *tag, uint32_t sub, FILE *t)
{
    if (t == NULL)
        return 0;
    if (fflush(t) != 0)
        return wfail(w, NTA_EIO, tag);
    off_t n = ftello(t);
    rewind(t);
    if (n < 0 || write_section(w, tag, sub, NULL, (uint64_t)n) < 0)
        return wfail(w, NTA_EIO, tag);
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, t)) > 0)
        if (fwrite(buf, 1, got, w->f) != got)
            return wfail(w, NTA_EIO, tag);
    return ferror(t) ? wfail(w, NTA_EIO, tag) : 0;
}

int nta_shardw_open(nta_shardw **out, FILE *f, const nta_shard_head *h, const char *plan_text,
                    const void *opts, size_t optslen, nta_err *err)
{
    *out = NULL;
    nta_shardw *w = calloc(1, sizeof *w);
    if (w == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    w->f = f;
    nta_buf head = { 0 };
    uint8_t v[4];
    put_u32(v, 1);
    nta_buf_bytes(&head, v, 4);
    put_u32(v, h->kind);
    nta_buf_bytes(&head, v, 4);
    nta_buf_bytes(&head, h->plan_id, 40);
    put_u32(v, h->count);
    nta_buf_bytes(&head, v, 4);
    put_u32(v, h->nidx);
    nta_buf_bytes(&head, v, 4);
    for (uint32_t i = 0; i < h->nidx; i++) {
        put_u32(v, h->idx[i]);
        nta_buf_bytes(&head, v, 4);
    }
    if (head.failed)
        wfail(w, NTA_ENOMEM, "out of memory");
    if (fwrite(MAGIC, 1, 8, f) != 8)
        wfail(w, NTA_EIO, "the magic");
    if (w->rc == 0)
        write_section(w, "HEAD", 0, head.p, head.n);
    nta_buf_free(&head);
    if (w->rc == 0)
        write_section(w, "PLAN", 0, plan_text, strlen(plan_text));
    if (w->rc == 0)
        write_section(w, "OPTS", 0, opts, optslen);
    if (w->rc == 0 && ((w->main_len_at = ftello(f)) < 0 || write_section(w, "MAIN", 0, NULL, 0) < 0))
        wfail(w, NTA_EUSAGE, "the output must be a file nta can seek in");
    w->main_start = w->main_len_at + 16;
    if (w->rc < 0) {
        int rc = w->rc;
        *err = w->err;
        nta_shardw_abort(w);
        return rc;
    }
    *out = w;
    return 0;
}

static int which(const nta_event_pos *p)
{
    return p->when == NTA_WHEN_TIMER ? 1 : p->when == NTA_WHEN_END ? 2 : 0;
}

/* The current group, if it has records, into its section. */
static void flush_group(nta_shardw *w)
{
    if (!w->have_cur || w->nrec == 0 || w->rc < 0)
        return;
    int k = which(&w->cur);
    nta_event_pos *pv = &w->prev[k];
    nta_buf *h = &w->tmp;
    h->n = 0;
    if (k == 0) {
        nta_buf_uv(h, w->cur.pkt - pv->pkt);
        nta_buf_uv(h, w->cur.clock_ns - pv->clock_ns);
    } else if (k == 1) {
        nta_buf_sv(h, (int64_t)(w->cur.clock_ns - pv->clock_ns));
        nta_buf_u8(h, w->cur.rank);
        nta_buf_sv(h, (int64_t)(w->cur.pkt - pv->pkt));
    } else {
        nta_buf_u8(h, w->cur.rank);
        nta_buf_sv(h, (int64_t)(w->cur.clock_ns - pv->clock_ns));
        nta_buf_sv(h, (int64_t)(w->cur.pkt - pv->pkt));
    }
    nta_buf_uv(h, w->nrec);
    *pv = w->cur;
    FILE *o = k == 0 ? w->f : k == 1 ? w->timr : w->ends;
    if (o == NULL) {
        o = tmpfile();
        if (o == NULL) {
            wfail(w, NTA_EIO, "a temporary file");
            return;
        }
        if (k == 1)
            w->timr = o;
        else
            w->ends = o;
    }
    if (h->failed || w->group.failed)
        wfail(w, NTA_ENOMEM, "out of memory");
    else if (fwrite(h->p, 1, h->n, o) != h->n || fwrite(w->group.p, 1, w->group.n, o) != w->group.n)
        wfail(w, NTA_EIO, "records");
    w->group.n = 0;
    w->nrec = 0;
}

void nta_shardw_at(nta_shardw *w, const nta_event_pos *pos)
{
    if (w->have_cur && w->cur.when == pos->when && w->cur.rank == pos->rank
        && w->cur.pkt == pos->pkt && w->cur.clock_ns == pos->clock_ns)
        return;
    flush_group(w);
    w->cur = *pos;
    w->have_cur = 1;
}

int nta_shardw_record(nta_shardw *w, uint8_t chan, const void *p, size_t n)
{
    if (w->rc < 0)
        return w->rc;
    if (!w->have_cur || n > NTA_SHARD_MAX_RECORD)
        return wfail(w, NTA_EUSAGE, !w->have_cur ? "a record without a position"
                                                 : "a record larger than 64 KiB");
    nta_buf_u8(&w->group, chan);
    nta_buf_blob(&w->group, p, n);
    w->nrec++;
    if (w->group.failed)
        return wfail(w, NTA_ENOMEM, "out of memory");
    return 0;
}

int nta_shardw_state(nta_shardw *w, uint8_t chan, const void *p, size_t n)
{
    if (w->rc < 0)
        return w->rc;
    if (chan >= NTA_SHARD_MAX_CHANNELS)
        return wfail(w, NTA_EUSAGE, "a state channel out of range");
    if (w->state[chan] == NULL && (w->state[chan] = tmpfile()) == NULL)
        return wfail(w, NTA_EIO, "a temporary file");
    nta_buf *h = &w->tmp;
    h->n = 0;
    nta_buf_uv(h, n);
    if (h->failed || fwrite(h->p, 1, h->n, w->state[chan]) != h->n
        || fwrite(p, 1, n, w->state[chan]) != n)
        return wfail(w, NTA_EIO, "state");
    return 0;
}

static void info_bytes(const nta_shard_info *in, nta_buf *b)
{
    nta_buf_uv(b, in->packets);
    nta_buf_uv(b, in->connections);
    nta_buf_uv(b, in->midstream);
    nta_buf_uv(b, in->evicted);
    nta_buf_uv(b, in->events);
    nta_buf_uv(b, (uint64_t)in->nskipped);
    for (int i = 0; i < in->nskipped; i++) {
        nta_buf_str(b, in->skipped[i].reason);
        nta_buf_uv(b, in->skipped[i].count);
    }
}

static void close_tmps(nta_shardw *w)
{
    if (w->timr)
        fclose(w->timr);
    if (w->ends)
        fclose(w->ends);
    for (int i = 0; i < NTA_SHARD_MAX_CHANNELS; i++)
        if (w->state[i])
            fclose(w->state[i]);
    nta_buf_free(&w->group);
    nta_buf_free(&w->tmp);
}

int nta_shardw_close(nta_shardw *w, const nta_shard_info *info, nta_err *err)
{
    flush_group(w);
    off_t end = ftello(w->f);
    if (w->rc == 0 && end >= w->main_start) {
        uint8_t len[8];
        put_u64(len, (uint64_t)(end - w->main_start));
        if (fseeko(w->f, w->main_len_at + 8, SEEK_SET) != 0 || fwrite(len, 1, 8, w->f) != 8
            || fseeko(w->f, end, SEEK_SET) != 0)
            wfail(w, NTA_EIO, "MAIN's length");
    } else if (w->rc == 0) {
        wfail(w, NTA_EIO, "MAIN");
    }
    if (w->rc == 0)
        append_tmp(w, "TIMR", 0, w->timr);
    if (w->rc == 0)
        append_tmp(w, "ENDS", 0, w->ends);
    for (uint32_t i = 0; i < NTA_SHARD_MAX_CHANNELS && w->rc == 0; i++)
        append_tmp(w, "STAT", i, w->state[i]);
    nta_buf ib = { 0 };
    info_bytes(info, &ib);
    if (w->rc == 0)
        write_section(w, ib.failed ? "FAIL" : "INFO", 0, ib.p, ib.n);
    nta_buf_free(&ib);
    if (w->rc == 0)
        write_section(w, "DONE", 0, NULL, 0);
    if (fflush(w->f) != 0 || ferror(w->f))
        wfail(w, NTA_EIO, "flushing");
    close_tmps(w);
    int rc = w->rc;
    if (rc < 0)
        *err = w->err;
    free(w);
    return rc;
}

void nta_shardw_abort(nta_shardw *w)
{
    if (w == NULL)
        return;
    close_tmps(w);
    free(w);
}

/* ---- reading ---- */

typedef struct section {
    char tag[5];
    uint32_t sub;
    uint64_t off, len;   /* the payload */
} section;

struct nta_shardr {
    char path[256];
    int fd;                    /* -1: mem */
    const uint8_t *mem;
    uint64_t size;
    section sec[MAX_SECTIONS];
    int nsec;
    nta_shard_head head;
    uint32_t *idx;
    nta_shard_info info;
    char *plan;
    size_t plan_len;
    uint8_t *opts;
    size_t opts_len;
};

static int read_at(nta_shardr *r, uint64_t off, void *dst, size_t n)
{
    if (off > r->size || n > r->size - off)
        return -1;
    if (r->fd < 0) {
        memcpy(dst, r->mem + off, n);
        return 0;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t k = pread(r->fd, (uint8_t *)dst + done, n - done, (off_t)(off + done));
        if (k <= 0)
            return -1;
        done += (size_t)k;
    }
    return 0;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static int rfail(nta_shardr *r, nta_err *err, int code, const char *fmt, const char *what)
{
    nta_err_set(err, code, fmt, what);
    snprintf(err->file, sizeof err->file, "%s", r->path);
    return code;
}

static const section *find(const nta_shardr *r, const char *tag, uint32_t sub)
{
    for (int i = 0; i < r->nsec; i++)
        if (memcmp(r->sec[i].tag, tag, 4) == 0 && r->sec[i].sub == sub)
            return &r->sec[i];
    return NULL;
}

static int index_sections(nta_shardr *r, nta_err *err)
{
    uint8_t m[8];
    if (read_at(r, 0, m, 8) < 0 || memcmp(m, "NTASHRD", 7) != 0)
        return rfail(r, err, NTA_EFORMAT, "not a shard file (no %s magic)", MAGIC);
    if (m[7] != '1')
        return rfail(r, err, NTA_EFORMAT, "a shard file of version %s, which this nta does not "
                     "read (it reads version 1)", (const char[]){ (char)m[7], 0 });
    uint64_t off = 8;
    int done = 0;
    while (off < r->size) {
        uint8_t h[16];
        if (r->nsec == MAX_SECTIONS)
            return rfail(r, err, NTA_ECORRUPT, "more than %s sections", "64");
        if (read_at(r, off, h, 16) < 0)
            return rfail(r, err, NTA_ETRUNC, "incomplete: a section header is cut short (%s)",
                         "its shard run did not finish");
        section *s = &r->sec[r->nsec++];
        memcpy(s->tag, h, 4);
        s->tag[4] = '\0';
        s->sub = get_u32(h + 4);
        s->len = get_u64(h + 8);
        s->off = off + 16;
        if (s->len > r->size - s->off)
            return rfail(r, err, NTA_ETRUNC, "incomplete: section %s runs past the end (its "
                         "shard run did not finish)", s->tag);
        off = s->off + s->len;
        if (strcmp(s->tag, "DONE") == 0) {
            done = 1;
            break;
        }
    }
    if (!done)
        return rfail(r, err, NTA_ETRUNC, "incomplete: no %s section (its shard run did not "
                     "finish)", "DONE");
    if (off != r->size)
        return rfail(r, err, NTA_ECORRUPT, "bytes after the %s section", "DONE");
    return 0;
}

static int parse_head(nta_shardr *r, nta_err *err)
{
    const section *s = find(r, "HEAD", 0);
    uint8_t h[56];
    if (s == NULL || s->len < 56 || read_at(r, s->off, h, 56) < 0)
        return rfail(r, err, NTA_ECORRUPT, "no %s section", "HEAD");
    if (get_u32(h) != 1)
        return rfail(r, err, NTA_EFORMAT, "a shard file of another version (%s)", "HEAD");
    r->head.kind = get_u32(h + 4);
    memcpy(r->head.plan_id, h + 8, 40);
    r->head.plan_id[40] = '\0';
    for (int i = 0; i < 40; i++)
        if (!strchr("0123456789abcdef", r->head.plan_id[i]) || r->head.plan_id[i] == '\0')
            return rfail(r, err, NTA_ECORRUPT, "a plan id that is not %s", "hex");
    r->head.count = get_u32(h + 48);
    r->head.nidx = get_u32(h + 52);
    if (r->head.kind != NTA_SHARD_REPORT && r->head.kind != NTA_SHARD_EVENTS &&
        r->head.kind != NTA_SHARD_RUN)
        return rfail(r, err, NTA_ECORRUPT, "an unknown kind of %s", "shard");
    if (r->head.count < 1 || r->head.count > 4096 || r->head.nidx < 1
        || r->head.nidx > r->head.count || s->len != 56 + 4 * (uint64_t)r->head.nidx)
        return rfail(r, err, NTA_ECORRUPT, "impossible shard counts in %s", "HEAD");
    r->idx = malloc(r->head.nidx * sizeof *r->idx);
    uint8_t *raw = malloc(4 * (size_t)r->head.nidx);
    if (r->idx == NULL || raw == NULL || read_at(r, s->off + 56, raw, 4 * (size_t)r->head.nidx) < 0) {
        free(raw);
        return rfail(r, err, NTA_ENOMEM, "out of memory (%s)", "HEAD");
    }
    for (uint32_t i = 0; i < r->head.nidx; i++) {
        r->idx[i] = get_u32(raw + 4 * i);
        if (r->idx[i] >= r->head.count || (i > 0 && r->idx[i] <= r->idx[i - 1])) {
            free(raw);
            return rfail(r, err, NTA_ECORRUPT, "shard indices out of order or range in %s", "HEAD");
        }
    }
    free(raw);
    r->head.idx = r->idx;
    return 0;
}

static int load_blob(nta_shardr *r, const char *tag, size_t max, uint8_t **out, size_t *n,
                     nta_err *err)
{
    const section *s = find(r, tag, 0);
    if (s == NULL || s->len > max)
        return rfail(r, err, NTA_ECORRUPT, "no %s section, or a huge one", tag);
    *out = malloc((size_t)s->len + 1);
    if (*out == NULL)
        return rfail(r, err, NTA_ENOMEM, "out of memory (%s)", tag);
    if (read_at(r, s->off, *out, (size_t)s->len) < 0)
        return rfail(r, err, NTA_EIO, "cannot read %s", tag);
    (*out)[s->len] = '\0';
    *n = (size_t)s->len;
    return 0;
}

static int parse_info(nta_shardr *r, nta_err *err)
{
    uint8_t *b;
    size_t n;
    int rc = load_blob(r, "INFO", 1u << 16, &b, &n, err);
    if (rc < 0)
        return rc;
    nta_cur c = nta_cur_make(b, n);
    nta_shard_info *in = &r->info;
    uint64_t ns;
    int bad = nta_cur_uv(&c, &in->packets) < 0 || nta_cur_uv(&c, &in->connections) < 0
              || nta_cur_uv(&c, &in->midstream) < 0 || nta_cur_uv(&c, &in->evicted) < 0
              || nta_cur_uv(&c, &in->events) < 0 || nta_cur_uv_max(&c, 24, &ns) < 0;
    in->nskipped = bad ? 0 : (int)ns;
    for (int i = 0; !bad && i < in->nskipped; i++) {
        const uint8_t *s;
        size_t len;
        bad = nta_cur_blob(&c, sizeof in->skipped[i].reason - 1, &s, &len) < 0
              || nta_cur_uv(&c, &in->skipped[i].count) < 0;
        if (!bad) {
            memcpy(in->skipped[i].reason, s, len);
            in->skipped[i].reason[len] = '\0';
        }
    }
    free(b);
    return bad || c.left != 0 ? rfail(r, err, NTA_ECORRUPT, "a damaged %s section", "INFO") : 0;
}

static int open_common(nta_shardr *r, nta_err *err)
{
    int rc = index_sections(r, err);
    if (rc == 0)
        rc = parse_head(r, err);
    if (rc == 0)
        rc = load_blob(r, "PLAN", MAX_PLAN, (uint8_t **)&r->plan, &r->plan_len, err);
    if (rc == 0)
        rc = load_blob(r, "OPTS", MAX_OPTS, &r->opts, &r->opts_len, err);
    if (rc == 0)
        rc = parse_info(r, err);
    if (rc == 0 && find(r, "MAIN", 0) == NULL)
        rc = rfail(r, err, NTA_ECORRUPT, "no %s section", "MAIN");
    return rc;
}

/* The end every way of opening shares: the sections read into r, which is freed on failure. */
static int opened(nta_shardr **out, nta_shardr *r, nta_err *err)
{
    int rc = open_common(r, err);
    if (rc < 0) {
        nta_shardr_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int nta_shardr_open(nta_shardr **out, const char *path, nta_err *err)
{
    *out = NULL;
    nta_shardr *r = calloc(1, sizeof *r);
    if (r == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    snprintf(r->path, sizeof r->path, "%s", path);
    struct stat st;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0 || fstat(r->fd, &st) != 0) {
        int e = errno;
        nta_shardr_free(r);
        nta_err_set(err, NTA_EIO, "cannot read it: %s", strerror(e));
        snprintf(err->file, sizeof err->file, "%s", path);
        return NTA_EIO;
    }
    r->size = (uint64_t)st.st_size;
    return opened(out, r, err);
}

int nta_shardr_open_fd(nta_shardr **out, int fd, const char *name, nta_err *err)
{
    *out = NULL;
    nta_shardr *r = calloc(1, sizeof *r);
    if (r == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    snprintf(r->path, sizeof r->path, "%s", name);
    struct stat st;
    r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (r->fd < 0 || fstat(r->fd, &st) != 0) {
        int e = errno;
        nta_shardr_free(r);
        return nta_err_set(err, NTA_EIO, "cannot read %s: %s", name, strerror(e));
    }
    r->size = (uint64_t)st.st_size;
    return opened(out, r, err);
}

int nta_shardr_open_mem(nta_shardr **out, const uint8_t *p, size_t n, nta_err *err)
{
    *out = NULL;
    nta_shardr *r = calloc(1, sizeof *r);
    if (r == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    snprintf(r->path, sizeof r->path, "(memory)");
    r->fd = -1;
    r->mem = p;
    r->size = n;
    return opened(out, r, err);
}

void nta_shardr_free(nta_shardr *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0)
        close(r->fd);
    free(r->idx);
    free(r->plan);
    free(r->opts);
    free(r);
}

const char *nta_shardr_path(const nta_shardr *r) { return r->path; }
const nta_shard_head *nta_shardr_head(const nta_shardr *r) { return &r->head; }
const nta_shard_info *nta_shardr_info(const nta_shardr *r) { return &r->info; }

const char *nta_shardr_plan(const nta_shardr *r, size_t *len)
{
    *len = r->plan_len;
    return r->plan;
}

const uint8_t *nta_shardr_opts(const nta_shardr *r, size_t *len)
{
    *len = r->opts_len;
    return r->opts;
}

/* ---- streams ---- */

int nta_shard_stream_open(nta_shardr *r, const char *tag, uint32_t sub, nta_shard_stream *s,
                          nta_err *err)
{
    memset(s, 0, sizeof s[0]);
    s->r = r;
    s->err = err;
    s->kind = tag[0] == 'M' ? 'M' : tag[0] == 'T' ? 'T' : tag[0] == 'E' ? 'E' : 'S';
    const section *sec = find(r, tag, sub);
    if (sec != NULL) {
        s->off = sec->off;
        s->end = sec->off + sec->len;
    }
    s->cap = STREAM_BUF;
    s->buf = malloc(s->cap);
    return s->buf != NULL ? 0 : nta_err_set(err, NTA_ENOMEM, "out of memory");
}

void nta_shard_stream_close(nta_shard_stream *s)
{
    free(s->buf);
    s->buf = NULL;
}

/* At least n bytes buffered (fewer only at the section's end): a cursor over what is there. */
static int need(nta_shard_stream *s, size_t n, nta_cur *c)
{
    if (s->have - s->pos < n && s->off < s->end) {
        memmove(s->buf, s->buf + s->pos, s->have - s->pos);
        s->have -= s->pos;
        s->pos = 0;
        size_t room = s->cap - s->have;
        uint64_t left = s->end - s->off;
        size_t take = left < room ? (size_t)left : room;
        if (read_at(s->r, s->off, s->buf + s->have, take) < 0)
            return rfail(s->r, s->err, NTA_EIO, "cannot read %s", "a section");
        s->off += take;
        s->have += take;
    }
    *c = nta_cur_make(s->buf + s->pos, s->have - s->pos);
    return 0;
}

static int scorrupt(nta_shard_stream *s, const char *what)
{
    return rfail(s->r, s->err, NTA_ECORRUPT, "a damaged %s", what);
}

int nta_shard_next_group(nta_shard_stream *s, nta_event_pos *pos, uint64_t *nrec)
{
    if (s->left != 0)
        return scorrupt(s, "group (records left over)");
    nta_cur c;
    int rc = need(s, 40, &c);
    if (rc < 0)
        return rc;
    if (c.left == 0)
        return 0;
    size_t start = c.left;
    nta_event_pos p = s->last;
    uint64_t a, b;
    int64_t x, y;
    uint8_t rank = 0;
    if (s->kind == 'M') {
        if (nta_cur_uv(&c, &a) < 0 || nta_cur_uv(&c, &b) < 0)
            return scorrupt(s, "MAIN group");
        p.when = NTA_WHEN_PACKET;
        p.pkt += a;
        p.clock_ns += b;
    } else if (s->kind == 'T') {
        if (nta_cur_sv(&c, &x) < 0 || nta_cur_u8(&c, &rank) < 0 || nta_cur_sv(&c, &y) < 0)
            return scorrupt(s, "TIMR group");
        p.when = NTA_WHEN_TIMER;
        p.clock_ns += (uint64_t)x;
        p.pkt += (uint64_t)y;
    } else if (s->kind == 'E') {
        if (nta_cur_u8(&c, &rank) < 0 || nta_cur_sv(&c, &x) < 0 || nta_cur_sv(&c, &y) < 0)
            return scorrupt(s, "ENDS group");
        p.when = NTA_WHEN_END;
        p.clock_ns += (uint64_t)x;
        p.pkt += (uint64_t)y;
    } else {
        return scorrupt(s, "stream (not a record section)");
    }
    if (rank > 1 || nta_cur_uv(&c, nrec) < 0 || *nrec == 0 || *nrec > s->end - s->off + c.left)
        return scorrupt(s, "group header");
    p.rank = rank;
    s->pos += start - c.left;
    s->last = p;
    s->left = *nrec;
    *pos = p;
    return 1;
}

int nta_shard_next_record(nta_shard_stream *s, uint8_t *chan, const uint8_t **p, size_t *n)
{
    if (s->left == 0)
        return scorrupt(s, "group (fewer records than it says)");
    nta_cur c;
    int rc = need(s, NTA_SHARD_MAX_RECORD + 16, &c);
    if (rc < 0)
        return rc;
    size_t start = c.left;
    if (nta_cur_u8(&c, chan) < 0 || nta_cur_blob(&c, NTA_SHARD_MAX_RECORD, p, n) < 0)
        return scorrupt(s, "record");
    s->pos += start - c.left;
    s->left--;
    return 1;
}

int nta_shard_next_chunk(nta_shard_stream *s, const uint8_t **p, size_t *n)
{
    nta_cur c;
    int rc = need(s, 10, &c);
    if (rc < 0)
        return rc;
    if (c.left == 0)
        return 0;
    uint64_t len;
    size_t start = c.left;
    if (nta_cur_uv(&c, &len) < 0 || len > s->end - s->off + c.left)
        return scorrupt(s, "state chunk");
    s->pos += start - c.left;
    if (len + 10 > s->cap) {   /* a chunk larger than the buffer: grow it once */
        uint8_t *b = realloc(s->buf, (size_t)len + 16);
        if (b == NULL)
            return rfail(s->r, s->err, NTA_ENOMEM, "out of memory (%s)", "state chunk");
        s->buf = b;
        s->cap = (size_t)len + 16;
    }
    if ((rc = need(s, (size_t)len, &c)) < 0)
        return rc;
    if (c.left < len)
        return scorrupt(s, "state chunk (cut short)");
    *p = c.p;
    *n = (size_t)len;
    s->pos += (size_t)len;
    return 1;
}
