/* common/err.h: nta's error codes and the caller-provided error detail struct.
 *
 * Functions return 0 or a negative NTA_E* code (iterators: 1 item, 0 end, negative error) and put
 * the human detail (message with the numbers, file, byte offset) into an nta_err the caller owns.
 * Only cli/ prints these and maps them to exit statuses (DESIGN.md, "Conventions").
 * Code values are pinned: tests and JSON outputs may record them. */
#ifndef NTA_COMMON_ERR_H
#define NTA_COMMON_ERR_H

#include <stdint.h>

enum {
    NTA_OK = 0,
    NTA_EIO = -1,        /**< the OS failed a read or write (errno in the message) */
    NTA_ENOMEM = -2,     /**< an allocation failed */
    NTA_EFORMAT = -3,    /**< the bytes are not any capture format nta knows */
    NTA_ETRUNC = -4,     /**< the input ends in the middle of a header or record */
    NTA_ECORRUPT = -5,   /**< a header or record is impossible (bad length, bad version, ...) */
    NTA_EUSAGE = -6,     /**< an option or argument is wrong (bad filter, bad value) */
    NTA_EUNSUP = -7,     /**< a valid input nta cannot handle (e.g. ERF on standard input) */
    NTA_EDECOMP = -8,    /**< the compressed stream is damaged */
    NTA_ESTOP = -9,      /**< the run was asked to stop (a signal) */
};

#define NTA_ERR_MSG_MAX 512

typedef struct nta_err {
    int code;                   /**< one of NTA_E*, 0 when nothing was recorded */
    char msg[NTA_ERR_MSG_MAX];  /**< full sentence without trailing newline; never prefixed by file */
    char file[256];             /**< input file the error is about, "" when none */
    int64_t offset;             /**< byte offset in the (decompressed) input, -1 when unknown */
} nta_err;

/* Reset to "no error". */
void nta_err_clear(nta_err *e);

/* Record an error and return code, so callers can write `return nta_err_set(e, NTA_ECORRUPT, ...)`.
 * e may be NULL (the detail is dropped). The message is cut at NTA_ERR_MSG_MAX-1 bytes. */
int nta_err_set(nta_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, also recording the byte offset the problem was found at. */
int nta_err_set_at(nta_err *e, int code, int64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Short, stable name of a code ("truncated input", ...); never NULL. */
const char *nta_strerror(int code);

#endif
