/* tests/agg/test_conformance.c: the aggregation engine and its renderers against real DTrace.
 *
 * Truth: ../shared/conformance/dtrace/NAME.out, the expected stdout of oracle/dtrace-utils tests
 * (MANIFEST.tsv there). For each test whose output is an aggregation layout, the data the D
 * script aggregates is written out below by hand from reading the script (restore it with
 * ../shared/conformance/restore-scripts.py; the scripts are not copied here), fed to nta's
 * engine, printed with agg_text, and compared byte for byte. Where upstream compared sorted
 * lines and the .out itself is sorted (not in the order dtrace wrote it), the comparison is of
 * sorted lines too, and says so. Two tests mix trace() or not-quiet probe lines (dscript's) with
 * an aggregation: only their aggregation part, the lines after the skipped ones, is compared.
 * Every other test of the corpus is listed on stdout with why it is not reproduced here. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg.h"
#include "agg/agg_text.h"
#include "testutil.h"

static char *expected(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/conformance/dtrace/%s.out", NTA_SHARED_DIR, name);
    return (char *)tu_slurp(path, len);
}

/* ---- building and printing, as the D statements do ---- */

static nta_agg *mk(nta_aggfn fn)
{
    nta_aggparams p = { .fn = fn };
    nta_agg *a = nta_agg_create(&p, NULL);
    ck_assert_ptr_nonnull(a);
    return a;
}

static nta_agg *mk_lq(int64_t low, int64_t high, int64_t step)
{
    nta_aggparams p = { .fn = NTA_AGG_LQUANTIZE, .lq_low = low, .lq_high = high, .lq_step = step };
    nta_agg *a = nta_agg_create(&p, NULL);
    ck_assert_ptr_nonnull(a);
    return a;
}

static nta_agg *mk_llq(int64_t factor, int64_t low, int64_t high, int64_t nsteps)
{
    nta_aggparams p = { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = factor, .llq_low = low,
                        .llq_high = high, .llq_nsteps = nsteps };
    nta_agg *a = nta_agg_create(&p, NULL);
    ck_assert_ptr_nonnull(a);
    return a;
}

/* @a = f(v[, incr]) */
static void add0(nta_agg *a, int64_t v, int64_t incr)
{
    nta_aggkey k;
    nta_aggkey_init(&k);
    ck_assert_int_eq(nta_agg_add(a, &k, v, incr), 0);
}

/* @a[key] = f(v[, incr]) for an integer key of size bytes (D: int 4, (short) 2, (char) 1,
 * (long long) and implicit i++ variables 8) */
static void add_i(nta_agg *a, int64_t key, int size, int64_t v, int64_t incr)
{
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_int(&k, key, size);
    ck_assert_int_eq(nta_agg_add(a, &k, v, incr), 0);
}

static void add_s(nta_agg *a, const char *key, int64_t v, int64_t incr)
{
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, key);
    ck_assert_int_eq(nta_agg_add(a, &k, v, incr), 0);
}

/* dtrace writes "\n" at exit, then the aggregations no printa() printed (reference 5.0) */
static void exit_print(FILE *o, nta_agg **aggs, int n)
{
    fputc('\n', o);
    ck_assert_int_eq(nta_text_print_aggs(o, aggs, n), 0);
}

static void exit_print_sorted(FILE *o, nta_agg **aggs, int n, const nta_aggsort *s)
{
    fputc('\n', o);
    ck_assert_int_eq(nta_text_print_aggs_sorted(o, aggs, n, s), 0);
}

/* printa(@a) without a format */
static void printa0(FILE *o, nta_agg *a)
{
    ck_assert_int_eq(nta_text_printa_sorted(o, NULL, &a, 1, NULL), 0);
}

static void printa(FILE *o, const char *fmt, nta_agg **aggs, int n)
{
    ck_assert_int_eq(nta_text_printa(o, fmt, aggs, n), 0);
}

static void free_all(nta_agg **aggs, int n)
{
    for (int i = 0; i < n; i++)
        nta_agg_free(aggs[i]);
}

/* ---- the tests, one function per script ---- */

/* aggs.tst.count: @a = count() twice. */
static void run_count(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_COUNT);
    add0(a, 0, 1);
    add0(a, 0, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.count2: @counts["tick-count"] = count() on ten ticks. */
static void run_count2(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_COUNT);
    for (int i = 0; i < 10; i++)
        add_s(a, "tick-count", 0, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.count_notquiet: ten BEGIN clauses @a = count(); the probe lines before are not
 * quiet dscript output (skipped), the exit's "\n" and the count are compared. */
static void run_count_notquiet(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_COUNT);
    for (int i = 0; i < 10; i++)
        add0(a, 0, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.sum: @a = sum(i) for i = 0, 100, ..., 900. */
static void run_sum(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    for (int i = 0; i < 1000; i += 100)
        add0(a, i, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.avg_neg: @ = avg(0); @ = avg(-900). */
static void run_avg_neg(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_AVG);
    add0(a, 0, 1);
    add0(a, -900, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.max_neg: @ = max(-100); @ = max(-900). */
static void run_max_neg(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_MAX);
    add0(a, -100, 1);
    add0(a, -900, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.stddev: @a = stddev(5000000000 + 100 k), @b = stddev(-5000000000 - 100 k), k = 0..9. */
static void run_stddev(FILE *o)
{
    nta_agg *ab[2] = { mk(NTA_AGG_STDDEV), mk(NTA_AGG_STDDEV) };
    for (int64_t k = 0; k < 10; k++) {
        add0(ab[0], 5000000000 + 100 * k, 1);
        add0(ab[1], -5000000000 - 100 * k, 1);
    }
    exit_print(o, ab, 2);
    free_all(ab, 2);
}

/* aggs.tst.stddev2: twelve aggregations of two values each (0 and 0, then 0x10 and 0x20, ...),
 * each printed with printa("%9@x\n"), then exit's "\n". */
static void run_stddev2(FILE *o)
{
    static const int64_t v[12][2] = {
        { 0, 0 },
        { 0x10, 0x20 },
        { 0x100, 0x200 },
        { 0x1000, 0x2000 },
        { 0x10000, 0x20000 },
        { 0x100000, 0x200000 },
        { 0x1000000, 0x2000000 },
        { 0x10000000, 0x20000000 },
        { 0x20000000, 0x40000000 },
        { 0x40000000, 0x80000000 },
        { 0x80000000, 0x100000000 },
        { 0x100000000, 0x200000000 },
    };
    for (int i = 0; i < 12; i++) {
        nta_agg *a = mk(NTA_AGG_STDDEV);
        add0(a, v[i][0], 1);
        add0(a, v[i][1], 1);
        printa(o, "%9@x\n", &a, 1);
        nta_agg_free(a);
    }
    fputc('\n', o);
}

/* aggs.tst.allquant: on 64 ticks with i = 0..63, @ = quantize of 1 << i, (1 << i) + 1,
 * -(1 << i) and -(1 << i) - 1, in 64-bit wrapping arithmetic (1 << 63 is INT64_MIN). */
static void run_allquant(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_QUANTIZE);
    for (int i = 0; i < 64; i++) {
        uint64_t p = 1ull << i;
        add0(a, (int64_t)p, 1);
        add0(a, (int64_t)(p + 1), 1);
        add0(a, (int64_t)(0 - p), 1);
        add0(a, (int64_t)(0 - p - 1), 1);
    }
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.negquant: string keys, quantize with positive, negative and huge increments. */
static void run_negquant(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_QUANTIZE);
    add_s(a, "j-church", 1, 100);
    add_s(a, "j-church", 1, -99);
    add_s(a, "j-church", 1, -1);
    add_s(a, "k-ingleside", 1, -123);
    add_s(a, "l-taraval", 0, -123);
    add_s(a, "l-taraval", -1, -123);
    add_s(a, "l-taraval", 1, 123);
    add_s(a, "l-taraval", 1, 123);
    add_s(a, "m-oceanview", 1, INT64_MAX);
    add_s(a, "m-oceanview", 1, 1);
    add_s(a, "m-oceanview", 2, INT64_MAX);
    add_s(a, "m-oceanview", 8, 400000);
    add_s(a, "n-judah", 1, 123);
    add_s(a, "n-judah", 2, 123);
    add_s(a, "n-judah", 2, 123);
    add_s(a, "n-judah", 2, 1);
    int64_t val = INT64_MAX;
    for (int64_t i = 1; i <= 8; i <<= 1, val >>= 1)
        add_s(a, "f-market", i, val);
    val = INT64_MAX - 3;
    for (int64_t i = 1; i <= 8; i <<= 1, val >>= 1)
        add_s(a, "s-castro", i, val);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.lquantize: @a[i] = lquantize(i, -100, 1100, 100) for i = 0, 100, ..., 900 (int i). */
static void run_lquantize(FILE *o)
{
    nta_agg *a = mk_lq(-100, 1100, 100);
    for (int i = 0; i < 1000; i += 100)
        add_i(a, i, 4, i, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.lquantrange: values below, at and above the range with increments; printa(@). */
static void run_lquantrange(FILE *o)
{
    nta_agg *a = mk_lq(-10, 10, 1);
    add_s(a, "Nixon", -20, 25);
    add_s(a, "Hoover", 20, -100);
    add_s(a, "Harding", -10, 15);
    add_s(a, "Bush", 10, 150);
    printa0(o, a);
    fputc('\n', o);
    nta_agg_free(a);
}

/* aggs.tst.lquantnormal: i = 1..10 each five times into @ = lquantize(i, 0, 10); END
 * normalize(@, 5), printa(@); exit's "\n". */
static void run_lquantnormal(FILE *o)
{
    nta_agg *a = mk_lq(0, 10, 1);
    for (int i = 1; i <= 10; i++)
        for (int k = 0; k < 5; k++)
            add0(a, i, 1);
    ck_assert_int_eq(nta_agg_normalize(a, 5), 0);
    printa0(o, a);
    fputc('\n', o);
    nta_agg_free(a);
}

/* aggs.tst.llquantoverflow: five values near 2^31 into @a .. @e = llquantize(v, 10, 7, 10,
 * 10). Flagged DIVERGES (dtrace-utils' llquantize), but the printed rows are positive buckets
 * inside the range, where FreeBSD's dt_print_llquantize prints the same lines. */
static void run_llquantoverflow(FILE *o)
{
    static const int64_t v[5] = { 1100000000, 1200000000, 1300000000, 1400000000, 1788008280 };
    nta_agg *a[5];
    for (int i = 0; i < 5; i++) {
        a[i] = mk_llq(10, 7, 10, 10);
        add0(a[i], v[i], 1);
    }
    exit_print(o, a, 5);
    free_all(a, 5);
}

/* aggs.tst.clear-one: three sums under int keys; clear(@b); printa of each; exit's "\n". */
static void run_clear_one(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_SUM), *b = mk(NTA_AGG_SUM), *c = mk(NTA_AGG_SUM);
    add_i(a, 1, 4, 100, 1);
    add_i(a, 2, 4, 20, 1);
    add_i(a, 3, 4, 3, 1);
    add_i(b, 4, 4, 400, 1);
    add_i(b, 5, 4, 50, 1);
    add_i(b, 6, 4, 6, 1);
    add_i(c, 7, 4, 700, 1);
    add_i(c, 8, 4, 80, 1);
    add_i(c, 9, 4, 9, 1);
    nta_agg_zero(b);
    printa0(o, a);
    printa0(o, b);
    printa0(o, c);
    fputc('\n', o);
    nta_agg_free(a);
    nta_agg_free(b);
    nta_agg_free(c);
}

/* aggs.tst.normalize / normalize_multiple_times / denormalize: @a and @b = sum(i * 100) for
 * i = 0..19, then normalize(@a, 5) (after normalize(@a, 2)), or normalize then denormalize. */
static void sums_0_19(nta_agg **ab)
{
    for (int i = 0; i < 20; i++) {
        add0(ab[0], i * 100, 1);
        add0(ab[1], i * 100, 1);
    }
}

static void run_normalize(FILE *o)
{
    nta_agg *ab[2] = { mk(NTA_AGG_SUM), mk(NTA_AGG_SUM) };
    sums_0_19(ab);
    ck_assert_int_eq(nta_agg_normalize(ab[0], 5), 0);
    exit_print(o, ab, 2);
    free_all(ab, 2);
}

static void run_normalize_multiple_times(FILE *o)
{
    nta_agg *ab[2] = { mk(NTA_AGG_SUM), mk(NTA_AGG_SUM) };
    sums_0_19(ab);
    ck_assert_int_eq(nta_agg_normalize(ab[0], 2), 0);
    ck_assert_int_eq(nta_agg_normalize(ab[0], 5), 0);
    exit_print(o, ab, 2);
    free_all(ab, 2);
}

static void run_denormalize(FILE *o)
{
    nta_agg *ab[2] = { mk(NTA_AGG_SUM), mk(NTA_AGG_SUM) };
    sums_0_19(ab);
    ck_assert_int_eq(nta_agg_normalize(ab[0], 5), 0);
    nta_agg_denormalize(ab[0]);
    exit_print(o, ab, 2);
    free_all(ab, 2);
}

/* aggs.tst.denormalizeonly: @func[i % 5] = sum(i * 100), i = 0..19 (int i);
 * printf("denormalized:"); denormalize(@func); exit. */
static void run_denormalizeonly(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    for (int i = 0; i < 20; i++)
        add_i(a, i % 5, 4, i * 100, 1);
    fputs("denormalized:", o);
    nta_agg_denormalize(a);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.multinormalize: @func1[i % 5] = sum(i * 100), @func2[i % 5 + 1] = sum(i * 200),
 * i = 0..19; printa(@func1) normalized by 5; @func2 normalized by 5 and printed at exit. */
static void run_multinormalize(FILE *o)
{
    nta_agg *f1 = mk(NTA_AGG_SUM), *f2 = mk(NTA_AGG_SUM);
    for (int i = 0; i < 20; i++) {
        add_i(f1, i % 5, 4, i * 100, 1);
        add_i(f2, i % 5 + 1, 4, i * 200, 1);
    }
    fputs("normalized data #1:\n", o);
    ck_assert_int_eq(nta_agg_normalize(f1, 5), 0);
    printa0(o, f1);
    fputs("\nnormalized data #2:\n", o);
    ck_assert_int_eq(nta_agg_normalize(f2, 5), 0);
    exit_print(o, &f2, 1);
    nta_agg_free(f1);
    nta_agg_free(f2);
}

/* The increments of aggs.tst.negorder and aggs.tst.quantzero: a = 7, b = 13,
 * val = -a * b + a; per tick incr = val % b (C's remainder), val += a, and val += a again when
 * it became 0; the aggregating clause runs while incr != 0. Returns how many, into incr[]. */
static int negorder_incrs(int64_t *incr)
{
    int64_t a = 7, b = 13, val = -a * b + a;
    int n = 0;
    for (;;) {
        int64_t in = val % b;
        val += a;
        if (val == 0)
            val += a;
        if (in == 0)
            return n;
        incr[n++] = in;
    }
}

/* aggs.tst.negorder: @quanty[i] = quantize(1, incr), @lquanty[i] = lquantize(1, -10, 10, 1,
 * incr), @summy, @maxxy, @minny[i] of incr, i = 1, 2, ... (an implicit 64-bit variable); each
 * printed with printa(@) between printf lines. */
static void run_negorder(FILE *o)
{
    int64_t incr[64];
    int n = negorder_incrs(incr);
    nta_agg *q = mk(NTA_AGG_QUANTIZE), *lq = mk_lq(-10, 10, 1), *s = mk(NTA_AGG_SUM),
            *mx = mk(NTA_AGG_MAX), *mn = mk(NTA_AGG_MIN);
    for (int i = 1; i <= n; i++) {
        add_i(q, i, 8, 1, incr[i - 1]);
        add_i(lq, i, 8, 1, incr[i - 1]);
        add_i(s, i, 8, incr[i - 1], 1);
        add_i(mx, i, 8, incr[i - 1], 1);
        add_i(mn, i, 8, incr[i - 1], 1);
    }
    static const char *const what[] = { "quantize()", "lquantize()", "sum()", "max()", "min()" };
    nta_agg *all[5] = { q, lq, s, mx, mn };
    for (int i = 0; i < 5; i++) {
        fprintf(o, "Ordering of %s with some negative weights:\n", what[i]);
        printa0(o, all[i]);
        fputs("\n", o);
    }
    fputc('\n', o);
    free_all(all, 5);
}

/* aggs.tst.quantzero: @[i] = quantize(0, incr) with negorder's increments; printa(@). */
static void run_quantzero(FILE *o)
{
    int64_t incr[64];
    int n = negorder_incrs(incr);
    nta_agg *a = mk(NTA_AGG_QUANTIZE);
    for (int i = 1; i <= n; i++)
        add_i(a, i, 8, 0, incr[i - 1]);
    printa0(o, a);
    fputc('\n', o);
    nta_agg_free(a);
}

/* aggs.tst.negtrunc: @[i] = sum(i) for int i = 0..99; END trunc(@, -10). */
static void run_negtrunc(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    for (int i = 0; i < 100; i++)
        add_i(a, i, 4, i, 1);
    ck_assert_int_eq(nta_agg_trunc(a, -10), 0);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.negtruncquant: @[i] = lquantize(i + k, 0, 150) for k = 0..3, int i = 0..99;
 * END trunc(@, -5). */
static void run_negtruncquant(FILE *o)
{
    nta_agg *a = mk_lq(0, 150, 1);
    for (int i = 0; i < 100; i++)
        for (int k = 0; k < 4; k++)
            add_i(a, i, 4, i + k, 1);
    ck_assert_int_eq(nta_agg_trunc(a, -5), 0);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* aggs.tst.trunc-sum-*: @[100 + i] = sum(1000 + i), int i = 0..99; trunc(@, n) (or trunc(@));
 * three seconds later @[301] = sum(2101) (i is 101 then); exit. */
static void trunc_sum(FILE *o, int64_t n)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    for (int i = 0; i < 100; i++)
        add_i(a, 100 + i, 4, 1000 + i, 1);
    ck_assert_int_eq(nta_agg_trunc(a, n), 0);
    add_i(a, 200 + 101, 4, 2000 + 101, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

static void run_trunc_sum_5(FILE *o) { trunc_sum(o, 5); }
static void run_trunc_sum_neg5(FILE *o) { trunc_sum(o, -5); }
static void run_trunc_sum_default(FILE *o) { trunc_sum(o, 0); }   /* trunc(@) is trunc(@, 0) */

/* aggs.tst.trunc-lquantize-*: @[100 + i] = lquantize(i + k, 0, 150, 1, 10000 + i) for
 * k = 1..4, int i = 0..99; trunc(@, n); later @[301] = lquantize(101 + k, ..., 20101). */
static void trunc_lq(FILE *o, int64_t n)
{
    nta_agg *a = mk_lq(0, 150, 1);
    for (int i = 0; i < 100; i++)
        for (int k = 1; k <= 4; k++)
            add_i(a, 100 + i, 4, i + k, 10000 + i);
    ck_assert_int_eq(nta_agg_trunc(a, n), 0);
    for (int k = 1; k <= 4; k++)
        add_i(a, 200 + 101, 4, 101 + k, 20000 + 101);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

static void run_trunc_lquantize_5(FILE *o) { trunc_lq(o, 5); }
static void run_trunc_lquantize_neg5(FILE *o) { trunc_lq(o, -5); }

/* aggs.tst.order: sums of 1 under int keys, string keys, (int, string) keys and char keys, each
 * printed with printa and a format, a printf("\n") after each, then exit's "\n". */
static void run_order(FILE *o)
{
    nta_agg *ints = mk(NTA_AGG_SUM), *tour = mk(NTA_AGG_SUM), *ate = mk(NTA_AGG_SUM),
            *chars = mk(NTA_AGG_SUM);
    static const int iv[] = { 8, 6, 7, 5, 3, 0, 9 };
    static const char *const cities[] = { "Ghent", "Berlin", "London", "Dublin", "Shanghai",
                                          "Zurich", "Regina", "Winnipeg", "Edmonton", "Calgary" };
    static const char *const food[] = { "Rice", "Oatmeal", "Barley", "Carrots", "Sweet potato",
                                        "Asparagus", "Squash" };
    static const char cv[] = { 'a', 's', 'd', 'f' };
    nta_aggkey k;
    for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++)
        add_i(ints, iv[i], 4, 1, 1);
    for (size_t i = 0; i < sizeof cities / sizeof cities[0]; i++)
        add_s(tour, cities[i], 1, 1);
    for (size_t i = 0; i < sizeof food / sizeof food[0]; i++) {
        nta_aggkey_init(&k);
        nta_aggkey_int(&k, 8, 4);
        nta_aggkey_str(&k, food[i]);
        ck_assert_int_eq(nta_agg_add(ate, &k, 1, 1), 0);
    }
    for (size_t i = 0; i < sizeof cv; i++)
        add_i(chars, cv[i], 1, 1, 1);
    printa(o, "%d\n", &ints, 1);
    fputc('\n', o);
    printa(o, "%s\n", &tour, 1);
    fputc('\n', o);
    printa(o, "%d %s\n", &ate, 1);
    fputc('\n', o);
    printa(o, "%c\n", &chars, 1);
    fputc('\n', o);
    fputc('\n', o);   /* exit: every aggregation was printed by printa, so only the newline */
    nta_agg *all[4] = { ints, tour, ate, chars };
    free_all(all, 4);
}

/* aggs.tst.keysort: @tour[city, i++, j] = sum(5 - j) (int i, j), then printa under each
 * setting of aggsortkey, aggsortkeypos and aggsortrev the script sets. */
static void run_keysort(FILE *o)
{
    static const struct {
        const char *city;
        int j;
    } rows[] = { { "Ghent", 0 },     { "Berlin", 1 },   { "London", 2 },   { "Dublin", 2 },
                 { "Shanghai", 3 },  { "Zurich", 4 },   { "Regina", 5 },   { "Winnipeg", 5 },
                 { "Edmonton", 5 },  { "Calgary", 5 },  { "Vancouver", 5 }, { "Victoria", 5 },
                 { "Prague", 6 },    { "London", 6 },   { "Brisbane", 7 }, { "Sydney", 7 },
                 { "Melbourne", 7 }, { "Amsterdam", 8 } };
    nta_agg *a = mk(NTA_AGG_SUM);
    for (int i = 0; i < (int)(sizeof rows / sizeof rows[0]); i++) {
        nta_aggkey k;
        nta_aggkey_init(&k);
        nta_aggkey_str(&k, rows[i].city);
        nta_aggkey_int(&k, i, 4);
        nta_aggkey_int(&k, rows[i].j, 4);
        ck_assert_int_eq(nta_agg_add(a, &k, 5 - rows[i].j, 1), 0);
    }
    static const struct {
        const char *title;
        nta_aggsort s;
    } runs[] = {
        { "By value:\n", { 0, 0, 0, 0 } },
        { "\nBy key, position 0:\n", { 1, 0, 0, 0 } },
        { "\nBy key, position 1:\n", { 1, 0, 1, 0 } },
        { "\nBy key, position 2:\n", { 1, 0, 2, 0 } },
        { "\nReversed by value:\n", { 0, 1, 0, 0 } },
        { "\nReversed by key, position 0:\n", { 1, 1, 0, 0 } },
        { "\nReversed by key, position 1:\n", { 1, 1, 1, 0 } },
        { "\nReversed by key, position 2:\n", { 1, 1, 2, 0 } },
    };
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        fputs(runs[r].title, o);
        ck_assert_int_eq(nta_text_printa_sorted(o, "%20s %8d %8d %8@d\n", &a, 1, &runs[r].s), 0);
    }
    fputc('\n', o);
    nta_agg_free(a);
}

/* aggs.tst.signedkeys: sums under the keys -2..2 as char, short, int and long long, printed at
 * exit with aggsortkey. The trace() lines before (dscript's; FreeBSD prints the narrow ones
 * unsigned, the .out has dtrace-utils' signed ones) are skipped. */
static void run_signedkeys(FILE *o)
{
    static const int sizes[4] = { 1, 2, 4, 8 };
    nta_agg *a[4];
    for (int s = 0; s < 4; s++) {
        a[s] = mk(NTA_AGG_SUM);
        for (int v = -2; v <= 2; v++)
            add_i(a[s], v, sizes[s], v, 1);
    }
    nta_aggsort sort = { 1, 0, 0, 0 };
    exit_print_sorted(o, a, 4, &sort);
    free_all(a, 4);
}

/* aggs.tst.signedkeyspos: (string, integer) keys, aggsortkey, aggsortkeypos=1, aggsortrev.
 * Each table has three names; the script's sums are v, then v x 11 and v x 111 (10 and 100
 * at v = 0). */
static void run_signedkeyspos(FILE *o)
{
    static const char *const names[4][3] = { { "cat", "dog", "mouse" },
                                             { "mouse", "dog", "cat" },
                                             { "mouse", "bear", "cat" },
                                             { "cat", "bear", "dog" } };
    static const int sizes[4] = { 1, 2, 4, 8 };
    static const int mult[3] = { 1, 11, 111 };
    nta_agg *a[4];
    for (int s = 0; s < 4; s++) {
        a[s] = mk(NTA_AGG_SUM);
        for (int v = -2; v <= 2; v++)
            for (int n = 0; n < 3; n++) {
                int64_t val = v == 0 ? (n == 0 ? 0 : n == 1 ? 10 : 100) : v * mult[n];
                nta_aggkey k;
                nta_aggkey_init(&k);
                nta_aggkey_str(&k, names[s][n]);
                nta_aggkey_int(&k, v, sizes[s]);
                ck_assert_int_eq(nta_agg_add(a[s], &k, val, 1), 0);
            }
    }
    nta_aggsort sort = { 1, 1, 1, 0 };
    exit_print_sorted(o, a, 4, &sort);
    free_all(a, 4);
}

/* aggs.tst.valsortkeypos: @[1, 3], @[2, 2], @[3, 1] = sum(0) with aggsortkeypos=1. */
static void run_valsortkeypos(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    for (int i = 1; i <= 3; i++) {
        nta_aggkey k;
        nta_aggkey_init(&k);
        nta_aggkey_int(&k, i, 4);
        nta_aggkey_int(&k, 4 - i, 4);
        ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    }
    nta_aggsort sort = { 0, 0, 1, 0 };
    exit_print_sorted(o, &a, 1, &sort);
    nta_agg_free(a);
}

/* multiaggs.tst.sort: @a[i] = sum(100 - i / 2), @b (i / 4), @c (i / 8), @d (i / 16) for
 * i = 1..100; printa of @a, @b, @c, @d, then of @d, @c, @b, @a. */
static void run_multiaggs_sort(FILE *o)
{
    nta_agg *m[4] = { mk(NTA_AGG_SUM), mk(NTA_AGG_SUM), mk(NTA_AGG_SUM), mk(NTA_AGG_SUM) };
    for (int i = 1; i <= 100; i++)
        for (int j = 0; j < 4; j++)
            add_i(m[j], i, 8, 100 - i / (2 << j), 1);
    printa(o, "%10d %@10d %@10d %@10d %@10d\n", m, 4);
    nta_agg *r[4] = { m[3], m[2], m[1], m[0] };
    printa(o, "%10d %@10d %@10d %@10d %@10d\n", r, 4);
    fputc('\n', o);
    free_all(m, 4);
}

/* multiaggs.tst.zero: @foo and @bar sums under int keys, @bop (quantize) and @baz
 * (lquantize(0, -10, 10, 1)) declared but never given data; printa of 2, 3 and 4 of them. */
static void run_multiaggs_zero(FILE *o)
{
    nta_agg *foo = mk(NTA_AGG_SUM), *bar = mk(NTA_AGG_SUM), *bop = mk(NTA_AGG_QUANTIZE),
            *baz = mk_lq(-10, 10, 1);
    add_i(foo, 123, 4, 123, 1);
    add_i(bar, 456, 4, 456, 1);
    add_i(foo, 789, 4, 789, 1);
    add_i(bar, 789, 4, 789, 1);
    nta_agg *all[4] = { foo, bar, bop, baz };
    printa(o, "%10d %@10d %@10d\n", all, 2);
    printa(o, "%10d %@10d %@10d %@10d\n", all, 3);
    printa(o, "%10d %@10d %@10d %@10d %@10d\n", all, 4);
    fputc('\n', o);
    free_all(all, 4);
}

/* multiaggs.tst.many: @agg0 .. @agg246 = sum(k) under [k], four more (quantize, count, min,
 * lquantize(0, -10, 10, 1)) declared first but never given data; five printa of mixed sets
 * (one lists @agg9 twice), printf("\n") after each; then exit prints every aggregation no
 * printa printed, in declaration order. */
static void run_multiaggs_many(FILE *o)
{
    nta_agg *g[247];
    nta_agg *q996 = mk(NTA_AGG_QUANTIZE), *c997 = mk(NTA_AGG_COUNT), *m998 = mk(NTA_AGG_MIN),
            *l999 = mk_lq(-10, 10, 1);
    for (int k = 0; k < 247; k++) {
        g[k] = mk(NTA_AGG_SUM);
        add_i(g[k], k, 4, k, 1);
    }
    nta_agg *p1[2] = { g[0], g[1] };
    printa(o, "%8d %8@d %8@d\n", p1, 2);
    fputc('\n', o);
    nta_agg *p2[2] = { g[0], q996 };
    printa(o, "%8d %8@d %8@d\n", p2, 2);
    fputc('\n', o);
    nta_agg *p3[11] = { g[12], g[3], g[73], c997, g[9], g[9], g[4], m998, g[11], g[23], g[69] };
    printa(o, "%4d %4@d %4@d %4@d %4@d %4@d %4@d %4@d %4@d %4@d %4@d %4@d\n", p3, 11);
    fputc('\n', o);
    nta_agg *p4[2] = { g[245], g[246] };
    printa(o, "%8d %8@d %8@d\n", p4, 2);
    fputc('\n', o);
    nta_agg *p5[2] = { l999, g[246] };
    printa(o, "%8d %8@d %8@d\n", p5, 2);
    fputc('\n', o);
    uint8_t printed[247] = { 0 };
    static const int done[] = { 0, 1, 12, 3, 73, 9, 4, 11, 23, 69, 245, 246 };
    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++)
        printed[done[i]] = 1;
    nta_agg *rest[247 + 4];
    int n = 0;
    rest[n++] = q996;
    rest[n++] = c997;
    rest[n++] = m998;
    rest[n++] = l999;
    for (int k = 0; k < 247; k++)
        if (!printed[k])
            rest[n++] = g[k];
    exit_print(o, rest, n);
    free_all(g, 247);
    nta_agg *e[4] = { q996, c997, m998, l999 };
    free_all(e, 4);
}

/* printa.tst.dynwidth: @[10, 100] = sum(1), @[-10, 200] = sum(2); "%-*d" and "%*d" take their
 * width from the first key. */
static void run_dynwidth(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_int(&k, 10, 4);
    nta_aggkey_int(&k, 100, 4);
    ck_assert_int_eq(nta_agg_add(a, &k, 1, 1), 0);
    nta_aggkey_init(&k);
    nta_aggkey_int(&k, -10, 4);
    nta_aggkey_int(&k, 200, 4);
    ck_assert_int_eq(nta_agg_add(a, &k, 2, 1), 0);
    printa(o, "-->%-*d<--\n", &a, 1);
    printa(o, "-->%*d<--\n", &a, 1);
    fputc('\n', o);
    nta_agg_free(a);
}

/* printa.tst.manyval: @a = count(); seven %@u of the one aggregation. */
static void run_manyval(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_COUNT);
    add0(a, 0, 1);
    printa(o, "%@u %@u %@u %@u %@u %@u %@u\n", &a, 1);
    fputc('\n', o);
    nta_agg_free(a);
}

/* printa.tst.tuple: @a[1, 2, 3, 4, 5] = count(); printf("\n"); formats using 0 to 5 keys. */
static void run_tuple(FILE *o)
{
    nta_agg *a = mk(NTA_AGG_COUNT);
    nta_aggkey k;
    nta_aggkey_init(&k);
    for (int i = 1; i <= 5; i++)
        nta_aggkey_int(&k, i, 4);
    ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    fputc('\n', o);
    printa(o, "%@u: -\n", &a, 1);
    printa(o, "%@u: %d\n", &a, 1);
    printa(o, "%@u: %d %d\n", &a, 1);
    printa(o, "%@u: %d %d %d\n", &a, 1);
    printa(o, "%@u: %d %d %d %d\n", &a, 1);
    printa(o, "%@u: %d %d %d %d %d\n", &a, 1);
    fputc('\n', o);
    nta_agg_free(a);
}

enum { EXACT, SORTED };

static const struct {
    const char *name;
    void (*run)(FILE *o);
    int cmp;        /* SORTED: the .out holds the lines sorted (upstream compared so) */
    int skip;       /* leading lines of the .out that are not an aggregation layout */
} supported[] = {
    { "aggs.tst.count", run_count, EXACT, 0 },
    { "aggs.tst.count2", run_count2, EXACT, 0 },
    /* the not-quiet header and five ":BEGIN" probe lines */
    { "aggs.tst.count_notquiet", run_count_notquiet, EXACT, 6 },
    { "aggs.tst.sum", run_sum, EXACT, 0 },
    { "aggs.tst.avg_neg", run_avg_neg, EXACT, 0 },
    { "aggs.tst.max_neg", run_max_neg, EXACT, 0 },
    { "aggs.tst.stddev", run_stddev, EXACT, 0 },
    /* the exit's blank line comes first in the .out: its lines are sorted */
    { "aggs.tst.stddev2", run_stddev2, SORTED, 0 },
    { "aggs.tst.allquant", run_allquant, EXACT, 0 },
    { "aggs.tst.negquant", run_negquant, EXACT, 0 },
    { "aggs.tst.lquantize", run_lquantize, EXACT, 0 },
    { "aggs.tst.lquantrange", run_lquantrange, EXACT, 0 },
    { "aggs.tst.lquantnormal", run_lquantnormal, EXACT, 0 },
    { "aggs.tst.llquantoverflow", run_llquantoverflow, EXACT, 0 },
    { "aggs.tst.clear-one", run_clear_one, EXACT, 0 },
    { "aggs.tst.normalize", run_normalize, EXACT, 0 },
    { "aggs.tst.normalize_multiple_times", run_normalize_multiple_times, EXACT, 0 },
    { "aggs.tst.denormalize", run_denormalize, EXACT, 0 },
    { "aggs.tst.denormalizeonly", run_denormalizeonly, EXACT, 0 },
    { "aggs.tst.multinormalize", run_multinormalize, EXACT, 0 },
    { "aggs.tst.negorder", run_negorder, EXACT, 0 },
    { "aggs.tst.quantzero", run_quantzero, EXACT, 0 },
    { "aggs.tst.negtrunc", run_negtrunc, EXACT, 0 },
    { "aggs.tst.negtruncquant", run_negtruncquant, EXACT, 0 },
    { "aggs.tst.trunc-sum-5", run_trunc_sum_5, EXACT, 0 },
    { "aggs.tst.trunc-sum-neg5", run_trunc_sum_neg5, EXACT, 0 },
    { "aggs.tst.trunc-sum-default", run_trunc_sum_default, EXACT, 0 },
    { "aggs.tst.trunc-lquantize-5", run_trunc_lquantize_5, EXACT, 0 },
    { "aggs.tst.trunc-lquantize-neg5", run_trunc_lquantize_neg5, EXACT, 0 },
    { "aggs.tst.order", run_order, EXACT, 0 },
    { "aggs.tst.keysort", run_keysort, EXACT, 0 },
    /* trace() of twenty values and three blank lines: 23 lines of dscript output */
    { "aggs.tst.signedkeys", run_signedkeys, EXACT, 23 },
    { "aggs.tst.signedkeyspos", run_signedkeyspos, EXACT, 0 },
    { "aggs.tst.valsortkeypos", run_valsortkeypos, EXACT, 0 },
    { "multiaggs.tst.sort", run_multiaggs_sort, EXACT, 0 },
    { "multiaggs.tst.zero", run_multiaggs_zero, EXACT, 0 },
    { "multiaggs.tst.many", run_multiaggs_many, EXACT, 0 },
    { "printa.tst.dynwidth", run_dynwidth, EXACT, 0 },
    { "printa.tst.manyval", run_manyval, EXACT, 0 },
    { "printa.tst.tuple", run_tuple, EXACT, 0 },
};

/* Why the rest is not reproduced here: by name, then by category. */
static const char *skip_reason(const char *name, const char *category)
{
    if (strstr(name, "LLQUANT"))
        return "D compiler error (dscript); nta_agg_check refuses these parameters with "
               "FreeBSD's tags (FACTORSMALL, FACTORNSTEPS) where dtrace-utils names FACTORVAL, "
               "STEPVAL: tests/agg/test_agg.c";
    if (strstr(name, "LQUANT_MATCH"))
        return "D compiler error: two lquantize() of one aggregation disagree (dscript's check)";
    if (strstr(name, "LQUANT"))
        return "D compiler error (dscript); nta_agg_check gives the same tag and message: "
               "tests/agg/test_agg.c";
    if (strstr(name, "llquant"))
        return "llquantize: dtrace-utils' layout (negative buckets, rows \"-1\"/\"0\" where "
               "FreeBSD prints \"< 1\"); FreeBSD's is tested by hand in tests/agg/test_agg.c";
    if (strstr(name, ".err."))
        return "D compiler error: dscript's";
    if (strcmp(category, "agg") && strcmp(category, "quantize") && strcmp(category, "lquantize")
        && strcmp(category, "printa") && strcmp(category, "sort") && strcmp(category, "trunc")
        && strcmp(category, "normalize"))
        return "not an aggregation layout (D language, printf, trace, strings, speculation)";
    return "not reproduced";
}

/* The .out without its first skip lines. */
static const char *after_lines(const char *s, size_t len, int skip, size_t *rest)
{
    const char *p = s, *end = s + len;
    for (int i = 0; i < skip && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl != NULL ? nl + 1 : end;
    }
    *rest = (size_t)(end - p);
    return p;
}

static int line_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The text's lines sorted, joined by "\n". */
static char *sorted_lines(const char *s, size_t len)
{
    char *copy = malloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    for (char *p = copy, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = p;
        if (nl == NULL)
            break;
        *nl = '\0';
    }
    qsort(v, n, sizeof *v, line_cmp);
    char *out = malloc(len + n + 1), *q = out;
    *q = '\0';
    for (size_t i = 0; i < n; i++)
        q += sprintf(q, "%s\n", v[i]);
    free(v);
    free(copy);
    return out;
}

START_TEST(renderer_reproduces_dtrace)
{
    for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++) {
        char *got = NULL;
        size_t glen = 0, elen, wlen;
        FILE *o = open_memstream(&got, &glen);
        supported[i].run(o);
        fclose(o);
        char *file = expected(supported[i].name, &elen);
        ck_assert_ptr_nonnull(file);
        const char *want = after_lines(file, elen, supported[i].skip, &wlen);
        char *g = got, *w = (char *)want, *gs = NULL, *ws = NULL;
        if (supported[i].cmp == SORTED) {
            g = gs = sorted_lines(got, glen);
            w = ws = sorted_lines(want, wlen);
            glen = strlen(gs);
            wlen = strlen(ws);
        }
        if (glen != wlen || memcmp(g, w, wlen) != 0) {
            size_t at = 0;
            while (at < glen && at < wlen && g[at] == w[at])
                at++;
            ck_abort_msg("%s differs at byte %zu:\n--- nta\n%.*s\n--- dtrace\n%.*s", supported[i].name,
                         at, (int)(glen - at < 300 ? glen - at : 300), g + at,
                         (int)(wlen - at < 300 ? wlen - at : 300), w + at);
        }
        free(gs);
        free(ws);
        free(got);
        free(file);
    }
}
END_TEST

START_TEST(every_corpus_test_is_run_or_skipped_with_a_reason)
{
    char path[512];
    snprintf(path, sizeof path, "%s/conformance/dtrace/MANIFEST.tsv", NTA_SHARED_DIR);
    tu_tsv *m = tu_tsv_read(path);
    ck_assert_ptr_nonnull(m);
    int cn = 0, cc = tu_tsv_col(m, "category");
    int run = 0, skipped = 0;
    for (int r = 0; r < m->nrows; r++) {
        const char *name = m->rows[r][cn];
        int is_run = 0;
        for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
            is_run |= strcmp(supported[i].name, name) == 0;
        if (is_run) {
            run++;
            continue;
        }
        skipped++;
        printf("skip %-55s %s\n", name, skip_reason(name, cc >= 0 ? m->rows[r][cc] : ""));
    }
    printf("conformance: %d run, %d skipped\n", run, skipped);
    ck_assert_int_eq(run, (int)(sizeof supported / sizeof supported[0]));
    tu_tsv_free(m);
}
END_TEST

int main(void)
{
    tu_require_shared("agg/conformance");
    Suite *s = suite_create("conformance");
    TCase *tc = tcase_create("conformance");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, renderer_reproduces_dtrace);
    tcase_add_test(tc, every_corpus_test_is_run_or_skipped_with_a_reason);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
