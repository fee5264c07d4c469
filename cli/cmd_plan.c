/* cli/cmd_plan.c: `nta plan`, what every shard of a run must agree on, decided once (issue 17).
 *
 * Reads the inputs once (source/plan.h) and writes the plan as JSON to -o FILE or standard
 * output. The analysis options (--local, --msl, --idle-timeout, --max-flows, --filter, --ifname)
 * are given here and become the shards'. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "cli/output.h"
#include "source/plan.h"

static const char plan_help[] =
    "Usage: nta plan --shards N [OPTIONS] FILE... [-o PLAN]\n"
    "Read the captures once and fix what every shard of the run must agree on: the traced\n"
    "hosts, the packets and their clock, where --bytes --interval blocks start, the inputs'\n"
    "sizes, counts and errors. Then run each shard with nta report|events --plan PLAN --shard K\n"
    "--emit-shard FILE (or nta split the captures first) and nta merge the shard files: the\n"
    "result is byte for byte what one nta report|events prints. Shards are chosen by the\n"
    "Community ID of each packet's flow; the heaviest flows are placed so that the shards\n"
    "hold as even a share of the packets as connections allow (man nta, SHARDS).\n"
    "\n"
    "Options:\n"
    "      --shards N         how many shards (1 to 4096)\n"
    "  -o, --output FILE      write the plan to FILE instead of standard output\n"
    "      --local, --msl, --idle-timeout, --max-flows, -f/--filter, --ifname\n"
    "                         as for nta events; every shard runs with them\n"
    "  -q, --quiet            no progress line, no traced-endpoints notice\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 3 the inputs could not be read or the plan written.\n";

static int write_plan(const nta_plan *p, const char *path)
{
    cli_out out;
    int status = cli_out_open_raw(&out, path);
    if (status != 0)
        return status;
    if (fputs(p->text, out.f) == EOF || fputc('\n', out.f) == EOF)
        out.err = errno;
    return cli_out_close(&out, 0) < 0 ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
}

int cli_cmd_plan(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "shards", required_argument, NULL, 'S' }, { "output", required_argument, NULL, 'o' },
        { "local", required_argument, NULL, 'L' },  { "msl", required_argument, NULL, 'M' },
        { "idle-timeout", required_argument, NULL, 'T' },
        { "max-flows", required_argument, NULL, 'X' }, { "filter", required_argument, NULL, 'f' },
        { "ifname", required_argument, NULL, 'I' },  { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    nta_source_opts o;
    nta_source_opts_init(&o);
    cli_run run = { .cmd = "plan" };
    const char *output = NULL;
    long shards = 0;
    int c, idx = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, &idx)) != -1) {
        char *end;
        switch (c) {
        case 'S':
            shards = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || shards < 1 || shards > NTA_PLAN_MAX_SHARDS)
                return cli_usage_error("plan", "--shards takes 1 to %d, not '%s'",
                                       NTA_PLAN_MAX_SHARDS, optarg);
            break;
        case 'o': output = optarg; break;
        case 'L': case 'M': case 'T': case 'X':
            if (cli_source_option(&o, "plan", longopts[idx].name, optarg) < 0)
                return CLI_EXIT_USAGE;
            break;
        case 'f': o.filter = optarg; break;
        case 'I': o.ifname = optarg; break;
        case 'q': run.quiet = 1; break;
        case 'h':
            fputs(plan_help, stdout);
            return cli_out_flush_std(stdout, "standard output") < 0 ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
        case ':': return cli_usage_error("plan", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("plan", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (shards == 0)
        return cli_usage_error("plan", "--shards N is required");
    if (optind >= argc)
        return cli_usage_error("plan", "no capture file given");
    char *const *inputs = argv + optind;
    int ninputs = argc - optind;
    if (cli_check_inputs(inputs, ninputs) != 0 || cli_check_output(output, inputs, ninputs) != 0)
        return CLI_EXIT_USAGE;
    o.observer_ctx = &run;
    cli_progress_init(&run.prog, run.quiet);
    nta_err err;
    nta_err_clear(&err);
    nta_plan *p;
    int rc = nta_plan_make(&p, (const char *const *)inputs, ninputs, &o, (uint32_t)shards, &err);
    cli_progress_done(&run.prog);
    if (rc < 0) {
        cli_report_err(&err);
        return rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
    }
    int status = write_plan(p, output);
    nta_plan_free(p);
    return status;
}
