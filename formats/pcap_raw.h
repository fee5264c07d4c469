/* formats/pcap_raw.h: classic pcap records taken as they lie in the file.
 *
 * A plain pcap file's reader (formats/pcap_file.c) can hand over runs of whole records read
 * straight from the file, each one libpcap would pass through untouched; whoever holds the
 * bytes (the reader itself, or the reading thread's chunks, formats/prefetch.c) turns them into
 * packets here, so the record layout and libpcap's timestamp rules live in one place. */
#ifndef NTA_FORMATS_PCAP_RAW_H
#define NTA_FORMATS_PCAP_RAW_H

#include <stdint.h>
#include <string.h>

#include "formats/capture.h"

/* What every record of a run shares. */
typedef struct nta_raw_pcap {
    uint32_t swapped;      /**< written in the other byte order */
    uint32_t micro;        /**< microsecond timestamps (else nanoseconds) */
    uint32_t ifindex, linktype, file;
    uint32_t pad;
    uint64_t offset;       /**< file offset of the run's first record */
} nta_raw_pcap;

static inline uint32_t nta_raw_pcap_u32(const uint8_t *p, uint32_t swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

/* Whether the record at rec has a usable time: its fraction field below one second (10^6 µs
 * or 10^9 ns). A larger one is no time at all (tshark would show a fraction of a second past
 * 1.0); such a record is left to libpcap's reading, where it is counted as a bad record. */
static inline int nta_raw_pcap_time_ok(const nta_raw_pcap *how, const uint8_t *rec)
{
    return nta_raw_pcap_u32(rec + 4, how->swapped) < (how->micro ? 1000000u : 1000000000u);
}

/* The record at rec (its file offset at) as a packet; returns the record's size. Its time must
 * be usable (nta_raw_pcap_time_ok). */
static inline size_t nta_raw_pcap_packet(const nta_raw_pcap *how, const uint8_t *rec, uint64_t at,
                                         nta_packet *pkt)
{
    /* ts_sec is unsigned, as tshark reads it (libpcap's signed field turns 2038 and later into
     * 1901 and later); 2^32 s is 4.3e18 ns, well inside 63 bits */
    uint64_t sec = nta_raw_pcap_u32(rec, how->swapped);
    uint64_t frac = nta_raw_pcap_u32(rec + 4, how->swapped);
    if (how->micro)
        frac *= 1000;
    pkt->ts_ns = sec * 1000000000u + frac;
    pkt->caplen = nta_raw_pcap_u32(rec + 8, how->swapped);
    pkt->origlen = nta_raw_pcap_u32(rec + 12, how->swapped);
    pkt->ifindex = how->ifindex;
    pkt->linktype = how->linktype;
    pkt->file = how->file;
    pkt->offset = at;
    pkt->data = rec + 16;
    return 16 + (size_t)pkt->caplen;
}

#endif
