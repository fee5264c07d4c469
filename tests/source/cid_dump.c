/* tests/source/cid_dump.c: prints the Community ID nta computes for every packet of a capture,
 * one line per packet ("" when it has no IP header), for test_community_id.sh to compare with
 * tshark's (an independent implementation of the spec). Usage: cid_dump FILE [NSHARDS]: with
 * NSHARDS, each line also gets the packet's shard. */
#include <stdio.h>
#include <stdlib.h>

#include "formats/decode.h"
#include "formats/trace.h"
#include "source/community_id.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *paths[1] = { argv[1] };
    uint32_t nshards = argc > 2 ? (uint32_t)atoi(argv[2]) : 0;
    nta_trace_opts o = { NULL, NULL, 1, 0 };
    nta_trace *t;
    nta_err err;
    nta_err_clear(&err);
    if (nta_trace_open(&t, paths, 1, &o, &err) < 0)
        return 3;
    nta_packet p;
    while (nta_trace_next(t, &p, &err) == 1) {
        nta_decoded d;
        nta_decode(&p, &d);
        uint8_t dg[NTA_SHA1_LEN];
        char text[40] = "";
        if (nta_community_id(&d, 0, dg))
            nta_community_id_text(dg, text);
        if (nshards)
            printf("%s\t%u\n", text, text[0] ? nta_community_id_shard(dg, nshards) : 0);
        else
            printf("%s\n", text);
    }
    nta_trace_free(t);
    return 0;
}
