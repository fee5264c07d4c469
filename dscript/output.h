/* dscript/output.h: what clauses record, and the consumer that prints it.
 *
 * As in DTrace, probe context records and a consumer formats: a clause appends records to the
 * run's buffer (text, and printf() records holding the format and the values, strings
 * copied), a fault cuts the buffer back to where the clause began, and full buffers go to a
 * consumer thread (common/chunkq.h) that formats the printf() records and writes the text. The
 * formatting of printf-heavy scripts (Example 3, dtrace-tcp(4)) thus runs beside the analysis,
 * as nta report's log writer does. Output is byte-identical to formatting inline, which
 * nta_dscript_run.inline_output selects (tests compare both).
 *
 * Record layout, unaligned, in the buffer's byte order:
 *   text:   1, u32 length, the bytes
 *   printf: 2, the pf_site pointer, u16 count, count u64 values, then for each string the
 *           site copies (its copied[], in order) a u32 length, its bytes and a NUL (its value
 *           slot is then unused). Strings of the program's lifetime (literals) are not copied:
 *           their value slot holds them. */
#ifndef NTA_DSCRIPT_OUTPUT_H
#define NTA_DSCRIPT_OUTPUT_H

#include "dscript/dscript_int.h"
#include "dscript/fmt.h"

/* The text record to append to: opened at the end of the buffer when the last record is not
 * one. Append with the ds_buf functions. */
ds_buf *rt_text(rctx *c);
/* One printf() call: its format, and the argument registers holding strings that must be
 * copied into the record (the firing's scratch is reused), worked out once when lowering. */
typedef struct pf_site {
    const pformat *f;
    int ncopied;
    uint16_t copied[];
} pf_site;

/* The site of a printf(fmt, args...): NULL when out of memory. */
pf_site *rt_printf_site(ds_arena *a, const pformat *fmt, const rnode *const *args, int nargs);
/* A printf() record of vals (the registers pf_format takes). A NULL string faults. */
void rt_printf(rctx *c, const pf_site *site, const uint64_t *vals, int nvals);
/* Cut the buffer back to mark (a faulting clause), keeping the open text record consistent. */
void rt_cut(rctx *c, size_t mark, size_t text_hdr);

/* Start the consumer (a thread unless inline). 0 or NTA_ENOMEM. */
int ds_output_start(nta_dscript *d);
/* Hand the records over when at least 64 KiB have gathered, or always when force (which also
 * waits until everything is written and flushed). 0, or NTA_EIO once a write failed. */
int ds_output_flush(nta_dscript *d, int force);
/* A shard's event (inline output only): the records formatted into text (emptied first), and
 * the buffer emptied; nothing is written. */
void ds_output_take(nta_dscript *d, ds_buf *text);
/* Stop the consumer after everything was written. */
void ds_output_stop(nta_dscript *d);

#endif
