/* common/tmpfile.h: an anonymous temporary file in a folder the caller names.
 *
 * tmpfile() always uses /tmp; nta lets the user point elsewhere (TMPDIR, read by cli/) when
 * /tmp is read-only or small, and says which folder failed. */
#ifndef NTA_COMMON_TMPFILE_H
#define NTA_COMMON_TMPFILE_H

#include <stdio.h>

/* A file opened "w+" in dir and already unlinked (gone when closed), or NULL with errno set. */
FILE *nta_tmpfile(const char *dir);

#endif
