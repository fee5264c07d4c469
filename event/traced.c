/* event/traced.c: the set of traced hosts (see traced.h). */
#include "event/traced.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nta_locals_add(nta_locals *l, const char *spec)
{
    if (strcmp(spec, "all") == 0) {
        l->all = 1;
        return 0;
    }
    if (l->n == NTA_LOCAL_MAX || nta_prefix_parse(spec, &l->p[l->n]) < 0)
        return -1;
    l->n++;
    return 0;
}

int nta_locals_is_local(const nta_locals *l, const nta_addr *a)
{
    if (l->all || nta_addr_is_loopback(a))
        return 1;
    for (int i = 0; i < l->n; i++)
        if (nta_prefix_match(&l->p[i], a))
            return 1;
    return 0;
}

void nta_locals_describe(const nta_locals *l, char *buf, size_t len)
{
    if (l->all) {
        snprintf(buf, len, "all");
        return;
    }
    buf[0] = '\0';
    for (int i = 0; i < l->n; i++) {
        char a[NTA_ADDR_STRLEN];
        /* DTrace's text prints an IPv4-compatible ::a.b.c.d as the bare dotted quad, which
         * would name a host this prefix does not match: those get the usual form */
        static const uint8_t zero12[12];
        if (l->p[i].addr.family != 6 || memcmp(l->p[i].addr.b, zero12, 12) != 0
            || inet_ntop(AF_INET6, l->p[i].addr.b, a, sizeof a) == NULL)
            nta_addr_str(&l->p[i].addr, a);
        int host = l->p[i].len == (l->p[i].addr.family == 4 ? 32 : 128);
        size_t used = strlen(buf);
        if (host)
            snprintf(buf + used, len - used, "%s%s", i ? ", " : "", a);
        else
            snprintf(buf + used, len - used, "%s%s/%u", i ? ", " : "", a, l->p[i].len);
    }
    if (l->n == 0)
        snprintf(buf, len, "loopback only");
}
