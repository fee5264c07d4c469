/* reports/report_kinds.c: the registry of the article's reports: what each reads, which
 * --fail-if metrics it owns, and its constructor (report.h). The command's --help, the checks
 * of what dtrace text can feed and the --fail-if names all come from here. */
#include "reports/report.h"

#include <string.h>

#define P(x) (1u << NTA_PROBE_##x)

static const char *const durations_metrics[] = {
    "durations.count", "durations.p50_ms", "durations.p90_ms", "durations.p99_ms",
    "durations.max_ms", NULL,
};
static const char *const no_metrics[] = { NULL };
static const char *const ooo_metrics[] = {
    "ooo.packets", "ooo.bytes", "ooo.total_packets", "ooo.total_bytes", "ooo.packets_ratio",
    "ooo.bytes_ratio", NULL,
};
static const char *const bytes_metrics[] = {
    "bytes.tcp_in", "bytes.tcp_out", "bytes.udp_in", "bytes.udp_out", "bytes.skipped_intervals",
    NULL,
};
static const char *const states_metrics[] = { "states.lines", NULL };
static const char *const packets_metrics[] = { "packets.lines", NULL };

static const nta_report_kind durations = {
    "durations", "quantize of connection durations in ms (Example 5)",
    P(TCP_STATE_CHANGE), 1, NTA_F_CONNTIME | NTA_F_CID | NTA_F_TCPS_STATE | NTA_F_LSTATE, 0,
    durations_metrics, nta_report_durations,
};
static const nta_report_kind ifhist = {
    "ifhist", "per interface, lquantize of ip_plength (Example 4)",
    P(IP_SEND) | P(IP_RECEIVE), 0, NTA_F_IF | NTA_F_IP_PLENGTH, 0, no_metrics, nta_report_ifhist,
};
static const nta_report_kind ooo = {
    "ooo", "out-of-order segments and bytes per remote host (Example 9)",
    P(TCP_RECEIVE), 1, NTA_F_TCPS_STATE | NTA_F_TCPS_SEQ | NTA_F_TCPS_CONN | NTA_F_TCP_SEQ | NTA_F_PAYLOAD,
    0, ooo_metrics, nta_report_ooo,
};
/* the text blocks are headed by the time (walltimestamp): no clock, no honest header */
static const nta_report_kind bytes = {
    "bytes", "TCP and UDP payload bytes per 4-tuple (Examples 7, 8)",
    P(TCP_SEND) | P(TCP_RECEIVE) | P(UDP_SEND) | P(UDP_RECEIVE), 0,
    NTA_F_TS | NTA_F_IP_SADDR | NTA_F_IP_DADDR | NTA_F_TCP_PORTS | NTA_F_PAYLOAD, 0, bytes_metrics,
    nta_report_bytes,
};
static const nta_report_kind states = {
    "states", "every state change with its delay (Example 6)",
    P(TCP_STATE_CHANGE), 1, NTA_F_TCPS_CONN | NTA_F_TCPS_STATE | NTA_F_LSTATE | NTA_F_CID | NTA_F_CONNTIME,
    1, states_metrics, nta_report_states,
};
static const nta_report_kind packets = {
    "packets", "every TCP segment with its flags (Example 3)",
    P(TCP_SEND) | P(TCP_RECEIVE), 0,
    NTA_F_IP_SADDR | NTA_F_IP_DADDR | NTA_F_TCP_PORTS | NTA_F_PAYLOAD | NTA_F_TCP_FLAGS, 1,
    packets_metrics, nta_report_packets,
};

const nta_report_kind *const nta_report_kinds[NTA_NREPORTS] = {
    &durations, &ifhist, &ooo, &bytes, &states, &packets,
};

const nta_report_kind *nta_report_kind_named(const char *name)
{
    for (int i = 0; i < NTA_NREPORTS; i++)
        if (strcmp(nta_report_kinds[i]->name, name) == 0)
            return nta_report_kinds[i];
    return NULL;
}

nta_report *nta_report_new(const nta_report_kind *k, const nta_report_opts *o)
{
    nta_report *r = k->make(o);
    if (r != NULL) {
        r->kind = k;
        r->name = k->name;
    }
    return r;
}
