/* cli/output.h: where a command's output goes, written so that nothing is lost or destroyed.
 *
 * A file output is written to a temporary file in the same folder and renamed over the
 * destination only when the command is done: an interrupted or failing run never leaves a cut
 * file under the real name, nor empties the results of an earlier run (issue 14). An output
 * that is one of the inputs (same device and inode, hard links included) is refused before
 * anything is opened for writing. "-" or no path is standard output. A name ending in ".zst" is
 * compressed with zstd. Every write is checked by the command; closing says what failed, with
 * the file's name and the system's reason ("No space left on device", "Broken pipe").
 *
 * Temporary names are registered so that a second interrupting signal, which ends nta at
 * once, can remove them (cli/signals.c). */
#ifndef NTA_CLI_OUTPUT_H
#define NTA_CLI_OUTPUT_H

#include <stdio.h>

typedef struct cli_out {
    FILE *f;             /**< where to write */
    const char *name;    /**< for messages: the path, or "standard output" */
    char *path;          /**< the destination, NULL for standard output */
    char *tmp;           /**< the temporary file being written, NULL for standard output */
    int err;             /**< the errno of a write that failed, when the writer knew it */
} cli_out;

/* Refuses (exit 2, message printed) when path is one of inputs[0..n) or one of them twice.
 * Returns 0 when all is well. */
int cli_check_inputs(char *const *inputs, int n);
int cli_check_output(const char *path, char *const *inputs, int n);

/* Opens path ("-" or NULL: standard output). Returns 0, or the exit status (3: the output
 * cannot be made) after saying why. */
int cli_out_open(cli_out *o, const char *path);
/* The same without compressing a ".zst" name (for bytes that are compressed already). */
int cli_out_open_raw(cli_out *o, const char *path);

/* Ends the output: flushes and closes it and renames the temporary file over the destination.
 * When partial is set (an interrupted run), a file is kept as PATH.partial instead, leaving
 * what PATH held. Returns 0, or -1 after saying what failed (naming the file). Standard output
 * is flushed, not closed. */
int cli_out_close(cli_out *o, int partial);

/* Drops a file output: closes it and removes the temporary file. */
void cli_out_discard(cli_out *o);

/* 0, or -1 after "writing NAME failed: reason" when f has seen an error; for the outputs
 * written through stdio (standard output of --help too). */
int cli_out_flush_std(FILE *f, const char *name);

#endif
