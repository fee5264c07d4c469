/* event/fields.c: field enumeration for every translator type (see fields.h). */
#include "event/fields.h"

#include <string.h>

#define U(n, x) do { nta_fval v_ = { NTA_FK_UINT, (uint64_t)(x), 0, NULL, NULL }; fn(ctx, n, &v_); } while (0)
#define I(n, x) do { nta_fval v_ = { NTA_FK_INT, 0, (int64_t)(x), NULL, NULL }; fn(ctx, n, &v_); } while (0)
#define S(n, x) do { nta_fval v_ = { NTA_FK_STR, 0, 0, (x), NULL }; fn(ctx, n, &v_); } while (0)
#define A(n, x) do { nta_fval v_ = { NTA_FK_ADDR, 0, 0, NULL, (x) }; fn(ctx, n, &v_); } while (0)

static const nta_addr no_addr;

void nta_fields_visit(nta_argtype t, const void *p, nta_field_fn fn, void *ctx)
{
    switch (t) {
    case NTA_ARG_PKTINFO:
        U("pkt_addr", 0);
        break;
    case NTA_ARG_CSINFO: {
        const csinfo_t *c = p;
        U("cs_addr", 0);
        U("cs_cid", c ? c->cs_cid : 0);
        I("cs_pid", 0);
        I("cs_zoneid", 0);
        break;
    }
    case NTA_ARG_IPINFO: {
        const ipinfo_t *x = p;
        U("ip_ver", x ? x->ip_ver : 0);
        U("ip_plength", x ? x->ip_plength : 0);
        A("ip_saddr", x ? &x->ip_saddr : &no_addr);
        A("ip_daddr", x ? &x->ip_daddr : &no_addr);
        break;
    }
    case NTA_ARG_IFINFO: {
        const ifinfo_t *x = p;
        S("if_name", x ? x->if_name : "");
        I("if_local", x ? x->if_local : 0);
        U("if_addr", x ? x->if_addr : 0);
        break;
    }
    case NTA_ARG_IPV4INFO: {
        const ipv4info_t *x = p;
        U("ipv4_ver", x ? x->ipv4_ver : 0);
        U("ipv4_ihl", x ? x->ipv4_ihl : 0);
        U("ipv4_tos", x ? x->ipv4_tos : 0);
        U("ipv4_length", x ? x->ipv4_length : 0);
        U("ipv4_ident", x ? x->ipv4_ident : 0);
        U("ipv4_flags", x ? x->ipv4_flags : 0);
        U("ipv4_offset", x ? x->ipv4_offset : 0);
        U("ipv4_ttl", x ? x->ipv4_ttl : 0);
        U("ipv4_protocol", x ? x->ipv4_protocol : 0);
        S("ipv4_protostr", x ? nta_ip_protostr(x->ipv4_protocol) : "<null>");
        U("ipv4_checksum", x ? x->ipv4_checksum : 0);
        A("ipv4_saddr", x ? &x->ipv4_saddr : &no_addr);
        A("ipv4_daddr", x ? &x->ipv4_daddr : &no_addr);
        break;
    }
    case NTA_ARG_IPV6INFO: {
        const ipv6info_t *x = p;
        U("ipv6_ver", x ? x->ipv6_ver : 0);
        U("ipv6_tclass", x ? x->ipv6_tclass : 0);
        U("ipv6_flow", x ? x->ipv6_flow : 0);
        U("ipv6_plen", x ? x->ipv6_plen : 0);
        U("ipv6_nexthdr", x ? x->ipv6_nexthdr : 0);
        S("ipv6_nextstr", x ? nta_ip_protostr(x->ipv6_nexthdr) : "<null>");
        U("ipv6_hlim", x ? x->ipv6_hlim : 0);
        A("ipv6_saddr", x ? &x->ipv6_saddr : &no_addr);
        A("ipv6_daddr", x ? &x->ipv6_daddr : &no_addr);
        break;
    }
    case NTA_ARG_TCPSINFO: {
        const tcpsinfo_t *x = p;
        tcpsinfo_t z;
        if (x == NULL) {
            memset(&z, 0, sizeof z);
            x = &z;
        }
        U("tcps_addr", x->tcps_addr);
        I("tcps_local", x->tcps_local);
        I("tcps_active", x->tcps_active);
        U("tcps_lport", x->tcps_lport);
        U("tcps_rport", x->tcps_rport);
        A("tcps_laddr", &x->tcps_laddr);
        A("tcps_raddr", &x->tcps_raddr);
        I("tcps_state", x->tcps_state);
        U("tcps_iss", x->tcps_iss);
        U("tcps_irs", x->tcps_irs);
        U("tcps_suna", x->tcps_suna);
        U("tcps_smax", x->tcps_smax);
        U("tcps_snxt", x->tcps_snxt);
        U("tcps_rack", x->tcps_rack);
        U("tcps_rnxt", x->tcps_rnxt);
        U("tcps_swnd", x->tcps_swnd);
        I("tcps_snd_ws", x->tcps_snd_ws);
        U("tcps_swl1", x->tcps_swl1);
        U("tcps_swl2", x->tcps_swl2);
        U("tcps_rup", x->tcps_rup);
        U("tcps_radv", x->tcps_radv);
        U("tcps_rwnd", x->tcps_rwnd);
        I("tcps_rcv_ws", x->tcps_rcv_ws);
        U("tcps_cwnd", x->tcps_cwnd);
        U("tcps_cwnd_ssthresh", x->tcps_cwnd_ssthresh);
        U("tcps_srecover", x->tcps_srecover);
        U("tcps_sack_fack", x->tcps_sack_fack);
        U("tcps_sack_snxt", x->tcps_sack_snxt);
        U("tcps_rto", x->tcps_rto);
        U("tcps_mss", x->tcps_mss);
        I("tcps_retransmit", x->tcps_retransmit);
        I("tcps_srtt", x->tcps_srtt);
        I("tcps_debug", x->tcps_debug);
        I("tcps_cookie", x->tcps_cookie);
        I("tcps_dupacks", x->tcps_dupacks);
        U("tcps_rtttime", x->tcps_rtttime);
        U("tcps_rtseq", x->tcps_rtseq);
        U("tcps_ts_recent", x->tcps_ts_recent);
        break;
    }
    case NTA_ARG_TCPINFO: {
        const tcpinfo_t *x = p;
        U("tcp_sport", x ? x->tcp_sport : 0);
        U("tcp_dport", x ? x->tcp_dport : 0);
        U("tcp_seq", x ? x->tcp_seq : 0);
        U("tcp_ack", x ? x->tcp_ack : 0);
        U("tcp_offset", x ? x->tcp_offset : 0);
        U("tcp_flags", x ? x->tcp_flags : 0);
        U("tcp_window", x ? x->tcp_window : 0);
        U("tcp_checksum", x ? x->tcp_checksum : 0);
        U("tcp_urgent", x ? x->tcp_urgent : 0);
        break;
    }
    case NTA_ARG_TCPLSINFO: {
        const tcplsinfo_t *x = p;
        I("tcps_state", x ? x->tcps_state : 0);
        break;
    }
    case NTA_ARG_UDPSINFO: {
        const udpsinfo_t *x = p;
        U("udps_addr", x ? x->udps_addr : 0);
        U("udps_lport", x ? x->udps_lport : 0);
        U("udps_rport", x ? x->udps_rport : 0);
        A("udps_laddr", x ? &x->udps_laddr : &no_addr);
        A("udps_raddr", x ? &x->udps_raddr : &no_addr);
        break;
    }
    case NTA_ARG_UDPINFO: {
        const udpinfo_t *x = p;
        U("udp_sport", x ? x->udp_sport : 0);
        U("udp_dport", x ? x->udp_dport : 0);
        U("udp_length", x ? x->udp_length : 0);
        U("udp_checksum", x ? x->udp_checksum : 0);
        break;
    }
    case NTA_ARG_NONE:
    case NTA_ARG_VOID:
        break;
    }
}

static void count_fn(void *ctx, const char *name, const nta_fval *v)
{
    (void)name;
    (void)v;
    (*(int *)ctx)++;
}

int nta_fields_count(nta_argtype t)
{
    int n = 0;
    nta_fields_visit(t, NULL, count_fn, &n);
    return n;
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
