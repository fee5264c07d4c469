/* dtext/dtrace_event.c: rebuilding probe events from dtrace text lines; the "ntaev1" lines
 * of dtrace/nta-events.d (see dtrace_event.h; the format is in man/nta.1, "DTRACE INPUT"). */
#include "dtext/dtrace_event.h"

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

typedef enum { K_U, K_I, K_A, K_S, K_DERIVED } fkind;

typedef struct field {
    nta_argtype arg;
    const char *name;
    fkind kind;
    size_t off, size;
} field;

#define F(arg, type, member, kind) { arg, #member, kind, offsetof(type, member), sizeof(((type *)0)->member) }

static const field fields[] = {
    F(NTA_ARG_PKTINFO, pktinfo_t, pkt_addr, K_U),
    F(NTA_ARG_CSINFO, csinfo_t, cs_addr, K_U),
    F(NTA_ARG_CSINFO, csinfo_t, cs_cid, K_U),
    F(NTA_ARG_CSINFO, csinfo_t, cs_pid, K_I),
    F(NTA_ARG_CSINFO, csinfo_t, cs_zoneid, K_I),
    F(NTA_ARG_IPINFO, ipinfo_t, ip_ver, K_U),
    F(NTA_ARG_IPINFO, ipinfo_t, ip_plength, K_U),
    F(NTA_ARG_IPINFO, ipinfo_t, ip_saddr, K_A),
    F(NTA_ARG_IPINFO, ipinfo_t, ip_daddr, K_A),
    { NTA_ARG_IFINFO, "if_name", K_S, 0, 0 },
    F(NTA_ARG_IFINFO, ifinfo_t, if_local, K_I),
    F(NTA_ARG_IFINFO, ifinfo_t, if_addr, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_ver, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_ihl, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_tos, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_length, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_ident, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_flags, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_offset, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_ttl, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_protocol, K_U),
    { NTA_ARG_IPV4INFO, "ipv4_protostr", K_DERIVED, 0, 0 },
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_checksum, K_U),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_saddr, K_A),
    F(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_daddr, K_A),
    F(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_ver, K_U),
    F(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_tclass, K_U),
    F(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_flow, K_U),
    F(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_plen, K_U),
    F(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_nexthdr, K_U),
    { NTA_ARG_IPV6INFO, "ipv6_nextstr", K_DERIVED, 0, 0 },
    F(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_hlim, K_U),
    F(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_saddr, K_A),
    F(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_daddr, K_A),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_addr, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_local, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_active, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_lport, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rport, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_laddr, K_A),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_raddr, K_A),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_state, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_iss, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_irs, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_suna, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_smax, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_snxt, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rack, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rnxt, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_swnd, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_snd_ws, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_swl1, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_swl2, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rup, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_radv, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rwnd, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rcv_ws, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_cwnd, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_cwnd_ssthresh, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_srecover, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_sack_fack, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_sack_snxt, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rto, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_mss, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_retransmit, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_srtt, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_debug, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_cookie, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_dupacks, K_I),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rtttime, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_rtseq, K_U),
    F(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_ts_recent, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_sport, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_dport, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_seq, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_ack, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_offset, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_flags, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_window, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_checksum, K_U),
    F(NTA_ARG_TCPINFO, tcpinfo_t, tcp_urgent, K_U),
    F(NTA_ARG_TCPLSINFO, tcplsinfo_t, tcps_state, K_I),
    F(NTA_ARG_UDPSINFO, udpsinfo_t, udps_addr, K_U),
    F(NTA_ARG_UDPSINFO, udpsinfo_t, udps_lport, K_U),
    F(NTA_ARG_UDPSINFO, udpsinfo_t, udps_rport, K_U),
    F(NTA_ARG_UDPSINFO, udpsinfo_t, udps_laddr, K_A),
    F(NTA_ARG_UDPSINFO, udpsinfo_t, udps_raddr, K_A),
    F(NTA_ARG_UDPINFO, udpinfo_t, udp_sport, K_U),
    F(NTA_ARG_UDPINFO, udpinfo_t, udp_dport, K_U),
    F(NTA_ARG_UDPINFO, udpinfo_t, udp_length, K_U),
    F(NTA_ARG_UDPINFO, udpinfo_t, udp_checksum, K_U),
};

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

/* Store v into an unsigned field of size n; -1 when it does not fit. */
static int store_u(void *p, size_t n, uint64_t v)
{
    switch (n) {
    case 1: if (v > UINT8_MAX) return -1; *(uint8_t *)p = (uint8_t)v; return 0;
    case 2: if (v > UINT16_MAX) return -1; *(uint16_t *)p = (uint16_t)v; return 0;
    case 4: if (v > UINT32_MAX) return -1; *(uint32_t *)p = (uint32_t)v; return 0;
    case 8: *(uint64_t *)p = v; return 0;
    }
    return -1;
}

static int store_i(void *p, size_t n, int64_t v)
{
    switch (n) {
    case 1: if (v < INT8_MIN || v > INT8_MAX) return -1; *(int8_t *)p = (int8_t)v; return 0;
    case 4: if (v < INT32_MIN || v > INT32_MAX) return -1; *(int32_t *)p = (int32_t)v; return 0;
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
        const field *f = NULL;
        for (size_t j = 0; j < sizeof fields / sizeof fields[0]; j++)
            if (fields[j].arg == cur && strcmp(fields[j].name, t) == 0) {
                f = &fields[j];
                break;
            }
        if (f == NULL) {
            snprintf(why, whylen, "no field '%.40s' in %s", t, nta_argtype_name(cur));
            return -1;
        }
        void *dst = (char *)arg_struct(e, cur) + f->off;
        uint64_t u;
        int64_t s;
        int bad = 0;
        switch (f->kind) {
        case K_U: bad = dt_u64(val, &u) < 0 || store_u(dst, f->size, u) < 0; break;
        case K_I: bad = dt_i64(val, &s) < 0 || store_i(dst, f->size, s) < 0; break;
        case K_A: bad = dt_addr(val, (nta_addr *)dst) < 0; break;
        case K_S:
            bad = strlen(val) >= sizeof e->ifname;
            if (!bad)
                strcpy(e->ifname, val);
            break;
        case K_DERIVED: break;   /* protostr/nextstr follow from the protocol number */
        }
        if (bad) {
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
