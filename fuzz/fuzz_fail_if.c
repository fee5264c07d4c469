/* fuzz/fuzz_fail_if.c: --fail-if expressions: any text parses or is refused, never crashes.
 * Property: nta_fail_if_parse returns 0 or -1 with a reason for every input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reports/fail_if.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    nta_fail_if f;
    const char *why = NULL;
    if (nta_fail_if_parse(s, &f, &why) == 0)
        (void)nta_fail_if_holds(&f, 1.0);
    else if (why == NULL)
        abort();   /* a refusal always says why */
    free(s);
    return 0;
}
