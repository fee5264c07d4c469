#!/usr/bin/env python3
"""tests/cli/dscript_sim.py: what dtrace/nta-events.d would print for nta's events.

Usage: dscript_sim.py SCRIPT.d EVENTS.jsonl > lines

No DTrace runs here, so the shipped D script is checked by executing its printf statements on
the events nta synthesises (JSON Lines of `nta events`): for each event, the clauses whose probe
list names its probe run in program order (as DTrace runs them), each printf's format applied to
its arguments (args[N]->field, probeprov, probename, timestamp, walltimestamp, literals). D's
%d/%u/%s behave as C's for these types. The test compares the result with the lines
`nta events --format dtrace` writes and `nta` reads back: the script, the writer and the reader
must agree on every field, its order and its format.
"""
import json
import re
import sys

NULL_STR = {"ipv4_protostr": "<null>", "ipv6_nextstr": "<null>", "if_name": ""}


def clauses(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    text = re.sub(r"^#.*$", "", text, flags=re.M)
    for m in re.finditer(r"^([a-zA-Z][a-zA-Z:\-,\s]*?)\s*\{(.*?)\n\}", text, flags=re.S | re.M):
        probes = [p.strip() for p in m.group(1).split(",") if p.strip()]
        printfs = []
        for pm in re.finditer(r'printf\(\s*"((?:[^"\\]|\\.)*)"\s*((?:,[^;]*?)?)\);', m.group(2), flags=re.S):
            fmt = pm.group(1).encode().decode("unicode_escape")
            args = [a.strip() for a in split_args(pm.group(2))]
            printfs.append((fmt, args))
        out.append((probes, printfs))
    return out


def split_args(s):
    s = s.strip()
    if s.startswith(","):
        s = s[1:]
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def value(expr, ev):
    expr = re.sub(r"^\((u?int\d+_t)\)", "", expr).strip()
    if expr == "probeprov":
        return ev["probe"].split(":::")[0]
    if expr == "probename":
        return ev["probe"].split(":::")[1]
    if expr in ("timestamp", "walltimestamp"):
        return ev["ts_ns"]
    if re.fullmatch(r"-?\d+", expr):
        return int(expr)
    m = re.fullmatch(r"args\[(\d)\]->(\w+)", expr)
    if not m:
        raise SystemExit("dscript_sim: cannot evaluate %r" % expr)
    arg = ev["args"][int(m.group(1))]
    field = m.group(2)
    if arg is None:   # a NULL argument: nta's writer prints what a zeroed structure holds
        if field in NULL_STR:
            return NULL_STR[field]
        return "<unknown>" if field.endswith("addr") and not field.endswith("_addr") else 0
    return arg[field]


def main():
    script = clauses(open(sys.argv[1]).read())
    begun = False
    for line in open(sys.argv[2]):
        ev = json.loads(line)
        if "probe" not in ev:
            continue
        if not begun:   # dtrace:::BEGIN runs first
            for probes, printfs in script:
                if "dtrace:::BEGIN" in probes:
                    for fmt, args in printfs:
                        sys.stdout.write(fmt % tuple(value(a, ev) for a in args))
            begun = True
        for probes, printfs in script:
            if ev["probe"] in probes:
                for fmt, args in printfs:
                    sys.stdout.write(fmt % tuple(value(a, ev) for a in args))


main()
