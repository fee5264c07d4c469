/* event/event_codec.c: events as bytes (see event_codec.h). Every structure goes through the
 * field table, so a field added to a translator is carried without a change here. */
#include "event/event_codec.h"

#include <string.h>

#include "event/fields.h"

/* The argument structures in the order of the presence bits. */
enum { NSTRUCT = 11 };
static const nta_argtype types[NSTRUCT] = {
    NTA_ARG_PKTINFO, NTA_ARG_CSINFO, NTA_ARG_IPINFO, NTA_ARG_IFINFO, NTA_ARG_IPV4INFO,
    NTA_ARG_IPV6INFO, NTA_ARG_TCPSINFO, NTA_ARG_TCPINFO, NTA_ARG_TCPLSINFO, NTA_ARG_UDPSINFO,
    NTA_ARG_UDPINFO,
};

static const size_t sizes[NSTRUCT] = {
    sizeof(pktinfo_t), sizeof(csinfo_t), sizeof(ipinfo_t), sizeof(ifinfo_t), sizeof(ipv4info_t),
    sizeof(ipv6info_t), sizeof(tcpsinfo_t), sizeof(tcpinfo_t), sizeof(tcplsinfo_t),
    sizeof(udpsinfo_t), sizeof(udpinfo_t),
};

static const void *arg_of(const nta_event *ev, int i)
{
    const void *p[NSTRUCT] = { ev->pkt, ev->cs, ev->ip, ev->ifp, ev->ipv4, ev->ipv6, ev->tcps,
                               ev->tcp, ev->tcpls, ev->udps, ev->udp };
    return p[i];
}

static void *slot_of(nta_event_store *st, int i)
{
    void *p[NSTRUCT] = { &st->pkt, &st->cs, &st->ip, &st->ifp, &st->ipv4, &st->ipv6, &st->tcps,
                         &st->tcp, &st->tcpls, &st->udps, &st->udp };
    return p[i];
}

static void set_arg(nta_event_store *st, int i)
{
    nta_event *ev = &st->ev;
    switch (i) {
    case 0: ev->pkt = &st->pkt; break;
    case 1: ev->cs = &st->cs; break;
    case 2: ev->ip = &st->ip; break;
    case 3: ev->ifp = &st->ifp; break;
    case 4: ev->ipv4 = &st->ipv4; break;
    case 5: ev->ipv6 = &st->ipv6; break;
    case 6: ev->tcps = &st->tcps; break;
    case 7: ev->tcp = &st->tcp; break;
    case 8: ev->tcpls = &st->tcpls; break;
    case 9: ev->udps = &st->udps; break;
    case 10: ev->udp = &st->udp; break;
    }
}

static void save_addr(nta_buf *b, const nta_addr *a)
{
    nta_buf_u8(b, a->family);
    if (a->family == 4 || a->family == 6)
        nta_buf_bytes(b, a->b, a->family == 4 ? 4 : 16);
}

static int load_addr(nta_cur *c, nta_addr *a)
{
    const uint8_t *p;
    memset(a, 0, sizeof *a);
    if (nta_cur_u8(c, &a->family) < 0)
        return -1;
    if (a->family == 0)
        return 0;
    if ((a->family != 4 && a->family != 6) || nta_cur_bytes(c, a->family == 4 ? 4 : 16, &p) < 0)
        return -1;
    memcpy(a->b, p, a->family == 4 ? 4 : 16);
    return 0;
}

static void save_struct(nta_buf *b, nta_argtype t, const void *arg)
{
    int n;
    const nta_field *f = nta_fields_of(t, &n);
    const uint8_t *base = arg;
    for (int i = 0; i < n; i++) {
        const uint8_t *at = base + f[i].off;
        switch ((nta_fstore)f[i].store) {
        case NTA_FS_U8: nta_buf_uv(b, *at); break;
        case NTA_FS_U16: { uint16_t v; memcpy(&v, at, 2); nta_buf_uv(b, v); break; }
        case NTA_FS_U32: { uint32_t v; memcpy(&v, at, 4); nta_buf_uv(b, v); break; }
        case NTA_FS_U64: { uint64_t v; memcpy(&v, at, 8); nta_buf_uv(b, v); break; }
        case NTA_FS_I8: nta_buf_sv(b, (int8_t)*at); break;
        case NTA_FS_I32: { int32_t v; memcpy(&v, at, 4); nta_buf_sv(b, v); break; }
        case NTA_FS_ADDR: save_addr(b, (const nta_addr *)(const void *)at); break;
        case NTA_FS_STRP: {
            const char *s;
            memcpy(&s, at, sizeof s);
            nta_buf_str(b, s != NULL ? s : "");
            break;
        }
        case NTA_FS_PROTOSTR:
        case NTA_FS_ZERO:
            break;   /* derived from another field, or always 0 */
        }
    }
}

static int load_struct(nta_cur *c, nta_event_store *st, int which)
{
    int n;
    nta_argtype t = types[which];
    const nta_field *f = nta_fields_of(t, &n);
    uint8_t *base = slot_of(st, which);
    for (int i = 0; i < n; i++) {
        uint8_t *at = base + f[i].off;
        uint64_t u = 0;
        int64_t s = 0;
        switch ((nta_fstore)f[i].store) {
        case NTA_FS_U8:
            if (nta_cur_uv_max(c, UINT8_MAX, &u) < 0)
                return -1;
            *at = (uint8_t)u;
            break;
        case NTA_FS_U16: {
            if (nta_cur_uv_max(c, UINT16_MAX, &u) < 0)
                return -1;
            uint16_t v = (uint16_t)u;
            memcpy(at, &v, 2);
            break;
        }
        case NTA_FS_U32: {
            if (nta_cur_uv_max(c, UINT32_MAX, &u) < 0)
                return -1;
            uint32_t v = (uint32_t)u;
            memcpy(at, &v, 4);
            break;
        }
        case NTA_FS_U64:
            if (nta_cur_uv(c, &u) < 0)
                return -1;
            memcpy(at, &u, 8);
            break;
        case NTA_FS_I8:
            if (nta_cur_sv(c, &s) < 0 || s < INT8_MIN || s > INT8_MAX)
                return -1;
            *at = (uint8_t)(int8_t)s;
            break;
        case NTA_FS_I32: {
            if (nta_cur_sv(c, &s) < 0 || s < INT32_MIN || s > INT32_MAX)
                return -1;
            int32_t v = (int32_t)s;
            memcpy(at, &v, 4);
            break;
        }
        case NTA_FS_ADDR: {
            nta_addr a;
            if (load_addr(c, &a) < 0)
                return -1;
            memcpy(at, &a, sizeof a);
            break;
        }
        case NTA_FS_STRP: {
            const uint8_t *p;
            size_t len;
            if (nta_cur_blob(c, sizeof st->if_name - 1, &p, &len) < 0)
                return -1;
            memcpy(st->if_name, p, len);
            st->if_name[len] = '\0';
            const char *name = st->if_name;
            memcpy(at, &name, sizeof name);
            break;
        }
        case NTA_FS_PROTOSTR:
        case NTA_FS_ZERO:
            break;
        }
    }
    return 0;
}

void nta_event_save(const nta_event *ev, nta_buf *b)
{
    uint32_t present = 0;
    for (int i = 0; i < NSTRUCT; i++)
        if (arg_of(ev, i) != NULL)
            present |= 1u << i;
    nta_buf_u8(b, (uint8_t)ev->probe);
    nta_buf_uv(b, ev->ts_ns);
    save_addr(b, ev->host);
    nta_buf_uv(b, present);
    for (int i = 0; i < NSTRUCT; i++)
        if (present & (1u << i))
            save_struct(b, types[i], arg_of(ev, i));
}

int nta_event_load(nta_cur *c, nta_event_store *st)
{
    uint8_t probe;
    uint64_t present;
    memset(&st->ev, 0, sizeof st->ev);
    if (nta_cur_u8(c, &probe) < 0 || probe >= NTA_PROBE__COUNT || nta_cur_uv(c, &st->ev.ts_ns) < 0
        || load_addr(c, &st->host) < 0 || nta_cur_uv_max(c, (1u << NSTRUCT) - 1, &present) < 0)
        return -1;
    st->ev.probe = (nta_probe)probe;
    st->ev.host = &st->host;
    for (int i = 0; i < NSTRUCT; i++) {
        if (!(present & (1u << i)))
            continue;
        memset(slot_of(st, i), 0, sizes[i]);
        if (load_struct(c, st, i) < 0)
            return -1;
        set_arg(st, i);
    }
    return 0;
}
