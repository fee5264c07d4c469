/* event/fields.c: the field table (see fields.h).
 *
 * Rows follow the translators' declaration order, which is also the order every writer prints
 * fields in (the JSON Lines, CSV and ntaev1 schemas in man/nta.1). Members the translators
 * declare but nta does not build (ipv4_src/dst, the raw header pointers) are not rows: no
 * writer or reader has ever had them. */
#include "event/fields.h"

#include <stddef.h>
#include <string.h>

#define ROW(argt, type, member, dt, kind, store, group, nul, nulstr) \
    { argt, #member, dt, kind, store, (uint16_t)offsetof(type, member), group, nul, nulstr }
/* a member nta does not hold (always 0 on FreeBSD) */
#define ZERO(argt, member, dt, kind) { argt, #member, dt, kind, NTA_FS_ZERO, 0, NTA_F_ALL, 0, NULL }
#define ALL NTA_F_ALL

static const nta_field table[] = {
    ZERO(NTA_ARG_PKTINFO, pkt_addr, "uintptr_t", NTA_FK_UINT),

    ZERO(NTA_ARG_CSINFO, cs_addr, "uintptr_t", NTA_FK_UINT),
    ROW(NTA_ARG_CSINFO, csinfo_t, cs_cid, "uint64_t", NTA_FK_UINT, NTA_FS_U64, NTA_F_CID, 0, NULL),
    ZERO(NTA_ARG_CSINFO, cs_pid, "pid_t", NTA_FK_INT),
    ZERO(NTA_ARG_CSINFO, cs_zoneid, "zoneid_t", NTA_FK_INT),

    ROW(NTA_ARG_IPINFO, ipinfo_t, ip_ver, "uint8_t", NTA_FK_UINT, NTA_FS_U8, NTA_F_IP_VER, 0, NULL),
    ROW(NTA_ARG_IPINFO, ipinfo_t, ip_plength, "uint32_t", NTA_FK_UINT, NTA_FS_U32, NTA_F_IP_PLENGTH, 0, NULL),
    ROW(NTA_ARG_IPINFO, ipinfo_t, ip_saddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_IP_SADDR, 0, "<unknown>"),
    ROW(NTA_ARG_IPINFO, ipinfo_t, ip_daddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_IP_DADDR, 0, "<unknown>"),

    ROW(NTA_ARG_IFINFO, ifinfo_t, if_name, "string", NTA_FK_STR, NTA_FS_STRP, NTA_F_IF, 0, ""),
    ROW(NTA_ARG_IFINFO, ifinfo_t, if_local, "int8_t", NTA_FK_INT, NTA_FS_I8, NTA_F_IF, 0, NULL),
    ROW(NTA_ARG_IFINFO, ifinfo_t, if_addr, "uintptr_t", NTA_FK_UINT, NTA_FS_U64, NTA_F_IF, 0, NULL),

#define V4(member, dt, store) \
    ROW(NTA_ARG_IPV4INFO, ipv4info_t, member, dt, NTA_FK_UINT, store, NTA_F_IPV46, 0, NULL)
    V4(ipv4_ver, "uint8_t", NTA_FS_U8),
    V4(ipv4_ihl, "uint8_t", NTA_FS_U8),
    V4(ipv4_tos, "uint8_t", NTA_FS_U8),
    V4(ipv4_length, "uint16_t", NTA_FS_U16),
    V4(ipv4_ident, "uint16_t", NTA_FS_U16),
    V4(ipv4_flags, "uint8_t", NTA_FS_U16),
    V4(ipv4_offset, "uint16_t", NTA_FS_U16),
    V4(ipv4_ttl, "uint8_t", NTA_FS_U8),
    V4(ipv4_protocol, "uint8_t", NTA_FS_U8),
    { NTA_ARG_IPV4INFO, "ipv4_protostr", "string", NTA_FK_STR, NTA_FS_PROTOSTR,
      (uint16_t)offsetof(ipv4info_t, ipv4_protocol), NTA_F_IPV46, 0, "<null>" },
    V4(ipv4_checksum, "uint16_t", NTA_FS_U16),
    ROW(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_saddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_IPV46, 0, NULL),
    ROW(NTA_ARG_IPV4INFO, ipv4info_t, ipv4_daddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_IPV46, 0, NULL),
#undef V4

#define V6(member, dt, store) \
    ROW(NTA_ARG_IPV6INFO, ipv6info_t, member, dt, NTA_FK_UINT, store, NTA_F_IPV46, 0, NULL)
    V6(ipv6_ver, "uint8_t", NTA_FS_U8),
    V6(ipv6_tclass, "uint8_t", NTA_FS_U8),
    V6(ipv6_flow, "uint32_t", NTA_FS_U32),
    V6(ipv6_plen, "uint16_t", NTA_FS_U16),
    V6(ipv6_nexthdr, "uint8_t", NTA_FS_U8),
    { NTA_ARG_IPV6INFO, "ipv6_nextstr", "string", NTA_FK_STR, NTA_FS_PROTOSTR,
      (uint16_t)offsetof(ipv6info_t, ipv6_nexthdr), NTA_F_IPV46, 0, "<null>" },
    V6(ipv6_hlim, "uint8_t", NTA_FS_U8),
    ROW(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_saddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_IPV46, 0, NULL),
    ROW(NTA_ARG_IPV6INFO, ipv6info_t, ipv6_daddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_IPV46, 0, NULL),
#undef V6

    /* tcp.d's tcpsinfo_t translator; NULL values from its "p == NULL ? x" arms */
#define TS(member, dt, kind, store, group, nul) \
    ROW(NTA_ARG_TCPSINFO, tcpsinfo_t, member, dt, kind, store, group, nul, NULL)
#define TSU(member, nul) TS(member, "uint32_t", NTA_FK_UINT, NTA_FS_U32, NTA_F_TCPS_SEQ, nul)
    TS(tcps_addr, "uintptr_t", NTA_FK_UINT, NTA_FS_U64, NTA_F_TCPS_CONN, 0),
    TS(tcps_local, "int", NTA_FK_INT, NTA_FS_I32, ALL, -1),
    TS(tcps_active, "int", NTA_FK_INT, NTA_FS_I32, ALL, -1),
    TS(tcps_lport, "uint16_t", NTA_FK_UINT, NTA_FS_U16, NTA_F_TCPS_CONN, 0),
    TS(tcps_rport, "uint16_t", NTA_FK_UINT, NTA_FS_U16, NTA_F_TCPS_CONN, 0),
    ROW(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_laddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_TCPS_CONN, 0, NULL),
    ROW(NTA_ARG_TCPSINFO, tcpsinfo_t, tcps_raddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_TCPS_CONN, 0, NULL),
    TS(tcps_state, "int32_t", NTA_FK_INT, NTA_FS_I32, NTA_F_TCPS_STATE, -1),
    TSU(tcps_iss, 0),
    TSU(tcps_irs, 0),
    TSU(tcps_suna, 0),
    TSU(tcps_smax, 0),
    TSU(tcps_snxt, 0),
    TSU(tcps_rack, 0),
    TSU(tcps_rnxt, 0),
    TS(tcps_swnd, "u_long", NTA_FK_UINT, NTA_FS_U32, NTA_F_TCPS_SEQ, -1),
    TS(tcps_snd_ws, "int32_t", NTA_FK_INT, NTA_FS_I32, NTA_F_TCPS_SEQ, -1),
    TSU(tcps_swl1, 0xffffffff),
    TSU(tcps_swl2, 0xffffffff),
    TSU(tcps_rup, 0xffffffff),
    TSU(tcps_radv, 0xffffffff),
    TS(tcps_rwnd, "u_long", NTA_FK_UINT, NTA_FS_U32, NTA_F_TCPS_SEQ, -1),
    TS(tcps_rcv_ws, "int32_t", NTA_FK_INT, NTA_FS_I32, NTA_F_TCPS_SEQ, -1),
    TS(tcps_cwnd, "u_long", NTA_FK_UINT, NTA_FS_U32, NTA_F_TCPS_SEQ, -1),
    TS(tcps_cwnd_ssthresh, "u_long", NTA_FK_UINT, NTA_FS_U32, NTA_F_TCPS_SEQ, -1),
    TSU(tcps_srecover, 0xffffffff),
    TSU(tcps_sack_fack, 0),
    TSU(tcps_sack_snxt, 0),
    TSU(tcps_rto, 0xffffffff),
    TSU(tcps_mss, 0xffffffff),
    TS(tcps_retransmit, "int", NTA_FK_INT, NTA_FS_I32, NTA_F_TCPS_SEQ, -1),
    TS(tcps_srtt, "int", NTA_FK_INT, NTA_FS_I32, NTA_F_TCPS_SEQ, -1),
    TS(tcps_debug, "int", NTA_FK_INT, NTA_FS_I32, NTA_F_TCPS_SEQ, 0),
    TS(tcps_cookie, "int", NTA_FK_INT, NTA_FS_I32, NTA_F_TCPS_SEQ, -1),
    TS(tcps_dupacks, "int32_t", NTA_FK_INT, NTA_FS_I32, NTA_F_TCPS_SEQ, -1),
    TSU(tcps_rtttime, 0xffffffff),
    TSU(tcps_rtseq, 0xffffffff),
    TSU(tcps_ts_recent, 0xffffffff),
#undef TSU
#undef TS

#define TH(member, dt, store, group, nul) \
    ROW(NTA_ARG_TCPINFO, tcpinfo_t, member, dt, NTA_FK_UINT, store, group, nul, NULL)
    TH(tcp_sport, "uint16_t", NTA_FS_U16, NTA_F_TCP_PORTS, 0),
    TH(tcp_dport, "uint16_t", NTA_FS_U16, NTA_F_TCP_PORTS, 0),
    TH(tcp_seq, "uint32_t", NTA_FS_U32, NTA_F_TCP_SEQ, 0xffffffff),
    TH(tcp_ack, "uint32_t", NTA_FS_U32, NTA_F_TCP_SEQ, 0xffffffff),
    TH(tcp_offset, "uint8_t", NTA_FS_U8, NTA_F_TCP_OFFSET, 0xff),
    TH(tcp_flags, "uint8_t", NTA_FS_U8, NTA_F_TCP_FLAGS, 0),
    TH(tcp_window, "uint16_t", NTA_FS_U16, NTA_F_TCP_HDR, 0),
    TH(tcp_checksum, "uint16_t", NTA_FS_U16, NTA_F_TCP_HDR, 0),
    TH(tcp_urgent, "uint16_t", NTA_FS_U16, NTA_F_TCP_HDR, 0),
#undef TH

    ROW(NTA_ARG_TCPLSINFO, tcplsinfo_t, tcps_state, "int32_t", NTA_FK_INT, NTA_FS_I32, NTA_F_LSTATE, 0, NULL),

    ROW(NTA_ARG_UDPSINFO, udpsinfo_t, udps_addr, "uintptr_t", NTA_FK_UINT, NTA_FS_U64, NTA_F_UDP, 0, NULL),
    ROW(NTA_ARG_UDPSINFO, udpsinfo_t, udps_lport, "uint16_t", NTA_FK_UINT, NTA_FS_U16, NTA_F_UDP, 0, NULL),
    ROW(NTA_ARG_UDPSINFO, udpsinfo_t, udps_rport, "uint16_t", NTA_FK_UINT, NTA_FS_U16, NTA_F_UDP, 0, NULL),
    ROW(NTA_ARG_UDPSINFO, udpsinfo_t, udps_laddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_UDP, 0, ""),
    ROW(NTA_ARG_UDPSINFO, udpsinfo_t, udps_raddr, "string", NTA_FK_ADDR, NTA_FS_ADDR, NTA_F_UDP, 0, ""),

    ROW(NTA_ARG_UDPINFO, udpinfo_t, udp_sport, "uint16_t", NTA_FK_UINT, NTA_FS_U16, NTA_F_UDP, 0, NULL),
    ROW(NTA_ARG_UDPINFO, udpinfo_t, udp_dport, "uint16_t", NTA_FK_UINT, NTA_FS_U16, NTA_F_UDP, 0, NULL),
    ROW(NTA_ARG_UDPINFO, udpinfo_t, udp_length, "uint16_t", NTA_FK_UINT, NTA_FS_U16, NTA_F_UDP, 0, NULL),
    ROW(NTA_ARG_UDPINFO, udpinfo_t, udp_checksum, "uint16_t", NTA_FK_UINT, NTA_FS_U16, NTA_F_UDP, 0, NULL),
};
#undef ROW
#undef ZERO
#undef ALL

enum { NROWS = sizeof table / sizeof table[0] };

const nta_field *nta_fields_of(nta_argtype t, int *n)
{
    int first = -1, count = 0;
    for (int i = 0; i < NROWS; i++) {
        if (table[i].arg != t)
            continue;
        if (first < 0)
            first = i;
        count++;
    }
    *n = count;
    return first < 0 ? NULL : &table[first];
}

const nta_field *nta_field_find(nta_argtype t, const char *name)
{
    int n;
    const nta_field *f = nta_fields_of(t, &n);
    for (int i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return &f[i];
    return NULL;
}

static const nta_addr no_addr;

void nta_field_value(const nta_field *f, const void *arg, nta_fval *v)
{
    const uint8_t *p = (const uint8_t *)arg + f->off;
    v->kind = (nta_fkind)f->kind;
    v->u = 0;
    v->i = 0;
    v->s = NULL;
    v->a = NULL;
    if (arg == NULL && f->store != NTA_FS_ZERO) {
        if (f->store == NTA_FS_ADDR)
            v->a = &no_addr;
        else if (f->store == NTA_FS_STRP)
            v->s = "";
        else if (f->store == NTA_FS_PROTOSTR)
            v->s = "<null>";
        return;
    }
    switch ((nta_fstore)f->store) {
    case NTA_FS_U8: v->u = *p; break;
    case NTA_FS_U16: { uint16_t x; memcpy(&x, p, sizeof x); v->u = x; break; }
    case NTA_FS_U32: { uint32_t x; memcpy(&x, p, sizeof x); v->u = x; break; }
    case NTA_FS_U64: { uint64_t x; memcpy(&x, p, sizeof x); v->u = x; break; }
    case NTA_FS_I8: { int8_t x; memcpy(&x, p, sizeof x); v->i = x; break; }
    case NTA_FS_I32: { int32_t x; memcpy(&x, p, sizeof x); v->i = x; break; }
    case NTA_FS_ADDR: v->a = (const nta_addr *)(const void *)p; break;
    case NTA_FS_STRP: memcpy(&v->s, p, sizeof v->s); break;
    case NTA_FS_PROTOSTR: v->s = nta_ip_protostr(*p); break;
    case NTA_FS_ZERO: break;
    }
}

int nta_fields_types_at(int pos, nta_argtype out[4])
{
    int n = 0;
    for (int p = 0; p < NTA_PROBE__COUNT; p++) {
        nta_argtype t = nta_probe_args((nta_probe)p)[pos];
        if (t == NTA_ARG_NONE || t == NTA_ARG_VOID)
            continue;
        int seen = 0;
        for (int k = 0; k < n; k++)
            seen |= out[k] == t;
        if (!seen && n < 4)
            out[n++] = t;
    }
    return n;
}

uint32_t nta_field_group(nta_argtype t, const char *name)
{
    const nta_field *f = nta_field_find(t, name);
    return f != NULL ? f->group : NTA_F_ALL;
}

const char *nta_field_group_name(uint32_t bit)
{
    switch (bit) {
    case NTA_F_TS: return "timestamp";
    case NTA_F_CONNTIME: return "timestamp (or the time between a connection's state changes)";
    case NTA_F_CID: return "args[1]->cs_cid";
    case NTA_F_IP_VER: return "args[2]->ip_ver";
    case NTA_F_IP_SADDR: return "args[2]->ip_saddr";
    case NTA_F_IP_DADDR: return "args[2]->ip_daddr";
    case NTA_F_IP_PLENGTH: return "args[2]->ip_plength";
    case NTA_F_IF: return "args[3]->if_name (ifinfo_t)";
    case NTA_F_IPV46: return "args[4]/args[5] (ipv4info_t, ipv6info_t)";
    case NTA_F_TCP_PORTS: return "args[4]->tcp_sport/tcp_dport";
    case NTA_F_TCP_SEQ: return "args[4]->tcp_seq/tcp_ack";
    case NTA_F_TCP_OFFSET: return "args[4]->tcp_offset";
    case NTA_F_TCP_FLAGS: return "args[4]->tcp_flags";
    case NTA_F_TCP_HDR: return "args[4]->tcp_window/tcp_checksum/tcp_urgent";
    case NTA_F_PAYLOAD: return "args[2]->ip_plength - args[4]->tcp_offset (payload bytes)";
    case NTA_F_TCPS_CONN: return "args[3]->tcps_laddr/tcps_lport/tcps_raddr/tcps_rport";
    case NTA_F_TCPS_STATE: return "args[3]->tcps_state";
    case NTA_F_TCPS_SEQ: return "args[3]->tcps_rnxt and the other tcpsinfo_t sequence fields";
    case NTA_F_LSTATE: return "args[5]->tcps_state (the previous state)";
    case NTA_F_UDP: return "udpinfo_t/udpsinfo_t";
    default: return "?";
    }
}
