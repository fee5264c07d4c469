/* formats/filter.h: tcpdump (BPF) filter expressions applied to packets of any format.
 *
 * libpcap compiles an expression for one link type, so the program is compiled lazily for each
 * link type the trace shows (pcapng interfaces of different link types each get their own).
 * nta_filter_new() compiles once for Ethernet to reject syntax errors before reading starts. */
#ifndef NTA_FORMATS_FILTER_H
#define NTA_FORMATS_FILTER_H

#include "common/err.h"
#include "formats/capture.h"

typedef struct nta_filter nta_filter;

/* NTA_EUSAGE with libpcap's message when expr does not compile. */
int nta_filter_new(nta_filter **out, const char *expr, nta_err *err);
void nta_filter_free(nta_filter *f);

/* 1 the packet passes, 0 it does not, NTA_EUSAGE when the expression cannot be compiled for the
 * packet's link type (err says which). */
int nta_filter_match(nta_filter *f, const nta_packet *pkt, nta_err *err);

#endif
