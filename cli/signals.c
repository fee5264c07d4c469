/* cli/signals.c: stopping on the first signal, ending on the second (signals.h). */
#include "cli/signals.h"

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define MAX_TMP 32

volatile sig_atomic_t cli_stop;

/* Paths the handler may unlink: fixed storage, written only outside the handler, and marked
 * in use last, so the handler never sees a half-written name. */
static char tmp_paths[MAX_TMP][4096];
static volatile sig_atomic_t tmp_used[MAX_TMP];

static void on_signal(int sig)
{
    if (cli_stop == 0) {
        cli_stop = sig;
        return;
    }
    for (int i = 0; i < MAX_TMP; i++)   /* unlink and _exit are async-signal-safe */
        if (tmp_used[i])
            unlink(tmp_paths[i]);
    _exit(128 + sig);
}

void cli_signals_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;   /* reads resume: the flag is looked at between packets */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void cli_tmp_register(const char *path)
{
    for (int i = 0; i < MAX_TMP; i++)
        if (!tmp_used[i] && strlen(path) < sizeof tmp_paths[i]) {
            strcpy(tmp_paths[i], path);
            atomic_signal_fence(memory_order_seq_cst);   /* the name before the mark */
            tmp_used[i] = 1;
            return;
        }
}

void cli_tmp_unregister(const char *path)
{
    for (int i = 0; i < MAX_TMP; i++)
        if (tmp_used[i] && strcmp(tmp_paths[i], path) == 0) {
            tmp_used[i] = 0;
            return;
        }
}
