/* common/tmpfile.c: anonymous temporary files (see tmpfile.h). */
#define _GNU_SOURCE
#include "common/tmpfile.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

FILE *nta_tmpfile(const char *dir)
{
    char *path;
    if (asprintf(&path, "%s/nta-XXXXXX", dir) < 0)
        return NULL;
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    unlink(path);
    free(path);
    FILE *f = fdopen(fd, "w+");
    if (f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}
