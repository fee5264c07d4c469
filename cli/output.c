/* cli/output.c: outputs written aside and renamed into place; inputs never overwritten (output.h). */
#define _GNU_SOURCE
#include "cli/output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/signals.h"
#include "formats/zst_out.h"

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Same file: device and inode, so hard links and other spellings of a path count too. */
static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int stat_input(const char *path, struct stat *st)
{
    if (strcmp(path, "-") == 0)
        return fstat(STDIN_FILENO, st);
    return stat(path, st);
}

int cli_check_inputs(char *const *inputs, int n)
{
    for (int i = 0; i < n; i++) {
        struct stat a;
        if (stat_input(inputs[i], &a) != 0 || !S_ISREG(a.st_mode))
            continue;
        for (int j = 0; j < i; j++) {
            struct stat b;
            if (stat_input(inputs[j], &b) == 0 && same_file(&a, &b))
                return cli_usage_error(NULL, "%s and %s are the same file: give it once (its "
                                       "packets would be read twice)", inputs[j], inputs[i]);
        }
    }
    return 0;
}

int cli_check_output(const char *path, char *const *inputs, int n)
{
    struct stat out;
    if (path == NULL || strcmp(path, "-") == 0) {
        /* standard output redirected onto an input: the shell has emptied it already, but a
         * ">>" or an opened descriptor has not, and writing would still destroy it */
        if (fstat(STDOUT_FILENO, &out) != 0 || !S_ISREG(out.st_mode))
            return 0;
    } else if (stat(path, &out) != 0) {
        return 0;   /* not there yet: it cannot be an input */
    }
    for (int i = 0; i < n; i++) {
        struct stat in;
        if (stat_input(inputs[i], &in) == 0 && same_file(&in, &out))
            return cli_usage_error(NULL, "the output %s is the input %s: refusing to overwrite it",
                                   path ? path : "(standard output)", inputs[i]);
    }
    return 0;
}


static int out_open(cli_out *o, const char *path, int by_name);

int cli_out_open(cli_out *o, const char *path)
{
    return out_open(o, path, 1);
}

int cli_out_open_raw(cli_out *o, const char *path)
{
    return out_open(o, path, 0);
}

/* Straight to path, as fopen(path, "w") does: for what is not a regular file (a device, a
 * FIFO, /dev/stdout), which must not be replaced by a renamed file. */
static int open_direct(cli_out *o, const char *path, int by_name)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        cli_errorf("cannot write %s: %s", path, strerror(errno));
        return CLI_EXIT_UNREADABLE;
    }
    if (by_name && ends_with(path, ".zst")) {
        FILE *z = nta_zst_fopen(f, 3);
        if (z == NULL) {
            fclose(f);
            cli_errorf("cannot write %s: %s", path, strerror(ENOMEM));
            return CLI_EXIT_UNREADABLE;
        }
        f = z;
    }
    o->f = f;
    o->name = path;
    o->path = strdup(path);   /* closed like a file; no temporary to rename */
    return 0;
}

static int out_open(cli_out *o, const char *path, int by_name)
{
    memset(o, 0, sizeof *o);
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        o->name = "standard output";
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return open_direct(o, path, by_name);
    o->name = path;
    char *dircopy = strdup(path);
    o->path = strdup(path);
    if (dircopy == NULL || o->path == NULL
        || asprintf(&o->tmp, "%s/.%s.nta-XXXXXX", dirname(dircopy), basename(o->path)) < 0) {
        o->tmp = NULL;
        free(dircopy);
        free(o->path);
        o->path = NULL;
        cli_errorf("cannot write %s: %s", path, strerror(ENOMEM));
        return CLI_EXIT_UNREADABLE;
    }
    free(dircopy);
    int fd = mkstemp(o->tmp);
    if (fd < 0 && (errno == EACCES || errno == EROFS) && access(path, W_OK) == 0) {
        /* no new file can be made beside it, but the file itself may be written */
        free(o->tmp);
        free(o->path);
        memset(o, 0, sizeof *o);
        return open_direct(o, path, by_name);
    }
    if (fd < 0) {
        cli_errorf("cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    cli_tmp_register(o->tmp);
    /* the permissions a plain fopen() would give (mkstemp makes 0600) */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        cli_errorf("cannot write %s: %s", path, strerror(errno));
        close(fd);
        goto fail_tmp;
    }
    if (by_name && ends_with(path, ".zst")) {
        FILE *z = nta_zst_fopen(f, 3);
        if (z == NULL) {
            fclose(f);
            cli_errorf("cannot write %s: %s", path, strerror(ENOMEM));
            goto fail_tmp;
        }
        f = z;
    }
    o->f = f;
    return 0;
fail_tmp:
    unlink(o->tmp);
    cli_tmp_unregister(o->tmp);
fail:
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    return CLI_EXIT_UNREADABLE;
}

static void release(cli_out *o)
{
    if (o->tmp != NULL)
        cli_tmp_unregister(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}

static int flush_std(FILE *f, const char *name, int known)
{
    errno = 0;
    if (fflush(f) != 0 || ferror(f)) {
        cli_errorf("writing %s failed: %s", name, strerror(errno ? errno : known ? known : EIO));
        return -1;
    }
    return 0;
}

int cli_out_flush_std(FILE *f, const char *name)
{
    return flush_std(f, name, 0);
}

int cli_out_close(cli_out *o, int partial)
{
    if (o->f == NULL)
        return 0;
    if (o->path == NULL) {
        int rc = flush_std(o->f, o->name, o->err);
        o->f = NULL;
        return rc;
    }
    int failed = ferror(o->f);
    errno = 0;
    if (fclose(o->f) != 0)
        failed = 1;
    int err = o->err ? o->err : errno ? errno : EIO;
    o->f = NULL;
    if (failed) {
        cli_errorf("writing %s failed: %s", o->path, strerror(err));
        if (o->tmp != NULL)
            unlink(o->tmp);
        release(o);
        return -1;
    }
    if (o->tmp == NULL) {   /* written in place */
        release(o);
        return 0;
    }
    char *dest = o->path;
    char *kept = NULL;
    if (partial && asprintf(&kept, "%s.partial", o->path) >= 0)
        dest = kept;
    int rc = 0;
    if (rename(o->tmp, dest) != 0) {
        cli_errorf("cannot put %s in place: %s (what was written is in %s)", dest, strerror(errno),
                   o->tmp);
        rc = -1;
    } else if (partial) {
        cli_errorf("%s: what was written before the interruption is in %s", o->path, dest);
    }
    free(kept);
    release(o);
    return rc;
}

void cli_out_discard(cli_out *o)
{
    if (o->f != NULL && o->f != stdout)
        fclose(o->f);
    if (o->tmp != NULL)
        unlink(o->tmp);
    release(o);
}
