/* formats/zst_out.h: a stdio FILE that writes zstd-compressed bytes to another FILE.
 *
 * `-o NAME.zst` on every command: outputs stream through ZSTD_compressStream2 (glibc's
 * fopencookie), nothing is written uncompressed first. Closing the returned FILE ends the
 * frame; the underlying FILE is closed with it. */
#ifndef NTA_FORMATS_ZST_OUT_H
#define NTA_FORMATS_ZST_OUT_H

#include <stdio.h>

/* NULL when out of memory (to is then left open). */
FILE *nta_zst_fopen(FILE *to, int level);

#endif
