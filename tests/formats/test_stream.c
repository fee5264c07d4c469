/* tests/formats/test_stream.c: the decompressing stream.
 *
 * Truth: the compressed fixtures were made by the gzip, bzip2, xz and zstd command-line tools
 * (fixtures/MANIFEST); concatenated members decompress to the concatenation, as `gzip -dc`,
 * `bzip2 -dc`, `xz -dc` and `zstd -dc` do. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "formats/stream.h"
#include "testutil.h"

/* Decompress everything; returns the bytes, *n their count, *code the final error (0 = clean). */
static uint8_t *drain(const void *buf, size_t len, size_t *n, int *code, nta_compression *comp)
{
    nta_stream *s;
    nta_err err;
    ck_assert_int_eq(nta_stream_open_mem(&s, buf, len, &err), 0);
    if (comp)
        *comp = nta_stream_compression(s);
    size_t cap = 1 << 16, have = 0, got;
    uint8_t *out = malloc(cap);
    int rc;
    for (;;) {
        if (cap - have < 4096)
            out = realloc(out, cap *= 2);
        rc = nta_stream_read(s, out + have, 4096, &got, &err);
        if (rc < 0)
            break;
        have += got;
        if (got == 0)   /* a short read is followed by one more call: 0 bytes or the error */
            break;
    }
    *code = rc < 0 ? rc : 0;
    *n = have;
    nta_stream_free(s);
    return out;
}

static const char *forms[] = { "veth-scenarios.pcap.gz", "veth-scenarios.pcap.bz2",
                               "veth-scenarios.pcap.xz", "veth-scenarios.pcap.zst" };
static const nta_compression comps[] = { NTA_COMP_GZIP, NTA_COMP_BZIP2, NTA_COMP_XZ, NTA_COMP_ZSTD };

START_TEST(each_compression_decodes_to_the_plain_file)
{
    size_t plen;
    uint8_t *plain = tu_slurp(tu_fixture("veth-scenarios.pcap"), &plen);
    for (int i = 0; i < 4; i++) {
        size_t clen, n;
        int code;
        nta_compression comp;
        uint8_t *c = tu_slurp(tu_fixture(forms[i]), &clen);
        uint8_t *out = drain(c, clen, &n, &code, &comp);
        ck_assert_int_eq(comp, comps[i]);
        ck_assert_msg(code == 0, "%s: error %d", forms[i], code);
        ck_assert_uint_eq(n, plen);
        ck_assert(memcmp(out, plain, plen) == 0);
        free(out);
        free(c);
    }
    size_t n;
    int code;
    nta_compression comp;
    uint8_t *out = drain(plain, plen, &n, &code, &comp);
    ck_assert_int_eq(comp, NTA_COMP_NONE);
    ck_assert_uint_eq(n, plen);
    free(out);
    free(plain);
}
END_TEST

START_TEST(concatenated_members_read_as_one_stream)
{
    size_t plen;
    uint8_t *plain = tu_slurp(tu_fixture("veth-scenarios.pcap"), &plen);
    for (int i = 0; i < 4; i++) {
        size_t clen, n;
        int code;
        uint8_t *c = tu_slurp(tu_fixture(forms[i]), &clen);
        uint8_t *two = malloc(2 * clen);
        memcpy(two, c, clen);
        memcpy(two + clen, c, clen);
        uint8_t *out = drain(two, 2 * clen, &n, &code, NULL);
        ck_assert_msg(code == 0, "%s twice: error %d", forms[i], code);
        ck_assert_uint_eq(n, 2 * plen);
        ck_assert(memcmp(out, plain, plen) == 0 && memcmp(out + plen, plain, plen) == 0);
        free(out);
        free(two);
        free(c);
    }
    free(plain);
}
END_TEST

START_TEST(damage_is_reported_after_the_good_bytes)
{
    size_t plen;
    uint8_t *plain = tu_slurp(tu_fixture("veth-scenarios.pcap"), &plen);
    for (int i = 0; i < 4; i++) {
        size_t clen, n;
        int code;
        uint8_t *c = tu_slurp(tu_fixture(forms[i]), &clen);
        for (size_t k = clen / 2; k < clen / 2 + 16; k++)
            c[k] ^= 0x5a;
        uint8_t *out = drain(c, clen, &n, &code, NULL);
        ck_assert_msg(code == NTA_EDECOMP || code == NTA_ETRUNC, "%s damaged: code %d", forms[i], code);
        ck_assert_msg(n < plen, "%s damaged: all %zu bytes came out", forms[i], n);
        /* gzip's deflate decodes sequentially, so the bytes before the damage come out right;
         * bzip2, xz and zstd check a whole block at its end, so a damaged block's bytes may come
         * out before the error: only the error itself is promised for them. */
        size_t good = 0;
        while (good < n && out[good] == plain[good])
            good++;
        if (comps[i] == NTA_COMP_GZIP)
            ck_assert_msg(good > 1000, "%s: only %zu right bytes before the damage", forms[i], good);
        free(out);
        free(c);
    }
    free(plain);
}
END_TEST

/* A zstd frame that libzstd rejects after a good one. libzstd 1.5.4 returns "Data corruption
 * detected" for these bytes (found by fuzz/fuzz_trace.c: crash-zstd-error-claims-output) with
 * its output position at the end of a buffer it never wrote; nta handed those bytes out as
 * capture data. Truth: `zstd -dc` writes exactly the good frame's bytes, then fails. */
START_TEST(a_rejected_zstd_frame_adds_no_bytes)
{
    static const uint8_t bad[] = { 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0xfd, 0x00, 0x00, 0x05, 0x00, 0x00,
                                   0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x05, 0x00, 0x00, 0x28 };
    size_t plen, clen, n;
    int code;
    uint8_t *plain = tu_slurp(tu_fixture("veth-scenarios.pcap"), &plen);
    uint8_t *c = tu_slurp(tu_fixture("veth-scenarios.pcap.zst"), &clen);
    c = realloc(c, clen + sizeof bad);
    memcpy(c + clen, bad, sizeof bad);
    uint8_t *out = drain(c, clen + sizeof bad, &n, &code, NULL);
    ck_assert_int_eq(code, NTA_EDECOMP);
    ck_assert_uint_eq(n, plen);
    ck_assert(memcmp(out, plain, plen) == 0);
    free(out);
    /* the fuzzer's input itself: an empty RLE frame, then the rejected one: nothing */
    static const uint8_t head[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x05, 0x00, 0x00, 0x26 };
    memcpy(c, head, sizeof head);
    memcpy(c + sizeof head, bad, sizeof bad);
    out = drain(c, sizeof head + sizeof bad, &n, &code, NULL);
    ck_assert_int_eq(code, NTA_EDECOMP);
    ck_assert_uint_eq(n, 0);
    free(out);
    free(c);
    free(plain);
}
END_TEST

START_TEST(peek_does_not_consume)
{
    size_t clen;
    uint8_t *c = tu_slurp(tu_fixture("veth-scenarios.pcap.zst"), &clen);
    nta_stream *s;
    nta_err err;
    ck_assert_int_eq(nta_stream_open_mem(&s, c, clen, &err), 0);
    const uint8_t *p;
    size_t got;
    ck_assert_int_eq(nta_stream_peek(s, 24, &p, &got, &err), 0);
    ck_assert_uint_eq(got, 24);
    uint8_t first[24], again[24];
    memcpy(first, p, 24);
    ck_assert_int_eq(nta_stream_read(s, again, 24, &got, &err), 0);
    ck_assert(memcmp(first, again, 24) == 0);
    ck_assert_uint_eq(nta_stream_offset(s), 24);
    /* classic pcap magic, little-endian microseconds (d4 c3 b2 a1), as tcpdump wrote it */
    ck_assert(first[0] == 0xd4 && first[1] == 0xc3 && first[2] == 0xb2 && first[3] == 0xa1);
    nta_stream_free(s);
    free(c);
}
END_TEST

START_TEST(missing_file_is_an_io_error)
{
    nta_stream *s;
    nta_err err;
    ck_assert_int_eq(nta_stream_open_file(&s, "/nonexistent/capture.pcap", &err), NTA_EIO);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.msg, "No such file") != NULL, "%s", err.msg);
    ck_assert_int_eq(nta_stream_open_file(&s, "/", &err), NTA_EIO);
    ck_assert_msg(strstr(err.msg, "directory") != NULL, "%s", err.msg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("stream");
    tcase_add_test(tc, each_compression_decodes_to_the_plain_file);
    tcase_add_test(tc, concatenated_members_read_as_one_stream);
    tcase_add_test(tc, damage_is_reported_after_the_good_bytes);
    tcase_add_test(tc, a_rejected_zstd_frame_adds_no_bytes);
    tcase_add_test(tc, peek_does_not_consume);
    tcase_add_test(tc, missing_file_is_an_io_error);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
