/* formats/capture.h: the packet record every capture reader produces, and the reader interface.
 *
 * A reader turns one nta_stream into packets: classic pcap (libpcap, pcap_file.c), pcapng (own
 * block reader, pcapng.c), ERF (own record reader, erf.c); the other libtrace formats are opened
 * by name (libtrace_file.c). Readers announce the
 * interfaces they discover through an nta_iface_sink, which gives each a trace-wide index, so
 * packets of several files and pcapng sections share one interface table (trace.c).
 * Link types are always LINKTYPE_* values (the pcap/pcapng registry), never platform DLT_* ones. */
#ifndef NTA_FORMATS_CAPTURE_H
#define NTA_FORMATS_CAPTURE_H

#include <stdint.h>

#include "common/err.h"
#include "common/proc.h"
#include "formats/stream.h"

/* LINKTYPE_* values nta decodes (tcpdump.org/linktypes.html). */
enum {
    NTA_LINK_NULL = 0,       /**< BSD loopback: 4-byte address family, host byte order of the writer */
    NTA_LINK_ETHERNET = 1,
    NTA_LINK_RAW = 101,      /**< raw IPv4 or IPv6, version nibble decides */
    NTA_LINK_LOOP = 108,     /**< OpenBSD loopback: 4-byte address family, network order */
    NTA_LINK_LINUX_SLL = 113,
    NTA_LINK_IPV4 = 228,
    NTA_LINK_IPV6 = 229,
    NTA_LINK_LINUX_SLL2 = 276,
};

#define NTA_IFACE_NAME_MAX 128

typedef struct nta_iface {
    char name[NTA_IFACE_NAME_MAX];   /**< pcapng if_name, else --ifname, else the file's base name */
    char desc[NTA_IFACE_NAME_MAX];   /**< pcapng if_description, "" when absent */
    uint32_t linktype;               /**< LINKTYPE_* */
    uint32_t snaplen;                /**< 0 when the file does not say */
    uint32_t file;                   /**< index of the input file that declared it */
    uint64_t packets;                /**< packets read on this interface */
    uint64_t bytes;                  /**< sum of their original lengths */
    int64_t ifdrop;                  /**< last pcapng isb_ifdrop seen, -1 when none */
} nta_iface;

typedef struct nta_packet {
    uint64_t ts_ns;        /**< capture time, ns since the epoch (tsoffset/tsresol applied) */
    uint32_t ifindex;      /**< trace-wide interface index (nta_iface_sink) */
    uint32_t linktype;     /**< LINKTYPE_* of that interface */
    uint32_t caplen;       /**< bytes present at data */
    uint32_t origlen;      /**< length on the wire; >= caplen except in broken files */
    uint32_t file;         /**< input file index */
    uint64_t offset;       /**< byte offset of the record in its (decompressed) file */
    const uint8_t *data;   /**< valid until the next call on the same reader */
    /* The process the file names for this packet (pcapng with Apple's process blocks), NULL
     * when it names none; valid until the reader is closed. */
    const nta_proc *proc;
    /* What `nta split` writes on each packet of a bucket (pcapng EPB options; man/nta.1,
     * "SHARDS"); readers of other formats leave them 0. */
    uint64_t packet_id;    /**< epb_packetid: the packet's index in the whole input */
    uint64_t clock_ns;     /**< the whole input's clock at the packet when later than ts_ns
                                (packets out of time order), else 0 */
    uint8_t has_packet_id;
} nta_packet;

/* How readers register interfaces: add() copies *ifc and returns its trace-wide index in *index. */
typedef struct nta_iface_sink {
    int (*add)(void *ctx, const nta_iface *ifc, uint32_t *index);
    void *ctx;
} nta_iface_sink;

/* Per-record problems a reader survives (the record is skipped and counted). */
typedef struct nta_reader_warn {
    uint64_t bad_records;   /**< records that could not be used (unknown interface id, ...) */
    char first[200];        /**< message of the first one, "" when none */
} nta_reader_warn;

struct nta_raw_pcap;

typedef struct nta_reader {
    /* 1 packet, 0 end, negative NTA_E* (err filled; the reader cannot go on). */
    int (*next)(void *ctx, nta_packet *pkt, nta_err *err);
    void (*close)(void *ctx);
    void *ctx;
    const char *format;        /**< "pcap", "pcap-ns", "pcapng", "erf", ... */
    nta_reader_warn *warn;     /**< owned by the reader, may be NULL */
    /* Bytes of the file consumed so far, for readers that bypass the nta_stream (progress);
     * NULL when the stream's own count is right. */
    uint64_t (*bytes_read)(void *ctx);
    /* Optional (plain pcap files): up to cap bytes of whole records straight into buf, and what
     * they share (formats/pcap_raw.h); 0 when there are none to give this way, and then from
     * next() on. Saves a copy per packet where the bytes must land in a buffer anyway. */
    size_t (*fill_raw)(void *ctx, uint8_t *buf, size_t cap, struct nta_raw_pcap *how);
} nta_reader;

typedef struct nta_reader_opts {
    const char *ifname;    /**< interface name for formats that have none; NULL = file base name */
    uint32_t file;         /**< index of this input, copied into every packet */
    nta_iface_sink ifaces;
    int via_libpcap;       /**< 1: no direct record reading of plain pcap files (tests compare) */
} nta_reader_opts;

/* Recognise the capture format from the stream's first bytes and open the matching reader.
 * The stream stays owned by the caller and must outlive the reader.
 * Returns 0, NTA_EFORMAT (err names what was found), or another NTA_E*. */
int nta_capture_open(nta_reader *rd, nta_stream *s, const nta_reader_opts *o, nta_err *err);

/* Open a libtrace URI ("tsh:path", ...) directly; for formats without a magic number. */
int nta_capture_open_uri(nta_reader *rd, const char *uri, const nta_reader_opts *o, nta_err *err);

/* The individual readers, for tests and fuzzers that know the format. */
int nta_pcap_open(nta_reader *rd, nta_stream *s, const nta_reader_opts *o, nta_err *err);
int nta_pcapng_open(nta_reader *rd, nta_stream *s, const nta_reader_opts *o, nta_err *err);
int nta_libtrace_open(nta_reader *rd, const char *uri, const nta_reader_opts *o, nta_err *err);
/* ERF records from any stream (formats/erf.c): compressed, a pipe, memory. */
int nta_erf_open(nta_reader *rd, nta_stream *s, const nta_reader_opts *o, nta_err *err);

/* Close (NULL-safe on an unopened, zeroed reader). */
void nta_reader_close(nta_reader *rd);

/* Name of a link type ("ethernet", "linux-sll", ...), or "linktype-N" written into buf. */
const char *nta_linktype_name(uint32_t linktype, char *buf, size_t len);

/* Announces an interface a reader knows only by name and link type (libtrace's formats, ERF):
 * 0 with its trace-wide index in *index, or a negative NTA_E* with err set. */
int nta_iface_announce(const nta_iface_sink *sink, const char *name, uint32_t linktype,
                       uint32_t file, uint32_t *index, nta_err *err);

/* The base name of path without directories ("-" gives "stdin"), written into buf. */
void nta_default_ifname(const char *path, char *buf, size_t len);

#endif
