/* cli/cmd_split.c: `nta split`, the plan's inputs into one pcapng bucket per shard (issue 17).
 *
 * Writes DIR/shard-K.pcapng for every shard K of the plan (source/split.h); each shard then runs
 * on its bucket alone (nta report|events --plan PLAN --shard K --emit-shard OUT
 * DIR/shard-K.pcapng), on a machine that holds only that bucket. Buckets are written beside
 * their names and renamed when all are done: a failed split leaves none. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "cli/output.h"
#include "source/plan.h"
#include "source/split.h"

static const char split_help[] =
    "Usage: nta split --plan PLAN -o DIR\n"
    "Cut the plan's captures into one pcapng file per shard, DIR/shard-K.pcapng: both\n"
    "directions of each connection in one file, each packet carrying its place in the whole\n"
    "input (epb_packetid) so that the merge restores one run's order. Run each shard on its\n"
    "file: nta report|events --plan PLAN --shard K --emit-shard OUT DIR/shard-K.pcapng.\n"
    "\n"
    "Options:\n"
    "      --plan FILE        the plan (nta plan)\n"
    "  -o, --output-dir DIR   where the buckets go (made if missing)\n"
    "  -q, --quiet            no progress line\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 ok, 2 usage error (or inputs that changed since the plan), 3 the inputs\n"
    "could not be read or a bucket not written.\n";

static int open_buckets(const nta_plan *p, const char *dir, cli_out *outs, FILE **files)
{
    for (uint32_t k = 0; k < p->shards; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/shard-%u.pcapng", dir, k);
        int st = cli_out_open_raw(&outs[k], path);
        if (st != 0) {
            for (uint32_t j = 0; j < k; j++)
                cli_out_discard(&outs[j]);
            return st;
        }
        files[k] = outs[k].f;
    }
    return 0;
}

static int split(const nta_plan *p, const char *dir, cli_run *run)
{
    cli_out *outs = calloc(p->shards, sizeof *outs);
    FILE **files = calloc(p->shards, sizeof *files);
    if (outs == NULL || files == NULL) {
        free(outs);
        free(files);
        cli_errorf("out of memory");
        return CLI_EXIT_UNREADABLE;
    }
    int status = open_buckets(p, dir, outs, files);
    if (status == 0) {
        nta_source_opts o;
        nta_source_opts_init(&o);
        cli_progress_init(&run->prog, run->quiet);
        nta_err err;
        nta_err_clear(&err);
        int rc = nta_split_run(p, files, &o, &err);
        cli_progress_done(&run->prog);
        if (rc < 0) {
            cli_report_err(&err);
            status = rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
        }
        for (uint32_t k = 0; k < p->shards; k++) {
            if (status != 0)
                cli_out_discard(&outs[k]);
            else if (cli_out_close(&outs[k], 0) < 0)
                status = CLI_EXIT_UNREADABLE;
        }
    }
    free(outs);
    free(files);
    return status;
}

int cli_cmd_split(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "plan", required_argument, NULL, 'P' }, { "output-dir", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },      { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *plan_path = NULL, *dir = NULL;
    cli_run run = { .cmd = "split" };
    int c, idx = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, &idx)) != -1) {
        switch (c) {
        case 'P': plan_path = optarg; break;
        case 'o': dir = optarg; break;
        case 'q': run.quiet = 1; break;
        case 'h':
            fputs(split_help, stdout);
            return cli_out_flush_std(stdout, "standard output") < 0 ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
        case ':': return cli_usage_error("split", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("split", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (plan_path == NULL || dir == NULL || optind < argc)
        return cli_usage_error("split", "give --plan PLAN and -o DIR (the inputs are the plan's)");
    nta_err err;
    nta_err_clear(&err);
    nta_plan *p;
    if (nta_plan_load(&p, plan_path, &err) < 0) {
        cli_report_err(&err);
        return err.code == NTA_EIO ? CLI_EXIT_UNREADABLE : CLI_EXIT_USAGE;
    }
    char **paths = calloc((size_t)p->ninputs, sizeof *paths);
    int status = paths == NULL ? CLI_EXIT_UNREADABLE : 0;
    for (int i = 0; paths != NULL && i < p->ninputs; i++)
        paths[i] = (char *)p->inputs[i].info.path;
    if (status == 0 && nta_plan_check_inputs(p, paths, p->ninputs, &err) < 0) {
        cli_report_err(&err);
        status = CLI_EXIT_USAGE;
    }
    if (status == 0 && mkdir(dir, 0777) < 0 && errno != EEXIST) {
        cli_errorf("cannot create %s: %s", dir, strerror(errno));
        status = CLI_EXIT_UNREADABLE;
    }
    if (status == 0)
        status = split(p, dir, &run);
    free(paths);
    nta_plan_free(p);
    return status;
}
