#!/usr/bin/env python3
"""tests/cli/validate_formats.py: nta's machine formats parse as what they claim to be, on every
capture (issue 13: "outputs validated by jq/Python's json and csv modules on every public
capture, not just compared with the old bytes").

Usage: validate_formats.py NTA SOURCE_DIR. For each own fixture and each public capture
(../shared/fixtures/public, skipped with a message outside CI when absent): `events --format
jsonl` is one JSON value per line, `events --format csv` rows all have the header's columns,
`report --all --format json` is one JSON document with a report per report kind, and each
section of `report --all --format csv` (after its "# nta report" comment lines) is a header and
rows of the header's width, as Python's csv module reads them. jq checks the JSON too when it is
installed. Exit statuses 0, 1 and 3 are all fine here (damaged public captures are meant to give
them; test_cli.sh checks which); the output must parse whatever the status. Prints "N passed, M failed"; exits 1 on a failure, 77 when there is nothing to read.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys

NTA, SRC = sys.argv[1], sys.argv[2]
CAPTURE_EXT = ('.pcap', '.pcapng', '.pcap.gz', '.pcap.zst', '.pcap.xz', '.pcap.bz2', '.erf',
               '.cap', '.pcapng.gz', '.pcapng.zst')
passed = failed = 0


def bad(what):
    global failed
    failed += 1
    print('FAIL: ' + what)


def run(args):
    # latin-1: bytes that are not UTF-8 would be an encoding failure, not the format's
    p = subprocess.run([NTA] + args, capture_output=True)
    return p.returncode, p.stdout.decode('latin-1')


def jq_ok(text, lines):
    if shutil.which('jq') is None:
        return True
    p = subprocess.run(['jq', '-e', '.'] if not lines else ['jq', '-c', '.'],
                       input=text.encode('latin-1'), capture_output=True)
    return p.returncode == 0


def check_capture(path):
    global passed
    name = os.path.basename(path)
    st, out = run(['events', '-q', '--format', 'jsonl', '--local', 'all', path])
    try:
        n = sum(1 for line in out.splitlines() if line and json.loads(line) is not None)
        if st in (0, 1, 3) and jq_ok(out, True):
            passed += 1
        else:
            bad('%s: events jsonl exit %d or jq refused it' % (name, st))
    except ValueError as e:
        bad('%s: events jsonl line not JSON: %s' % (name, e))
    st, out = run(['events', '-q', '--format', 'csv', '--local', 'all', path])
    rows = list(csv.reader(io.StringIO(out, newline='')))
    widths = {len(r) for r in rows}
    if st in (0, 1, 3) and len(widths) <= 1:
        passed += 1
    else:
        bad('%s: events csv exit %d, row widths %s' % (name, st, sorted(widths)))
    st, out = run(['report', '-q', '--all', '--format', 'json', path])
    try:
        doc = json.loads(out)
        kinds = [r.get('report') for r in doc.get('reports', [])] if isinstance(doc, dict) else []
        if st in (0, 1, 3) and len(kinds) >= 6 and jq_ok(out, False):
            passed += 1
        else:
            bad('%s: report --all json exit %d, reports %s' % (name, st, kinds))
    except ValueError as e:
        bad('%s: report --all json is not JSON: %s' % (name, e))
    st, out = run(['report', '-q', '--all', '--format', 'csv', path])
    sections, cur = [], None
    for line in out.splitlines(keepends=True):
        if line.startswith('# nta report '):
            cur = []
            sections.append(cur)
        elif not line.startswith('#') and cur is not None:
            cur.append(line)
    problems = []
    for sec in sections:
        rows = list(csv.reader(io.StringIO(''.join(sec), newline='')))
        if rows and any(len(r) != len(rows[0]) for r in rows):
            problems.append(rows[0])
    if st in (0, 1, 3) and len(sections) >= 6 and not problems:
        passed += 1
    else:
        bad('%s: report --all csv exit %d, %d sections, ragged: %s' % (name, st, len(sections), problems))


def captures(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                  if f.endswith(CAPTURE_EXT) and os.path.isfile(os.path.join(folder, f)))


own = captures(os.path.join(SRC, 'fixtures'))
public_dir = os.path.join(SRC, '..', 'shared', 'fixtures', 'public')
public = captures(public_dir)
if not public:
    if os.environ.get('CI'):
        print('FAIL: %s is missing, and CI must have it' % public_dir)
        sys.exit(1)
    print('note: %s is absent: own fixtures only' % public_dir)
if not own and not public:
    sys.exit(77)
if os.environ.get('NTA_TEST_SANITIZED'):   # the sanitizer build: every fourth public capture
    public = public[::4]
for c in own + public:
    check_capture(c)
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
