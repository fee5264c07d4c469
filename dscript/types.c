/* dscript/types.c: the type table (see types.h). */
#include "dscript/types.h"

#include <string.h>

#define INT(nm, sz, sg, id) { DK_INT, sz, sg, 0, nm, id, NTA_ARG_NONE, NULL, 0 }

/* Base keyword types first: typedefs declared after them win promotion ties, as in CTF. */
const dtype ds_t_char = INT("char", 1, 1, 1);
const dtype ds_t_uchar = INT("unsigned char", 1, 0, 2);
const dtype ds_t_short = INT("short", 2, 1, 3);
const dtype ds_t_ushort = INT("unsigned short", 2, 0, 4);
const dtype ds_t_int = INT("int", 4, 1, 5);
const dtype ds_t_uint = INT("unsigned int", 4, 0, 6);
const dtype ds_t_long = INT("long", 8, 1, 7);
const dtype ds_t_ulong = INT("unsigned long", 8, 0, 8);
const dtype ds_t_longlong = INT("long long", 8, 1, 9);
const dtype ds_t_ulonglong = INT("unsigned long long", 8, 0, 10);
static const dtype t_schar = INT("signed char", 1, 1, 11);
const dtype ds_t_int8 = INT("int8_t", 1, 1, 20);
const dtype ds_t_int16 = INT("int16_t", 2, 1, 21);
const dtype ds_t_int32 = INT("int32_t", 4, 1, 22);
const dtype ds_t_int64 = INT("int64_t", 8, 1, 23);
const dtype ds_t_uint8 = INT("uint8_t", 1, 0, 24);
const dtype ds_t_uint16 = INT("uint16_t", 2, 0, 25);
const dtype ds_t_uint32 = INT("uint32_t", 4, 0, 26);
const dtype ds_t_uint64 = INT("uint64_t", 8, 0, 27);
const dtype ds_t_uintptr = INT("uintptr_t", 8, 0, 28);
const dtype ds_t_string = { DK_STRING, 0, 0, 0, "string", 100, NTA_ARG_NONE, NULL, 0 };
const dtype ds_t_void = { DK_VOID, 0, 0, 0, "void", 101, NTA_ARG_NONE, NULL, 0 };
const dtype ds_t_voidp = { DK_PTR, 8, 0, 0, "void *", 102, NTA_ARG_NONE, NULL, 0 };

static const dtype t_intptr = INT("intptr_t", 8, 1, 29);
static const dtype t_size = INT("size_t", 8, 0, 30);
static const dtype t_ssize = INT("ssize_t", 8, 1, 31);
static const dtype t_u_char = INT("u_char", 1, 0, 32);
static const dtype t_u_short = INT("u_short", 2, 0, 33);
static const dtype t_u_int = INT("u_int", 4, 0, 34);
static const dtype t_u_long = INT("u_long", 8, 0, 35);
static const dtype t_uchar_t = INT("uchar_t", 1, 0, 36);
static const dtype t_ushort_t = INT("ushort_t", 2, 0, 37);
static const dtype t_uint_t = INT("uint_t", 4, 0, 38);
static const dtype t_ulong_t = INT("ulong_t", 8, 0, 39);
static const dtype t_longlong_t = INT("longlong_t", 8, 1, 40);
static const dtype t_u_longlong_t = INT("u_longlong_t", 8, 0, 41);
static const dtype t_pid = INT("pid_t", 4, 1, 42);
static const dtype t_id = INT("id_t", 4, 1, 43);
static const dtype t_uid = INT("uid_t", 4, 0, 44);
static const dtype t_gid = INT("gid_t", 4, 0, 45);
static const dtype t_zoneid = INT("zoneid_t", 4, 1, 46);
static const dtype t_processorid = INT("processorid_t", 4, 1, 47);
static const dtype t_hrtime = INT("hrtime_t", 8, 1, 48);
static const dtype t_off = INT("off_t", 8, 1, 49);
static const dtype t_time = INT("time_t", 8, 1, 50);
static const dtype t_ipaddr = INT("ipaddr_t", 4, 0, 51);
static const dtype t_in_port = INT("in_port_t", 2, 0, 52);
static const dtype t_boolean = INT("boolean_t", 4, 1, 53);
static const dtype t_lwpid = INT("lwpid_t", 4, 1, 54);
static const dtype t_dev = INT("dev_t", 8, 0, 55);

static const struct {
    const char *name;
    const dtype *t;
} named[] = {
    { "int8_t", &ds_t_int8 }, { "int16_t", &ds_t_int16 }, { "int32_t", &ds_t_int32 },
    { "int64_t", &ds_t_int64 }, { "uint8_t", &ds_t_uint8 }, { "uint16_t", &ds_t_uint16 },
    { "uint32_t", &ds_t_uint32 }, { "uint64_t", &ds_t_uint64 }, { "intptr_t", &t_intptr },
    { "uintptr_t", &ds_t_uintptr }, { "size_t", &t_size }, { "ssize_t", &t_ssize },
    { "u_char", &t_u_char }, { "u_short", &t_u_short }, { "u_int", &t_u_int },
    { "u_long", &t_u_long }, { "uchar_t", &t_uchar_t }, { "ushort_t", &t_ushort_t },
    { "uint_t", &t_uint_t }, { "ulong_t", &t_ulong_t }, { "longlong_t", &t_longlong_t },
    { "u_longlong_t", &t_u_longlong_t }, { "pid_t", &t_pid }, { "id_t", &t_id },
    { "uid_t", &t_uid }, { "gid_t", &t_gid }, { "zoneid_t", &t_zoneid },
    { "processorid_t", &t_processorid }, { "hrtime_t", &t_hrtime }, { "off_t", &t_off },
    { "time_t", &t_time }, { "ipaddr_t", &t_ipaddr }, { "in_port_t", &t_in_port },
    { "boolean_t", &t_boolean }, { "lwpid_t", &t_lwpid }, { "dev_t", &t_dev },
    { "u_int8_t", &ds_t_uint8 }, { "u_int16_t", &ds_t_uint16 }, { "u_int32_t", &ds_t_uint32 },
    { "u_int64_t", &ds_t_uint64 },
};

const dtype *ds_type_named(const ds_types *ts, const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == n && memcmp(named[i].name, name, n) == 0)
            return named[i].t;
    for (const ds_typedef *d = ts ? ts->defs : NULL; d != NULL; d = d->next)
        if (strlen(d->name) == n && memcmp(d->name, name, n) == 0)
            return d->t;
    /* the translated structures, as names (a cast "(tcpsinfo_t *)" names one) */
    for (int a = NTA_ARG_PKTINFO; a <= NTA_ARG_UDPINFO; a++) {
        const char *s = ds_type_sname((nta_argtype)a);
        if (strlen(s) == n && memcmp(s, name, n) == 0)
            return &ds_t_void;   /* recognised as a type; ds_type_of_spec refuses it */
    }
    return NULL;
}

const dtype *ds_type_int(int size, int sgn)
{
    switch (size) {
    case 1: return sgn ? &ds_t_char : &ds_t_uchar;
    case 2: return sgn ? &ds_t_short : &ds_t_ushort;
    case 4: return sgn ? &ds_t_int : &ds_t_uint;
    default: return sgn ? &ds_t_long : &ds_t_ulong;
    }
}

const char *ds_type_sname(nta_argtype t)
{
    if (t == NTA_ARG_TCPINFO)
        return "tcpinfo_t";
    return nta_argtype_name(t);
}

const dtype *ds_type_of_spec(ds_types *ts, const tspec *sp, const char **why)
{
    const dtype *t = NULL;
    unsigned kw = sp->kw & ~(unsigned)TS_CONST;
    *why = NULL;
    if (kw & (TS_STRUCT | TS_UNION)) {
        *why = "user-defined structs and unions";
        return NULL;
    }
    if (kw & TS_ENUM) {
        t = &ds_t_int;
    } else if (kw & TS_NAMED) {
        t = ds_type_named(ts, sp->name, strlen(sp->name));
        if (t == &ds_t_void && strcmp(sp->name, "void") != 0) {
            *why = "casts and declarations of the translated structures";
            return NULL;
        }
    } else if (kw & TS_STRING) {
        t = &ds_t_string;
    } else if (kw & TS_VOID) {
        t = &ds_t_void;
    } else if (kw & TS_CHAR) {
        t = (kw & TS_UNSIGNED) ? &ds_t_uchar : (kw & TS_SIGNED) ? &t_schar : &ds_t_char;
    } else if (kw & TS_SHORT) {
        t = (kw & TS_UNSIGNED) ? &ds_t_ushort : &ds_t_short;
    } else if (sp->nlong >= 2) {
        t = (kw & TS_UNSIGNED) ? &ds_t_ulonglong : &ds_t_longlong;
    } else if (sp->nlong == 1) {
        t = (kw & TS_UNSIGNED) ? &ds_t_ulong : &ds_t_long;
    } else if (kw & (TS_INT | TS_SIGNED | TS_UNSIGNED)) {
        t = (kw & TS_UNSIGNED) ? &ds_t_uint : &ds_t_int;
    }
    if (t == NULL) {
        *why = "this type";
        return NULL;
    }
    if (sp->ptr > 0) {
        if (t == &ds_t_void && sp->ptr == 1)
            return &ds_t_voidp;
        *why = "pointers";
        return NULL;
    }
    return t;
}

const dtype *ds_type_of_const(uint64_t v, unsigned fl)
{
    int notdec = (fl & TI_NOTDEC) != 0;
    if (fl & TI_UNSIGNED) {
        if (!(fl & (TI_LONG | TI_LONGLONG)) && v <= 0xffffffffull)
            return &ds_t_uint;
        return (fl & TI_LONGLONG) ? &ds_t_ulonglong : &ds_t_ulong;
    }
    if (!(fl & (TI_LONG | TI_LONGLONG))) {
        if (v <= 0x7fffffffull)
            return &ds_t_int;
        if (notdec && v <= 0xffffffffull)
            return &ds_t_uint;
    }
    if (fl & TI_LONGLONG)
        return v <= 0x7fffffffffffffffull ? &ds_t_longlong : &ds_t_ulonglong;
    return v <= 0x7fffffffffffffffull ? &ds_t_long : &ds_t_ulong;
}

static int rank(const dtype *t)
{
    return t->size * 8 + (t->sgn ? 0 : 1);
}

const dtype *ds_type_promote(const dtype *a, const dtype *b)
{
    if (a->is_enum)
        a = &ds_t_int;
    if (b->is_enum)
        b = &ds_t_int;
    int ra = rank(a), rb = rank(b);
    if (ra != rb)
        return ra > rb ? a : b;
    return a->rank_id >= b->rank_id ? a : b;
}

const dtype *ds_type_xptr(ds_types *ts, nta_argtype t)
{
    if ((int)t < 0 || (int)t >= 16)
        return &ds_t_voidp;
    if (ts->xptr[t] == NULL) {
        dtype *d = ds_alloc(ts->arena, sizeof *d);
        if (d == NULL)
            return NULL;
        const char *sn = ds_type_sname(t);
        size_t n = strlen(sn);
        char *name = ds_alloc(ts->arena, n + 3);
        if (name == NULL)
            return NULL;
        memcpy(name, sn, n);
        memcpy(name + n, " *", 3);
        d->kind = DK_PTR;
        d->size = 8;
        d->name = name;
        d->rank_id = 200 + (int)t;
        d->argt = t;
        ts->xptr[t] = d;
    }
    return ts->xptr[t];
}

const dtype *ds_type_of_field(const char *s)
{
    if (strcmp(s, "string") == 0)
        return &ds_t_string;
    if (strcmp(s, "int") == 0)
        return &ds_t_int;
    const dtype *t = ds_type_named(NULL, s, strlen(s));
    return t != NULL ? t : &ds_t_int;
}

const dtype *ds_type_array(ds_types *ts, const dtype *elem, int n)
{
    dtype *d = ds_alloc(ts->arena, sizeof *d);
    if (d == NULL)
        return NULL;
    d->kind = DK_ARRAY;
    d->elem = elem;
    d->nelem = n;
    d->name = elem->name;
    d->rank_id = 300;
    return d;
}
