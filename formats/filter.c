/* formats/filter.c: BPF filters compiled per link type with libpcap (see filter.h). */
#include "formats/filter.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROGS 16   /* distinct link types in one trace; more is refused, not slowed */

typedef struct prog {
    uint32_t linktype;
    struct bpf_program bpf;
} prog;

struct nta_filter {
    char *expr;
    prog progs[MAX_PROGS];
    int nprogs;
    int last;   /* index of the program used last: consecutive packets share a link type */
};

static int linktype_to_dlt(uint32_t lt)
{
    switch (lt) {
    case NTA_LINK_RAW: return DLT_RAW;
#ifdef DLT_LOOP
    case NTA_LINK_LOOP: return DLT_LOOP;
#endif
    default: return (int)lt;
    }
}

static int compile(const char *expr, uint32_t linktype, struct bpf_program *bpf, nta_err *err)
{
    pcap_t *dead = pcap_open_dead(linktype_to_dlt(linktype), 262144);
    if (dead == NULL)
        return nta_err_set(err, NTA_ENOMEM, "out of memory compiling the filter");
    int rc = 0;
    if (pcap_compile(dead, bpf, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        char lt[32];
        rc = nta_err_set(err, NTA_EUSAGE, "filter \"%s\" does not compile for link type %s: %s",
                         expr, nta_linktype_name(linktype, lt, sizeof lt), pcap_geterr(dead));
    }
    pcap_close(dead);
    return rc;
}

int nta_filter_new(nta_filter **out, const char *expr, nta_err *err)
{
    *out = NULL;
    nta_filter *f = calloc(1, sizeof *f);
    if (f == NULL || (f->expr = strdup(expr)) == NULL) {
        free(f);
        return nta_err_set(err, NTA_ENOMEM, "out of memory");
    }
    struct bpf_program probe;
    int rc = compile(expr, NTA_LINK_ETHERNET, &probe, err);
    if (rc < 0) {
        nta_filter_free(f);
        return rc;
    }
    f->progs[0].linktype = NTA_LINK_ETHERNET;
    f->progs[0].bpf = probe;
    f->nprogs = 1;
    *out = f;
    return 0;
}

void nta_filter_free(nta_filter *f)
{
    if (f == NULL)
        return;
    for (int i = 0; i < f->nprogs; i++)
        pcap_freecode(&f->progs[i].bpf);
    free(f->expr);
    free(f);
}

int nta_filter_match(nta_filter *f, const nta_packet *pkt, nta_err *err)
{
    int i = f->last;
    if (f->progs[i].linktype != pkt->linktype) {
        for (i = 0; i < f->nprogs && f->progs[i].linktype != pkt->linktype; i++)
            ;
        if (i == f->nprogs) {
            if (f->nprogs == MAX_PROGS)
                return nta_err_set(err, NTA_EUSAGE, "more than %d link types in one trace",
                                   MAX_PROGS);
            int rc = compile(f->expr, pkt->linktype, &f->progs[i].bpf, err);
            if (rc < 0)
                return rc;
            f->progs[i].linktype = pkt->linktype;
            f->nprogs++;
        }
        f->last = i;
    }
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.caplen = pkt->caplen;
    h.len = pkt->origlen;
    return pcap_offline_filter(&f->progs[i].bpf, &h, pkt->data) != 0;
}
