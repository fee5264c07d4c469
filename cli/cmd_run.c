/* cli/cmd_run.c: `nta run`, DTrace's D scripts on captures and dtrace text (issue 15).
 *
 * Options mirror dtrace(1): -s FILE and -n/-P/-m/-i descriptions (several combine, in order),
 * -q, -x OPT[=VAL], -Z, -e (compile only), -l (list the matched probes), -o FILE (appends),
 * macro arguments after "--". The first operand is the script when no -s/-n/-P/-m/-i is
 * given. Inputs are what `nta report` reads; with none, BEGIN, ticks on a virtual clock and
 * END run alone. Exit status as dtrace(1): 0, 1 (compile error, unreadable input, failed
 * write), 2 (usage), or the script's exit() value; man/nta.1 "RUN". */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/inputs.h"
#include "cli/output.h"
#include "cli/run_shard.h"
#include "cli/signals.h"
#include "dscript/dscript.h"
#include "event/fields.h"

static const char run_help[] =
    "Usage: nta run [OPTIONS] [-s] SCRIPT.d [INPUT...] [-- ARG...]\n"
    "       nta run [OPTIONS] -n 'DESCRIPTION [/PREDICATE/] {ACTIONS}' ... [INPUT...]\n"
    "Run DTrace D scripts on captures or dtrace text, as if DTrace had run on the traced hosts,\n"
    "and print what it would have printed.\n"
    "\n"
    "Program (as dtrace(1); several combine in order):\n"
    "  -s FILE              a D script\n"
    "  -n DESC              a probe description (name, or prov:mod:func:name), optionally\n"
    "                       followed by /predicate/ and {actions}\n"
    "  -P PROV, -m MOD, -i ID  descriptions by provider, module or probe ID\n"
    "      --function FUNC  a description by function (dtrace -f)\n"
    "  -x OPT[=VAL]         set a DTrace option (quiet, strsize, aggsortkey, ...)\n"
    "  -q                   quiet: only what the script prints\n"
    "  -Z                   allow descriptions that match no probe\n"
    "  -e                   compile and exit\n"
    "  -l                   list the probes the descriptions match (all without any)\n"
    "  -o FILE              append the output to FILE (\"-\": standard output)\n"
    "      --dtrace-testing  dtrace-utils' test-suite layout (no CPU/ID columns, its trace()\n"
    "                       widths), for comparing with that suite's expected outputs\n"
    "      --as-if-interrupted  print the newline dtrace prints on ^C before END's output\n"
    "      --max-ticks N    without input, stop after N tick firings (default 10000000)\n"
    "      --tick-gap N     fire a tick probe at most N times between two events (default\n"
    "                       1000); the firings left out are counted on stderr\n"
    "      --inline-output  format printf() in the reading thread (the same output; for\n"
    "                       tests and measurements)\n"
    "Input (as nta report):\n"
    "      --local ADDR[/LEN]  a traced host or network (repeatable), or 'all'\n"
    "      --msl SECONDS    maximum segment lifetime; TIME_WAIT lasts 2*MSL (default 30)\n"
    "      --idle-timeout S  forget connections idle this long (default 600)\n"
    "      --max-flows N    keep at most N connections (0: no cap)\n"
    "      --ifname NAME    interface name for captures that do not name theirs\n"
    "  -f, --filter EXPR    only packets matching the tcpdump (BPF) filter\n"
    "Shards (nta plan, nta merge; man nta \"SHARDS\"):\n"
    "      --plan FILE, --shard K, --emit-shard OUT\n"
    "                       run as shard K of a plan: what the script prints for the shard's\n"
    "                       connections goes to OUT for nta merge, which prints what one run\n"
    "                       prints (programs whose network clauses keep state only per\n"
    "                       connection or in aggregations; others are refused, saying why)\n"
    "      --jobs N         run on N threads, each the connections of one shard, and print\n"
    "                       what one run prints (the programs --shard takes; captures only)\n"
    "  -h, --help           this help\n"
    "\n"
    "Exit status: 0 ok, 1 compile error, unreadable input or failed write, 2 usage error,\n"
    "the value the script passed to exit(), or 128+N when signal N stopped the run.\n";

static void print_msg(void *ctx, const char *m)
{
    (void)ctx;
    cli_errorf("%s", m);
}

typedef struct srcv {
    nta_dscript_src *v;
    int n, cap;
} srcv;

static int add_src(srcv *s, nta_dsrc_kind k, const char *label, const char *text, size_t len)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        nta_dscript_src *v = realloc(s->v, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].kind = k;
    s->v[s->n].label = label;
    s->v[s->n].text = text;
    s->v[s->n].len = len;
    s->n++;
    return 0;
}

/* A script's bytes; NULL with a message (dtrace: "failed to open FILE: ..."). */
static char *read_script(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        cli_errorf("failed to open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *b = cap > (64u << 20) ? NULL : realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (buf == NULL || bad) {
        cli_errorf("failed to read %s", path);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int parse_count(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

int cli_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "local", required_argument, NULL, 'L' },   { "msl", required_argument, NULL, 'M' },
        { "idle-timeout", required_argument, NULL, 'T' },
        { "max-flows", required_argument, NULL, 'X' }, { "filter", required_argument, NULL, 'f' },
        { "ifname", required_argument, NULL, 'I' },  { "function", required_argument, NULL, 'F' },
        { "dtrace-testing", no_argument, NULL, 'D' }, { "as-if-interrupted", no_argument, NULL, 'A' },
        { "max-ticks", required_argument, NULL, 'K' }, { "tick-gap", required_argument, NULL, 'G' },
        { "inline-output", no_argument, NULL, 'O' },
        { "plan", required_argument, NULL, 1100 },   { "shard", required_argument, NULL, 1101 },
        { "emit-shard", required_argument, NULL, 1102 }, { "jobs", required_argument, NULL, 'J' },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    /* "--": what follows are the macro arguments $1, $2, ... */
    int nargs = argc;
    char **margs = NULL;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            nargs = i;
            margs = argv + i + 1;
            break;
        }
    int nmargs = margs ? argc - nargs - 1 : 0;
    nta_source_opts so;
    nta_source_opts_init(&so);
    cli_shard_args sa;
    cli_shard_args_init(&sa);
    srcv srcs = { NULL, 0, 0 };
    char **texts = calloc((size_t)argc + 1, sizeof *texts);
    const char **xopts = calloc((size_t)argc + 1, sizeof *xopts);
    char **mv = NULL;   /* the macro arguments, $0 first */
    int nx = 0, quiet = 0, zdefs = 0, compile_only = 0, list = 0, testing = 0, interrupted = 0;
    int inline_output = 0, jobs = 1;
    const char *output = NULL;
    uint64_t max_ticks = 0, tick_gap = 0;
    int status = CLI_EXIT_USAGE, c, idx;
    nta_dscript *d = NULL;
    nta_source *src = NULL;
    FILE *o = stdout;
    if (texts == NULL || xopts == NULL) {
        cli_errorf("out of memory");
        status = 1;
        goto out;
    }
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(nargs, argv, ":s:n:P:m:i:x:qZelo:f:CwvVh", longopts, &idx)) != -1) {
        int added = 0;
        switch (c) {
        case 's': {
            size_t len;
            char *text = read_script(optarg, &len);
            if (text == NULL) {
                status = 1;
                goto out;
            }
            texts[srcs.n] = text;
            added = add_src(&srcs, NTA_DSRC_FILE, optarg, text, len);
            break;
        }
        case 'n': added = add_src(&srcs, NTA_DSRC_NAME, optarg, optarg, strlen(optarg)); break;
        case 'P': added = add_src(&srcs, NTA_DSRC_PROVIDER, optarg, optarg, strlen(optarg)); break;
        case 'm': added = add_src(&srcs, NTA_DSRC_MODULE, optarg, optarg, strlen(optarg)); break;
        case 'F': added = add_src(&srcs, NTA_DSRC_FUNC, optarg, optarg, strlen(optarg)); break;
        case 'i': added = add_src(&srcs, NTA_DSRC_ID, optarg, optarg, strlen(optarg)); break;
        case 'x': xopts[nx++] = optarg; break;
        case 'q': quiet = 1; break;
        case 'Z': zdefs = 1; break;
        case 'e': compile_only = 1; break;
        case 'l': list = 1; break;
        case 'o': output = strcmp(optarg, "-") == 0 ? NULL : optarg; break;   /* "-": stdout */
        case 'f': so.filter = optarg; sa.analysis_given = 1; sa.analysis_opt = "filter"; break;
        case 'I': so.ifname = optarg; sa.analysis_given = 1; sa.analysis_opt = "ifname"; break;
        case 1100: case 1101: case 1102:
            if (cli_shard_option(&sa, "run", longopts[idx].name, optarg) < 0)
                goto out;
            break;
        case 'J':
            if ((jobs = cli_jobs_option("run", optarg)) < 0)
                goto out;
            break;
        case 'D': testing = 1; break;
        case 'A': interrupted = 1; break;
        case 'O': inline_output = 1; break;
        case 'w': case 'v': break;   /* destructive, verbose: nothing to allow or say offline */
        case 'K': case 'G':
            if (parse_count(optarg, c == 'K' ? &max_ticks : &tick_gap) < 0) {
                status = cli_usage_error("run", "--%s takes a count, not '%s'", longopts[idx].name,
                                         optarg);
                goto out;
            }
            break;
        case 'C':
            status = cli_usage_error("run", "-C (running D through the C preprocessor) is not "
                                            "supported by nta run");
            goto out;
        case 'V':
            printf("dtrace: Sun D 1.13 (nta run)\n");
            status = CLI_EXIT_OK;
            goto out;
        case 'L': case 'M': case 'T': case 'X':
            sa.analysis_given = 1;
            sa.analysis_opt = longopts[idx].name;
            if (cli_source_option(&so, "run", longopts[idx].name, optarg) < 0)
                goto out;
            break;
        case 'h': fputs(run_help, stdout); status = CLI_EXIT_OK; goto out;
        case ':':
            status = cli_usage_error("run", "option '%s' needs a value", argv[optind - 1]);
            goto out;
        default:
            status = cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
            goto out;
        }
        if (added < 0) {
            cli_errorf("out of memory");
            status = 1;
            goto out;
        }
    }
    int first = optind;
    if (srcs.n == 0 && first < nargs && !(list && first >= nargs)) {
        size_t len;
        char *text = read_script(argv[first], &len);
        if (text == NULL) {
            status = 1;
            goto out;
        }
        texts[0] = text;
        if (add_src(&srcs, NTA_DSRC_FILE, argv[first], text, len) < 0) {
            cli_errorf("out of memory");
            status = 1;
            goto out;
        }
        first++;
    }
    if (srcs.n == 0 && !list) {
        status = cli_usage_error("run", "no D program given (SCRIPT.d, -s FILE or -n DESCRIPTION)");
        goto out;
    }
    /* $0 is the script, as dtrace -s sets it */
    mv = calloc((size_t)nmargs + 2, sizeof *mv);
    if (mv == NULL) {
        cli_errorf("out of memory");
        status = 1;
        goto out;
    }
    mv[0] = srcs.n > 0 && srcs.v[0].kind == NTA_DSRC_FILE ? (char *)srcs.v[0].label : "nta";
    for (int i = 0; i < nmargs; i++)
        mv[i + 1] = margs[i];
    nta_dscript_opts dopts = { xopts, nx, quiet, zdefs, nmargs + 1, mv, testing };
    nta_err err;
    nta_err_clear(&err);
    int rc = nta_dscript_compile(&d, srcs.v, srcs.n, &dopts, &err);
    if (rc < 0) {
        cli_errorf("%s", err.msg);
        status = 1;
        goto out;
    }
    if (list) {
        status = nta_dscript_list(d, srcs.n, stdout) < 0 ? 1 : CLI_EXIT_OK;
        goto out;
    }
    nta_run_prog rp = { srcs.v, srcs.n, xopts, nx, quiet, zdefs, testing, interrupted,
                        nmargs + 1, mv };
    if (jobs > 1 && cli_shard_wanted(&sa)) {
        status = cli_usage_error("run", "--jobs runs every shard of a run; --shard runs one");
        goto out;
    }
    if (jobs > 1 && nta_dscript_shard_refusal(d) != NULL) {
        status = cli_usage_error("run", "cannot run with --jobs (as shards): %s",
                                 nta_dscript_shard_refusal(d));
        goto out;
    }
    if (!nta_dscript_quiet(d) && !cli_shard_wanted(&sa))   /* the merge says it */
        for (int i = 0; i < srcs.n; i++) {
            char b[1024];
            nta_dscript_banner(d, i, b, sizeof b);
            cli_errorf("%s", b);
        }
    if (compile_only) {
        status = CLI_EXIT_OK;
        goto out;
    }
    char **paths = argv + first;
    int npaths = nargs - first;
    if (cli_shard_wanted(&sa)) {
        /* -o, ^C's newline and the tick options belong to the merge's run, or to no shard */
        if (output != NULL || max_ticks != 0 || tick_gap != 0 || inline_output) {
            status = cli_usage_error("run", "a shard writes to --emit-shard; -o, --max-ticks, "
                                     "--tick-gap and --inline-output are not for shards");
            goto out;
        }
        status = cli_run_shard(d, &rp, &sa, paths, npaths, &so);
        goto out;
    }
    cli_run cr = { .cmd = "run", .quiet = nta_dscript_quiet(d) };
    /* appending to an input would destroy it; an input given twice would be read twice */
    if (cli_check_inputs(paths, npaths) != 0 || cli_check_output(output, paths, npaths) != 0) {
        status = CLI_EXIT_USAGE;
        goto out;
    }
    if (npaths > 0) {
        if ((src = cli_source_open(&cr, paths, npaths, &so, &status)) == NULL) {
            if (status != CLI_EXIT_USAGE)
                status = 1;
            goto out;
        }
        const nta_run_info *info = nta_source_info(src);
        if (info->dtext && jobs > 1) {
            status = cli_usage_error("run", "--jobs splits captures by connection; %s is dtrace "
                                            "text", paths[0]);
            goto out;
        }
        if (info->dtext && so.filter != NULL) {
            status = cli_usage_error("run", "--filter selects packets of a capture; %s is dtrace "
                                            "text", paths[0]);
            goto out;
        }
        /* dtrace text shows only what its script printed: reading more would be a silent
         * wrong answer (translator NULL values), so refuse */
        uint32_t missing = nta_dscript_fields(d) & ~info->known;
        if (info->dtext && missing != 0) {
            for (uint32_t bit = 1; bit < NTA_F_ALL; bit <<= 1)
                if (missing & bit) {
                    cli_errorf("%s is %s, which does not show %s: the script reads it",
                               paths[0], info->dtext_kind, nta_field_group_name(bit));
                    break;
                }
            status = 1;
            goto out;
        }
    }
    if (output != NULL && (o = fopen(output, "a")) == NULL) {
        cli_errorf("failed to open %s: %s", output, strerror(errno));
        status = 1;
        goto out;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    nta_dscript_run ropts = { o, print_msg, NULL, max_ticks, tick_gap, &cli_stop,
                              (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec,
                              interrupted, inline_output };
    nta_err_clear(&err);
    if (nta_dscript_start(d, &ropts, &err) < 0) {
        cli_errorf("%s", err.msg);
        status = 1;
        goto out;
    }
    int werr = 0, in_status = CLI_EXIT_OK;
    if (npaths == 0) {
        werr = nta_dscript_run_noinput(d) < 0;
    } else {
        nta_err_clear(&err);
        uint64_t evicted;
        if (jobs > 1) {
            rc = cli_run_jobs(d, &rp, jobs, src, &evicted, &err);
        } else {
            nta_sink sink;
            nta_dscript_sink(d, &sink);
            rc = nta_source_run(src, &sink, &err);
            evicted = nta_source_info(src)->evicted;
        }
        cli_progress_done(&cr.prog);
        const nta_run_info *info = nta_source_info(src);
        if (jobs > 1 && rc == NTA_EUSAGE) {
            cli_report_err(&err);
            status = CLI_EXIT_USAGE;
            goto out;
        }
        if (rc < 0 && !nta_dscript_exited(d)) {
            if (jobs > 1 ? rc == NTA_EIO : info->output_failed < 0)
                werr = 1;
            else
                cli_report_err(&err);
            in_status = 1;
        }
        if (cli_inputs_status(info) != CLI_EXIT_OK)
            in_status = 1;
        if (evicted > 0)
            cli_errorf("%llu connections evicted by --max-flows %u; their later segments were "
                       "picked up mid-stream", (unsigned long long)evicted, info->max_flows);
        if (info->interrupted && !nta_dscript_exited(d))
            cli_errorf("interrupted (%s): stopped after %llu %s; the results cover what was read",
                       strsignal(info->interrupted),
                       (unsigned long long)(info->dtext ? info->lines : info->packets),
                       info->dtext ? "lines" : "packets");
        werr |= nta_dscript_finish(d) < 0;
    }
    /* ^C: END has run and the aggregations are printed, as dtrace does; but the input was
     * not read to its end, so the status is 128 + the signal's, as for every nta command
     * (dtrace exits 0 on ^C: there it is the usual way to end a run) */
    int sig = cli_stop;
    if (o != stdout && fclose(o) != 0)
        werr = 1;
    o = stdout;
    if (werr)
        cli_errorf("writing %s failed: %s", output ? output : "the output",
                   strerror(nta_dscript_write_errno(d) ? nta_dscript_write_errno(d) : EIO));
    if (nta_dscript_exited(d))
        status = nta_dscript_status(d) & 0xff;
    else if (sig != 0)
        status = 128 + sig;
    else
        status = werr || in_status != CLI_EXIT_OK ? 1 : CLI_EXIT_OK;
out:
    if (o != stdout)
        fclose(o);
    nta_dscript_free(d);
    nta_source_free(src);
    for (int i = 0; texts != NULL && i < argc; i++)
        free(texts[i]);
    free(texts);
    free(xopts);
    free(mv);
    free(srcs.v);
    return status;
}
