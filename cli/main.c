/* cli/main.c: the nta command: dispatch to sub-commands, global --help and --version. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/signals.h"

#include "nta_version.h"   /* NTA_VERSION, written at build time (cmake/version.cmake) */

static const char main_help[] =
    "Usage: nta COMMAND [OPTIONS] FILE...\n"
    "nta rebuilds TCP connections from captures and reports what DTrace's ip, tcp and udp\n"
    "providers would have shown on the traced hosts.\n"
    "\n"
    "Commands:\n"
    "  info      describe captures: formats, interfaces, counts, protocols, skipped packets\n"
    "  events    the DTrace probe events (ip, tcp, udp) the traced hosts would have fired\n"
    "  report    the FreeBSD DTrace network-providers article's reports (durations, ifhist,\n"
    "            ooo, bytes, states, packets), as dtrace prints them, or JSON/CSV\n"
    "  run       DTrace D scripts (-s FILE, -n DESCRIPTION) on captures or dtrace text, as\n"
    "            dtrace would have printed them on the traced hosts\n"
    "  convert   captures <-> pcap/pcapng, events -> JSON Lines/CSV/dtrace lines, dtrace\n"
    "            segment logs -> pcap, printed DTrace aggregations -> JSON/CSV\n"
    "  plan      fix once what the shards of a run must agree on (nta plan --shards N)\n"
    "  split     the captures into one pcapng file per shard of a plan (nta split --plan)\n"
    "  merge     shard files (report|events --plan --shard --emit-shard) into one run's output\n"
    "\n"
    "Captures: pcap and pcapng (plain, gzip, bzip2, xz or zstd; recognised by content), ERF and\n"
    "other libtrace formats; '-' reads standard input. Text that dtrace wrote (-o FILE) with\n"
    "dtrace/nta-events.d or the article's scripts is read too, as the same events. 'nta COMMAND --help' lists its options;\n"
    "man nta has everything.\n"
    "\n"
    "Options: -h, --help (this help), -V, --version (the version the build recorded).\n"
    "\n"
    "Exit status: 0 ok, 1 input partly unreadable, 2 usage error, 3 input unreadable,\n"
    "4 a --fail-if threshold failed.\n";

/* --help and --version on standard output: a full disk or closed output is an error there
 * too (issue 14). */
static int print_std(const char *text)
{
    fputs(text, stdout);
    return cli_out_flush_std(stdout, "standard output") < 0 ? CLI_EXIT_UNREADABLE : CLI_EXIT_OK;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(NULL, "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        return print_std(main_help);
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        return print_std("nta " NTA_VERSION "\n");
    }
    if (strcmp(cmd, "info") == 0)
        return cli_cmd_info(argc - 1, argv + 1);
    if (strcmp(cmd, "events") == 0)
        return cli_cmd_events(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return cli_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "convert") == 0)
        return cli_cmd_convert(argc - 1, argv + 1);
    if (strcmp(cmd, "plan") == 0)
        return cli_cmd_plan(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return cli_cmd_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "split") == 0)
        return cli_cmd_split(argc - 1, argv + 1);
    return cli_usage_error(NULL, "unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    cli_signals_init();
    int status = dispatch(argc, argv);
    /* what a command printed to standard output and did not check (its --help) */
    if (status == CLI_EXIT_OK && cli_out_flush_std(stdout, "standard output") < 0)
        status = CLI_EXIT_UNREADABLE;
    return status;
}
