/* event/probes.h: synthetic DTrace probe events, shaped like FreeBSD's ip/tcp/udp providers.
 *
 * The seam of nta (DESIGN.md, "The probe event"): everything before it turns bytes into these
 * events, everything after consumes them. Argument structures carry the FreeBSD translators'
 * names and fields (shared/reference/dtrace-providers.md section 2; dtrace-tcp(4)); addresses
 * stay binary (nta_addr) until a sink asks for text. Each probe's args[] layout is
 * nta_probe_args(). Structures pointed to by an event are valid only during on_event().
 * Estimated fields are documented in man/nta.1 ("Field fidelity"). */
#ifndef NTA_EVENT_PROBES_H
#define NTA_EVENT_PROBES_H

#include <stdint.h>

#include "common/addr.h"
#include "common/proc.h"

/* TCP states, TH_* flags: FreeBSD's values (tcp_fsm.h, tcp.d). */
enum {
    TCPS_CLOSED = 0, TCPS_LISTEN = 1, TCPS_SYN_SENT = 2, TCPS_SYN_RECEIVED = 3,
    TCPS_ESTABLISHED = 4, TCPS_CLOSE_WAIT = 5, TCPS_FIN_WAIT_1 = 6, TCPS_CLOSING = 7,
    TCPS_LAST_ACK = 8, TCPS_FIN_WAIT_2 = 9, TCPS_TIME_WAIT = 10,
};
enum {
    TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PUSH = 0x08, TH_ACK = 0x10, TH_URG = 0x20,
    TH_ECE = 0x40, TH_CWR = 0x80,
};

/* The TCP flags in tcp.d's TH_* order. name is how tcp.d's tcpflag_string and dtrace-tcp(4)'s
 * example spell them ("PUSH"), abbrev how the article's Example 3 prints them ("PSH"). */
typedef struct nta_tcp_flag {
    uint8_t bit;
    const char *name, *abbrev;
} nta_tcp_flag;
#define NTA_TCP_NFLAGS 8
extern const nta_tcp_flag nta_tcp_flags[NTA_TCP_NFLAGS];

/* "state-established", ...; "<unknown>" outside 0..10 (tcp_state_string[]). */
const char *nta_tcp_state_string(int32_t state);

typedef struct pktinfo_t {
    uintptr_t pkt_addr;   /**< always 0 */
} pktinfo_t;

typedef struct csinfo_t {
    uintptr_t cs_addr;    /**< always 0 on FreeBSD */
    uint64_t cs_cid;      /**< unique per connection incarnation and endpoint; 0 = NULL tcpcb */
    int32_t cs_pid;       /**< always 0 on FreeBSD */
    int32_t cs_zoneid;    /**< always 0 on FreeBSD */
} csinfo_t;

typedef struct ipinfo_t {
    uint8_t ip_ver;
    uint32_t ip_plength;  /**< IPv4 total length - header (options incl.); IPv6 payload length */
    nta_addr ip_saddr;
    nta_addr ip_daddr;
} ipinfo_t;

typedef struct ifinfo_t {
    const char *if_name;  /**< capture interface name */
    int8_t if_local;      /**< 1 for a loopback interface */
    uintptr_t if_addr;    /**< stable pointer-like value per interface */
} ifinfo_t;

typedef struct ipv4info_t {
    uint8_t ipv4_ver, ipv4_ihl;   /**< ihl in 32-bit words, as FreeBSD's translator */
    uint8_t ipv4_tos;
    uint16_t ipv4_length, ipv4_ident;
    uint16_t ipv4_flags;          /**< the flag bits (DF 0x40, MF 0x20) of ip_off's high byte;
                                       wider for values read from dtrace text (FreeBSD's raw bits) */
    uint16_t ipv4_offset;         /**< fragment offset in 8-byte units */
    uint8_t ipv4_ttl, ipv4_protocol;
    uint16_t ipv4_checksum;
    nta_addr ipv4_saddr, ipv4_daddr;
} ipv4info_t;

typedef struct ipv6info_t {
    uint8_t ipv6_ver, ipv6_tclass;
    uint32_t ipv6_flow;
    uint16_t ipv6_plen;
    uint8_t ipv6_nexthdr, ipv6_hlim;
    nta_addr ipv6_saddr, ipv6_daddr;
} ipv6info_t;

/* Protocol name as ipv4_protostr/ipv6_nextstr print it ("TCP", ...; "<unknown>"). */
const char *nta_ip_protostr(uint8_t proto);

typedef struct tcpsinfo_t {
    uintptr_t tcps_addr;          /**< equals cs_cid (FreeBSD 14: inpcb embedded in tcpcb) */
    int32_t tcps_local, tcps_active;   /**< always -1 (not implemented by FreeBSD) */
    uint16_t tcps_lport, tcps_rport;
    nta_addr tcps_laddr, tcps_raddr;
    int32_t tcps_state;
    uint32_t tcps_iss, tcps_irs, tcps_suna, tcps_smax, tcps_snxt, tcps_rack, tcps_rnxt;
    uint32_t tcps_swnd;           /**< send window, bytes, scaled */
    int32_t tcps_snd_ws;
    uint32_t tcps_swl1, tcps_swl2, tcps_rup, tcps_radv;
    uint32_t tcps_rwnd;           /**< receive window, bytes, scaled */
    int32_t tcps_rcv_ws;
    uint32_t tcps_cwnd, tcps_cwnd_ssthresh;   /**< not visible in a capture: 0xffffffff */
    uint32_t tcps_srecover, tcps_sack_fack, tcps_sack_snxt;
    uint32_t tcps_rto;            /**< ms, RFC 6298 estimate */
    uint32_t tcps_mss;
    int32_t tcps_retransmit;
    int32_t tcps_srtt;            /**< FreeBSD's raw t_srtt: ms x 32 at hz=1000 (estimate) */
    int32_t tcps_debug, tcps_cookie, tcps_dupacks;
    uint32_t tcps_rtttime, tcps_rtseq, tcps_ts_recent;
} tcpsinfo_t;

typedef struct tcpinfo_t {
    uint16_t tcp_sport, tcp_dport;
    uint32_t tcp_seq, tcp_ack;
    uint8_t tcp_offset;           /**< header length in bytes (documented meaning; decision 2) */
    uint8_t tcp_flags;
    uint16_t tcp_window, tcp_checksum, tcp_urgent;
} tcpinfo_t;

typedef struct tcplsinfo_t {
    int32_t tcps_state;           /**< the previous state */
} tcplsinfo_t;

typedef struct udpinfo_t {
    uint16_t udp_sport, udp_dport, udp_length, udp_checksum;
} udpinfo_t;

typedef struct udpsinfo_t {
    uintptr_t udps_addr;
    uint16_t udps_lport, udps_rport;
    nta_addr udps_laddr, udps_raddr;
} udpsinfo_t;

typedef enum nta_probe {
    NTA_PROBE_IP_SEND, NTA_PROBE_IP_RECEIVE,
    NTA_PROBE_TCP_SEND, NTA_PROBE_TCP_RECEIVE, NTA_PROBE_TCP_STATE_CHANGE,
    NTA_PROBE_TCP_CONNECT_REQUEST, NTA_PROBE_TCP_CONNECT_ESTABLISHED,
    NTA_PROBE_TCP_CONNECT_REFUSED, NTA_PROBE_TCP_ACCEPT_ESTABLISHED,
    NTA_PROBE_TCP_ACCEPT_REFUSED,
    NTA_PROBE_UDP_SEND, NTA_PROBE_UDP_RECEIVE,
    NTA_PROBE__COUNT
} nta_probe;

/* "tcp:::state-change", ... */
const char *nta_probe_name(nta_probe p);
/* nta's fixed probe IDs, as the not-quiet layout prints them (real SDT IDs depend on the
 * kernel's boot; these keep outputs stable). */
int nta_probe_id(nta_probe p);
/* The provider and name parts ("tcp", "state-change"). */
const char *nta_probe_provider(nta_probe p);
const char *nta_probe_short(nta_probe p);

/* What each args[i] of a probe is. */
typedef enum nta_argtype {
    NTA_ARG_NONE,   /**< no such argument */
    NTA_ARG_VOID,   /**< always NULL (state-change args[0], [2], [4]) */
    NTA_ARG_PKTINFO, NTA_ARG_CSINFO, NTA_ARG_IPINFO, NTA_ARG_IFINFO, NTA_ARG_IPV4INFO,
    NTA_ARG_IPV6INFO, NTA_ARG_TCPSINFO, NTA_ARG_TCPINFO, NTA_ARG_TCPLSINFO, NTA_ARG_UDPSINFO,
    NTA_ARG_UDPINFO,
    NTA_NARGTYPES
} nta_argtype;

#define NTA_MAX_ARGS 6
/* The args[] layout of probe p (shared/reference section 1.2). */
const nta_argtype *nta_probe_args(nta_probe p);
/* Name of an argument type ("tcpsinfo_t", ...). */
const char *nta_argtype_name(nta_argtype t);

/* Where an event stands in the output of a run over captures, so that the events of shards
 * can be put back in the order one run emits them (DESIGN.md, "Beyond one machine"; the merge
 * in shard/merge.c). The analyzer emits events while it handles a packet, when a timer of a
 * connection comes due (TIME_WAIT ends, an idle connection is forgotten), and at the end of
 * the input; each kind has its own order:
 *   PACKET: by pkt, the packet's index in the whole input (0, 1, ...);
 *   TIMER:  by the deadline (clock_ns), then rank (0 TIME_WAIT's end, 1 the idle timeout),
 *           then pkt, the index of the connection's last packet; they come right before the
 *           first packet whose clock has reached the deadline;
 *   END:    by rank (0 open connections, 1 closing ones), clock_ns (the connection's last
 *           packet time), then pkt, after everything else.
 * Events with equal positions come from one connection (or one packet) and keep the order they
 * were emitted in. */
enum { NTA_WHEN_PACKET = 0, NTA_WHEN_TIMER = 1, NTA_WHEN_END = 2 };
typedef struct nta_event_pos {
    uint8_t when;        /**< NTA_WHEN_* */
    uint8_t rank;        /**< TIMER and END: see above; 0 for PACKET */
    uint64_t pkt;        /**< PACKET: the packet's index; TIMER, END: the connection's last
                              packet's index */
    uint64_t clock_ns;   /**< PACKET: the run's clock at that packet (the latest capture time
                              of any packet so far); TIMER: the deadline; END: the
                              connection's last packet time */
} nta_event_pos;

typedef struct nta_event {
    nta_probe probe;
    uint64_t ts_ns;                /**< DTrace's timestamp: capture time in ns */
    const nta_addr *host;          /**< the traced endpoint the probe fires on */
    /* Arguments; NULL where the provider passes NULL (e.g. tcpsinfo of syncache segments). */
    const pktinfo_t *pkt;
    const csinfo_t *cs;
    const ipinfo_t *ip;
    const ifinfo_t *ifp;
    const ipv4info_t *ipv4;
    const ipv6info_t *ipv6;
    const tcpsinfo_t *tcps;
    const tcpinfo_t *tcp;
    const tcplsinfo_t *tcpls;
    const udpsinfo_t *udps;
    const udpinfo_t *udp;
    /* The process the capture names for the packet that fired the probe (common/proc.h):
     * DTrace's pid and execname. NULL when it names none, and for probes no packet fired
     * (timers, held FINs applied later). */
    const nta_proc *proc;
    const nta_event_pos *pos;      /**< where it stands (events from captures); NULL for events
                                        read from dtrace text */
} nta_event;

/* Which fields an event source shows. Events synthesised from packets show all of them; events
 * read from a dtrace script's text show what the script printed (dtext/dtrace_in.h), and
 * consumers print the others as unknown or refuse to work without them (man/nta.1). */
enum {
    NTA_F_TS = 1u << 0,          /**< timestamp, on one clock for all connections */
    NTA_F_CONNTIME = 1u << 1,    /**< time differences within a connection (implied by NTA_F_TS) */
    NTA_F_CID = 1u << 2,         /**< args[1]->cs_cid */
    NTA_F_IP_VER = 1u << 3,
    NTA_F_IP_SADDR = 1u << 4,
    NTA_F_IP_DADDR = 1u << 5,
    NTA_F_IP_PLENGTH = 1u << 6,
    NTA_F_IF = 1u << 7,          /**< ifinfo_t */
    NTA_F_IPV46 = 1u << 8,       /**< ipv4info_t, ipv6info_t */
    NTA_F_TCP_PORTS = 1u << 9,
    NTA_F_TCP_SEQ = 1u << 10,    /**< tcp_seq, tcp_ack */
    NTA_F_TCP_OFFSET = 1u << 11,
    NTA_F_TCP_FLAGS = 1u << 12,
    NTA_F_TCP_HDR = 1u << 13,    /**< tcp_window, tcp_checksum, tcp_urgent */
    NTA_F_PAYLOAD = 1u << 14,    /**< ip_plength - tcp_offset, even when neither alone is shown */
    NTA_F_TCPS_CONN = 1u << 15,  /**< tcps_addr, tcps_[lr]addr, tcps_[lr]port */
    NTA_F_TCPS_STATE = 1u << 16,
    NTA_F_TCPS_SEQ = 1u << 17,   /**< every other tcpsinfo_t field */
    NTA_F_LSTATE = 1u << 18,     /**< args[5]->tcps_state of state-change */
    NTA_F_UDP = 1u << 19,        /**< udpinfo_t, udpsinfo_t */
    NTA_F_ALL = (1u << 20) - 1,
};

/* The pointer for args[i] of ev (NULL for a NULL argument or none). */
const void *nta_event_arg(const nta_event *ev, int i);

/* Translator structures a sink never reads need not be built, as DTrace translates only the
 * arguments a script references (bits of nta_sink.skip). A skipped tcpsinfo reads as NULL in
 * the event: only a sink that asked for the skip may rely on never looking at it. */
enum { NTA_SKIP_TCPSINFO = 1u, NTA_SKIP_IPV46INFO = 2u };

struct nta_run_info;

/* A consumer of one run's events (DESIGN.md, "Sources and sinks"): a report set, an event
 * writer, a D program. on_start runs once the traced hosts are decided, before the first
 * event; on_finish once after the last. Each returns 0 or a negative NTA_E* (e.g. a write
 * failed), which stops the run. Any callback may be NULL. The sink says up front what it
 * reads, and the source builds nothing else. */
typedef struct nta_sink {
    int (*on_start)(void *ctx, const struct nta_run_info *info);
    int (*on_event)(void *ctx, const nta_event *ev);
    int (*on_finish)(void *ctx, const struct nta_run_info *info);
    void *ctx;
    uint32_t probes;        /**< bit per nta_probe it reads; 0 = every probe */
    uint32_t skip;          /**< NTA_SKIP_* structures it never reads */
    uint32_t tcps_probes;   /**< with NTA_SKIP_TCPSINFO: the probes on which it still reads
                                 tcpsinfo_t */
} nta_sink;

/* A set of enabled probes from DTrace probe descriptions with globs:
 * "tcp:::state-change", "tcp:::", "*:::send", "ip:::*", "udp:kernel::receive". */
typedef struct nta_probe_set {
    uint32_t bits;   /**< bit p set when probe p is enabled */
} nta_probe_set;

/* 0, or -1 when spec is not a probe description or matches no probe. */
int nta_probe_set_add(nta_probe_set *set, const char *spec);

#endif
