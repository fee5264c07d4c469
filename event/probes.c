/* event/probes.c: probe names, argument layouts and probe-description matching. */
#include "event/probes.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[] = {
    "state-closed",      "state-listen",     "state-syn-sent",    "state-syn-received",
    "state-established", "state-close-wait", "state-fin-wait-1",  "state-closing",
    "state-last-ack",    "state-fin-wait-2", "state-time-wait",
};

const nta_tcp_flag nta_tcp_flags[NTA_TCP_NFLAGS] = {
    { TH_FIN, "FIN", "FIN" }, { TH_SYN, "SYN", "SYN" }, { TH_RST, "RST", "RST" },
    { TH_PUSH, "PUSH", "PSH" }, { TH_ACK, "ACK", "ACK" }, { TH_URG, "URG", "URG" },
    { TH_ECE, "ECE", "ECE" }, { TH_CWR, "CWR", "CWR" },
};

const char *nta_tcp_state_string(int32_t state)
{
    if (state < 0 || state > TCPS_TIME_WAIT)
        return "<unknown>";
    return state_names[state];
}

const char *nta_ip_protostr(uint8_t proto)
{
    switch (proto) {
    case 0: return "IP";
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IPV4";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPV6";
    case 43: return "ROUTING";
    case 44: return "FRAGMENT";
    case 46: return "RSVP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 55: return "MOBILE";
    case 58: return "ICMPV6";
    case 60: return "DSTOPTS";
    case 97: return "ETHERIP";
    case 103: return "PIM";
    case 108: return "IPCOMP";
    case 132: return "SCTP";
    case 255: return "RAW";
    }
    return "<unknown>";
}

static const struct {
    const char *provider, *name, *full;
    nta_argtype args[NTA_MAX_ARGS];
} probes[NTA_PROBE__COUNT] = {
#define TCPARGS { NTA_ARG_PKTINFO, NTA_ARG_CSINFO, NTA_ARG_IPINFO, NTA_ARG_TCPSINFO, NTA_ARG_TCPINFO, NTA_ARG_NONE }
    [NTA_PROBE_IP_SEND] = { "ip", "send", "ip:::send",
                            { NTA_ARG_PKTINFO, NTA_ARG_CSINFO, NTA_ARG_IPINFO, NTA_ARG_IFINFO,
                              NTA_ARG_IPV4INFO, NTA_ARG_IPV6INFO } },
    [NTA_PROBE_IP_RECEIVE] = { "ip", "receive", "ip:::receive",
                               { NTA_ARG_PKTINFO, NTA_ARG_CSINFO, NTA_ARG_IPINFO, NTA_ARG_IFINFO,
                                 NTA_ARG_IPV4INFO, NTA_ARG_IPV6INFO } },
    [NTA_PROBE_TCP_SEND] = { "tcp", "send", "tcp:::send", TCPARGS },
    [NTA_PROBE_TCP_RECEIVE] = { "tcp", "receive", "tcp:::receive", TCPARGS },
    [NTA_PROBE_TCP_STATE_CHANGE] = { "tcp", "state-change", "tcp:::state-change",
                                     { NTA_ARG_VOID, NTA_ARG_CSINFO, NTA_ARG_VOID,
                                       NTA_ARG_TCPSINFO, NTA_ARG_VOID, NTA_ARG_TCPLSINFO } },
    [NTA_PROBE_TCP_CONNECT_REQUEST] = { "tcp", "connect-request", "tcp:::connect-request", TCPARGS },
    [NTA_PROBE_TCP_CONNECT_ESTABLISHED] = { "tcp", "connect-established",
                                            "tcp:::connect-established", TCPARGS },
    [NTA_PROBE_TCP_CONNECT_REFUSED] = { "tcp", "connect-refused", "tcp:::connect-refused", TCPARGS },
    [NTA_PROBE_TCP_ACCEPT_ESTABLISHED] = { "tcp", "accept-established",
                                           "tcp:::accept-established", TCPARGS },
    [NTA_PROBE_TCP_ACCEPT_REFUSED] = { "tcp", "accept-refused", "tcp:::accept-refused", TCPARGS },
    [NTA_PROBE_UDP_SEND] = { "udp", "send", "udp:::send",
                             { NTA_ARG_PKTINFO, NTA_ARG_CSINFO, NTA_ARG_IPINFO, NTA_ARG_UDPSINFO,
                               NTA_ARG_UDPINFO, NTA_ARG_NONE } },
    [NTA_PROBE_UDP_RECEIVE] = { "udp", "receive", "udp:::receive",
                                { NTA_ARG_PKTINFO, NTA_ARG_CSINFO, NTA_ARG_IPINFO, NTA_ARG_UDPSINFO,
                                  NTA_ARG_UDPINFO, NTA_ARG_NONE } },
#undef TCPARGS
};

int nta_probe_id(nta_probe p)
{
    static const int ids[NTA_PROBE__COUNT] = { 57600, 57601, 57610, 57611, 57612, 57613,
                                               57614, 57615, 57616, 57617, 57620, 57621 };
    return ids[p];
}

const char *nta_probe_name(nta_probe p) { return probes[p].full; }
const char *nta_probe_provider(nta_probe p) { return probes[p].provider; }
const char *nta_probe_short(nta_probe p) { return probes[p].name; }
const nta_argtype *nta_probe_args(nta_probe p) { return probes[p].args; }

const char *nta_argtype_name(nta_argtype t)
{
    switch (t) {
    case NTA_ARG_NONE: return "";
    case NTA_ARG_VOID: return "void";
    case NTA_ARG_PKTINFO: return "pktinfo_t";
    case NTA_ARG_CSINFO: return "csinfo_t";
    case NTA_ARG_IPINFO: return "ipinfo_t";
    case NTA_ARG_IFINFO: return "ifinfo_t";
    case NTA_ARG_IPV4INFO: return "ipv4info_t";
    case NTA_ARG_IPV6INFO: return "ipv6info_t";
    case NTA_ARG_TCPSINFO: return "tcpsinfo_t";
    case NTA_ARG_TCPINFO: return "tcpinfo_t";
    case NTA_ARG_TCPLSINFO: return "tcplsinfo_t";
    case NTA_ARG_UDPSINFO: return "udpsinfo_t";
    case NTA_ARG_UDPINFO: return "udpinfo_t";
    case NTA_NARGTYPES: break;
    }
    return "";
}

const void *nta_event_arg(const nta_event *ev, int i)
{
    if (i < 0 || i >= NTA_MAX_ARGS)
        return NULL;
    switch (probes[ev->probe].args[i]) {
    case NTA_ARG_PKTINFO: return ev->pkt;
    case NTA_ARG_CSINFO: return ev->cs;
    case NTA_ARG_IPINFO: return ev->ip;
    case NTA_ARG_IFINFO: return ev->ifp;
    case NTA_ARG_IPV4INFO: return ev->ipv4;
    case NTA_ARG_IPV6INFO: return ev->ipv6;
    case NTA_ARG_TCPSINFO: return ev->tcps;
    case NTA_ARG_TCPINFO: return ev->tcp;
    case NTA_ARG_TCPLSINFO: return ev->tcpls;
    case NTA_ARG_UDPSINFO: return ev->udps;
    case NTA_ARG_UDPINFO: return ev->udp;
    default: return NULL;
    }
}

/* A description is provider:module:function:name; empty fields match anything. nta's probes
 * have module "kernel" and function "none" (shared/reference section 1.1). Fewer than four
 * fields name the last ones: "send" is name, "tcp::send"... as dtrace -n parses them. */
int nta_probe_set_add(nta_probe_set *set, const char *spec)
{
    char buf[256];
    if (strlen(spec) >= sizeof buf || spec[0] == '\0')
        return -1;
    snprintf(buf, sizeof buf, "%s", spec);
    char *field[4] = { "", "", "", "" };
    int n = 0;
    char *p = buf;
    char *parts[5];
    parts[n++] = p;
    for (; *p; p++) {
        if (*p == ':') {
            if (n == 4)
                return -1;
            *p = '\0';
            parts[n++] = p + 1;
        }
    }
    for (int i = 0; i < n; i++)
        field[4 - n + i] = parts[i];
    const char *have[4];
    int matched = 0;
    for (int k = 0; k < NTA_PROBE__COUNT; k++) {
        have[0] = probes[k].provider;
        have[1] = "kernel";
        have[2] = "none";
        have[3] = probes[k].name;
        int ok = 1;
        for (int i = 0; i < 4 && ok; i++)
            ok = field[i][0] == '\0' || fnmatch(field[i], have[i], 0) == 0;
        if (ok) {
            set->bits |= 1u << k;
            matched++;
        }
    }
    return matched > 0 ? 0 : -1;
}
