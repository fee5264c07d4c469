/* dtext/dtrace_event.h: one probe event being rebuilt from a line of dtrace text, and the
 * parsers of each known script's lines (dtext/dtrace_in.c drives them).
 *
 * A dt_event owns every argument structure a probe can have; dt_event_finish() points the
 * nta_event at the ones the probe passes, as nta_probe_args() lays them out. */
#ifndef NTA_DTEXT_DTRACE_EVENT_H
#define NTA_DTEXT_DTRACE_EVENT_H

#include <stddef.h>

#include "event/probes.h"

typedef struct dt_event {
    nta_event ev;
    pktinfo_t pkt;
    csinfo_t cs;
    ipinfo_t ip;
    ifinfo_t ifp;
    ipv4info_t v4;
    ipv6info_t v6;
    tcpsinfo_t tcps;
    tcpinfo_t tcp;
    tcplsinfo_t ls;
    udpsinfo_t udps;
    udpinfo_t udp;
    nta_addr host;
    char ifname[64];
    uint64_t wall_ns;      /* walltimestamp, when the line has one */
    int null_tcps, null_udps;
} dt_event;

/* Zero everything (tcpsinfo_t's never-implemented fields get FreeBSD's -1). */
void dt_event_reset(dt_event *e, nta_probe p);
/* Point ev's arguments at the structures probe e->ev.probe passes, and set ev.host. */
void dt_event_finish(dt_event *e);

/* Split line (modified) at blanks into at most max tokens; returns how many. */
int dt_tokens(char *line, char **tok, int max);
/* Strict decimal parsers: 0, or -1 when s is not a whole number within range. */
int dt_u64(const char *s, uint64_t *v);
int dt_i64(const char *s, int64_t *v);
/* An address as DTrace prints it (inet_ntoa/inet_ntoa6); "", "<unknown>" and "<null>" give
 * family 0. -1 when s is none of these. */
int dt_addr(const char *s, nta_addr *a);
/* "state-established" -> 4; -1 for "<unknown>"; -2 when s is no state name. */
int dt_state(const char *s);

/* Parse one line of an "ntaev1" file into e. Returns 1 for an event, 0 for a line that is no
 * event (the "begin" header), -1 when malformed (why says what is wrong). *begin_ts and
 * *begin_wall receive the clock of a "begin" line. */
int dt_parse_ntaev(char *line, dt_event *e, uint64_t *begin_ts, uint64_t *begin_wall,
                   char *why, size_t whylen);

/* The article's and dtrace-tcp(4)'s scripts (dtext/dtrace_scripts.c). Same returns as
 * dt_parse_ntaev. Example 3 does not say the direction: the event comes out as tcp:::send with
 * the addresses as printed, and the caller decides. Example 6 gives *delta_us, the time since
 * the connection's previous change as printed (0 for its first). dtrace-tcp(4)'s state lines
 * give the timestamp in e->ev.ts_ns. */
int dt_parse_default(char *line, dt_event *e, char *why, size_t whylen);
int dt_parse_ex3(char *line, dt_event *e, char *why, size_t whylen);
int dt_parse_tcp4_segs(char *line, dt_event *e, char *why, size_t whylen);
int dt_parse_ex6(char *line, dt_event *e, uint64_t *delta_us, char *why, size_t whylen);
int dt_parse_tcp4_states(char *line, dt_event *e, char *why, size_t whylen);

#endif
