/* fuzz/fuzz_dtrace_text.c: dtrace text read back into events (dtext/dtrace_in.h), and the
 * printed-aggregation reader (dtext/agg_read.h), on arbitrary bytes.
 * Properties: never a crash or leak; every event handed out has the structures its probe
 * passes; a parsed aggregation document renders, and converts to JSON and CSV. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dtext/dtrace_in.h"
#include "dtext/agg_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_event(void *ctx, const nta_event *ev)
{
    (void)ctx;
    const nta_argtype *t = nta_probe_args(ev->probe);
    if (ev->host == NULL || (t[1] == NTA_ARG_CSINFO && ev->cs == NULL) || (t[2] == NTA_ARG_IPINFO && ev->ip == NULL))
        abort();
    if (ev->probe == NTA_PROBE_TCP_STATE_CHANGE && (ev->tcps == NULL || ev->tcpls == NULL))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nta_err err;
    nta_err_clear(&err);
    nta_dtext *d;
    if (nta_dtext_open_mem(&d, data, size, &err) == 0) {
        nta_locals l = { 0 };
        nta_sink sink = { .on_event = on_event };
        nta_dtext_run(d, &l, ~0u, &sink, &err);
        nta_dtext_free(d);
    }
    nta_aggdoc doc;
    if (nta_aggdoc_parse(&doc, (const char *)data, size, &err) == 0) {
        FILE *o = fopen("/dev/null", "w");
        if (o != NULL) {
            nta_aggdoc_render(&doc, o);
            nta_aggdoc_csv(&doc, o);
            fclose(o);
        }
        json_decref(nta_aggdoc_json(&doc));
        nta_aggdoc_free(&doc);
    }
    return 0;
}
