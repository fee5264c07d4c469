/* dtext/dtrace_scripts.c: the lines printed by the FreeBSD network-providers article's
 * scripts (Examples 1, 3, 6) and by dtrace-tcp(4)'s two examples, back into probe events with
 * the fields each line shows (shared/seeds/; formats in man/nta.1, "DTRACE INPUT"). */
#include "dtext/dtrace_event.h"

#include <stdio.h>
#include <string.h>

#define MAX_TOKENS 32

/* Flags as the scripts print them: "(PSH|ACK|\b)" (Example 3, with dtrace's raw backspace),
 * "(FIN|PUSH|ACK|\b)" (dtrace-tcp(4)), "(PSH ACK)" (the article's typeset sample), "(null \b)". */
static int parse_flags(char **tok, int n, uint8_t *flags)
{
    char buf[128];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(tok[i]);
        if (len + l + 2 > sizeof buf)
            return -1;
        memcpy(buf + len, tok[i], l);
        len += l;
        buf[len++] = '|';
    }
    buf[len] = '\0';
    if (len == 0 || buf[0] != '(')
        return -1;
    char *close = strrchr(buf, ')');
    if (close == NULL)
        return -1;
    *close = '\0';
    *flags = 0;
    for (char *p = buf + 1; *p;) {
        char *start = p;
        while (*p && *p != '|' && *p != '\b')
            p++;
        size_t l = (size_t)(p - start);
        while (*p == '|' || *p == '\b')
            p++;
        if (l == 0)
            continue;
        if (l == 4 && strncmp(start, "null", 4) == 0)
            continue;   /* what printf's %s shows for a NULL string: no flag */
        int i;
        for (i = 0; i < NTA_TCP_NFLAGS; i++) {
            const nta_tcp_flag *f = &nta_tcp_flags[i];
            if ((strlen(f->name) == l && strncmp(start, f->name, l) == 0)
                || (strlen(f->abbrev) == l && strncmp(start, f->abbrev, l) == 0))
                break;
        }
        if (i == NTA_TCP_NFLAGS)
            return -1;
        *flags |= nta_tcp_flags[i].bit;
    }
    return 0;
}

static int port(const char *s, uint16_t *p)
{
    uint64_t v;
    if (dt_u64(s, &v) < 0 || v > 65535)
        return -1;
    *p = (uint16_t)v;
    return 0;
}

/* "10.0.0.1:80" or "fe80::1:22": the port follows the last colon. */
static int addr_port(char *s, nta_addr *a, uint16_t *p)
{
    char *colon = strrchr(s, ':');
    if (colon == NULL)
        return -1;
    *colon = '\0';
    int rc = dt_addr(s, a) < 0 || a->family == 0 || port(colon + 1, p) < 0 ? -1 : 0;
    *colon = ':';
    return rc;
}

static uint8_t version_of(const nta_addr *a) { return a->family; }

/* A segment with the fields Examples 3 and dtrace-tcp(4) show. */
static void segment(dt_event *e, nta_probe p, const nta_addr *s, uint16_t sp, const nta_addr *d,
                    uint16_t dp, uint32_t bytes, uint8_t flags)
{
    dt_event_reset(e, p);
    e->ip.ip_ver = version_of(s);
    e->ip.ip_saddr = *s;
    e->ip.ip_daddr = *d;
    e->ip.ip_plength = bytes;   /* with tcp_offset 0: payload = ip_plength - tcp_offset */
    e->tcp.tcp_sport = sp;
    e->tcp.tcp_dport = dp;
    e->tcp.tcp_flags = flags;
    e->null_tcps = 1;           /* the scripts show nothing of the connection */
}

int dt_parse_default(char *line, dt_event *e, char *why, size_t whylen)
{
    char *tok[MAX_TOKENS];
    int n = dt_tokens(line, tok, MAX_TOKENS);
    uint64_t cpu, id;
    if (n < 3 || dt_u64(tok[0], &cpu) < 0 || dt_u64(tok[1], &id) < 0 || strchr(tok[2], ':') == NULL) {
        snprintf(why, whylen, "not 'CPU ID FUNCTION:NAME data'");
        return -1;
    }
    const char *name = strrchr(tok[2], ':') + 1;
    static const struct { const char *name; nta_probe p; } map[] = {
        /* FreeBSD prints no provider; send/receive are taken as ip's, as in Example 1 */
        { "send", NTA_PROBE_IP_SEND }, { "receive", NTA_PROBE_IP_RECEIVE },
        { "state-change", NTA_PROBE_TCP_STATE_CHANGE },
        { "connect-request", NTA_PROBE_TCP_CONNECT_REQUEST },
        { "connect-established", NTA_PROBE_TCP_CONNECT_ESTABLISHED },
        { "connect-refused", NTA_PROBE_TCP_CONNECT_REFUSED },
        { "accept-established", NTA_PROBE_TCP_ACCEPT_ESTABLISHED },
        { "accept-refused", NTA_PROBE_TCP_ACCEPT_REFUSED },
    };
    size_t i;
    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(name, map[i].name) == 0)
            break;
    if (i == sizeof map / sizeof map[0]) {
        snprintf(why, whylen, "probe name '%s' is not one of the ip/tcp providers'", name);
        return -1;
    }
    dt_event_reset(e, map[i].p);
    e->null_tcps = 1;
    /* Example 1 prints args[2]->ip_daddr */
    if (map[i].p == NTA_PROBE_IP_SEND || map[i].p == NTA_PROBE_IP_RECEIVE) {
        if (n != 4 || dt_addr(tok[3], &e->ip.ip_daddr) < 0 || e->ip.ip_daddr.family == 0) {
            snprintf(why, whylen, "Example 1 prints one destination address after :%s", name);
            return -1;
        }
        e->ip.ip_ver = e->ip.ip_daddr.family;
    }
    return 1;
}

int dt_parse_ex3(char *line, dt_event *e, char *why, size_t whylen)
{
    char *tok[MAX_TOKENS];
    int n = dt_tokens(line, tok, MAX_TOKENS);
    nta_addr s, d;
    uint16_t sp, dp;
    uint64_t bytes;
    uint8_t flags;
    const char *bad = NULL, *what = NULL;
    if (n < 6)
        what = "six columns";
    else if (dt_addr(tok[0], &s) < 0 || s.family == 0)
        bad = tok[0], what = "an address (SADDR)";
    else if (port(tok[1], &sp) < 0)
        bad = tok[1], what = "a port (SPORT)";
    else if (dt_addr(tok[2], &d) < 0 || d.family != s.family)
        bad = tok[2], what = "an address of SADDR's family (DADDR)";
    else if (port(tok[3], &dp) < 0)
        bad = tok[3], what = "a port (DPORT)";
    else if (dt_u64(tok[4], &bytes) < 0 || bytes > UINT32_MAX)
        bad = tok[4], what = "a byte count (BYTES)";
    else if (parse_flags(tok + 5, n - 5, &flags) < 0)
        bad = tok[5], what = "flags like (PSH|ACK|)";
    if (what != NULL) {
        if (bad != NULL)
            snprintf(why, whylen, "'%.60s' is not %s", bad, what);
        else
            snprintf(why, whylen, "not 'SADDR SPORT DADDR DPORT BYTES (FLAGS)': needs %s", what);
        return -1;
    }
    segment(e, NTA_PROBE_TCP_SEND, &s, sp, &d, dp, (uint32_t)bytes, flags);
    return 1;
}

int dt_parse_tcp4_segs(char *line, dt_event *e, char *why, size_t whylen)
{
    char *tok[MAX_TOKENS];
    int n = dt_tokens(line, tok, MAX_TOKENS);
    nta_addr l, r;
    uint16_t lp, rp;
    uint64_t cpu, bytes;
    uint8_t flags;
    if (n < 6 || dt_u64(tok[0], &cpu) < 0 || addr_port(tok[1], &l, &lp) < 0
        || (strcmp(tok[2], "->") != 0 && strcmp(tok[2], "<-") != 0) || addr_port(tok[3], &r, &rp) < 0
        || r.family != l.family || dt_u64(tok[4], &bytes) < 0 || bytes > UINT32_MAX
        || parse_flags(tok + 5, n - 5, &flags) < 0) {
        snprintf(why, whylen, "not 'CPU LADDR:LPORT ->|<- RADDR:RPORT BYTES (FLAGS)'");
        return -1;
    }
    if (tok[2][0] == '-')
        segment(e, NTA_PROBE_TCP_SEND, &l, lp, &r, rp, (uint32_t)bytes, flags);
    else
        segment(e, NTA_PROBE_TCP_RECEIVE, &r, rp, &l, lp, (uint32_t)bytes, flags);
    return 1;
}

int dt_parse_ex6(char *line, dt_event *e, uint64_t *delta_us, char *why, size_t whylen)
{
    char *tok[MAX_TOKENS];
    int n = dt_tokens(line, tok, MAX_TOKENS);
    dt_event_reset(e, NTA_PROBE_TCP_STATE_CHANGE);
    tcpsinfo_t *t = &e->tcps;
    int from, to;
    if (n != 8 || dt_addr(tok[0], &t->tcps_laddr) < 0 || t->tcps_laddr.family == 0
        || port(tok[1], &t->tcps_lport) < 0 || dt_addr(tok[2], &t->tcps_raddr) < 0
        || port(tok[3], &t->tcps_rport) < 0 || dt_u64(tok[4], delta_us) < 0
        || (from = dt_state(tok[5])) < -1 || strcmp(tok[6], "->") != 0 || (to = dt_state(tok[7])) < -1) {
        snprintf(why, whylen, "not 'LADDR LPORT RADDR RPORT DELTA(us) OLD -> NEW'");
        return -1;
    }
    t->tcps_state = to;
    e->ls.tcps_state = from;
    return 1;
}

int dt_parse_tcp4_states(char *line, dt_event *e, char *why, size_t whylen)
{
    char *tok[MAX_TOKENS];
    int n = dt_tokens(line, tok, MAX_TOKENS);
    dt_event_reset(e, NTA_PROBE_TCP_STATE_CHANGE);
    int64_t delta;
    uint64_t ts;
    int from, to;
    if (n != 5 || (strcmp(tok[0], "-") != 0 && dt_i64(tok[0], &delta) < 0)
        || (from = dt_state(tok[1])) < -1 || strcmp(tok[2], "->") != 0 || (to = dt_state(tok[3])) < -1
        || dt_u64(tok[4], &ts) < 0) {
        snprintf(why, whylen, "not 'DELTA(us) OLD -> NEW TIMESTAMP'");
        return -1;
    }
    e->tcps.tcps_state = to;
    e->ls.tcps_state = from;
    e->ev.ts_ns = ts;
    return 1;
}
