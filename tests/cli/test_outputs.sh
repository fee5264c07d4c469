#!/usr/bin/env bash
# tests/cli/test_outputs.sh: what nta does with its outputs under abuse (issue 14), as a user
# (or a hostile one) runs it.
#
# Usage: test_outputs.sh NTA_BINARY SOURCE_DIR. Truth is the system's own: /dev/full fails every
# write with ENOSPC, a closed descriptor with EBADF, a pipe whose reader left with EPIPE (or
# SIGPIPE's default death, status 141); cmp against the untouched inputs and earlier results;
# Python's csv module for quoting. Each class of the issue has its cases:
# - an output that is an input (the same path, a hard link, standard output appended onto it)
#   is refused before anything is opened for writing, and the input stays intact;
# - the same file given twice is refused;
# - a failed write is exit 3 on every output path (-o FILE, standard output, --output-dir, every
#   convert target, --help and --version), naming the output and the system's reason;
# - an output that cannot be made is exit 3; "-o -" is standard output;
# - SIGINT during `report --output-dir` stops reading, says so, exits 130, keeps the results of
#   what was read as NAME.partial and leaves an earlier run's complete results as they were;
# - NaN or infinity is no number for --fail-if, --msl, --idle-timeout and --interval;
# - a --local host that never shows up is said, not answered with silently empty reports;
# - a CSV field holding quotes and commas is quoted (RFC 4180).
. "$(dirname "$0")/start.sh" "$@"

VS=$FX/veth-scenarios.pcap
cp "$VS" "$TMP/c.pcap"
cp "$VS" "$TMP/keep.pcap"

# --- an output that is an input ---
expect 2 "report -o onto its input" -- "$NTA" report -q --ooo -o "$TMP/c.pcap" "$TMP/c.pcap"
has "$TMP/err" "is the input" "the refusal names it"
expect 2 "events -o onto its input" -- "$NTA" events -q -o "$TMP/c.pcap" "$TMP/c.pcap"
expect 2 "convert --to zst onto its input" -- "$NTA" convert --to zst -o "$TMP/c.pcap" "$TMP/c.pcap"
ln "$TMP/c.pcap" "$TMP/link.pcap"
expect 2 "an output that is a hard link of the input" -- "$NTA" events -q -o "$TMP/link.pcap" "$TMP/c.pcap"
expect 2 "--output-dir holding the input under a report's name" -- \
    sh -c "cp \"$TMP/c.pcap\" \"$TMP/ooo.txt\" && \"$NTA\" report -q --ooo --output-dir \"$TMP\" \"$TMP/ooo.txt\""
expect 2 "standard output appended onto the input" -- sh -c "\"$NTA\" events -q \"$TMP/c.pcap\" >>\"$TMP/c.pcap\""
same "$TMP/c.pcap" "$TMP/keep.pcap" "the input is intact after every refusal"
expect 2 "the same file twice" -- "$NTA" info "$TMP/c.pcap" "$TMP/link.pcap"
has "$TMP/err" "are the same file" "the duplicate is named"

# --- failed writes, on every output path ---
full() {   # full DESCRIPTION WHERE -- COMMAND...: exit 3 and ENOSPC named
    local what=$1 where=$2
    shift 3
    expect 3 "$what" -- "$@"
    has "$TMP/err" "writing $where failed: No space left on device" "$what: the output and the reason"
}
full "events to a full standard output" "standard output" -- sh -c "\"$NTA\" events -q \"$VS\" >/dev/full"
full "events -o a full device" "/dev/full" -- "$NTA" events -q -o /dev/full "$VS"
full "report to a full standard output" "standard output" -- sh -c "\"$NTA\" report -q --all \"$VS\" >/dev/full"
full "info -o a full device" "/dev/full" -- "$NTA" info --format json -o /dev/full "$VS"
full "convert --to pcap on a full device" "/dev/full" -- "$NTA" convert -q --to pcap -o /dev/full "$VS"
full "convert --to pcapng on a full device" "/dev/full" -- "$NTA" convert -q --to pcapng -o /dev/full "$VS"
full "convert --to zst on a full device" "/dev/full" -- "$NTA" convert --to zst -o /dev/full "$VS"
full "--help to a full standard output" "standard output" -- sh -c "\"$NTA\" --help >/dev/full"
full "--version to a full standard output" "standard output" -- sh -c "\"$NTA\" --version >/dev/full"
full "report --help to a full standard output" "standard output" -- sh -c "\"$NTA\" report --help >/dev/full"
expect 3 "convert --to pcap to a closed standard output" -- sh -c "\"$NTA\" convert -q --to pcap \"$VS\" >&-"
has "$TMP/err" "Bad file descriptor" "a closed standard output is named for what it is"
"$NTA" events -q "$VS" 2>/dev/null | head -c 1 >/dev/null
eq "${PIPESTATUS[0]}" 141 "a reader that left ends nta as SIGPIPE ends every filter"
(trap '' PIPE; "$NTA" events -q "$VS" 2>"$TMP/err" | head -c 1 >/dev/null; echo "${PIPESTATUS[0]}" >"$TMP/rc")
eq "$(cat "$TMP/rc")" 3 "with SIGPIPE ignored, a broken pipe is exit 3"
has "$TMP/err" "Broken pipe" "and it is called a broken pipe, not an I/O error"
expect 3 "an output that cannot be made" -- "$NTA" info -o "$TMP/no/such/dir/x" "$VS"
has "$TMP/err" "cannot write $TMP/no/such/dir/x" "the output is named"
expect 3 "an --output-dir that cannot be made" -- "$NTA" report -q --output-dir "$TMP/c.pcap/x" "$VS"
mkdir "$TMP/cwd"
expect 0 "-o - is standard output" -- sh -c "cd \"$TMP/cwd\" && \"$NTA\" report -q --ooo -o - \"$VS\""
"$NTA" report -q --ooo "$VS" >"$TMP/want"
same "$TMP/want" "$TMP/out" "-o - writes what standard output gets"
[ -e "$TMP/cwd/-" ] && bad "-o - made a file named -" || ok

# --- reports sharing standard output wait in TMPDIR, and a folder that fails is named ---
expect 3 "no temporary file can be made" -- env TMPDIR=/proc "$NTA" report -q --ooo --states "$VS"
has "$TMP/err" "cannot make a temporary file in /proc" "the folder is named, not a misleading cause"
has "$TMP/err" "set TMPDIR" "and the way out is said"
mkdir "$TMP/tmpd"
expect 0 "reports sharing the output with TMPDIR set" -- env TMPDIR="$TMP/tmpd" "$NTA" report -q --ooo --states "$VS"

# --- a full disk keeps the earlier file: the new one is written aside and renamed ---
"$NTA" report -q --ooo -o "$TMP/ooo.txt.keep" "$VS"
cp "$TMP/ooo.txt.keep" "$TMP/ooo.prev"
ls "$TMP" | grep -v '^ls\.' >"$TMP/ls.before"
expect 0 "rewriting a report in place" -- "$NTA" report -q --ooo -o "$TMP/ooo.txt.keep" "$FX/reorder.pcap"
ls "$TMP" | grep -v '^ls\.' >"$TMP/ls.after"
same "$TMP/ls.before" "$TMP/ls.after" "no temporary file is left beside the output"
cmp -s "$TMP/ooo.prev" "$TMP/ooo.txt.keep" && bad "the rewritten report is the old one" || ok

# --- SIGINT during report --output-dir ---
mkdir "$TMP/out-dir"
"$NTA" report -q --all --format json --output-dir "$TMP/out-dir" "$FX/reorder.pcap"
cp -r "$TMP/out-dir" "$TMP/out-prev"
mkfifo "$TMP/slow"
size=$(stat -c %s "$FX/reorder.pcap")
half=$((size / 2))
{ head -c "$half" "$FX/reorder.pcap"; sleep 2; tail -c +"$((half + 1))" "$FX/reorder.pcap"; } >"$TMP/slow" &
PIDS+=($!)
"$NTA" report -q --all --format json --output-dir "$TMP/out-dir" "$TMP/slow" 2>"$TMP/int.err" &
nta_pid=$!
sleep 1
kill -INT "$nta_pid"
wait "$nta_pid"
eq "$?" 130 "SIGINT: exit 130"
has "$TMP/int.err" "interrupted (Interrupt): stopped after" "SIGINT: stderr says how far it got"
diff -r -q "$TMP/out-prev" "$TMP/out-dir" -x '*.partial' >/dev/null && ok \
    || bad "SIGINT: an earlier run's complete results were changed"
n=$(ls "$TMP/out-dir"/*.partial 2>/dev/null | wc -l)
eq "$n" 6 "SIGINT: what was read is kept as six .partial reports"
python3 -c "import json,sys; [json.load(open(f)) for f in sys.argv[1:]]" "$TMP"/out-dir/*.partial \
    && ok || bad "SIGINT: the partial reports are complete JSON documents"

# --- no number is not a number ---
expect 2 "--fail-if nan" -- "$NTA" report -q --ooo --fail-if 'ooo.packets > nan' "$VS"
expect 2 "--fail-if inf" -- "$NTA" report -q --ooo --fail-if 'ooo.packets < inf' "$VS"
expect 2 "--msl nan" -- "$NTA" report -q --ooo --msl nan "$VS"
expect 2 "--idle-timeout nan" -- "$NTA" events -q --idle-timeout nan "$VS"
expect 2 "--interval nan" -- "$NTA" report -q --bytes --interval nan "$VS"
expect 2 "--interval inf" -- "$NTA" report -q --bytes --interval inf "$VS"

# --- a --local host that never shows up ---
expect 0 "--local of a host not in the capture" -- "$NTA" report -q --ooo --local 192.0.2.99 "$VS"
has "$TMP/err" "no packet of the input was sent or received by the traced hosts" "it is said"

# --- CSV quoting ---
python3 - "$FX/two-links.pcapng" "$TMP/quote.pcapng" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(d.replace(b'vfx-s', b'v"x,s'))
EOF
"$NTA" report -q --ifhist --format csv --local all "$TMP/quote.pcapng" >"$TMP/q.csv"
"$NTA" events -q --format csv --local all "$TMP/quote.pcapng" >"$TMP/qe.csv"
python3 - "$TMP/q.csv" "$TMP/qe.csv" <<'EOF' && ok || bad "a name with a quote and a comma is one CSV field"
import csv, sys
rows = [r for r in csv.reader(l for l in open(sys.argv[1]) if not l.startswith('#'))]
assert any(r[0] == 'v"x,s' for r in rows[1:]), rows[:3]
ev = list(csv.DictReader(open(sys.argv[2], newline='')))
assert any(r['arg3.if_name'] == 'v"x,s' for r in ev)
EOF

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
