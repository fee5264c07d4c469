/* tests/shard/test_shard_file.c: the shard file (shard/shard_file.c) and saved aggregations
 * (agg/agg_serial.c).
 *
 * Truth: what was written is what is read back (groups, positions, records, state chunks,
 * info), and a table saved in two halves and merged equals the table of the whole, entry by
 * entry (DTrace's per-CPU merge, agg.h section 6); files cut short or of another kind are refused
 * with the documented codes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg_serial.h"
#include "shard/shard_file.h"

/* A file of three MAIN groups, a timer, an end group and two state chunks, in memory. */
static uint8_t *make_file(size_t *n)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    uint32_t idx[] = { 2 };
    nta_shard_head h = { NTA_SHARD_REPORT, "", 3, 1, idx };
    memset(h.plan_id, 'a', 40);
    nta_shardw *w;
    nta_err err;
    nta_err_clear(&err);
    ck_assert_int_eq(nta_shardw_open(&w, f, &h, "{\"plan\":1}", "OPT", 3, &err), 0);
    nta_event_pos p = { NTA_WHEN_PACKET, 0, 5, 1000 };
    nta_shardw_at(w, &p);
    ck_assert_int_eq(nta_shardw_record(w, 4, "a", 1), 0);
    ck_assert_int_eq(nta_shardw_record(w, 5, "bb", 2), 0);
    p.pkt = 9;
    p.clock_ns = 1500;
    nta_shardw_at(w, &p);   /* a position without records writes no group */
    p.pkt = 12;
    nta_shardw_at(w, &p);
    ck_assert_int_eq(nta_shardw_record(w, 4, "ccc", 3), 0);
    nta_event_pos t = { NTA_WHEN_TIMER, 1, 7, 61000 };
    nta_shardw_at(w, &t);
    ck_assert_int_eq(nta_shardw_record(w, 4, "t", 1), 0);
    nta_event_pos e = { NTA_WHEN_END, 0, 3, 900 };
    nta_shardw_at(w, &e);
    ck_assert_int_eq(nta_shardw_record(w, 5, "end", 3), 0);
    ck_assert_int_eq(nta_shardw_state(w, 3, "\x01xyz", 4), 0);
    ck_assert_int_eq(nta_shardw_state(w, 3, "\x02q", 2), 0);
    nta_shard_info in;
    memset(&in, 0, sizeof in);
    in.packets = 42;
    in.events = 7;
    in.nskipped = 1;
    strcpy(in.skipped[0].reason, "truncated");
    in.skipped[0].count = 3;
    ck_assert_int_eq(nta_shardw_close(w, &in, &err), 0);
    long len = ftell(f);
    rewind(f);
    uint8_t *b = malloc((size_t)len);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void expect_group(nta_shard_stream *s, int when, uint64_t pkt, uint64_t clock, uint64_t nrec)
{
    nta_event_pos p;
    uint64_t n;
    ck_assert_int_eq(nta_shard_next_group(s, &p, &n), 1);
    ck_assert_int_eq(p.when, when);
    ck_assert_uint_eq(p.pkt, pkt);
    ck_assert_uint_eq(p.clock_ns, clock);
    ck_assert_uint_eq(n, nrec);
}

static void expect_record(nta_shard_stream *s, uint8_t chan, const char *want)
{
    uint8_t c;
    const uint8_t *p;
    size_t n;
    ck_assert_int_eq(nta_shard_next_record(s, &c, &p, &n), 1);
    ck_assert_uint_eq(c, chan);
    ck_assert_uint_eq(n, strlen(want));
    ck_assert(memcmp(p, want, n) == 0);
}

START_TEST(written_is_read_back)
{
    size_t n;
    uint8_t *b = make_file(&n);
    nta_shardr *r;
    nta_err err;
    nta_err_clear(&err);
    ck_assert_int_eq(nta_shardr_open_mem(&r, b, n, &err), 0);
    const nta_shard_head *h = nta_shardr_head(r);
    ck_assert_uint_eq(h->count, 3);
    ck_assert_uint_eq(h->nidx, 1);
    ck_assert_uint_eq(h->idx[0], 2);
    ck_assert_uint_eq(nta_shardr_info(r)->packets, 42);
    ck_assert_uint_eq(nta_shardr_info(r)->events, 7);
    ck_assert_str_eq(nta_shardr_info(r)->skipped[0].reason, "truncated");
    size_t len;
    ck_assert_str_eq(nta_shardr_plan(r, &len), "{\"plan\":1}");
    nta_shard_stream s;
    ck_assert_int_eq(nta_shard_stream_open(r, "MAIN", 0, &s, &err), 0);
    expect_group(&s, NTA_WHEN_PACKET, 5, 1000, 2);
    expect_record(&s, 4, "a");
    expect_record(&s, 5, "bb");
    expect_group(&s, NTA_WHEN_PACKET, 12, 1500, 1);
    expect_record(&s, 4, "ccc");
    nta_event_pos p;
    uint64_t k;
    ck_assert_int_eq(nta_shard_next_group(&s, &p, &k), 0);
    nta_shard_stream_close(&s);
    ck_assert_int_eq(nta_shard_stream_open(r, "TIMR", 0, &s, &err), 0);
    expect_group(&s, NTA_WHEN_TIMER, 7, 61000, 1);
    ck_assert_uint_eq(s.last.rank, 1);
    expect_record(&s, 4, "t");
    nta_shard_stream_close(&s);
    ck_assert_int_eq(nta_shard_stream_open(r, "ENDS", 0, &s, &err), 0);
    expect_group(&s, NTA_WHEN_END, 3, 900, 1);
    expect_record(&s, 5, "end");
    nta_shard_stream_close(&s);
    ck_assert_int_eq(nta_shard_stream_open(r, "STAT", 3, &s, &err), 0);
    const uint8_t *c;
    ck_assert_int_eq(nta_shard_next_chunk(&s, &c, &len), 1);
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(nta_shard_next_chunk(&s, &c, &len), 1);
    ck_assert_uint_eq(len, 2);
    ck_assert_int_eq(nta_shard_next_chunk(&s, &c, &len), 0);
    nta_shard_stream_close(&s);
    nta_shardr_free(r);
    free(b);
}
END_TEST

START_TEST(cut_or_foreign_files_are_refused)
{
    size_t n;
    uint8_t *b = make_file(&n);
    nta_shardr *r;
    nta_err err;
    for (size_t cut = 0; cut < n; cut++) {   /* every prefix: never read, never crash */
        nta_err_clear(&err);
        int rc = nta_shardr_open_mem(&r, b, cut, &err);
        ck_assert_int_lt(rc, 0);
        ck_assert(rc == NTA_EFORMAT || rc == NTA_ETRUNC || rc == NTA_ECORRUPT);
    }
    nta_err_clear(&err);
    ck_assert_int_eq(nta_shardr_open_mem(&r, b, n - 9, &err), NTA_ETRUNC);   /* DONE cut */
    ck_assert(strstr(err.msg, "incomplete") != NULL);
    b[7] = '2';
    ck_assert_int_eq(nta_shardr_open_mem(&r, b, n, &err), NTA_EFORMAT);   /* version 2 */
    ck_assert(strstr(err.msg, "version") != NULL);
    free(b);
}
END_TEST

static int entries_equal(const nta_aggkey *key, const nta_aggent *const *e, int n, void *ctx)
{
    const nta_agg *other = ctx;
    (void)n;
    const nta_aggent *o = nta_agg_find(other, key);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->v, e[0]->v);
    ck_assert_int_eq(o->n, e[0]->n);
    for (int i = 0; i < nta_agg_nbuckets(other); i++)
        ck_assert_int_eq(o->buckets[i], e[0]->buckets[i]);
    return 0;
}

START_TEST(two_halves_saved_and_merged_equal_the_whole)
{
    nta_aggfn fns[] = { NTA_AGG_COUNT, NTA_AGG_SUM, NTA_AGG_MIN, NTA_AGG_MAX, NTA_AGG_AVG,
                        NTA_AGG_QUANTIZE, NTA_AGG_LQUANTIZE };
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        nta_agg *whole = nta_agg_new(fns[f], 0, 1500, 100), *half[2], *merged;
        half[0] = nta_agg_new(fns[f], 0, 1500, 100);
        half[1] = nta_agg_new(fns[f], 0, 1500, 100);
        merged = nta_agg_new(fns[f], 0, 1500, 100);
        nta_aggkey *k = malloc(sizeof *k);
        for (int i = 0; i < 500; i++) {
            char s[32];
            snprintf(s, sizeof s, "10.0.0.%d", i % 37);
            nta_aggkey_init(k);
            nta_aggkey_str(k, s);
            nta_aggkey_uint(k, (uint64_t)(i % 5), 2);
            int64_t v = (i * 7919) % 3001 - 300;
            nta_agg_add(whole, k, v, 1);
            nta_agg_add(half[i % 3 == 0], k, v, 1);
        }
        nta_err err;
        for (int h = 0; h < 2; h++) {
            nta_buf b = { 0 };
            nta_agg_save(half[h], &b);
            ck_assert(!b.failed);
            nta_cur c = nta_cur_make(b.p, b.n);
            nta_err_clear(&err);
            ck_assert_int_eq(nta_agg_load_merge(merged, &c, &err), 0);
            ck_assert_uint_eq(c.left, 0);
            nta_buf_free(&b);
        }
        ck_assert_uint_eq(nta_agg_count(merged), nta_agg_count(whole));
        ck_assert_int_eq(nta_agg_walk(whole, NTA_ORDER_VAL_KEY, entries_equal, merged), 0);
        /* a table of another function is refused, not folded in */
        nta_agg *other = nta_agg_new(fns[f] == NTA_AGG_SUM ? NTA_AGG_COUNT : NTA_AGG_SUM, 0, 0, 0);
        nta_buf b = { 0 };
        nta_agg_save(other, &b);
        nta_cur c = nta_cur_make(b.p, b.n);
        ck_assert_int_eq(nta_agg_load_merge(merged, &c, &err), NTA_EUSAGE);
        nta_buf_free(&b);
        nta_agg_free(other);
        free(k);
        nta_agg_free(whole);
        nta_agg_free(half[0]);
        nta_agg_free(half[1]);
        nta_agg_free(merged);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("shard_file");
    TCase *tc = tcase_create("shard_file");
    tcase_add_test(tc, written_is_read_back);
    tcase_add_test(tc, cut_or_foreign_files_are_refused);
    tcase_add_test(tc, two_halves_saved_and_merged_equal_the_whole);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
