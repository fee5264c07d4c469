/* dtext/dtrace_event.c: rebuilding probe events from dtrace text lines; the "ntaev1" lines
 * of dtrace/nta-events.d (see dtrace_event.h; the format is in man/nta.1, "DTRACE INPUT"). */
#include "dtext/dtrace_event.h"

#include "event/fields.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dt_event_reset(dt_event *e, nta_probe p)
{
    memset(e, 0, sizeof *e);
    e->ev.probe = p;
    e->tcps.tcps_local = e->tcps.tcps_active = -1;
    e->tcps.tcps_cookie = -1;
    e->ifp.if_name = e->ifname;
}

void dt_event_finish(dt_event *e)
{
    nta_event *ev = &e->ev;
    const nta_argtype *t = nta_probe_args(ev->probe);
    for (int i = 0; i < NTA_MAX_ARGS; i++) {
        switch (t[i]) {
        case NTA_ARG_PKTINFO: ev->pkt = &e->pkt; break;
        case NTA_ARG_CSINFO: ev->cs = &e->cs; break;
        case NTA_ARG_IPINFO: ev->ip = &e->ip; break;
        case NTA_ARG_IFINFO: ev->ifp = &e->ifp; break;
        case NTA_ARG_IPV4INFO: ev->ipv4 = e->ip.ip_ver == 4 ? &e->v4 : NULL; break;
        case NTA_ARG_IPV6INFO: ev->ipv6 = e->ip.ip_ver == 6 ? &e->v6 : NULL; break;
        /* FreeBSD passes no tcpsinfo for syncache segments, but always one to state-change:
         * a script that printed none of it still gets one (its fields unknown, see known) */
        case NTA_ARG_TCPSINFO:
            ev->tcps = e->null_tcps && ev->probe != NTA_PROBE_TCP_STATE_CHANGE ? NULL : &e->tcps;
            break;
        case NTA_ARG_TCPINFO: ev->tcp = &e->tcp; break;
        case NTA_ARG_TCPLSINFO: ev->tcpls = &e->ls; break;
        case NTA_ARG_UDPSINFO: ev->udps = e->null_udps ? NULL : &e->udps; break;
        case NTA_ARG_UDPINFO: ev->udp = &e->udp; break;
        default: break;
        }
    }
    /* The host dtrace ran on: the sender of what goes out, the receiver of what comes in. */
    switch (ev->probe) {
    case NTA_PROBE_IP_SEND: case NTA_PROBE_TCP_SEND: case NTA_PROBE_UDP_SEND:
    case NTA_PROBE_TCP_CONNECT_REQUEST: case NTA_PROBE_TCP_ACCEPT_REFUSED:
        e->host = e->ip.ip_saddr;
        break;
    case NTA_PROBE_TCP_STATE_CHANGE:
        e->host = e->tcps.tcps_laddr;
        break;
    default:
        e->host = e->ip.ip_daddr;
        break;
    }
    ev->host = &e->host;
}

int dt_tokens(char *line, char **tok, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (*p == '\0')
            break;
        tok[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (*p == '\0')
            break;
        *p++ = '\0';
    }
    return n;
}

int dt_u64(const char *s, uint64_t *v)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *v = x;
    return 0;
}

int dt_i64(const char *s, int64_t *v)
{
    if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *v = x;
    return 0;
}

int dt_addr(const char *s, nta_addr *a)
{
    memset(a, 0, sizeof *a);
    if (*s == '\0' || strcmp(s, "<unknown>") == 0 || strcmp(s, "<null>") == 0)
        return 0;
    nta_prefix p;
    if (strchr(s, '/') != NULL || nta_prefix_parse(s, &p) < 0)
        return -1;
    *a = p.addr;
    return 0;
}

int dt_state(const char *s)
{
    if (strcmp(s, "<unknown>") == 0)
        return -1;
    for (int i = TCPS_CLOSED; i <= TCPS_TIME_WAIT; i++)
        if (strcmp(s, nta_tcp_state_string(i)) == 0)
            return i;
    return -2;
}

/* ---- ntaev1 ---- */

static void *arg_struct(dt_event *e, nta_argtype t)
{
    switch (t) {
    case NTA_ARG_PKTINFO: return &e->pkt;
    case NTA_ARG_CSINFO: return &e->cs;
    case NTA_ARG_IPINFO: return &e->ip;
    case NTA_ARG_IFINFO: return &e->ifp;
    case NTA_ARG_IPV4INFO: return &e->v4;
    case NTA_ARG_IPV6INFO: return &e->v6;
    case NTA_ARG_TCPSINFO: return &e->tcps;
    case NTA_ARG_TCPINFO: return &e->tcp;
    case NTA_ARG_TCPLSINFO: return &e->ls;
    case NTA_ARG_UDPSINFO: return &e->udps;
    case NTA_ARG_UDPINFO: return &e->udp;
    default: return NULL;
    }
}

/* Parse val into field f of the structure at base (e's ifname holds if_name). -1 when val is
 * no valid value of the field's C type; fields nta does not hold (FreeBSD's constant zeros) and
 * the derived protocol strings are checked for form and dropped. */
static int store_field(dt_event *e, const nta_field *f, void *base, const char *val)
{
    uint8_t *p = (uint8_t *)base + f->off;
    uint64_t u;
    int64_t s;
    switch ((nta_fstore)f->store) {
    case NTA_FS_U8:
        if (dt_u64(val, &u) < 0 || u > UINT8_MAX)
            return -1;
        *p = (uint8_t)u;
        return 0;
    case NTA_FS_U16: {
        if (dt_u64(val, &u) < 0 || u > UINT16_MAX)
            return -1;
        uint16_t x = (uint16_t)u;
        memcpy(p, &x, sizeof x);
        return 0;
    }
    case NTA_FS_U32: {
        if (dt_u64(val, &u) < 0 || u > UINT32_MAX)
            return -1;
        uint32_t x = (uint32_t)u;
        memcpy(p, &x, sizeof x);
        return 0;
    }
    case NTA_FS_U64:
        if (dt_u64(val, &u) < 0)
            return -1;
        memcpy(p, &u, sizeof u);
        return 0;
    case NTA_FS_I8: {
        if (dt_i64(val, &s) < 0 || s < INT8_MIN || s > INT8_MAX)
            return -1;
        int8_t x = (int8_t)s;
        memcpy(p, &x, sizeof x);
        return 0;
    }
    case NTA_FS_I32: {
        if (dt_i64(val, &s) < 0 || s < INT32_MIN || s > INT32_MAX)
            return -1;
        int32_t x = (int32_t)s;
        memcpy(p, &x, sizeof x);
        return 0;
    }
    case NTA_FS_ADDR:
        return dt_addr(val, (nta_addr *)(void *)p);
    case NTA_FS_STRP:
        if (strlen(val) >= sizeof e->ifname)
            return -1;
        strcpy(e->ifname, val);
        return 0;
    case NTA_FS_ZERO:
        return f->kind == NTA_FK_INT ? dt_i64(val, &s) : dt_u64(val, &u);
    case NTA_FS_PROTOSTR:
        return 0;   /* follows from the protocol number */
    }
    return -1;
}

static int probe_by_name(const char *s, nta_probe *p)
{
    for (int i = 0; i < NTA_PROBE__COUNT; i++)
        if (strcmp(s, nta_probe_name((nta_probe)i)) == 0) {
            *p = (nta_probe)i;
            return 0;
        }
    return -1;
}

#define MAX_TOKENS 128

int dt_parse_ntaev(char *line, dt_event *e, uint64_t *begin_ts, uint64_t *begin_wall,
                   char *why, size_t whylen)
{
    char *tok[MAX_TOKENS];
    int n = dt_tokens(line, tok, MAX_TOKENS);
    uint64_t ts, wall;
    if (n >= 4 && strcmp(tok[0], "ntaev1") == 0 && strcmp(tok[1], "begin") == 0) {
        if (n != 4 || dt_u64(tok[2], begin_ts) < 0 || dt_u64(tok[3], begin_wall) < 0) {
            snprintf(why, whylen, "a begin line needs two clock values");
            return -1;
        }
        return 0;
    }
    nta_probe p;
    if (n < 3 || probe_by_name(tok[0], &p) < 0) {
        snprintf(why, whylen, "'%s' is not a probe nta knows", n ? tok[0] : "");
        return -1;
    }
    if (dt_u64(tok[1], &ts) < 0 || dt_u64(tok[2], &wall) < 0) {
        snprintf(why, whylen, "timestamp and walltimestamp must be numbers");
        return -1;
    }
    dt_event_reset(e, p);
    e->ev.ts_ns = ts;
    e->wall_ns = wall;
    const nta_argtype *types = nta_probe_args(p);
    nta_argtype cur = NTA_ARG_NONE;
    uint32_t seen = 0;   /* arguments present */
    for (int i = 3; i < n; i++) {
        char *t = tok[i];
        if (t[0] == '[') {
            int k = t[1] - '0';
            if (k < 0 || k >= NTA_MAX_ARGS || t[2] != ']' || t[3] != '\0' || types[k] == NTA_ARG_NONE
                || types[k] == NTA_ARG_VOID) {
                snprintf(why, whylen, "'%s' is no argument of %s", t, tok[0]);
                return -1;
            }
            cur = types[k];
            seen |= 1u << k;
            continue;
        }
        char *eq = strchr(t, '=');
        if (eq == NULL || cur == NTA_ARG_NONE) {
            snprintf(why, whylen, "'%.40s' is not name=value after an argument marker", t);
            return -1;
        }
        *eq = '\0';
        const char *val = eq + 1;
        const nta_field *f = nta_field_find(cur, t);
        if (f == NULL) {
            snprintf(why, whylen, "no field '%.40s' in %s", t, nta_argtype_name(cur));
            return -1;
        }
        if (store_field(e, f, arg_struct(e, cur), val) < 0) {
            snprintf(why, whylen, "%s=%.40s is not a valid value", t, val);
            return -1;
        }
    }
    for (int k = 0; k < NTA_MAX_ARGS; k++)
        if (types[k] != NTA_ARG_NONE && types[k] != NTA_ARG_VOID && !(seen >> k & 1u)) {
            snprintf(why, whylen, "%s without its args[%d]", tok[0], k);
            return -1;
        }
    /* A NULL tcpcb or socket reads back as a zero address field (FreeBSD's translators). */
    e->null_tcps = e->tcps.tcps_addr == 0;
    e->null_udps = e->udps.udps_addr == 0;
    if (p == NTA_PROBE_TCP_STATE_CHANGE)
        e->null_tcps = 0;
    return 1;
}
