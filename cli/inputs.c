/* cli/inputs.c: input options, opening the source, and the messages after a run (inputs.h). */
#include "cli/inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtext/dtrace_in.h"
#include "formats/capture.h"
#include "cli/signals.h"

static int parse_seconds(const char *s, uint64_t *ns)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= 0 && v <= 1e9))   /* NaN fails too */
        return -1;
    *ns = (uint64_t)(v * 1e9);
    return 0;
}

int cli_source_option(nta_source_opts *o, const char *cmd, const char *opt, const char *val)
{
    if (strcmp(opt, "local") == 0) {
        if (nta_locals_add(&o->locals, val) < 0) {
            cli_usage_error(cmd, "--local takes ADDR[/LEN] or all, not '%s'", val);
            return -1;
        }
        o->locals_given = 1;
        return 1;
    }
    if (strcmp(opt, "msl") == 0 || strcmp(opt, "idle-timeout") == 0) {
        uint64_t ns;
        if (parse_seconds(val, &ns) < 0) {
            cli_usage_error(cmd, "--%s takes seconds, not '%s'", opt, val);
            return -1;
        }
        if (opt[0] == 'm')
            o->msl_ns = ns;
        else
            o->idle_ns = ns;
        return 1;
    }
    if (strcmp(opt, "max-flows") == 0) {
        char *end;
        unsigned long v = strtoul(val, &end, 10);
        if (end == val || *end != '\0' || v > 0xffffffffu || val[0] == '-') {
            cli_usage_error(cmd, "--max-flows takes a count, not '%s'", val);
            return -1;
        }
        o->max_flows = (uint32_t)v;
        return 1;
    }
    return 0;
}

/* Captures: the traced hosts, as soon as they are decided (dtrace text says it after the run,
 * with its counts). */
static void announce(void *ctx, const nta_run_info *info)
{
    cli_run *r = ctx;
    if (r->quiet || info->dtext)
        return;
    char desc[1024];
    nta_locals_describe(&info->traced, desc, sizeof desc);
    cli_errorf("traced endpoints: %s (%s; loopback is always traced)", desc, info->traced.why);
}

static void progress(void *ctx, const nta_progress *p)
{
    cli_run *r = ctx;
    cli_progress_tick(&r->prog, p);
}

/* After a capture reader refused input e as no capture: if its bytes were text, say which
 * dtrace outputs nta would have read. */
static void hint_text(const nta_input_info *in)
{
    if (in->is_text && in->err.code == NTA_EFORMAT)
        cli_errorf("%s is text, but not dtrace output nta reads either: expected %s", in->path,
                   nta_dtext_expected);
}

nta_source *cli_source_open(cli_run *r, char *const *paths, int npaths, nta_source_opts *o,
                            int *status)
{
    return cli_source_open_streams(r, paths, NULL, npaths, o, status);
}

nta_source *cli_source_open_streams(cli_run *r, char *const *paths, struct nta_stream **streams,
                                    int npaths, nta_source_opts *o, int *status)
{
    o->on_decided = announce;
    o->stop = &cli_stop;
    r->locals_given = o->locals_given && !o->locals.all;
    o->on_progress = progress;
    o->observer_ctx = r;
    cli_progress_init(&r->prog, r->quiet);
    nta_err err;
    nta_err_clear(&err);
    nta_source *src;
    int rc = nta_source_open_streams(&src, (const char *const *)paths, streams, npaths, o, &err);
    if (rc == 0 && o->filter != NULL && nta_source_info(src)->dtext) {
        *status = cli_usage_error(r->cmd, "--filter selects packets of a capture; %s is dtrace text",
                                  paths[0]);
        nta_source_free(src);
        return NULL;
    }
    if (rc == 0)
        return src;
    cli_report_err(&err);
    *status = rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
    return NULL;
}

/* Every input's error and skipped records on stderr, and the status they imply (0, 1, or 3
 * when nothing at all could be read). */
int cli_inputs_status(const nta_run_info *info)
{
    int errors = 0, warned = 0;
    uint64_t records = 0;
    for (int i = 0; i < info->ninputs; i++) {
        const nta_input_info *f = &info->inputs[i];
        records += f->records;
        if (f->err.code != 0) {
            cli_report_err(&f->err);
            if (f->records == 0)
                hint_text(f);
            errors++;
            if (f->records > 0)
                cli_errorf("%s: the %llu packets before that point were read and are reported",
                           f->path, (unsigned long long)f->records);
        }
        if (f->bad_records > 0) {
            cli_errorf("%s: %llu unusable records skipped; first: %s", f->path,
                       (unsigned long long)f->bad_records, f->warn);
            warned++;
        }
    }
    /* Unreadable: nothing at all came out and every file failed. A valid capture with no
     * packets (just a header) is not an error. */
    if (records == 0 && errors == info->ninputs)
        return CLI_EXIT_UNREADABLE;
    if (errors + warned > 0)
        return CLI_EXIT_PARTIAL;
    return CLI_EXIT_OK;
}

static int dtext_status(cli_run *r, const nta_run_info *info, int rc, const nta_err *err)
{
    if (!r->quiet) {
        char desc[1024];
        nta_locals_describe(&info->traced, desc, sizeof desc);
        cli_errorf("read %s: %llu events from %llu lines; traced: %s (%s)", info->dtext_kind,
                   (unsigned long long)info->events, (unsigned long long)info->lines, desc,
                   info->traced.why);
    }
    if (rc < 0) {
        r->run_failed = 1;
        if (info->output_failed != NTA_EIO)   /* else the command names the output */
            cli_report_err(err);
        return CLI_EXIT_UNREADABLE;
    }
    if (info->malformed > 0) {
        cli_errorf("%llu malformed line%s skipped (the rest was used):",
                   (unsigned long long)info->malformed, info->malformed == 1 ? "" : "s");
        for (int i = 0; i < info->nbad; i++)
            fprintf(stderr, "  %s\n", info->first_bad[i]);
        if (info->malformed > (uint64_t)info->nbad)
            fprintf(stderr, "  ... and %llu more\n",
                    (unsigned long long)(info->malformed - (uint64_t)info->nbad));
        return CLI_EXIT_PARTIAL;
    }
    return CLI_EXIT_OK;
}

static int capture_run_status(cli_run *r, const nta_run_info *info, int rc, const nta_err *err);

/* A signal stopped reading: say how far it got; the status is 128 + the signal's number. */
static int interrupted(cli_run *r, const nta_run_info *info, int status)
{
    if (!info->interrupted)
        return status;
    r->interrupted = info->interrupted;
    if (info->dtext)
        cli_errorf("interrupted (%s): stopped after %llu lines; the results cover what was read",
                   strsignal(info->interrupted), (unsigned long long)info->lines);
    else
        cli_errorf("interrupted (%s): stopped after %llu packets; the results cover what was read",
                   strsignal(info->interrupted), (unsigned long long)info->packets);
    return 128 + info->interrupted;
}

int cli_source_packets(cli_run *r, nta_source *src, int (*fn)(void *ctx, const nta_packet *pkt),
                       void *ctx)
{
    nta_err err;
    nta_err_clear(&err);
    int rc = nta_source_packets(src, fn, ctx, &err);
    cli_progress_done(&r->prog);
    const nta_run_info *info = nta_source_info(src);
    return interrupted(r, info, capture_run_status(r, info, rc, &err));
}

int cli_source_run(cli_run *r, nta_source *src, const nta_sink *sink)
{
    nta_err err;
    nta_err_clear(&err);
    int rc = nta_source_run(src, sink, &err);
    cli_progress_done(&r->prog);
    const nta_run_info *info = nta_source_info(src);
    if (info->dtext)
        return interrupted(r, info, dtext_status(r, info, rc, &err));
    return interrupted(r, info, capture_run_status(r, info, rc, &err));
}

/* The status of a capture run that returned rc. */
static int capture_run_status(cli_run *r, const nta_run_info *info, int rc, const nta_err *err)
{
    if (rc < 0 && info->output_failed == 0) {
        r->run_failed = 1;
        cli_report_err(err);
        return rc == NTA_EUSAGE ? CLI_EXIT_USAGE : CLI_EXIT_UNREADABLE;
    }
    int status = cli_inputs_status(info);
    if (info->output_failed < 0) {
        /* a failed write is said by the command when it closes that output, naming it */
        r->run_failed = 1;
        if (info->output_failed != NTA_EIO)
            cli_errorf("writing the output failed: %s", nta_strerror(info->output_failed));
        return CLI_EXIT_UNREADABLE;
    }
    if (info->evicted > 0)
        cli_errorf("%llu connections evicted by --max-flows %u; their later segments were picked "
                   "up mid-stream", (unsigned long long)info->evicted, info->max_flows);
    if (r->locals_given && info->packets > 0 && info->events == 0) {
        char desc[1024];
        nta_locals_describe(&info->traced, desc, sizeof desc);
        cli_errorf("no packet of the input was sent or received by the traced hosts (--local %s): "
                   "the results are empty", desc);
    }
    return status;
}

void cli_announce(cli_run *r, const nta_run_info *info)
{
    r->locals_given = !info->traced.inferred && !info->traced.all && info->traced.n > 0;
    announce(r, info);
}

int cli_merged_status(cli_run *r, const nta_run_info *info)
{
    nta_err none;
    nta_err_clear(&none);
    return capture_run_status(r, info, 0, &none);
}
