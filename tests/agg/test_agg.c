/* tests/agg/test_agg.c: the aggregation engine (agg/agg.c, agg_key.c, agg_walk.c) and the
 * default layout of agg_text.c on cases the conformance corpus does not reach.
 *
 * Truths: hand derivations from libdtrace and the kernel (opendtrace lib/libdtrace/common/
 * dt_consume.c, dt_aggregate.c, dt_cc.c; sys/uts/common/dtrace/dtrace.c), each cited where it
 * is used, and for the merge property the engine's own single-table result (merging the tables
 * of two halves of a stream must give the table of the whole stream, which is what DTrace's
 * per-CPU merge relies on); never nta's own earlier output. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/agg.h"
#include "agg/agg_json.h"
#include "agg/agg_text.h"
#include "testutil.h"

static nta_agg *mk(nta_aggfn fn)
{
    nta_aggparams p = { .fn = fn };
    nta_agg *a = nta_agg_create(&p, NULL);
    ck_assert_ptr_nonnull(a);
    return a;
}

static nta_agg *mk_par(const nta_aggparams *p)
{
    nta_err err;
    nta_err_clear(&err);
    nta_agg *a = nta_agg_create(p, &err);
    ck_assert_msg(a != NULL, "create: %s", err.msg);
    return a;
}

static void add0(nta_agg *a, int64_t v, int64_t incr)
{
    nta_aggkey k;
    nta_aggkey_init(&k);
    ck_assert_int_eq(nta_agg_add(a, &k, v, incr), 0);
}

static void add_s(nta_agg *a, const char *key, int64_t v)
{
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, key);
    ck_assert_int_eq(nta_agg_add(a, &k, v, 1), 0);
}

static void add_i(nta_agg *a, int64_t key, int size, int64_t v)
{
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_int(&k, key, size);
    ck_assert_int_eq(nta_agg_add(a, &k, v, 1), 0);
}

/* What exit prints for these aggregations (without the leading "\n"), as a string to free. */
static char *exit_text(nta_agg **aggs, int n)
{
    char *s = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&s, &len);
    ck_assert_int_eq(nta_text_print_aggs(o, aggs, n), 0);
    fclose(o);
    return s;
}

static char *printa_text(const char *fmt, nta_agg **aggs, int n)
{
    char *s = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&s, &len);
    ck_assert_int_eq(nta_text_printa(o, fmt, aggs, n), 0);
    fclose(o);
    return s;
}

/* dt_print_datum's layout of one string key and a scalar value: "  %-50s" then " %16lld" */
static const char *row_s(char *buf, size_t cap, const char *key, long long v)
{
    snprintf(buf, cap, "  %-50s %16lld\n", key, v);
    return buf;
}

static void assert_text(char *got, const char *want)
{
    ck_assert_msg(strcmp(got, want) == 0, "got:\n[%s]\nwant:\n[%s]", got, want);
    free(got);
}

/* ---- keys: widths, signs, strings ---- */

/* dt_print_datum reads 1- and 2-byte keys as uint8_t/uint16_t into %d (aggs.tst.signedkeys:
 * 254 and 65534), 4-byte ones as uint32_t into %d (so they print signed), 8-byte with %lld. */
START_TEST(narrow_keys_print_unsigned_with_their_width)
{
    static const struct {
        int size, is_unsigned;
        int64_t key;
        const char *fmt;   /* dt_print_datum's key format */
        long long shown;
    } cases[] = {
        { 2, 0, -2, " %5lld", 65534 },
        { 1, 0, -2, " %3lld", 254 },
        { 4, 0, -2, " %8lld", -2 },
        { 4, 1, 3000000000, " %8lld", -1294967296 },   /* a uint32 >= 2^31 through %d */
        { 8, 0, -2, " %16lld", -2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nta_agg *a = mk(NTA_AGG_SUM);
        nta_aggkey k;
        nta_aggkey_init(&k);
        if (cases[i].is_unsigned)
            nta_aggkey_uint(&k, (uint64_t)cases[i].key, cases[i].size);
        else
            nta_aggkey_int(&k, cases[i].key, cases[i].size);
        ck_assert_int_eq(nta_agg_add(a, &k, 7, 1), 0);
        char want[64];
        int n = snprintf(want, sizeof want, cases[i].fmt, cases[i].shown);
        snprintf(want + n, sizeof want - (size_t)n, " %16d\n", 7);
        assert_text(exit_text(&a, 1), want);
        nta_agg_free(a);
    }
}
END_TEST

/* printa's %d follows the key's D type (pfcheck_dint: %d of an unsigned type is %u), %u of a
 * short reads it as uint16 (pfprint_uint), %x prints the bits of the key's size. */
START_TEST(printa_key_conversions_follow_the_d_type)
{
    nta_agg *a = mk(NTA_AGG_COUNT);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_int(&k, -2, 2);
    nta_aggkey_uint(&k, 65000, 2);
    nta_aggkey_int(&k, -2, 4);
    nta_aggkey_int(&k, -2, 8);
    ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    assert_text(printa_text("%d %d %d %d\n", &a, 1), "-2 65000 -2 -2\n");
    assert_text(printa_text("%u %u %x %x\n", &a, 1), "65534 65000 fffffffe fffffffffffffffe\n");
    assert_text(printa_text("%6d|%-6d|%06d|%+d|%@5u|\n", &a, 1), "    -2|65000 |-00002|-2|    1|\n");
    nta_agg_free(a);
    /* dt_printf_format adds a precision only when it is above 0: "%.0s" prints it all */
    a = mk(NTA_AGG_COUNT);
    nta_aggkey_init(&k);
    for (int i = 0; i < 4; i++)
        nta_aggkey_str(&k, "hello");
    ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    assert_text(printa_text("[%.0s][%.2s][%-7s][%7s]\n", &a, 1), "[hello][he][hello  ][  hello]\n");
    nta_agg_free(a);
}
END_TEST

/* A string key keeps strsize bytes (dtrace_store_by_ref copies up to the record's size):
 * strings equal in their first strsize bytes are one key, and a key that fills the record
 * prints whole ("  %-*s" of the unterminated record in dt_print_bytes). The old 63-byte cut is
 * gone. */
START_TEST(string_keys_hold_strsize_bytes)
{
    char s300[301], t300[301];
    memset(s300, 'x', 300);
    s300[300] = '\0';
    memcpy(t300, s300, 301);
    t300[299] = 'y';   /* differs after byte 256 */
    nta_agg *a = mk(NTA_AGG_COUNT);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_strref(&k, s300, 300);
    ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    nta_aggkey_init(&k);
    nta_aggkey_strref(&k, t300, 300);
    ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    ck_assert_uint_eq(nta_agg_count(a), 1);
    t300[255] = 'y';   /* differs inside the 256 bytes */
    nta_aggkey_init(&k);
    nta_aggkey_strref(&k, t300, 300);
    ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    ck_assert_uint_eq(nta_agg_count(a), 2);
    char want[600];
    /* by value: the other key (1) first */
    snprintf(want, sizeof want, "  %.255sy %16d\n  %.256s %16d\n", s300, 1, s300, 2);
    assert_text(exit_text(&a, 1), want);
    nta_agg_free(a);

    /* a 200-byte key, copied by nta_aggkey_str, prints whole */
    char s200[201];
    memset(s200, 'k', 200);
    s200[200] = '\0';
    a = mk(NTA_AGG_COUNT);
    add_s(a, s200, 0);
    snprintf(want, sizeof want, "  %s %16d\n", s200, 1);
    assert_text(exit_text(&a, 1), want);
    /* add_str finds the same entry (a length of 128 or more skips its one-byte fast path) */
    ck_assert_int_eq(nta_agg_add_str(a, s200, 0, 1), 0);
    ck_assert_int_eq(nta_agg_add_str(a, s200, 0, 1), 0);
    ck_assert_uint_eq(nta_agg_count(a), 1);
    ck_assert_int_eq(nta_agg_entry(a, 0)->v, 3);
    nta_agg_free(a);

    /* -x strsize=8: "abcdefgh1" and "abcdefgh2" are one key of 8 bytes */
    nta_aggparams p = { .fn = NTA_AGG_COUNT, .strsize = 8 };
    a = mk_par(&p);
    add_s(a, "abcdefgh1", 0);
    add_s(a, "abcdefgh2", 0);
    ck_assert_uint_eq(nta_agg_count(a), 1);
    assert_text(exit_text(&a, 1), row_s(want, sizeof want, "abcdefgh", 2));
    nta_agg_free(a);
}
END_TEST

/* dt_print_bytes: an empty string key, or one with a byte that is neither printable nor space
 * (nor \b, \a), prints as a hex dump of the whole strsize record, after a header of column
 * digits; the value follows on the dump's last line. */
START_TEST(empty_and_unprintable_string_keys_print_as_hex_dumps)
{
    nta_aggparams p = { .fn = NTA_AGG_COUNT, .strsize = 32 };
    nta_agg *a = mk_par(&p);
    add_s(a, "", 0);
    static const char head[] = "\n           "
                               "  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f  0123456789abcdef\n";
    static const char zeros[] = " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................\n";
    char want[1024];
    snprintf(want, sizeof want, "%s         0:%s        10:%s                1\n", head, zeros, zeros);
    assert_text(exit_text(&a, 1), want);
    nta_agg_free(a);
    p.strsize = 16;
    a = mk_par(&p);
    add_s(a, "a\001b", 0);
    snprintf(want, sizeof want,
             "%s         0: 61 01 62 00 00 00 00 00 00 00 00 00 00 00 00 00  a.b.............\n"
             "                1\n", head);
    assert_text(exit_text(&a, 1), want);
    nta_agg_free(a);
    /* tab, \b and \a are text */
    a = mk(NTA_AGG_COUNT);
    add_s(a, "a\tb\b\a", 0);
    assert_text(exit_text(&a, 1), row_s(want, sizeof want, "a\tb\b\a", 1));
    nta_agg_free(a);
}
END_TEST

START_TEST(overflowed_keys_are_refused)
{
    nta_agg *a = mk(NTA_AGG_COUNT);
    nta_aggkey k;
    nta_aggkey_init(&k);
    for (int i = 0; i < NTA_AGG_MAXKEY; i++)
        nta_aggkey_int(&k, i, 4);
    ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    nta_aggkey_int(&k, 99, 4);
    ck_assert_int_eq(k.n, NTA_AGG_MAXKEY);
    ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), NTA_EUSAGE);
    ck_assert_ptr_null(nta_agg_find(a, &k));
    ck_assert_uint_eq(nta_agg_count(a), 1);
    nta_agg_free(a);
}
END_TEST

START_TEST(key_copies_own_their_strings)
{
    nta_aggkey k, c;
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, "first");
    nta_aggkey_int(&k, 5, 2);
    nta_aggkey_copy(&c, &k);
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, "XXXXXXXX");
    ck_assert_str_eq(c.p[0].s, "first");
    ck_assert_int_eq(c.p[1].i, 5);
    ck_assert_ptr_ne(c.p[0].s, k.p[0].s);
}
END_TEST

/* A four-part key of two IPv4 texts and two ports costs its encoded bytes, not 4 x 256. */
START_TEST(keys_are_stored_compactly)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, "192.168.100.200");
    nta_aggkey_uint(&k, 443, 2);
    nta_aggkey_str(&k, "10.0.0.1");
    nta_aggkey_uint(&k, 50000, 2);
    ck_assert_int_eq(nta_agg_add(a, &k, 1, 1), 0);
    /* 1 + (1 + 1 + 15 + 1) + 3 + (1 + 1 + 8 + 1) + 3 */
    ck_assert_uint_eq(nta_agg_find(a, &k)->klen_, 36);
    nta_agg_free(a);
}
END_TEST

/* ---- walks ---- */

typedef struct seen {
    char keys[16][32];
    const nta_aggent *ents[16][4];
    int n, stop_at;
} seen;

static int record(const nta_aggkey *key, const nta_aggent *const *ents, int naggs, void *arg)
{
    seen *s = arg;
    char *d = s->keys[s->n];
    d[0] = '\0';
    for (int i = 0; i < key->n; i++) {
        size_t l = strlen(d);
        if (key->p[i].is_str)
            snprintf(d + l, 32 - l, "%s%s", i ? "," : "", key->p[i].s);
        else
            snprintf(d + l, 32 - l, "%s%lld", i ? "," : "", (long long)key->p[i].i);
    }
    for (int i = 0; i < naggs && i < 4; i++)
        s->ents[s->n][i] = ents[i];
    s->n++;
    return s->n == s->stop_at ? 7 : 0;
}

static void expect_order(seen *s, int n, const char *const *want)
{
    ck_assert_int_eq(s->n, n);
    for (int i = 0; i < n; i++)
        ck_assert_str_eq(s->keys[i], want[i]);
}

/* dt_aggregate_varvalcmp and friends: value then key; aggsortkey: key; reversed: everything;
 * NONE: insertion order. */
START_TEST(walk_orders)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    add_s(a, "c", 3);
    add_s(a, "a", 3);
    add_s(a, "d", 2);
    add_s(a, "b", 1);
    static const struct {
        nta_aggorder o;
        const char *want[4];
    } cases[] = {
        { NTA_ORDER_VAL_KEY, { "b", "d", "a", "c" } },
        { NTA_ORDER_VAL_KEY_REV, { "c", "a", "d", "b" } },
        { NTA_ORDER_KEY_VAL, { "a", "b", "c", "d" } },
        { NTA_ORDER_KEY_VAL_REV, { "d", "c", "b", "a" } },
        { NTA_ORDER_NONE, { "c", "a", "d", "b" } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        seen s = { .stop_at = -1 };
        ck_assert_int_eq(nta_agg_walk(a, cases[i].o, record, &s), 0);
        expect_order(&s, 4, cases[i].want);
    }
    /* a nonzero return stops the walk and is returned */
    seen s = { .stop_at = 2 };
    ck_assert_int_eq(nta_agg_walk(a, NTA_ORDER_VAL_KEY, record, &s), 7);
    ck_assert_int_eq(s.n, 2);
    nta_agg_free(a);
}
END_TEST

/* dt_aggregate_keycmp: integers unsigned of their size (-1 after 2), strings bytewise
 * ("10.0.0.10" before "10.0.0.9", a prefix first); aggsortkeypos starts at another component
 * and wraps. */
START_TEST(key_order_and_keypos)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    add_i(a, -1, 4, 0);
    add_i(a, 2, 4, 0);
    seen s = { .stop_at = -1 };
    ck_assert_int_eq(nta_agg_walk(a, NTA_ORDER_VAL_KEY, record, &s), 0);
    static const char *const w1[] = { "2", "-1" };
    expect_order(&s, 2, w1);
    nta_agg_free(a);

    a = mk(NTA_AGG_SUM);
    add_s(a, "10.0.0.9", 0);
    add_s(a, "10.0.0.10", 0);
    add_s(a, "10.0.0", 0);
    seen t = { .stop_at = -1 };
    ck_assert_int_eq(nta_agg_walk(a, NTA_ORDER_VAL_KEY, record, &t), 0);
    static const char *const w2[] = { "10.0.0", "10.0.0.10", "10.0.0.9" };
    expect_order(&t, 3, w2);
    nta_agg_free(a);

    a = mk(NTA_AGG_SUM);
    static const char *const names[] = { "z", "y", "x" };
    for (int i = 0; i < 3; i++) {
        nta_aggkey k;
        nta_aggkey_init(&k);
        nta_aggkey_int(&k, i + 1, 4);
        nta_aggkey_str(&k, names[i]);
        ck_assert_int_eq(nta_agg_add(a, &k, 0, 1), 0);
    }
    nta_aggsort pos1 = { .keypos = 1 }, pos9 = { .keypos = 9 };
    seen u = { .stop_at = -1 }, v = { .stop_at = -1 };
    ck_assert_int_eq(nta_agg_walk_joined(&a, 1, &pos1, record, &u), 0);
    static const char *const w3[] = { "3,x", "2,y", "1,z" };
    expect_order(&u, 3, w3);
    ck_assert_int_eq(nta_agg_walk_joined(&a, 1, &pos9, record, &v), 0);   /* out of range: 0 */
    static const char *const w4[] = { "1,z", "2,y", "3,x" };
    expect_order(&v, 3, w4);
    nta_agg_free(a);
}
END_TEST

/* dtrace_aggregate_walk_joined: the union of keys, a missing entry NULL (zero-filled), ordered
 * by the values from aggsortpos on, then the key. */
START_TEST(joined_walk_and_aggsortpos)
{
    nta_agg *t[2] = { mk(NTA_AGG_SUM), mk(NTA_AGG_SUM) };
    add_s(t[0], "a", 1);
    add_s(t[0], "b", 2);
    add_s(t[1], "a", 9);
    add_s(t[1], "b", 5);
    add_s(t[1], "c", -1);
    seen s = { .stop_at = -1 };
    ck_assert_int_eq(nta_agg_walk_joined(t, 2, NULL, record, &s), 0);
    static const char *const w0[] = { "c", "a", "b" };   /* c: t0 missing, reads 0 */
    expect_order(&s, 3, w0);
    ck_assert_ptr_null(s.ents[0][0]);
    ck_assert_ptr_nonnull(s.ents[0][1]);
    ck_assert_int_eq(s.ents[0][1]->v, -1);
    nta_aggsort pos = { .pos = 1 };
    seen u = { .stop_at = -1 };
    ck_assert_int_eq(nta_agg_walk_joined(t, 2, &pos, record, &u), 0);
    static const char *const w1[] = { "c", "b", "a" };
    expect_order(&u, 3, w1);
    ck_assert_uint_eq(nta_agg_union_count(t, 2), 3);
    /* a table listed twice */
    nta_agg *d[3] = { t[0], t[0], t[1] };
    seen v = { .stop_at = -1 };
    ck_assert_int_eq(nta_agg_walk_joined(d, 3, NULL, record, &v), 0);
    ck_assert_int_eq(v.n, 3);
    ck_assert_ptr_eq(v.ents[1][0], v.ents[1][1]);
    nta_agg_free(t[0]);
    nta_agg_free(t[1]);
}
END_TEST

/* ---- trunc, clear, normalize ---- */

/* dt_trunc keeps the first |n| of a valrevsorted (n > 0: value then key, both descending) or
 * valsorted (n < 0) walk: ties at the cut fall by key. */
START_TEST(trunc_keeps_the_top_or_bottom_n)
{
    static const int64_t v[7] = { 0, 5, 5, 1, 9, 5, 0 };   /* keys 1..6 */
    nta_agg *a = mk(NTA_AGG_SUM);
    for (int k = 1; k <= 6; k++)
        add_i(a, k, 4, v[k]);
    ck_assert_int_eq(nta_agg_trunc(a, 3), 0);
    seen s = { .stop_at = -1 };
    ck_assert_int_eq(nta_agg_walk(a, NTA_ORDER_VAL_KEY, record, &s), 0);
    static const char *const w1[] = { "2", "5", "4" };
    expect_order(&s, 3, w1);
    nta_agg_free(a);

    a = mk(NTA_AGG_SUM);
    for (int k = 1; k <= 6; k++)
        add_i(a, k, 4, v[k]);
    ck_assert_int_eq(nta_agg_trunc(a, -2), 0);
    seen t = { .stop_at = -1 };
    ck_assert_int_eq(nta_agg_walk(a, NTA_ORDER_VAL_KEY, record, &t), 0);
    static const char *const w2[] = { "6", "3" };
    expect_order(&t, 2, w2);
    /* more than there are: nothing goes; then trunc(@) empties, and keys come back fresh */
    ck_assert_int_eq(nta_agg_trunc(a, 10), 0);
    ck_assert_uint_eq(nta_agg_count(a), 2);
    ck_assert_int_eq(nta_agg_trunc(a, 0), 0);
    ck_assert_uint_eq(nta_agg_count(a), 0);
    add_i(a, 3, 4, 4);
    ck_assert_int_eq(nta_agg_entry(a, 0)->v, 4);
    nta_agg_free(a);
}
END_TEST

/* DTRACE_AGGWALK_CLEAR zeroes the data and keeps the entry: cleared keys print 0 or an empty
 * distribution; min and max restart from 0 (later snapshots merge with dt_aggregate_min/max
 * against the zeroed value); lquantize keeps its parameters. */
START_TEST(clear_zeroes_values_and_keeps_keys)
{
    nta_agg *mn = mk(NTA_AGG_MIN), *mx = mk(NTA_AGG_MAX), *av = mk(NTA_AGG_AVG);
    add_s(mn, "k", 5);
    add_s(mx, "k", -5);
    add_s(av, "k", 10);
    nta_agg_zero(mn);
    nta_agg_zero(mx);
    nta_agg_zero(av);
    ck_assert_uint_eq(nta_agg_count(mn), 1);
    char want[128];
    assert_text(exit_text(&av, 1), row_s(want, sizeof want, "k", 0));
    add_s(mn, "k", 7);
    add_s(mx, "k", -7);
    add_s(av, "k", 4);
    ck_assert_int_eq(nta_agg_entry(mn, 0)->v, 0);
    ck_assert_int_eq(nta_agg_entry(mx, 0)->v, 0);
    assert_text(exit_text(&av, 1), row_s(want, sizeof want, "k", 4));
    nta_agg_free(mn);
    nta_agg_free(mx);
    nta_agg_free(av);

    nta_aggparams p = { .fn = NTA_AGG_LQUANTIZE, .lq_low = 10, .lq_high = 20, .lq_step = 5 };
    nta_agg *lq = mk_par(&p);
    add0(lq, 12, 1);
    nta_agg_zero(lq);
    assert_text(exit_text(&lq, 1),
                "\n"
                "           value  ------------- Distribution ------------- count    \n"
                "            < 10 |                                         0        \n"
                "              10 |                                         0        \n"
                "              15 |                                         0        \n"
                "\n");
    nta_agg_free(lq);
}
END_TEST

/* normalize(): dt_print_datum divides count/sum/min/max unsigned ((long long)v / uint64
 * normal), dt_print_average signed, distribution counts unsigned with the bars computed from
 * the raw counts; printa's pfprint_sint divides signed. Entries made after normalize() print
 * undivided (dt_aggregate_snap_cpu gives them normal 1). */
START_TEST(normalize_divides_as_dtrace_prints)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    add_s(a, "a", 100);
    add_s(a, "n", -10);
    ck_assert_int_eq(nta_agg_normalize(a, 0), NTA_EUSAGE);
    ck_assert_int_eq(nta_agg_normalize(a, 10), 0);
    add_s(a, "z", 100);
    /* sorted by the raw values: n (-10), a, z; n prints (2^64 - 10) / 10 */
    char want[512], r[128];
    snprintf(want, sizeof want, "%s", row_s(r, sizeof r, "n", 1844674407370955160ll));
    strcat(want, row_s(r, sizeof r, "a", 10));
    strcat(want, row_s(r, sizeof r, "z", 100));
    assert_text(exit_text(&a, 1), want);
    assert_text(printa_text("%s %@d\n", &a, 1), "n -1\na 10\nz 100\n");
    nta_agg_denormalize(a);
    assert_text(printa_text("%s %@d\n", &a, 1), "n -10\na 100\nz 100\n");
    nta_agg_free(a);

    a = mk(NTA_AGG_AVG);
    add0(a, -25, 1);
    add0(a, -5, 1);
    ck_assert_int_eq(nta_agg_normalize(a, 2), 0);
    snprintf(want, sizeof want, " %16d\n", -7);   /* -30 / 2 / 2, signed */
    assert_text(exit_text(&a, 1), want);
    nta_agg_free(a);

    a = mk(NTA_AGG_QUANTIZE);
    add0(a, 4, 10);
    ck_assert_int_eq(nta_agg_normalize(a, 3), 0);
    assert_text(exit_text(&a, 1),
                "\n"
                "           value  ------------- Distribution ------------- count    \n"
                "               2 |                                         0        \n"
                "               4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 3        \n"
                "               8 |                                         0        \n"
                "\n");
    nta_agg_free(a);
}
END_TEST

/* printa hands %@ conversions the record as dt_printf reads it: avg through pfprint_average,
 * whose uint64_t division makes avg(0), avg(-900) print (2^64 - 900) / 2, where the default
 * layout (int64_t) prints -450 (aggs.tst.avg_neg). */
START_TEST(printa_avg_divides_unsigned)
{
    nta_agg *a = mk(NTA_AGG_AVG);
    add0(a, 0, 1);
    add0(a, -900, 1);
    assert_text(printa_text("%@d\n", &a, 1), "9223372036854775358\n");
    char want[64];
    snprintf(want, sizeof want, " %16d\n", -450);
    assert_text(exit_text(&a, 1), want);
    nta_agg_free(a);
}
END_TEST

/* ---- stddev ---- */

static uint64_t stddev_of(const int64_t *v, int n, uint64_t normal)
{
    nta_agg *a = mk(NTA_AGG_STDDEV);
    for (int i = 0; i < n; i++)
        add0(a, v[i], 1);
    uint64_t r = nta_agg_stddev(nta_agg_entry(a, 0), normal);
    nta_agg_free(a);
    return r;
}

/* dt_stddev: isqrt(sq / normal^2 / n - |sum / normal / n|^2), each division truncating. */
START_TEST(stddev_arithmetic)
{
    static const int64_t a[] = { 2, 4, 4, 4, 5, 5, 7, 9 };   /* 232 / 8 - 5^2 = 4 */
    ck_assert_uint_eq(stddev_of(a, 8, 1), 2);
    static const int64_t b[] = { 1, 2 };   /* 5 / 2 = 2, 3 / 2 = 1: 2 - 1 = 1 (not 0.5) */
    ck_assert_uint_eq(stddev_of(b, 2, 1), 1);
    static const int64_t c[] = { 10, 20 };   /* 500 / 100 / 2 = 2, 30 / 10 / 2 = 1 */
    ck_assert_uint_eq(stddev_of(c, 2, 10), 1);
    static const int64_t d[] = { -3, 3 };
    ck_assert_uint_eq(stddev_of(d, 2, 1), 3);
    static const int64_t e[] = { INT64_MIN };   /* 2^126 - (2^63)^2 */
    ck_assert_uint_eq(stddev_of(e, 1, 1), 0);
    /* the sum wraps to -2, so the mean is -1: isqrt(v^2 - 1) = v - 1 for v = 2^63 - 1 */
    static const int64_t f[] = { INT64_MAX, INT64_MAX };
    ck_assert_uint_eq(stddev_of(f, 2, 1), (uint64_t)INT64_MAX - 1);
    /* aggs.tst.stddev's first half, checked against the real output there: 287 */
    int64_t g[10];
    for (int i = 0; i < 10; i++)
        g[i] = 5000000000 + 100 * i;
    ck_assert_uint_eq(stddev_of(g, 10, 1), 287);
    ck_assert_uint_eq(nta_agg_stddev(NULL, 1), 0);
}
END_TEST

/* ---- llquantize, FreeBSD's layout ---- */

/* dtrace_aggregate_llquantize_bucket for (factor 10, low 0, high 1, nsteps 10): bucket 0 below
 * 1 (zero and negatives too), 1..9 of width 1, 10..90 of width 10, then ">= 100";
 * dt_print_llquantize labels the first "< 1" and the last ">= 100". */
START_TEST(llquantize_buckets_and_layout)
{
    nta_aggparams p = { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 10, .llq_low = 0, .llq_high = 1,
                        .llq_nsteps = 10 };
    nta_agg *a = mk_par(&p);
    ck_assert_int_eq(nta_agg_nbuckets(a), 20);
    add0(a, 0, 1);
    add0(a, 5, 1);
    add0(a, 5, 1);
    add0(a, 59, 1);
    add0(a, 200, 1);
    assert_text(exit_text(&a, 1),
                "\n"
                "           value  ------------- Distribution ------------- count    \n"
                "             < 1 |@@@@@@@@                                 1        \n"
                "               1 |                                         0        \n"
                "               2 |                                         0        \n"
                "               3 |                                         0        \n"
                "               4 |                                         0        \n"
                "               5 |@@@@@@@@@@@@@@@@                         2        \n"
                "               6 |                                         0        \n"
                "               7 |                                         0        \n"
                "               8 |                                         0        \n"
                "               9 |                                         0        \n"
                "              10 |                                         0        \n"
                "              20 |                                         0        \n"
                "              30 |                                         0        \n"
                "              40 |                                         0        \n"
                "              50 |@@@@@@@@                                 1        \n"
                "              60 |                                         0        \n"
                "              70 |                                         0        \n"
                "              80 |                                         0        \n"
                "              90 |                                         0        \n"
                "          >= 100 |@@@@@@@@                                 1        \n"
                "\n");
    /* no counts (clear): the first two rows */
    nta_agg_zero(a);
    assert_text(exit_text(&a, 1),
                "\n"
                "           value  ------------- Distribution ------------- count    \n"
                "             < 1 |                                         0        \n"
                "               1 |                                         0        \n"
                "\n");
    nta_agg_free(a);

    /* (10, 0, 2, 20): magnitude 1 has 18 buckets of 5 (10, 15, .. 95), magnitude 2 18 of 50 */
    p.llq_high = 2;
    p.llq_nsteps = 20;
    a = mk_par(&p);
    ck_assert_int_eq(nta_agg_nbuckets(a), 47);
    add0(a, 99, 1);
    assert_text(exit_text(&a, 1),
                "\n"
                "           value  ------------- Distribution ------------- count    \n"
                "              90 |                                         0        \n"
                "              95 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1        \n"
                "             100 |                                         0        \n"
                "\n");
    char lab[24];
    ck_assert_str_eq(nta_agg_bucket_label(a, 0, lab, sizeof lab), "< 1");
    ck_assert_str_eq(nta_agg_bucket_label(a, 46, lab, sizeof lab), ">= 1000");
    ck_assert_int_eq(nta_agg_bucket_value(a, 0), 0);      /* factor^low - 1 */
    ck_assert_int_eq(nta_agg_bucket_value(a, 45), 950);
    ck_assert_int_eq(nta_agg_bucket_value(a, 46), 1000);
    nta_agg_free(a);
}
END_TEST

/* In dtrace_aggregate_llquantize_bucket, when factor x this overflows int64 (the magnitude
 * below 10^18 for factor 10), `value = this - 1` sends every value of that magnitude and above
 * to its last bucket (labelled 9 x 10^17). DTrace accepts (10, 0, 17, 10): 10^19 fits 64 bits. */
START_TEST(llquantize_top_magnitude_clamps_as_the_kernel_does)
{
    nta_aggparams p = { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 10, .llq_low = 0, .llq_high = 17,
                        .llq_nsteps = 10 };
    nta_agg *a = mk_par(&p);
    add0(a, 100000000000000000, 1);   /* 10^17 */
    add0(a, INT64_MAX, 1);
    const nta_aggent *e = nta_agg_entry(a, 0);
    int top = nta_agg_nbuckets(a) - 1;
    ck_assert_int_eq(e->buckets[top - 1], 2);
    ck_assert_int_eq(nta_agg_bucket_value(a, top - 1), 900000000000000000);
    ck_assert_int_eq(e->buckets[top], 0);
    nta_agg_free(a);
}
END_TEST

/* dt_cc.c's checks, in its order, with FreeBSD's tags. The corpus' aggs.err.D_LLQUANT_*
 * tests name dtrace-utils' tags for the first two (FACTORVAL, STEPVAL). */
START_TEST(parameter_checks_give_dtrace_messages)
{
    static const struct {
        nta_aggparams p;
        const char *msg;
    } cases[] = {
        { { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 1, .llq_low = 0, .llq_high = 6, .llq_nsteps = 20 },
          "[D_LLQUANT_FACTORSMALL] llquantize( ) factor (argument #1) must be two or more" },
        { { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 10, .llq_low = 0, .llq_high = 6, .llq_nsteps = 6 },
          "[D_LLQUANT_FACTORNSTEPS] llquantize( ) factor (argument #1) must be less than or "
          "equal to the number of linear steps per magnitude (argument #4)" },
        { { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 10, .llq_low = 3, .llq_high = 3, .llq_nsteps = 10 },
          "[D_LLQUANT_MAGRANGE] llquantize( ) high magnitude (argument #3) must be greater than "
          "low magnitude (argument #2)" },
        { { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 10, .llq_low = 0, .llq_high = 6, .llq_nsteps = 15 },
          "[D_LLQUANT_FACTOREVEN] llquantize( ) factor (argument #1) must evenly divide the "
          "number of steps per magnitude (argument #4), and the number of steps per magnitude "
          "must evenly divide a power of the factor" },
        { { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 10, .llq_low = 0, .llq_high = 19, .llq_nsteps = 10 },
          "[D_LLQUANT_MAGTOOBIG] llquantize( ) factor (10) raised to power of high magnitude (19) "
          "plus 1 overflows 64-bits" },
        { { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 70000, .llq_low = 0, .llq_high = 1, .llq_nsteps = 10 },
          "[D_LLQUANT_FACTORVAL] llquantize( ) argument #1 (factor) must be an unsigned 16-bit "
          "quantity" },
        { { .fn = NTA_AGG_LQUANTIZE, .lq_low = 2147483657, .lq_high = 1000, .lq_step = 1 },
          "[D_LQUANT_BASEVAL] lquantize( ) argument #1 must be a 32-bit quantity" },
        { { .fn = NTA_AGG_LQUANTIZE, .lq_low = 0, .lq_high = 1100, .lq_step = 0 },
          "[D_LQUANT_STEPTYPE] lquantize( ) argument #3 must be a non-zero positive integer "
          "constant" },
        { { .fn = NTA_AGG_LQUANTIZE, .lq_low = 10, .lq_high = 0, .lq_step = 1 },
          "[D_LQUANT_MISMATCH] lquantize( ) base (argument #1) must be less than limit "
          "(argument #2)" },
        { { .fn = NTA_AGG_LQUANTIZE, .lq_low = 0, .lq_high = 10, .lq_step = 11 },
          "[D_LQUANT_STEPLARGE] lquantize( ) step (argument #3) too large: must have at least "
          "one quantization level" },
        { { .fn = NTA_AGG_LQUANTIZE, .lq_low = 0, .lq_high = 70000, .lq_step = 1 },
          "[D_LQUANT_STEPSMALL] lquantize( ) step (argument #3) too small: number of "
          "quantization levels must be a 16-bit quantity" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nta_err err;
        nta_err_clear(&err);
        ck_assert_ptr_null(nta_agg_create(&cases[i].p, &err));
        ck_assert_int_eq(err.code, NTA_EUSAGE);
        ck_assert_str_eq(err.msg, cases[i].msg);
    }
}
END_TEST

/* dtrace_aggregate_lquantize cuts the value to int32 first; dtrace_aggregate_quantize puts
 * everything at or below -2^62 in bucket 0. */
START_TEST(lquantize_and_quantize_bucketing_edges)
{
    nta_aggparams p = { .fn = NTA_AGG_LQUANTIZE, .lq_low = 0, .lq_high = 10, .lq_step = 1 };
    nta_agg *a = mk_par(&p);
    add0(a, (1ll << 32) + 5, 1);   /* 5 */
    add0(a, 1ll << 31, 1);         /* INT32_MIN: below the base */
    const nta_aggent *e = nta_agg_entry(a, 0);
    ck_assert_int_eq(e->buckets[6], 1);
    ck_assert_int_eq(e->buckets[0], 1);
    nta_agg_free(a);
    a = mk(NTA_AGG_QUANTIZE);
    add0(a, INT64_MIN, 1);
    add0(a, -3, 1);
    add0(a, INT64_MAX, 1);
    e = nta_agg_entry(a, 0);
    ck_assert_int_eq(e->buckets[0], 1);
    ck_assert_int_eq(e->buckets[61], 1);   /* -3 -> -2 */
    ck_assert_int_eq(e->buckets[126], 1);
    nta_agg_free(a);
}
END_TEST

/* dt_print_quantize looks for the first non-zero bucket below the last one only: counts in the
 * 2^62 bucket alone print as no data at all (rows -1, 0, 1). */
START_TEST(quantize_with_only_the_top_bucket_prints_as_empty)
{
    nta_agg *a = mk(NTA_AGG_QUANTIZE);
    add0(a, INT64_MAX, 1);
    assert_text(exit_text(&a, 1),
                "\n"
                "           value  ------------- Distribution ------------- count    \n"
                "              -1 |                                         0        \n"
                "               0 |                                         0        \n"
                "               1 |                                         0        \n"
                "\n");
    nta_agg_free(a);
}
END_TEST

/* ---- merge ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct ev {
    int key;
    int64_t v, incr;
} ev;

static char long_key[301];

/* Keys mixing strings (empty, unprintable, longer than strsize) and integers of every width;
 * every function gets the same keys. */
static void build_key(nta_aggkey *k, int key)
{
    static const char *const s[] = { "10.0.0.1", "10.0.0.10", "10.0.0.9", "", "a\001b", long_key,
                                      "fe80::1" };
    static const int sizes[] = { 1, 2, 4, 8 };
    nta_aggkey_init(k);
    nta_aggkey_str(k, s[key % 7]);
    nta_aggkey_int(k, (int64_t)key * 37 - 50, sizes[(key / 7) % 4]);
}

static int64_t value_of(void)
{
    static const int64_t extreme[] = { INT64_MIN, INT64_MAX, -1, 0, 1, 1ll << 40, -(1ll << 40),
                                       (1ll << 62) + 3, 4000000000 };
    if (rnd() % 8 == 0)
        return extreme[rnd() % (sizeof extreme / sizeof extreme[0])];
    return (int64_t)(rnd() % 2001) - 1000;
}

static nta_agg *aggregate(const nta_aggparams *p, const ev *e, size_t from, size_t to)
{
    nta_agg *a = mk_par(p);
    nta_aggkey k;
    for (size_t i = from; i < to; i++) {
        build_key(&k, e[i].key);
        ck_assert_int_eq(nta_agg_add(a, &k, e[i].v, e[i].incr), 0);
    }
    return a;
}

static char *render_all(nta_agg *a)
{
    char *s = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&s, &len);
    ck_assert_int_eq(nta_text_print_aggs(o, &a, 1), 0);
    ck_assert_int_eq(nta_text_printa_sorted(o, NULL, &a, 1, NULL), 0);
    ck_assert_int_eq(nta_text_printa(o, "%s|%d|%@d|%@u|%@x\n", &a, 1), 0);
    nta_aggsort rev = { 1, 1, 1, 0 };
    ck_assert_int_eq(nta_text_print_aggs_sorted(o, &a, 1, &rev), 0);
    fclose(o);
    return s;
}

/* Same keys, same accumulators, and (when render) the same renderings: printing is the
 * slow part, so the callers render at some of the splits only. */
static void assert_same(nta_agg *x, nta_agg *y, const char *what, int render)
{
    ck_assert_msg(nta_agg_count(x) == nta_agg_count(y), "%s: %zu keys, want %zu", what,
                  nta_agg_count(x), nta_agg_count(y));
    nta_aggkey view;
    int nb = nta_agg_nbuckets(y);
    for (size_t i = 0; i < nta_agg_count(y); i++) {
        const nta_aggent *w = nta_agg_entry(y, i);
        nta_agg_key_of(y, w, &view);
        const nta_aggent *g = nta_agg_find(x, &view);
        ck_assert_msg(g != NULL, "%s: key %zu missing", what, i);
        ck_assert_msg(g->v == w->v && g->n == w->n && g->sq[0] == w->sq[0] && g->sq[1] == w->sq[1],
                      "%s: entry %zu differs", what, i);
        for (int b = 0; b < nb; b++)
            ck_assert_msg(g->buckets[b] == w->buckets[b], "%s: bucket %d differs", what, b);
    }
    if (!render)
        return;
    char *gx = render_all(x), *gy = render_all(y);
    ck_assert_msg(strcmp(gx, gy) == 0, "%s: renderings differ", what);
    free(gx);
    free(gy);
}

static const nta_aggparams every_fn[] = {
    { .fn = NTA_AGG_COUNT },
    { .fn = NTA_AGG_SUM },
    { .fn = NTA_AGG_MIN },
    { .fn = NTA_AGG_MAX },
    { .fn = NTA_AGG_AVG },
    { .fn = NTA_AGG_STDDEV },
    { .fn = NTA_AGG_QUANTIZE },
    { .fn = NTA_AGG_LQUANTIZE, .lq_low = -100, .lq_high = 100, .lq_step = 7 },
    { .fn = NTA_AGG_LLQUANTIZE, .llq_factor = 10, .llq_low = 0, .llq_high = 4, .llq_nsteps = 20 },
};

static void make_stream(ev *e, size_t n, int nkeys)
{
    for (size_t i = 0; i < n; i++) {
        e[i].key = (int)(rnd() % (uint64_t)nkeys);
        e[i].v = value_of();
        e[i].incr = (int64_t)(rnd() % 9) - 3;
        if (rnd() % 16 == 0)
            e[i].incr = INT64_MAX;
    }
}

/* Property: for every function and every split point of a stream (here 80 events over 30
 * keys), merging the table of the first part with that of the rest gives the table of the
 * whole, in either direction: exactly what DTrace's per-CPU merge needs, and what sharding will
 * (dt_aggregate_snap_cpu merges per-CPU buffers with these operations). */
START_TEST(merging_the_halves_gives_the_whole_at_every_split)
{
    memset(long_key, 'L', 300);
    rng_state = 0x9e3779b97f4a7c15ull;
    enum { N = 80 };
    ev e[N];
    make_stream(e, N, 30);
    for (size_t f = 0; f < sizeof every_fn / sizeof every_fn[0]; f++) {
        nta_agg *whole = aggregate(&every_fn[f], e, 0, N);
        for (size_t s = 0; s <= N; s++) {
            nta_agg *h1 = aggregate(&every_fn[f], e, 0, s), *h2 = aggregate(&every_fn[f], e, s, N);
            nta_agg *h2b = aggregate(&every_fn[f], e, s, N), *h1b = aggregate(&every_fn[f], e, 0, s);
            ck_assert_int_eq(nta_agg_merge(h1, h2), 0);
            ck_assert_int_eq(nta_agg_merge(h2b, h1b), 0);
            char what[64];
            snprintf(what, sizeof what, "fn %d split %zu", (int)every_fn[f].fn, s);
            assert_same(h1, whole, what, s % 8 == 0 || s == N);
            assert_same(h2b, whole, what, s % 8 == 4);
            nta_agg_free(h1);
            nta_agg_free(h2);
            nta_agg_free(h1b);
            nta_agg_free(h2b);
        }
        nta_agg_free(whole);
    }
}
END_TEST

/* The same on long streams over many keys (tables grow and rehash), at random split points and
 * for more than two parts merged in turn. */
START_TEST(merging_random_parts_gives_the_whole)
{
    memset(long_key, 'L', 300);
    rng_state = 0x243f6a8885a308d3ull;
    enum { N = 2000 };
    ev *e = malloc(N * sizeof *e);
    make_stream(e, N, 300);
    for (size_t f = 0; f < sizeof every_fn / sizeof every_fn[0]; f++) {
        nta_agg *whole = aggregate(&every_fn[f], e, 0, N);
        for (int r = 0; r < 6; r++) {
            size_t cut[4] = { 0, rnd() % N, rnd() % N, N };
            if (cut[1] > cut[2]) {
                size_t t = cut[1];
                cut[1] = cut[2];
                cut[2] = t;
            }
            nta_agg *acc = aggregate(&every_fn[f], e, cut[0], cut[1]);
            for (int p = 1; p < 3; p++) {
                nta_agg *part = aggregate(&every_fn[f], e, cut[p], cut[p + 1]);
                ck_assert_int_eq(nta_agg_merge(acc, part), 0);
                nta_agg_free(part);
            }
            assert_same(acc, whole, "random parts", r == 0);
            nta_agg_free(acc);
        }
        nta_agg_free(whole);
    }
    free(e);
}
END_TEST

/* A table written out entry by entry (nta_agg_entry, nta_agg_key_of) and read back with
 * nta_agg_merge_one is the same table: what a shard serializer needs. */
START_TEST(entries_read_back_with_merge_one_rebuild_the_table)
{
    memset(long_key, 'L', 300);
    rng_state = 0x13198a2e03707344ull;
    enum { N = 500 };
    ev e[N];
    make_stream(e, N, 60);
    for (size_t f = 0; f < sizeof every_fn / sizeof every_fn[0]; f++) {
        nta_agg *whole = aggregate(&every_fn[f], e, 0, N), *copy = mk_par(&every_fn[f]);
        nta_aggkey view;
        for (size_t i = 0; i < nta_agg_count(whole); i++) {
            const nta_aggent *x = nta_agg_entry(whole, i);
            nta_agg_key_of(whole, x, &view);
            nta_aggent d = { .v = x->v, .n = x->n, .sq = { x->sq[0], x->sq[1] }, .buckets = x->buckets };
            ck_assert_int_eq(nta_agg_merge_one(copy, &view, &d), 0);
        }
        assert_same(copy, whole, "merge_one", 1);
        nta_agg_free(copy);
        nta_agg_free(whole);
    }
}
END_TEST

START_TEST(merge_refuses_different_functions_and_parameters)
{
    nta_agg *s = mk(NTA_AGG_SUM), *c = mk(NTA_AGG_COUNT);
    add_s(c, "k", 0);
    ck_assert_int_eq(nta_agg_merge(s, c), NTA_EUSAGE);
    ck_assert_uint_eq(nta_agg_count(s), 0);
    nta_aggparams p1 = { .fn = NTA_AGG_LQUANTIZE, .lq_low = 0, .lq_high = 10, .lq_step = 1 },
                  p2 = { .fn = NTA_AGG_LQUANTIZE, .lq_low = 0, .lq_high = 20, .lq_step = 1 },
                  p3 = { .fn = NTA_AGG_SUM, .strsize = 64 };
    nta_agg *l1 = mk_par(&p1), *l2 = mk_par(&p2), *s64 = mk_par(&p3);
    ck_assert_int_eq(nta_agg_merge(l1, l2), NTA_EUSAGE);
    ck_assert_int_eq(nta_agg_merge(s, s64), NTA_EUSAGE);
    /* merging a table into itself doubles its values */
    add_s(s, "k", 21);
    ck_assert_int_eq(nta_agg_merge(s, s), 0);
    ck_assert_int_eq(nta_agg_entry(s, 0)->v, 42);
    nta_agg_free(s);
    nta_agg_free(c);
    nta_agg_free(l1);
    nta_agg_free(l2);
    nta_agg_free(s64);
}
END_TEST

/* ---- JSON and CSV ---- */

static void assert_json(const nta_agg *a, const nta_aggent *e, const char *want)
{
    nta_aggkey view;
    nta_agg_key_of(a, e, &view);
    json_t *j = nta_json_entry(a, &view, e);
    ck_assert_ptr_nonnull(j);
    assert_text(json_dumps(j, JSON_COMPACT), want);
    json_decref(j);
}

/* DESIGN.md's machine rows: the key as an array, raw integers, every non-zero bucket with
 * nta_agg_bucket_value's value (lquantize's overflow: the top boundary). */
START_TEST(json_rows_per_function)
{
    nta_agg *a = mk(NTA_AGG_SUM);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, "a");
    nta_aggkey_uint(&k, 443, 2);
    ck_assert_int_eq(nta_agg_add(a, &k, 7, 1), 0);
    assert_json(a, nta_agg_entry(a, 0), "{\"key\":[\"a\",443],\"function\":\"sum\",\"value\":7}");
    ck_assert_int_eq(nta_agg_normalize(a, 10), 0);
    assert_json(a, nta_agg_entry(a, 0),
                "{\"key\":[\"a\",443],\"function\":\"sum\",\"value\":7,\"normal\":10}");
    nta_agg_free(a);
    a = mk(NTA_AGG_AVG);
    add0(a, 1, 1);
    add0(a, 2, 1);
    assert_json(a, nta_agg_entry(a, 0),
                "{\"key\":[],\"function\":\"avg\",\"value\":1,\"count\":2,\"sum\":3}");
    nta_agg_free(a);
    nta_aggparams p = { .fn = NTA_AGG_LQUANTIZE, .lq_low = 0, .lq_high = 10, .lq_step = 5 };
    a = mk_par(&p);
    add0(a, 3, 1);
    add0(a, 12, 2);
    assert_json(a, nta_agg_entry(a, 0),
                "{\"key\":[],\"function\":\"lquantize\",\"low\":0,\"high\":10,\"step\":5,"
                "\"buckets\":[{\"value\":0,\"count\":1},{\"value\":10,\"count\":2}]}");
    nta_agg_free(a);
}
END_TEST

START_TEST(csv_rows_per_function)
{
    char *s = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&s, &len);
    nta_agg *a = mk(NTA_AGG_SUM);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, "a,\"b\"");
    nta_aggkey_int(&k, -5, 4);
    ck_assert_int_eq(nta_agg_add(a, &k, 7, 1), 0);
    ck_assert_int_eq(nta_csv_header(o, a, 2), 0);
    ck_assert_int_eq(nta_csv_entry(o, a, &k, nta_agg_find(a, &k)), 0);
    nta_agg_free(a);
    a = mk(NTA_AGG_QUANTIZE);
    add_s(a, "x", 1);
    add_s(a, "x", 1);
    add_s(a, "x", 8);
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, "x");
    ck_assert_int_eq(nta_csv_header(o, a, 1), 0);
    ck_assert_int_eq(nta_csv_entry(o, a, &k, nta_agg_find(a, &k)), 0);
    nta_agg_free(a);
    fclose(o);
    assert_text(s, "key1,key2,function,value\n\"a,\"\"b\"\"\",-5,sum,7\n"
                   "key1,function,bucket,count\nx,quantize,1,2\nx,quantize,8,1\n");
}
END_TEST

/* ---- the older interface, as reports/ use it ---- */

START_TEST(old_interface_still_works)
{
    /* report_bytes: (laddr, lport, raddr, rport) with uint16 ports, read back as k->p[i] */
    nta_agg *b = nta_agg_new(NTA_AGG_SUM, 0, 0, 0);
    ck_assert_int_eq(nta_agg_reserve(b, 2), 0);
    static const struct {
        const char *l, *r;
        unsigned lp, rp;
        int64_t v;
    } t[] = { { "10.0.0.1", "10.0.0.2", 65000, 80, 500 }, { "10.0.0.3", "10.0.0.2", 1234, 443, 20 } };
    for (int i = 0; i < 2; i++) {
        nta_aggkey k;
        nta_aggkey_init(&k);
        nta_aggkey_str(&k, t[i].l);
        nta_aggkey_uint(&k, t[i].lp, 2);
        nta_aggkey_str(&k, t[i].r);
        nta_aggkey_uint(&k, t[i].rp, 2);
        ck_assert_int_eq(nta_agg_add(b, &k, t[i].v, 1), 0);
    }
    const nta_aggkey *keys[2];
    ck_assert_uint_eq(nta_agg_sorted(&b, 1, keys, 2), 2);
    ck_assert_str_eq(keys[0]->p[0].s, "10.0.0.3");
    ck_assert_int_eq(keys[0]->p[1].i, 1234);
    ck_assert_str_eq(keys[1]->p[0].s, "10.0.0.1");
    ck_assert_int_eq(keys[1]->p[1].i, 65000);
    ck_assert_str_eq(keys[1]->p[2].s, "10.0.0.2");
    ck_assert_int_eq(nta_agg_value(b, nta_agg_find(b, keys[1])), 500);
    char want[256];
    int w = snprintf(want, sizeof want, "%-15s %5d %-15s %5d %9d\n", "10.0.0.3", 1234, "10.0.0.2", 443, 20);
    snprintf(want + w, sizeof want - (size_t)w, "%-15s %5d %-15s %5d %9d\n", "10.0.0.1", 65000, "10.0.0.2", 80, 500);
    assert_text(printa_text("%-15s %5d %-15s %5d %@9d\n", &b, 1), want);

    /* report_ooo: four tables joined, one key missing from two */
    nta_agg *a[2] = { nta_agg_new(NTA_AGG_SUM, 0, 0, 0), nta_agg_new(NTA_AGG_COUNT, 0, 0, 0) };
    ck_assert_int_eq(nta_agg_add_str(a[0], "x", 5, 1), 0);
    ck_assert_int_eq(nta_agg_add_str(a[1], "y", 0, 1), 0);
    ck_assert_uint_eq(nta_agg_union_count(a, 2), 2);
    const nta_aggkey *u[2];
    const nta_aggent *ents[4];
    ck_assert_uint_eq(nta_agg_sorted_ents(a, 2, u, ents, 2), 2);
    ck_assert_str_eq(u[0]->p[0].s, "y");   /* 0 in the first table */
    ck_assert_ptr_null(ents[0]);
    ck_assert_int_eq(ents[1]->v, 1);
    ck_assert_str_eq(u[1]->p[0].s, "x");
    /* views of another table stay valid when one table is sorted again */
    ck_assert_uint_eq(nta_agg_sorted(&a[1], 1, u, 1), 1);
    ck_assert_str_eq(keys[0]->p[0].s, "10.0.0.3");

    /* report_dist: lquantize(0, 1500, 100), buckets read directly */
    nta_agg *d = nta_agg_new(NTA_AGG_LQUANTIZE, 0, 1500, 100);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_null(nta_agg_new(NTA_AGG_LQUANTIZE, 0, 1500, 0));
    ck_assert_int_eq(nta_agg_add_str(d, "em0", 1460, 1), 0);
    int64_t low, step;
    int levels;
    nta_agg_lq_params(d, &low, &step, &levels);
    ck_assert_int_eq(low, 0);
    ck_assert_int_eq(step, 100);
    ck_assert_int_eq(levels, 15);
    ck_assert_int_eq(nta_agg_nbuckets(d), 17);
    nta_aggkey k;
    nta_aggkey_init(&k);
    nta_aggkey_str(&k, "em0");
    ck_assert_int_eq(nta_agg_find(d, &k)->buckets[15], 1);
    ck_assert_int_eq(nta_agg_bucket_value(d, 16), 1500);

    /* nta_agg_clear empties (trunc), as report_bytes relies on */
    nta_agg_clear(b);
    ck_assert_uint_eq(nta_agg_count(b), 0);
    nta_agg_free(b);
    nta_agg_free(a[0]);
    nta_agg_free(a[1]);
    nta_agg_free(d);
    nta_agg_free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agg");
    TCase *keys = tcase_create("keys");
    tcase_add_test(keys, narrow_keys_print_unsigned_with_their_width);
    tcase_add_test(keys, printa_key_conversions_follow_the_d_type);
    tcase_add_test(keys, string_keys_hold_strsize_bytes);
    tcase_add_test(keys, empty_and_unprintable_string_keys_print_as_hex_dumps);
    tcase_add_test(keys, overflowed_keys_are_refused);
    tcase_add_test(keys, key_copies_own_their_strings);
    tcase_add_test(keys, keys_are_stored_compactly);
    suite_add_tcase(s, keys);
    TCase *walks = tcase_create("walks");
    tcase_add_test(walks, walk_orders);
    tcase_add_test(walks, key_order_and_keypos);
    tcase_add_test(walks, joined_walk_and_aggsortpos);
    suite_add_tcase(s, walks);
    TCase *actions = tcase_create("actions");
    tcase_add_test(actions, trunc_keeps_the_top_or_bottom_n);
    tcase_add_test(actions, clear_zeroes_values_and_keeps_keys);
    tcase_add_test(actions, normalize_divides_as_dtrace_prints);
    tcase_add_test(actions, printa_avg_divides_unsigned);
    suite_add_tcase(s, actions);
    TCase *fns = tcase_create("functions");
    tcase_add_test(fns, stddev_arithmetic);
    tcase_add_test(fns, llquantize_buckets_and_layout);
    tcase_add_test(fns, llquantize_top_magnitude_clamps_as_the_kernel_does);
    tcase_add_test(fns, parameter_checks_give_dtrace_messages);
    tcase_add_test(fns, lquantize_and_quantize_bucketing_edges);
    tcase_add_test(fns, quantize_with_only_the_top_bucket_prints_as_empty);
    suite_add_tcase(s, fns);
    TCase *merge = tcase_create("merge");
    tcase_set_timeout(merge, 300);
    tcase_add_test(merge, merging_the_halves_gives_the_whole_at_every_split);
    tcase_add_test(merge, merging_random_parts_gives_the_whole);
    tcase_add_test(merge, entries_read_back_with_merge_one_rebuild_the_table);
    tcase_add_test(merge, merge_refuses_different_functions_and_parameters);
    suite_add_tcase(s, merge);
    TCase *mach = tcase_create("machine formats");
    tcase_add_test(mach, json_rows_per_function);
    tcase_add_test(mach, csv_rows_per_function);
    suite_add_tcase(s, mach);
    TCase *old = tcase_create("old interface");
    tcase_add_test(old, old_interface_still_works);
    suite_add_tcase(s, old);
    return tu_run(s);
}
