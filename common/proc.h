/* common/proc.h: the process a capture says a packet belongs to.
 *
 * macOS's tcpdump -k (Apple's pcapng extension) writes a Darwin Process Event Block per
 * process and names one in each packet's options; the pcapng reader (formats/pcapng.c) keeps
 * them and points packets at them, and the analyzer passes the pointer on to the packet's
 * probe events, where D's pid and execname read it (dscript). A NULL pointer means the capture
 * does not say: the documented offline values then apply (pid 0, execname "kernel"). */
#ifndef NTA_COMMON_PROC_H
#define NTA_COMMON_PROC_H

#include <stdint.h>

/* FreeBSD's execname is MAXCOMLEN (19) characters, macOS's process names are 2 * MAXCOMLEN
 * (32); longer names from a file are cut here. */
#define NTA_PROC_NAME_MAX 64

typedef struct nta_proc {
    uint32_t pid;
    char name[NTA_PROC_NAME_MAX];   /**< "" when the block has no name option */
} nta_proc;

#endif
