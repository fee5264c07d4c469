/* cli/common.c: messages, exit-status decisions and the progress line shared by sub-commands. */
#include "cli/cli.h"
#include "source/source.h"
#include "formats/zst_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *cli_prog = "nta";

static int status_rank(int s)
{
    static const int rank[] = { [CLI_EXIT_OK] = 0, [CLI_EXIT_PARTIAL] = 1, [CLI_EXIT_THRESHOLD] = 2,
                                [CLI_EXIT_USAGE] = 3, [CLI_EXIT_UNREADABLE] = 4 };
    return s >= 128 ? 5 : s >= 0 && s <= CLI_EXIT_THRESHOLD ? rank[s] : 4;
}

int cli_status_worse(int a, int b)
{
    return status_rank(b) > status_rank(a) ? b : a;
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_report_err(const nta_err *e)
{
    if (e->file[0] != '\0' && e->offset >= 0)
        cli_errorf("%s: %s (%s at byte %lld)", e->file, e->msg, nta_strerror(e->code),
                   (long long)e->offset);
    else if (e->file[0] != '\0')
        cli_errorf("%s: %s", e->file, e->msg);
    else
        cli_errorf("%s", e->msg);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s%s%s: ", cli_prog, cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s%s%s --help' for more information.\n", cli_prog, cmd ? " " : "",
            cmd ? cmd : "");
    return CLI_EXIT_USAGE;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cli_progress_init(cli_progress *p, int quiet)
{
    memset(p, 0, sizeof *p);
    p->on = !quiet && isatty(STDERR_FILENO);
    p->start_ns = p->last_ns = now_ns();
}

static void human_bytes(double b, char *out, size_t cap)
{
    const char *u[] = { "B", "KB", "MB", "GB", "TB" };
    int i = 0;
    while (b >= 1000 && i < 4) {
        b /= 1000;
        i++;
    }
    snprintf(out, cap, "%.1f %s", b, u[i]);
}

void cli_progress_tick(cli_progress *p, const nta_progress *pr)
{
    if (!p->on)
        return;
    uint64_t now = now_ns();
    if (now - p->last_ns < 250000000u)   /* redraw at most 4 times a second */
        return;
    p->last_ns = now;
    uint64_t done = pr->bytes_done, total = pr->bytes_total, pk = pr->packets;
    double secs = (double)(now - p->start_ns) / 1e9;
    char db[32], rate[32];
    human_bytes((double)done, db, sizeof db);
    human_bytes(secs > 0 ? (double)done / secs : 0, rate, sizeof rate);
    if (total > 0 && done <= total) {
        char tb[32];
        human_bytes((double)total, tb, sizeof tb);
        double left = done > 0 ? secs * (double)(total - done) / (double)done : 0;
        fprintf(stderr, "\r\033[K%s: %s of %s (%.0f%%), %llu packets, %s/s, %.0f s left", cli_prog,
                db, tb, 100.0 * (double)done / (double)total, (unsigned long long)pk, rate, left);
    } else {
        fprintf(stderr, "\r\033[K%s: %s, %llu packets, %s/s", cli_prog, db,
                (unsigned long long)pk, rate);
    }
    p->drawn = 1;
}

void cli_progress_done(cli_progress *p)
{
    if (p->on && p->drawn)
        fputs("\r\033[K", stderr);
}

FILE *cli_fopen_out_later(const char *path, int *truncate)
{
    *truncate = 0;
    size_t n = strlen(path);
    if (n >= 4 && strcmp(path + n - 4, ".zst") == 0)
        return cli_fopen_out(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return NULL;
    struct stat st;
    FILE *f = fdopen(fd, "w");   /* "w" here neither truncates nor moves the offset */
    if (f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    *truncate = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
    return f;
}

FILE *cli_fopen_out(const char *path)
{
    FILE *f = fopen(path, "w");
    size_t n = strlen(path);
    if (f == NULL || n < 4 || strcmp(path + n - 4, ".zst") != 0)
        return f;
    FILE *z = nta_zst_fopen(f, 3);
    if (z == NULL) {
        fclose(f);
        errno = ENOMEM;
    }
    return z;
}
