#!/usr/bin/env python3
"""tests/dscript/run_cases.py: nta run's own D tests.

Usage: run_cases.py NTA CASES_DIR [SHARED_DIR]

Each case is CASES_DIR/NAME.d, run as `nta run [ARGS] -s NAME.d` from CASES_DIR with TZ=UTC,
where ARGS is the single line of NAME.args if present ({shared} stands for SHARED_DIR,
{fixtures} for the project's fixtures/). Checks: stdout equals NAME.out byte for byte (absent:
empty), the exit status equals NAME.status (absent: 0), and every line of NAME.err (if present)
occurs in stderr. Every expected output was written by hand from DTrace's documented behaviour
(shared/reference/d-language.md and dtrace-providers.md, and the layouts of
shared/conformance/dtrace/*.out); the .d file's first comment says where each value comes from.
A case whose ARGS name {shared} is skipped when SHARED_DIR is absent. Prints one line per
failure and "N passed, M failed, K skipped"; exits 1 on any failure.
"""
import os
import shlex
import subprocess
import sys


def read(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, "rb") as f:
        return f.read()


def main():
    nta, cases = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shared = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    fixtures = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(cases))), "fixtures")
    env = dict(os.environ, TZ="UTC")
    passed = failed = skipped = 0
    for name in sorted(f[:-2] for f in os.listdir(cases) if f.endswith(".d")):
        base = os.path.join(cases, name)
        args = read(base + ".args", b"").decode().strip()
        if "{shared}" in args and (shared is None or not os.path.isdir(shared)):
            skipped += 1
            continue
        args = args.replace("{shared}", shared or "").replace("{fixtures}", fixtures)
        words = shlex.split(args)
        cut = words.index("--") if "--" in words else len(words)
        cmd = [nta, "run"] + words[:cut] + ["-s", name + ".d"] + words[cut:]
        try:
            p = subprocess.run(cmd, cwd=cases, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=60)
        except subprocess.TimeoutExpired:
            print("FAIL %s: timed out" % name)
            failed += 1
            continue
        want_out = read(base + ".out", b"")
        want_status = int(read(base + ".status", b"0").decode().strip() or 0)
        problems = []
        if p.returncode != want_status:
            problems.append("exit status %d, expected %d" % (p.returncode, want_status))
        if p.stdout != want_out:
            got, exp = p.stdout.split(b"\n"), want_out.split(b"\n")
            for i in range(max(len(got), len(exp))):
                g = got[i] if i < len(got) else None
                e = exp[i] if i < len(exp) else None
                if g != e:
                    problems.append("stdout line %d: expected %r, got %r" % (i + 1, e, g))
                    break
        for line in read(base + ".err", b"").decode().splitlines():
            if line and line.encode() not in p.stderr:
                problems.append("stderr lacks %r (stderr: %r)" % (line, p.stderr[:300]))
        if problems:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            passed += 1
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
