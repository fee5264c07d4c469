/* common/jstring.h: a Jansson string from bytes that may not be UTF-8.
 *
 * json_string() refuses what is not UTF-8 and returns NULL, and an object built with it then
 * silently lost the member (an interface name in `nta info --format json` vanished). This
 * gives the name's Latin-1 reading instead (common/jsonesc.h, man/nta.1), the same value the
 * hand-written JSON writers produce. For the code that already builds JSON with Jansson. */
#ifndef NTA_COMMON_JSTRING_H
#define NTA_COMMON_JSTRING_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonesc.h"

static inline json_t *nta_jstring(const char *s)
{
    if (s == NULL)
        return json_null();
    size_t n = strlen(s);
    if (nta_utf8_valid(s, n))
        return json_string(s);
    char *buf = malloc(2 * n + 1);
    if (buf == NULL)
        return json_null();
    json_t *j = json_string(nta_json_text(s, buf, 2 * n + 1));
    free(buf);
    return j;
}

#endif
