/* formats/capture_write.h: writing captures: classic pcap (through libpcap's dumper, nanosecond
 * timestamps) or pcapng (an own block writer: libpcap writes no pcapng), for `nta convert`.
 *
 * pcapng keeps every interface with its name and link type (one IDB each, if_tsresol 9); pcap
 * holds one link type, so a second interface of another link type is refused (NTA_EUNSUP). */
#ifndef NTA_FORMATS_CAPTURE_WRITE_H
#define NTA_FORMATS_CAPTURE_WRITE_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

typedef struct nta_cwriter nta_cwriter;

/* Writes to fp, which stays the caller's (closed by it, after nta_cwriter_close). Returns 0
 * or NTA_ENOMEM. */
int nta_cwriter_open(nta_cwriter **out, FILE *fp, int pcapng, nta_err *err);
/* Declare an interface; returns its index (>= 0) or a negative NTA_E*. */
int nta_cwriter_iface(nta_cwriter *w, uint32_t linktype, uint32_t snaplen, const char *name, nta_err *err);
int nta_cwriter_packet(nta_cwriter *w, int iface, uint64_t ts_ns, const uint8_t *data, uint32_t caplen,
                       uint32_t origlen, nta_err *err);
/* pcapng only (NTA_EUSAGE for pcap): a packet carrying nta split's marks (man/nta.1, "SHARDS"):
 * epb_packetid = packet_id, and when clock_ns is not 0 the whole input's clock in a custom
 * option (19373, PEN 32473) that the pcapng reader gives back in nta_packet. */
int nta_cwriter_packet_marked(nta_cwriter *w, int iface, uint64_t ts_ns, const uint8_t *data,
                              uint32_t caplen, uint32_t origlen, uint64_t packet_id,
                              uint64_t clock_ns, nta_err *err);
/* Flushes; 0, or NTA_EIO when a write failed (the FILE's error flag stays set). w is freed
 * either way. */
int nta_cwriter_close(nta_cwriter *w, nta_err *err);

#endif
