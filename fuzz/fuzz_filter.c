/* fuzz/fuzz_filter.c: --filter expressions (libpcap's BPF compiler, per link type) on arbitrary
 * text. Property: an expression compiles or is refused with a reason; a compiled one runs on
 * packets of several link types without crashing (BPF programs are checked by libpcap). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512)
        return 0;   /* libpcap's parser is not what is under test at megabyte lengths */
    char *expr = malloc(size + 1);
    if (expr == NULL)
        return 0;
    memcpy(expr, data, size);
    expr[size] = '\0';
    nta_err err;
    nta_err_clear(&err);
    nta_filter *f;
    if (nta_filter_new(&f, expr, &err) == 0) {
        static const uint8_t pkt[64] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0, 40,
                                         0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 80, 0x1f, 0x90 };
        static const uint32_t links[] = { 1, 101, 113, 276, 0, 228 };
        for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
            nta_packet p;
            memset(&p, 0, sizeof p);
            p.linktype = links[i];
            p.ifindex = (uint32_t)i;
            p.caplen = p.origlen = sizeof pkt;
            p.data = pkt;
            nta_filter_match(f, &p, &err);
        }
        nta_filter_free(f);
    } else if (err.msg[0] == '\0') {
        abort();   /* a refusal always says why */
    }
    free(expr);
    return 0;
}
