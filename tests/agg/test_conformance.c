/* tests/agg/test_conformance.c: the aggregation renderer against real DTrace output.
 *
 * Truth: ../shared/conformance/dtrace/NAME.out, the expected stdout of oracle/dtrace-utils tests
 * (MANIFEST.tsv there). For each test nta reproduces, the data the D script aggregates is
 * written out below from reading the script (oracle/dtrace-utils test/unittest/aggs/NAME.d),
 * rendered with nta's engine, and compared byte for byte. Every other test of the corpus is
 * listed on stdout with why it is skipped. */
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

/* dtrace writes "\n" at exit before the aggregations not yet printed (reference 5.0) */
static void exit_print(FILE *o, nta_agg **aggs, int n)
{
    fputc('\n', o);
    ck_assert_int_eq(nta_text_print_aggs(o, aggs, n), 0);
}

/* tst.count: @a = count() twice. */
static void run_count(FILE *o)
{
    nta_agg *a = nta_agg_new(NTA_AGG_COUNT, 0, 0, 0);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_agg_add(a, &k, 0, 1);
    nta_agg_add(a, &k, 0, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* tst.sum: @a = sum(i) for i = 0, 100, ..., 900. */
static void run_sum(FILE *o)
{
    nta_agg *a = nta_agg_new(NTA_AGG_SUM, 0, 0, 0);
    nta_aggkey k;
    nta_aggkey_init(&k);
    for (int i = 0; i < 1000; i += 100)
        nta_agg_add(a, &k, i, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* tst.avg_neg: @ = avg(0); @ = avg(-900). */
static void run_avg_neg(FILE *o)
{
    nta_agg *a = nta_agg_new(NTA_AGG_AVG, 0, 0, 0);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_agg_add(a, &k, 0, 1);
    nta_agg_add(a, &k, -900, 1);
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* tst.lquantize: @a[i] = lquantize(i, -100, 1100, 100) for i = 0, 100, ..., 900 (i is an int). */
static void run_lquantize(FILE *o)
{
    nta_agg *a = nta_agg_new(NTA_AGG_LQUANTIZE, -100, 1100, 100);
    for (int i = 0; i < 1000; i += 100) {
        nta_aggkey k;
        nta_aggkey_init(&k);
        nta_aggkey_int(&k, i, 4);
        nta_agg_add(a, &k, i, 1);
    }
    exit_print(o, &a, 1);
    nta_agg_free(a);
}

/* tst.order: sums of 1 under int keys, string keys, (int, string) keys and char keys, each
 * printed with printa and a format, a printf("\n") after each, then exit's "\n". */
static void run_order(FILE *o)
{
    nta_agg *ints = nta_agg_new(NTA_AGG_SUM, 0, 0, 0), *tour = nta_agg_new(NTA_AGG_SUM, 0, 0, 0),
            *ate = nta_agg_new(NTA_AGG_SUM, 0, 0, 0), *chars = nta_agg_new(NTA_AGG_SUM, 0, 0, 0);
    static const int iv[] = { 8, 6, 7, 5, 3, 0, 9 };
    static const char *const cities[] = { "Ghent", "Berlin", "London", "Dublin", "Shanghai",
                                          "Zurich", "Regina", "Winnipeg", "Edmonton", "Calgary" };
    static const char *const food[] = { "Rice", "Oatmeal", "Barley", "Carrots", "Sweet potato",
                                        "Asparagus", "Squash" };
    static const char cv[] = { 'a', 's', 'd', 'f' };
    nta_aggkey k;
    for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
        nta_aggkey_init(&k);
        nta_aggkey_int(&k, iv[i], 4);
        nta_agg_add(ints, &k, 1, 1);
    }
    for (size_t i = 0; i < sizeof cities / sizeof cities[0]; i++) {
        nta_aggkey_init(&k);
        nta_aggkey_str(&k, cities[i]);
        nta_agg_add(tour, &k, 1, 1);
    }
    for (size_t i = 0; i < sizeof food / sizeof food[0]; i++) {
        nta_aggkey_init(&k);
        nta_aggkey_int(&k, 8, 4);
        nta_aggkey_str(&k, food[i]);
        nta_agg_add(ate, &k, 1, 1);
    }
    for (size_t i = 0; i < sizeof cv; i++) {
        nta_aggkey_init(&k);
        nta_aggkey_int(&k, cv[i], 1);
        nta_agg_add(chars, &k, 1, 1);
    }
    ck_assert_int_eq(nta_text_printa(o, "%d\n", &ints, 1), 0);
    fputc('\n', o);
    ck_assert_int_eq(nta_text_printa(o, "%s\n", &tour, 1), 0);
    fputc('\n', o);
    ck_assert_int_eq(nta_text_printa(o, "%d %s\n", &ate, 1), 0);
    fputc('\n', o);
    ck_assert_int_eq(nta_text_printa(o, "%c\n", &chars, 1), 0);
    fputc('\n', o);
    fputc('\n', o);   /* exit: every aggregation was printed by printa, so only the newline */
    nta_agg_free(ints);
    nta_agg_free(tour);
    nta_agg_free(ate);
    nta_agg_free(chars);
}

static const struct {
    const char *name;
    void (*run)(FILE *o);
} supported[] = {
    { "aggs.tst.count", run_count },         { "aggs.tst.sum", run_sum },
    { "aggs.tst.avg_neg", run_avg_neg },     { "aggs.tst.lquantize", run_lquantize },
    { "aggs.tst.order", run_order },
};

/* Why the rest is not reproduced: by name prefix, then by category. */
static const char *skip_reason(const char *name, const char *category)
{
    if (strncmp(name, "aggs.tst.max_neg", 16) == 0)
        return "the stored script (a later commit) does not produce the corpus output";
    if (strstr(name, "llquant"))
        return "llquantize: Oracle-only layout, not a function nta's reports use";
    if (strstr(name, "normaliz"))
        return "normalize()/denormalize(): not used by nta's reports";
    if (strstr(name, "trunc") || strstr(name, "clear"))
        return "trunc()/clear() with a count: the reports only empty whole aggregations";
    if (strstr(name, "neg") || strstr(name, "quantzero") || strstr(name, "lquantrange"))
        return "negative quantize increments (split bar): not produced by nta's reports";
    if (strstr(name, "sort") || strstr(name, "keypos") || strstr(name, "signedkeys"))
        return "aggsort* options or trace() output: not used by nta's reports";
    if (strstr(name, "stddev"))
        return "stddev(): not used by nta's reports";
    if (strstr(name, ".err."))
        return "D compiler error: nta compiles no D";
    if (strcmp(category, "agg") && strcmp(category, "quantize") && strcmp(category, "lquantize")
        && strcmp(category, "printa"))
        return "not an aggregation layout (D language, printf, strings, speculation)";
    return "needs D-script features nta does not emulate (tick timing, printa widths via *)";
}

START_TEST(renderer_reproduces_dtrace)
{
    for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++) {
        char *got = NULL;
        size_t glen = 0, elen;
        FILE *o = open_memstream(&got, &glen);
        supported[i].run(o);
        fclose(o);
        char *want = expected(supported[i].name, &elen);
        if (glen != elen || memcmp(got, want, elen) != 0) {
            size_t at = 0;
            while (at < glen && at < elen && got[at] == want[at])
                at++;
            ck_abort_msg("%s differs at byte %zu:\n--- nta\n%.*s\n--- dtrace\n%.*s", supported[i].name,
                         at, (int)(glen - at < 200 ? glen - at : 200), got + at,
                         (int)(elen - at < 200 ? elen - at : 200), want + at);
        }
        free(got);
        free(want);
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
    tu_require_shared("reports/conformance");
    Suite *s = suite_create("conformance");
    TCase *tc = tcase_create("conformance");
    tcase_add_test(tc, renderer_reproduces_dtrace);
    tcase_add_test(tc, every_corpus_test_is_run_or_skipped_with_a_reason);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
