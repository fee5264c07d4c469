/* dscript/output.c: records and their consumer (see output.h). */
#include "dscript/output.h"

#include "dscript/lower.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { R_TEXT = 1, R_PRINTF = 2 };
#define NO_TEXT ((size_t)-1)
#define HAND_OVER (64u * 1024u)

ds_buf *rt_text(rctx *c)
{
    ds_buf *b = c->stage;
    if (c->text_hdr == NO_TEXT) {
        char *p = ds_buf_reserve(b, 5);
        if (p == NULL)
            return b;
        p[0] = R_TEXT;
        memset(p + 1, 0, 4);
        c->text_hdr = b->n;
        b->n += 5;
    }
    return b;
}

static void close_text(rctx *c)
{
    if (c->text_hdr == NO_TEXT)
        return;
    ds_buf *b = c->stage;
    uint32_t len = (uint32_t)(b->n - c->text_hdr - 5);
    if (!b->oom)
        memcpy(b->p + c->text_hdr + 1, &len, 4);
    c->text_hdr = NO_TEXT;
}

void rt_cut(rctx *c, size_t mark, size_t text_hdr)
{
    c->stage->n = mark;
    /* a text record opened before the clause is open again; one it opened is gone */
    c->text_hdr = text_hdr != NO_TEXT && text_hdr < mark ? text_hdr : NO_TEXT;
}

pf_site *rt_printf_site(ds_arena *a, const pformat *f, const rnode *const *args, int nargs)
{
    int n = 0;
    uint16_t regs[256];
    int ai = 0;
    for (int i = 0; i < f->n; i++) {
        const pfconv *cv = &f->c[i];
        if (cv->conv == 0)
            continue;
        ai += cv->wstar + cv->pstar;
        if (cv->conv == '%')
            continue;
        if (cv->astr && ai < nargs && ai < 256 && !ln_static_str(args[ai]))
            regs[n++] = (uint16_t)ai;
        ai++;
    }
    pf_site *s = ds_alloc(a, sizeof *s + (size_t)n * sizeof s->copied[0]);
    if (s == NULL)
        return NULL;
    s->f = f;
    s->ncopied = n;
    memcpy(s->copied, regs, (size_t)n * sizeof regs[0]);
    return s;
}

void rt_printf(rctx *c, const pf_site *site, const uint64_t *vals, int nvals)
{
    /* the strings first: a NULL one faults before anything is recorded (literals never are) */
    size_t strbytes = 0;
    uint32_t lens[256];
    for (int i = 0; i < site->ncopied; i++) {
        const char *s = (const char *)(uintptr_t)vals[site->copied[i]];
        if (s == NULL) {
            ds_fault(c, FLT_BADADDR, 0);
            return;
        }
        lens[i] = (uint32_t)strnlen(s, c->strmax);
        strbytes += 4 + lens[i] + 1;
    }
    close_text(c);
    ds_buf *b = c->stage;
    size_t need = 1 + sizeof site + 2 + (size_t)nvals * 8 + strbytes;
    char *p = ds_buf_reserve(b, need);
    if (p == NULL)
        return;
    *p++ = R_PRINTF;
    memcpy(p, &site, sizeof site);
    p += sizeof site;
    uint16_t n = (uint16_t)nvals;
    memcpy(p, &n, 2);
    p += 2;
    memcpy(p, vals, (size_t)nvals * 8);
    p += (size_t)nvals * 8;
    for (int i = 0; i < site->ncopied; i++) {
        memcpy(p, &lens[i], 4);
        memcpy(p + 4, (const char *)(uintptr_t)vals[site->copied[i]], lens[i]);
        p[4 + lens[i]] = '\0';
        p += 4 + lens[i] + 1;
    }
    b->n += need;
}

/* ---- the consumer ---- */

static void write_text(nta_dscript *d, ds_buf *text, int flush);

/* Format the records of [p, p + n) into text, written out as it grows. */
static void consume(nta_dscript *d, const char *p, size_t n, ds_buf *text)
{
    const char *end = p + n;
    uint64_t vals[256];
    while (p < end) {
        if (*p == R_TEXT) {
            uint32_t len;
            memcpy(&len, p + 1, 4);
            ds_buf_put(text, p + 5, len);
            p += 5 + len;
        } else {
            const pf_site *site;
            uint16_t nv;
            memcpy(&site, p + 1, sizeof site);
            memcpy(&nv, p + 1 + sizeof site, 2);
            p += 1 + sizeof site + 2;
            memcpy(vals, p, (size_t)nv * 8);
            p += (size_t)nv * 8;
            for (int i = 0; i < site->ncopied; i++) {
                uint32_t len;
                memcpy(&len, p, 4);
                vals[site->copied[i]] = (uint64_t)(uintptr_t)(p + 4);
                p += 4 + len + 1;
            }
            const pformat *f = site->f;
            pf_format(NULL, text, f, vals);
        }
        if (text->n >= HAND_OVER)
            write_text(d, text, 0);
    }
}

static void failed(nta_dscript *d, int err)
{
    if (!d->write_failed)
        d->write_errno = err;
    d->write_failed = 1;
}

static void write_text(nta_dscript *d, ds_buf *text, int flush)
{
    if (text->oom)
        failed(d, ENOMEM);
    if (text->n > 0 && !d->write_failed && fwrite(text->p, 1, text->n, d->run.out) != text->n)
        failed(d, errno);
    text->n = 0;
    if (flush && !d->write_failed && fflush(d->run.out) != 0)
        failed(d, errno);
}

static void *consumer(void *arg)
{
    nta_dscript *d = arg;
    ds_buf text = { NULL, 0, 0, 0 };
    nta_chunk *ch;
    while ((ch = nta_chunkq_take(&d->q, NULL, NULL)) != NULL) {
        int flush = ch->meta != NULL && *(int *)ch->meta;
        consume(d, (const char *)ch->buf, ch->used, &text);
        write_text(d, &text, flush);
        if (ch->meta != NULL)
            *(int *)ch->meta = 0;
        nta_chunkq_give_back(&d->q);
        if (flush) {
            pthread_mutex_lock(&d->flush_mu);
            d->flushed++;
            pthread_cond_signal(&d->flush_cv);
            pthread_mutex_unlock(&d->flush_mu);
        }
    }
    ds_buf_free(&text);
    return NULL;
}

int ds_output_start(nta_dscript *d)
{
    d->pg.rc.stage = &d->out;
    d->pg.rc.text_hdr = NO_TEXT;
    if (d->run.inline_output)
        return 0;
    if (nta_chunkq_init(&d->q, 4, 256 * 1024, sizeof(int)) < 0)
        return NTA_ENOMEM;
    pthread_mutex_init(&d->flush_mu, NULL);
    pthread_cond_init(&d->flush_cv, NULL);
    if (nta_thread_start(&d->thread, consumer, d) != 0) {
        pthread_mutex_destroy(&d->flush_mu);
        pthread_cond_destroy(&d->flush_cv);
        nta_chunkq_fini(&d->q);
        return NTA_ENOMEM;
    }
    d->threaded = 1;
    return 0;
}

int ds_output_flush(nta_dscript *d, int force)
{
    rctx *c = &d->pg.rc;
    if (d->out.oom && !d->write_failed) {
        d->write_errno = ENOMEM;
        d->write_failed = 1;
    }
    if (d->out.n < HAND_OVER && !force)
        return d->write_failed ? NTA_EIO : 0;
    close_text(c);
    if (!d->threaded) {
        ds_buf text = { NULL, 0, 0, 0 };
        consume(d, d->out.p, d->out.n, &text);
        write_text(d, &text, force);
        ds_buf_free(&text);
        d->out.n = 0;
        return d->write_failed ? NTA_EIO : 0;
    }
    if (d->out.n > 0) {
        int oom = 0;
        uint8_t *p = nta_chunkq_reserve(&d->q, d->out.n, &oom);
        if (p == NULL) {
            failed(d, ENOMEM);
            d->out.n = 0;
            return NTA_EIO;
        }
        memcpy(p, d->out.p, d->out.n);
        d->out.n = 0;
    }
    if (force) {
        nta_chunk *ch = nta_chunkq_filling(&d->q);
        if (ch != NULL && ch->meta != NULL)
            *(int *)ch->meta = 1;
        pthread_mutex_lock(&d->flush_mu);
        uint64_t want = d->flushed + 1;
        pthread_mutex_unlock(&d->flush_mu);
        nta_chunkq_hand_over(&d->q, 1);
        pthread_mutex_lock(&d->flush_mu);
        while (d->flushed < want)
            pthread_cond_wait(&d->flush_cv, &d->flush_mu);
        pthread_mutex_unlock(&d->flush_mu);
    }
    return d->write_failed ? NTA_EIO : 0;
}

void ds_output_take(nta_dscript *d, ds_buf *text)
{
    text->n = 0;
    if (d->out.n == 0)
        return;
    close_text(&d->pg.rc);
    consume(d, d->out.p, d->out.n, text);
    d->out.n = 0;
}

void ds_output_stop(nta_dscript *d)
{
    if (!d->threaded)
        return;
    nta_chunkq_hand_over(&d->q, 0);
    nta_chunkq_stop(&d->q);
    pthread_join(d->thread, NULL);
    pthread_mutex_destroy(&d->flush_mu);
    pthread_cond_destroy(&d->flush_cv);
    nta_chunkq_fini(&d->q);
    d->threaded = 0;
}
