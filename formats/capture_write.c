/* formats/capture_write.c: pcap (libpcap dumper) and pcapng (own blocks) writers; see
 * capture_write.h. pcapng layout: draft-ietf-opsawg-pcapng, host byte order as the SHB's
 * byte-order magic declares. */
#include "formats/capture_write.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IFACES 256
#define LINKTYPE_RAW 101

struct nta_cwriter {
    FILE *fp;
    int pcapng;
    int nifaces;
    uint32_t linktype[MAX_IFACES];
    pcap_t *dead;           /* pcap: the handle the dumper needs */
    pcap_dumper_t *dump;
    int failed;          /* 0, or the errno of the write that failed */
    int dump_errno;      /* the same for libpcap's writes, which say nothing */
};

int nta_cwriter_open(nta_cwriter **out, FILE *fp, int pcapng, nta_err *err)
{
    nta_cwriter *w = calloc(1, sizeof *w);
    if (w == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    w->fp = fp;
    w->pcapng = pcapng;
    *out = w;
    if (!pcapng)
        return 0;
    /* Section Header Block: byte-order magic, version 1.0, section length unknown */
    uint32_t shb[7] = { 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0xffffffff, 0xffffffff, 28 };
    if (fwrite(shb, 4, 7, fp) != 7)
        w->failed = errno ? errno : EIO;
    return 0;
}

static void put_opt(uint8_t *b, size_t *n, uint16_t code, const void *val, uint16_t len)
{
    memcpy(b + *n, &code, 2);
    memcpy(b + *n + 2, &len, 2);
    if (len > 0)
        memcpy(b + *n + 4, val, len);
    *n += 4 + len;
    while (*n % 4)
        b[(*n)++] = 0;
}

int nta_cwriter_iface(nta_cwriter *w, uint32_t linktype, uint32_t snaplen, const char *name, nta_err *err)
{
    if (w->nifaces == MAX_IFACES)
        return nta_err_set(err, NTA_EUNSUP, "more than %d interfaces", MAX_IFACES);
    if (snaplen == 0)
        snaplen = 262144;
    if (!w->pcapng) {
        if (w->nifaces > 0) {
            for (int i = 0; i < w->nifaces; i++)
                if (w->linktype[i] == linktype) {
                    w->linktype[w->nifaces] = linktype;
                    return w->nifaces++;
                }
            return nta_err_set(err, NTA_EUNSUP, "interface %s has link type %u, but a pcap file holds "
                               "one link type (%u): write pcapng instead", name, linktype, w->linktype[0]);
        }
        int dlt = linktype == LINKTYPE_RAW ? DLT_RAW : (int)linktype;
        w->dead = pcap_open_dead_with_tstamp_precision(dlt, (int)snaplen, PCAP_TSTAMP_PRECISION_NANO);
        if (w->dead == NULL)
            return nta_err_set(err, NTA_ENOMEM, "out of memory");
        w->dump = pcap_dump_fopen(w->dead, w->fp);
        if (w->dump == NULL)
            return nta_err_set(err, NTA_EIO, "cannot write the pcap header: %s", pcap_geterr(w->dead));
        w->fp = NULL;   /* written through the dumper now (which is the same FILE) */
        w->linktype[w->nifaces] = linktype;
        return w->nifaces++;
    }
    uint8_t b[512];
    size_t n = 16;
    uint32_t type = 1;
    uint16_t lt = (uint16_t)linktype, res = 0;
    memcpy(b, &type, 4);
    memcpy(b + 8, &lt, 2);
    memcpy(b + 10, &res, 2);
    memcpy(b + 12, &snaplen, 4);
    size_t nl = strlen(name);
    if (nl > 256)
        nl = 256;
    if (nl > 0)
        put_opt(b, &n, 2, name, (uint16_t)nl);       /* if_name */
    uint8_t resol = 9;                               /* nanoseconds */
    put_opt(b, &n, 9, &resol, 1);
    put_opt(b, &n, 0, NULL, 0);                      /* opt_endofopt */
    uint32_t total = (uint32_t)n + 4;
    memcpy(b + 4, &total, 4);
    memcpy(b + n, &total, 4);
    if (fwrite(b, 1, total, w->fp) != total) {
        w->failed = errno ? errno : EIO;
        return nta_err_set(err, NTA_EIO, "writing failed: %s", strerror(w->failed));
    }
    w->linktype[w->nifaces] = linktype;
    return w->nifaces++;
}

int nta_cwriter_packet(nta_cwriter *w, int iface, uint64_t ts_ns, const uint8_t *data, uint32_t caplen,
                       uint32_t origlen, nta_err *err)
{
    if (iface < 0 || iface >= w->nifaces)
        return nta_err_set(err, NTA_EUSAGE, "packet on undeclared interface %d", iface);
    if (!w->pcapng) {
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
        h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u);   /* nanoseconds: NANO precision */
        h.caplen = caplen;
        h.len = origlen;
        pcap_dump((u_char *)w->dump, &h, data);
        if (w->dump_errno == 0 && ferror(pcap_dump_file(w->dump)))
            w->dump_errno = errno ? errno : EIO;   /* the reason, before later calls change errno */
        return 0;
    }
    uint32_t pad = (4 - caplen % 4) % 4;
    uint32_t total = 32 + caplen + pad;
    uint32_t hdr[7] = { 6, total, (uint32_t)iface, (uint32_t)(ts_ns >> 32), (uint32_t)ts_ns, caplen, origlen };
    static const uint8_t zeros[4];
    if (fwrite(hdr, 4, 7, w->fp) != 7 || fwrite(data, 1, caplen, w->fp) != caplen
        || fwrite(zeros, 1, pad, w->fp) != pad || fwrite(&total, 4, 1, w->fp) != 1) {
        w->failed = errno ? errno : EIO;
        return nta_err_set(err, NTA_EIO, "writing failed: %s", strerror(w->failed));
    }
    return 0;
}

int nta_cwriter_packet_marked(nta_cwriter *w, int iface, uint64_t ts_ns, const uint8_t *data,
                              uint32_t caplen, uint32_t origlen, uint64_t packet_id,
                              uint64_t clock_ns, nta_err *err)
{
    if (!w->pcapng)
        return nta_err_set(err, NTA_EUSAGE, "only pcapng carries packet ids");
    if (iface < 0 || iface >= w->nifaces)
        return nta_err_set(err, NTA_EUSAGE, "packet on undeclared interface %d", iface);
    uint8_t opts[48];
    size_t n = 0;
    put_opt(opts, &n, 5, &packet_id, 8);               /* epb_packetid */
    if (clock_ns != 0) {
        uint8_t v[12];
        uint32_t pen = 32473;
        memcpy(v, &pen, 4);
        memcpy(v + 4, &clock_ns, 8);
        put_opt(opts, &n, 19373, v, 12);               /* custom, binary, not to be copied */
    }
    put_opt(opts, &n, 0, NULL, 0);                     /* opt_endofopt */
    uint32_t pad = (4 - caplen % 4) % 4;
    uint32_t total = 32 + caplen + pad + (uint32_t)n;
    uint32_t hdr[7] = { 6, total, (uint32_t)iface, (uint32_t)(ts_ns >> 32), (uint32_t)ts_ns, caplen, origlen };
    static const uint8_t zeros[4];
    if (fwrite(hdr, 4, 7, w->fp) != 7 || fwrite(data, 1, caplen, w->fp) != caplen
        || fwrite(zeros, 1, pad, w->fp) != pad || fwrite(opts, 1, n, w->fp) != n
        || fwrite(&total, 4, 1, w->fp) != 1) {
        w->failed = errno ? errno : EIO;
        return nta_err_set(err, NTA_EIO, "writing failed: %s", strerror(w->failed));
    }
    return 0;
}

int nta_cwriter_close(nta_cwriter *w, nta_err *err)
{
    int rc = w->failed ? NTA_EIO : 0;
    int e = w->failed;
    /* pcap_dump() reports no error: a failed write shows only in the FILE's error flag, and a
     * flush with nothing left to write succeeds */
    errno = 0;
    if (w->dump != NULL && (pcap_dump_flush(w->dump) != 0 || ferror(pcap_dump_file(w->dump)))) {
        rc = NTA_EIO;
        e = e ? e : errno ? errno : w->dump_errno;
    }
    if (w->dead != NULL)
        pcap_close(w->dead);
    if (w->fp != NULL && (fflush(w->fp) != 0 || ferror(w->fp))) {
        rc = NTA_EIO;
        e = e ? e : errno;
    }
    free(w);
    if (rc < 0) {
        e = e ? e : EIO;
        nta_err_set(err, rc, "writing the capture failed: %s", strerror(e));
        errno = e;
    }
    return rc;
}
