/* cli/cmd_merge.c: `nta merge`, shard files back into what one run prints (issue 17).
 *
 * Checks that the files make one complete set (shard/merge.h: a missing shard, one given twice,
 * one of another plan, options or command is an error naming the file), then renders as the
 * command the shards ran (report or events) with the output options given here, or writes the
 * set as one shard file again (--emit-shard: a partial merge, for merging in a tree; it may
 * cover some of the shards). Exit statuses are those of one run over the plan's inputs. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "shard/merge.h"
#include "shard/shard_file.h"

static const char merge_help[] =
    "Usage: nta merge [OPTIONS] SHARD...\n"
    "Merge the shard files of one plan (nta report|events --plan --shard --emit-shard) into\n"
    "what one run of that command over the plan's inputs prints, byte for byte.\n"
    "\n"
    "Options:\n"
    "      --format FMT       text (default), json, csv, jsonl or dtrace (those the command\n"
    "                         the shards ran takes: report text/json/csv, events text/jsonl/\n"
    "                         csv/dtrace)\n"
    "  -o, --output FILE      write to FILE instead of standard output\n"
    "      --output-dir D     report shards: one file per report, as nta report does\n"
    "      --fail-if EXPR     report shards: exit 4 when EXPR holds (as nta report)\n"
    "      --emit-shard FILE  write the merged shards as one shard file (a partial merge: it may\n"
    "                         cover some shards of the plan, and be merged again)\n"
    "  -q, --quiet            no traced-endpoints notice\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: as the command the shards ran (0, 1 input partly unreadable, 3, 4); 2 when\n"
    "the files do not make one complete set (a shard missing, given twice, or of another plan),\n"
    "3 when a shard file is incomplete (its run did not finish) or damaged.\n";

static int partial_merge(nta_merge *m, const char *path, char *const *shards, int n)
{
    if (cli_check_output(path, shards, n) != 0)
        return CLI_EXIT_USAGE;
    cli_out out;
    int status = cli_out_open_raw(&out, path);
    if (status != 0)
        return status;
    nta_err err;
    nta_err_clear(&err);
    if (nta_merge_write(m, out.f, &err) < 0) {
        cli_report_err(&err);
        cli_out_discard(&out);
        return CLI_EXIT_UNREADABLE;
    }
    return cli_out_close(&out, 0) < 0 ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
}

static int parse(cli_merge_opts *mo, const char **emit, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'F' }, { "output", required_argument, NULL, 'o' },
        { "output-dir", required_argument, NULL, 'D' }, { "fail-if", required_argument, NULL, 'G' },
        { "emit-shard", required_argument, NULL, 'E' }, { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int c, idx = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, &idx)) != -1) {
        switch (c) {
        case 'F': mo->format = optarg; break;
        case 'o': mo->output = optarg; break;
        case 'D': mo->outdir = optarg; break;
        case 'E': *emit = optarg; break;
        case 'q': mo->quiet = 1; break;
        case 'G':
            if (mo->ngates == 32)
                return cli_usage_error("merge", "at most 32 --fail-if");
            mo->gates[mo->ngates++] = optarg;
            break;
        case 'h':
            fputs(merge_help, stdout);
            return cli_out_flush_std(stdout, "standard output") < 0 ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
        case ':': return cli_usage_error("merge", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("merge", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("merge", "no shard file given");
    if (mo->output != NULL && mo->outdir != NULL)
        return cli_usage_error("merge", "-o and --output-dir exclude each other");
    if (*emit != NULL && (mo->output || mo->outdir || mo->format || mo->ngates))
        return cli_usage_error("merge", "--emit-shard writes a shard file: -o, --output-dir, "
                               "--format and --fail-if belong to the final merge");
    mo->shards = argv + optind;
    mo->nshards = argc - optind;
    return -1;
}

int cli_cmd_merge(int argc, char **argv)
{
    cli_merge_opts mo;
    memset(&mo, 0, sizeof mo);
    const char *emit = NULL;
    int status = parse(&mo, &emit, argc, argv);
    if (status >= 0)
        return status;
    if (cli_check_inputs(mo.shards, mo.nshards) != 0)
        return CLI_EXIT_USAGE;
    nta_err err;
    nta_err_clear(&err);
    nta_merge *m = NULL;
    int rc = nta_merge_open(&m, mo.shards, mo.nshards, &err);
    if (rc == 0 && emit == NULL)
        rc = nta_merge_check_complete(m, &err);
    if (rc < 0) {
        cli_report_err(&err);
        nta_merge_free(m);
        return rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
    }
    if (emit != NULL)
        status = partial_merge(m, emit, mo.shards, mo.nshards);
    else if (nta_merge_kind(m) == NTA_SHARD_REPORT)
        status = cli_report_merge(m, &mo);
    else if (nta_merge_kind(m) == NTA_SHARD_RUN)
        status = cli_run_merge(m, &mo);
    else
        status = cli_events_merge(m, &mo);
    nta_merge_free(m);
    return status;
}
