#!/usr/bin/env bash
# tests/cli/test_seam.sh: what the library seam (issue 13) changed for users, as a user runs it.
#
# Usage: test_seam.sh NTA_BINARY SOURCE_DIR. Truth:
# - a FIFO or standard input is read once: a FIFO that holds no capture ends with the text
#   hint and exit 3 (before, nta reopened it to look and waited forever); dtrace text on
#   standard input is read as dtrace text, giving the same reports as the file;
# - interface names that are not UTF-8 (a pcapng if_name is whatever its writer put there) give
#   valid JSON everywhere (Python's json module, and jq when installed), and the bytes come back
#   by the documented rule: a JSON string whose code points are all below 256 is the name's
#   Latin-1 reading (man/nta.1);
# - --fail-if names must be metrics exactly (a prefix such as 'ooo.pack' is not one), and a
#   metric the input cannot give is an error, not a gate that never fires: Example 3 text shows
#   only tcp:::send/receive, so connect_refused can never count; dtrace text has no capture to
#   pick connections up mid-stream in.
. "$(dirname "$0")/start.sh" "$@"

VS=$FX/veth-scenarios.pcap

# --- a FIFO read once ---
mkfifo "$TMP/fifo"
printf 'hello\n' >"$TMP/fifo" &
PIDS+=($!)
expect 3 "a FIFO holding text, not a capture" -- timeout 20 "$NTA" info "$TMP/fifo"
has "$TMP/err" "is text, but not dtrace output nta reads" "the text hint for a FIFO"
cat "$VS" >"$TMP/fifo" &
PIDS+=($!)
expect 0 "a FIFO holding a capture" -- timeout 20 "$NTA" info -q --ifname veth-scenarios.pcap "$TMP/fifo"
"$NTA" info -q "$VS" >"$TMP/want"
sed 's#^file: .*##' "$TMP/want" >"$TMP/want.cut"
sed 's#^file: .*##' "$TMP/out" >"$TMP/out.cut"
same "$TMP/want.cut" "$TMP/out.cut" "a capture through a FIFO describes as the file does"

# --- dtrace text on standard input ---
"$NTA" events -q --format dtrace "$VS" >"$TMP/vs.ntaev"
"$NTA" report -q --all "$TMP/vs.ntaev" >"$TMP/want"
expect 0 "dtrace text on standard input" -- timeout 60 sh -c "\"$NTA\" report -q --all - <\"$TMP/vs.ntaev\""
same "$TMP/want" "$TMP/out" "reports from dtrace text on standard input equal the file's"
printf 'hello\n' | "$NTA" info - >"$TMP/out" 2>"$TMP/err"
eq "$?" 3 "text on standard input that nta cannot read"
has "$TMP/err" "is text, but not dtrace output nta reads" "the text hint for standard input"

# --- names that are not UTF-8 ---
# two-links.pcapng names its interfaces vfx-s/...: make one "vfx\xe9s" (same length, so every
# block length stays right)
python3 - "$FX/two-links.pcapng" "$TMP/latin1.pcapng" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
assert d.count(b'vfx-s') >= 1
open(sys.argv[2], 'wb').write(d.replace(b'vfx-s', b'vfx\xe9s'))
EOF
check_json() {   # check_json FILE WHAT: every line (jsonl) or the whole file is valid JSON
    if python3 - "$1" "$2" <<'EOF'
import json, sys
path, how = sys.argv[1], sys.argv[2]
text = open(path, 'rb').read().decode('utf-8')        # strict: the output itself is UTF-8
docs = [json.loads(l) for l in text.splitlines() if l] if how == 'lines' else [json.loads(text)]
def names(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ('if_name', 'name', 'key') and isinstance(v, (str, list)):
                yield from (v if isinstance(v, list) else [v])
            else:
                yield from names(v)
    elif isinstance(o, list):
        for v in o:
            yield from names(v)
got = {n for d in docs for n in names(d) if isinstance(n, str) and 'vfx' in n}
want = b'vfx\xe9s'.decode('latin-1')
assert want in got, got
# the rule: code points below 256 give back the bytes
assert want.encode('latin-1') == b'vfx\xe9s'
EOF
    then ok; else bad "$3: not valid JSON, or the name did not come back"; fi
}
"$NTA" events -q --format jsonl --local all "$TMP/latin1.pcapng" >"$TMP/ev.jsonl"
check_json "$TMP/ev.jsonl" lines "events JSON Lines with a Latin-1 interface name"
"$NTA" info --format json "$TMP/latin1.pcapng" >"$TMP/info.json" 2>/dev/null
check_json "$TMP/info.json" doc "info JSON with a Latin-1 interface name"
"$NTA" report -q --ifhist --format json --local all "$TMP/latin1.pcapng" >"$TMP/ifhist.json"
check_json "$TMP/ifhist.json" doc "ifhist JSON with a Latin-1 interface name"
if command -v jq >/dev/null; then
    jq -e . "$TMP/ev.jsonl" >/dev/null 2>&1
    eq "$?" 0 "jq reads the events"
fi
"$NTA" events -q --format csv --local all "$TMP/latin1.pcapng" >"$TMP/ev.csv"
python3 - "$TMP/ev.csv" <<'EOF' && ok || bad "events CSV with a Latin-1 interface name"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='latin-1', newline='')))
assert any(r['arg3.if_name'] == 'vfx\xe9s' for r in rows)
EOF

# --- --fail-if names and what the input can give ---
expect 2 "a metric's prefix is no metric" -- "$NTA" report --ooo --fail-if 'ooo.pack > -1' "$VS"
has "$TMP/err" "no metric 'ooo.pack'" "the prefix is named"
"$NTA" report -q --packets "$VS" >"$TMP/vs.ex3"
expect 3 "a probe count Example 3 text cannot give" -- \
    "$NTA" report -q --packets --fail-if 'connect_refused > 0' "$TMP/vs.ex3"
has "$TMP/err" "connect_refused cannot be computed from Example 3" "the metric and the input are named"
expect 3 "midstream on dtrace text" -- "$NTA" report -q --packets --fail-if 'midstream > 0' "$TMP/vs.ex3"
expect 3 "an ooo metric on Example 3 text" -- "$NTA" report -q --packets --fail-if 'ooo.packets > 0' "$TMP/vs.ex3"
has "$TMP/err" "a --fail-if metric needs --ooo" "the report the metric needs is named"
expect 0 "a metric the input gives" -- "$NTA" report -q --packets --fail-if 'packets.lines > 1000000' "$TMP/vs.ex3"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
