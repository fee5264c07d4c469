#!/usr/bin/env python3
"""tests/conformance/run.py: run DTrace's own test suite through `nta run`.

Usage: run.py [--min-pass PCT] [--table FILE | --no-table] [--only SUBSTRING] [-v] CORPUS_DIR

CORPUS_DIR holds MANIFEST.tsv and the expected NAME.out / NAME.err files, as
../shared/conformance/dtrace/ does (real outputs of oracle/dtrace-utils' test suite; see its
README-research.md). The NAME.d scripts are others' code and are never committed: they are read
from $NTA_CONFORMANCE_SCRIPTS (../shared/conformance/restore-scripts.py writes them), and every
test is skipped, saying so, when that folder is not given or lacks the script. The binary is
$NTA, else build/nta of this checkout.

Each test runs as upstream's runtest.sh ran it: `nta run --dtrace-testing -s NAME.d` plus the
manifest's runtest_opts, and -xerrtags for err.* tests (nta's --dtrace-testing is the layout of
dtrace-utils' _DTRACE_TESTING mode). Checks, per the manifest: the exit status; stdout, with
every 0x[0-9a-f]+ masked as {ptr}, equal to NAME.out exactly ("exact") or as sorted lines
("sorted-lines": upstream compared sorted files); and for err.D_TAG.* tests, "[D_TAG]" on
stderr. stderr is not compared otherwise (it names upstream's paths and wording).

Prints one line per failure (with -v, per test), then "N passed, M failed, K skipped", and
writes a per-test table with every failure's and skip's reason (default
tests/conformance/RESULTS.md, only when some test ran). Exits 1 when fewer than --min-pass
percent of the tests that ran passed, 77 when every test was skipped, else 0.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PTR = re.compile(rb"0x[0-9a-f]+")


def load_manifest(corpus):
    rows = []
    header = None
    with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if header is None:
                header = cols
                continue
            rows.append(dict(zip(header, cols)))
    return rows


def tag_of(name):
    """The D_TAG an err.D_TAG.* test expects, or None."""
    m = re.search(r"(?:^|\.)err\.(D_[A-Z0-9_]+)", name)
    return m.group(1) if m else None


def first_diff(exp, got):
    el, gl = exp.split(b"\n"), got.split(b"\n")
    for i in range(max(len(el), len(gl))):
        e = el[i] if i < len(el) else None
        g = gl[i] if i < len(gl) else None
        if e != g:
            return "line %d: expected %r, got %r" % (i + 1, e, g)
    return "differs"


def run_test(nta, scripts, corpus, row, timeout):
    name = row["name"]
    script = os.path.join(scripts, name + ".d") if scripts else None
    if script is None or not os.path.isfile(script):
        return "skip", "script not available (NTA_CONFORMANCE_SCRIPTS %s)" % (
            "unset" if not scripts else "lacks " + name + ".d")
    cmd = [nta, "run", "--dtrace-testing"]
    tag = tag_of(name)
    if name.split(".")[1] == "err" or tag:
        cmd.append("-xerrtags")
    cmd += ["-s", name + ".d"]   # relative, as the suite runs them: messages name it so
    opts = row.get("runtest_opts", "").strip()
    if opts:
        cmd += opts.split()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                           cwd=scripts)
    except subprocess.TimeoutExpired:
        return "fail", "timed out after %d s" % timeout
    out = PTR.sub(b"{ptr}", p.stdout)
    err = PTR.sub(b"{ptr}", p.stderr)
    with open(os.path.join(corpus, name + ".out"), "rb") as f:
        exp = f.read()
    want_exit = int(row.get("expected_exit") or 0)
    errline = err.decode("utf-8", "replace").strip().splitlines()
    errline = errline[0][:200] if errline else ""
    if p.returncode < 0:
        return "fail", "killed by signal %d; stderr: %s" % (-p.returncode, errline)
    if p.returncode != want_exit:
        return "fail", "exit status %d, expected %d; stderr: %s" % (p.returncode, want_exit, errline)
    if tag and ("[%s]" % tag).encode() not in err:
        return "fail", "stderr lacks [%s]: %s" % (tag, errline)
    if row.get("upstream_compare") == "exact":
        if out != exp:
            return "fail", "stdout " + first_diff(exp, out)
    else:
        if sorted(out.split(b"\n")) != sorted(exp.split(b"\n")):
            return "fail", "stdout (sorted lines) " + first_diff(exp, out)
    return "pass", ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--min-pass", type=float, default=0.0)
    ap.add_argument("--table", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--no-table", action="store_true")
    ap.add_argument("--only", default=None)
    ap.add_argument("--timeout", type=int, default=20)
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    nta = os.environ.get("NTA") or os.path.join(ROOT, "build", "nta")
    if os.sep in nta:
        nta = os.path.abspath(nta)   # the tests run in the scripts' folder
    scripts = os.environ.get("NTA_CONFORMANCE_SCRIPTS")
    if scripts:
        scripts = os.path.abspath(scripts)
    rows = load_manifest(a.corpus)
    if a.only:
        rows = [r for r in rows if a.only in r["name"]]
    results = []
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for row in rows:
        res, why = run_test(nta, scripts, a.corpus, row, a.timeout)
        counts[res] += 1
        results.append((row, res, why))
        if res == "fail" or a.v:
            print("%s %s %s" % (res.upper(), row["name"], why))
    ran = counts["pass"] + counts["fail"]
    if not a.no_table and ran > 0:
        with open(a.table, "w", encoding="utf-8") as f:
            f.write("# DTrace conformance: `nta run` on oracle/dtrace-utils' tests\n\n")
            f.write("Generated by `tests/conformance/run.py` (do not edit). Corpus: "
                    "`../shared/conformance/dtrace/` (%d tests, expected outputs of "
                    "dtrace-utils' test suite; its README-research.md). Layout: "
                    "`--dtrace-testing`.\n\n" % len(rows))
            f.write("**%d passed, %d failed, %d skipped** (%.1f %% of %d).\n\n" % (
                counts["pass"], counts["fail"], counts["skip"],
                100.0 * counts["pass"] / max(1, len(rows)), len(rows)))
            f.write("| test | category | result | reason |\n|---|---|---|---|\n")
            for row, res, why in results:
                f.write("| %s | %s | %s | %s |\n" % (row["name"], row.get("category", ""), res,
                                                   why.replace("|", "\\|").replace("\n", " ")))
    print("%d passed, %d failed, %d skipped" % (counts["pass"], counts["fail"], counts["skip"]))
    if ran == 0:
        return 77
    if 100.0 * counts["pass"] / len(rows) < a.min_pass:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
