#!/usr/bin/env bash
# bench/run.sh: time nta against its peers on the same captures in the same run.
#
# Usage: bash bench/run.sh [CAPTURE...]   (default: /tmp/ntabench/{conns,hdr128,mix}.pcap when
# present; make them with ../shared/bench/make-captures.sh, which builds real Linux TCP traffic
# in network namespaces). Each command runs after `cat F >/dev/null` warmed the page cache;
# commands under 20 s run 5 times and the median wall time counts (this 2-vCPU VM's run-to-run
# spread is 10-40 %: three runs left a ratio at the mercy of one slow run). GNU time gives wall, user,
# sys and peak RSS. Peers: tcptrace -n, tshark -z conv,tcp (with and without TCP reassembly),
# tcpdump -nr, tracestats (libtrace); the .zst form of each capture (made once next to it) is
# timed through nta against `zstd -dc` alone. Prints a markdown table with packets/s, MB/s and
# nta/peer ratios; raw rows go to bench/results/raw.tsv. Never a test: figures depend on the
# machine.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NTA=${NTA:-$HERE/../build/nta}
OUT=$HERE/results
mkdir -p "$OUT"
RAW=$OUT/raw.tsv
caps=("$@")
if [ ${#caps[@]} -eq 0 ]; then
    for c in conns hdr128 mix; do [ -f /tmp/ntabench/$c.pcap ] && caps+=(/tmp/ntabench/$c.pcap); done
fi
[ ${#caps[@]} -gt 0 ] || { echo "no captures: run ../shared/bench/make-captures.sh first" >&2; exit 2; }
command -v tcptrace >/dev/null || { echo "tcptrace missing (apt-get install tcptrace)" >&2; exit 2; }

printf 'capture\ttool\twall_s\tuser_s\tsys_s\trss_kb\n' >"$RAW"

ARTICLE=${ARTICLE:-$HERE/../../shared/article-scripts}
LIMIT=${LIMIT:-300}   # seconds; a peer still running then is killed and reported as "> LIMIT"

# run1 CMD...: one timed run; echoes "wall user sys rss" (wall prefixed by ">" when killed)
run1() {
    local rc=0
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/.time" timeout "$LIMIT" "$@" >/dev/null 2>"$OUT/.err" || rc=$?
    if [ "$rc" -eq 124 ]; then
        echo ">$(tail -1 "$OUT/.time")"
    else
        tail -1 "$OUT/.time"
    fi
}

# timed CAPTURE TOOL CMD...: median of 5 (1 when the first run takes 20 s or more)
timed() {
    local cap=$1 tool=$2
    shift 2
    local first rest=() r
    first=$(run1 "$@")
    if [[ "$first" != ">"* ]] && awk -v w="${first%% *}" 'BEGIN { exit !(w < 20) }'; then
        rest+=("$(run1 "$@")" "$(run1 "$@")" "$(run1 "$@")" "$(run1 "$@")")
    fi
    r=$(printf '%s\n' "$first" "${rest[@]}" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
    printf '%s\t%s\t%s\n' "$(basename "$cap")" "$tool" "$(echo "$r" | tr ' ' '\t')" >>"$RAW"
}

for cap in "${caps[@]}"; do
    cat "$cap" >/dev/null
    timed "$cap" nta-events "$NTA" events -q --format none "$cap"
    timed "$cap" nta-events-all "$NTA" events -q --format none --local all "$cap"
    timed "$cap" nta-info "$NTA" info -q "$cap"
    # every report from one read, written to files (issue 6 measures it against the floors on
    # every capture; the packet log of hdr128 is 1.3 GB of text), and the aggregating reports
    # alone (no per-packet or per-state-change log lines)
    timed "$cap" nta-report-all "$NTA" report -q --all --output-dir "$OUT/.reports" "$cap"
    timed "$cap" nta-report-aggs "$NTA" report -q --durations --ifhist --ooo --bytes --output-dir "$OUT/.reports" "$cap"
    # the machine formats against text (issue 13: within 1.5x), and every event format's output
    # rate (issue 13: >= 400 MB/s of output on one core; output bytes are counted below)
    timed "$cap" nta-report-all-json "$NTA" report -q --all --format json --output-dir "$OUT/.reports" "$cap"
    timed "$cap" nta-report-all-csv "$NTA" report -q --all --format csv --output-dir "$OUT/.reports" "$cap"
    for f in jsonl csv text dtrace; do
        timed "$cap" "nta-events-fmt-$f" "$NTA" events -q --format "$f" "$cap"
    done
    # nta run against the report each article script reproduces (issue 15: within 1.5x)
    if [ -d "$ARTICLE" ]; then
        timed "$cap" nta-run-ex9-fixed "$NTA" run "$ARTICLE/ex9-fixed.d" "$cap"
        timed "$cap" nta-report-ooo "$NTA" report -q --ooo "$cap"
        timed "$cap" nta-run-ex3 "$NTA" run "$ARTICLE/ex3.d" "$cap"
        timed "$cap" nta-report-packets "$NTA" report -q --packets "$cap"
    fi
    timed "$cap" tcptrace-n tcptrace -n "$cap"
    timed "$cap" tshark-conv-tcp tshark -n -q -r "$cap" -z conv,tcp
    timed "$cap" tshark-conv-tcp-nodeseg tshark -n -q -o tcp.desegment_tcp_streams:FALSE -r "$cap" -z conv,tcp
    timed "$cap" tcpdump-nr tcpdump -nr "$cap"
    command -v tracestats >/dev/null && timed "$cap" tracestats tracestats "pcapfile:$cap"
    # the .zst form: nta decompressing while it analyses, against decompression alone
    [ -f "$cap.zst" ] || zstd -q -3 -k "$cap"
    cat "$cap.zst" >/dev/null
    timed "$cap" nta-events-zst "$NTA" events -q --format none "$cap.zst"
    timed "$cap" zstd-dc zstd -q -dc "$cap.zst"
done

# memory with many flows left open (issue 14): 200,000 half-open connections
SYN=${NTABENCH_DIR:-/tmp/ntabench}/syn200k.pcap
[ -f "$SYN" ] || python3 "$HERE/syn200k.py" "$SYN"
timed "$SYN" nta-report-bytes-json "$NTA" report -q --bytes --format json --output-dir "$OUT/.reports" "$SYN"
timed "$SYN" nta-report-all "$NTA" report -q --all --output-dir "$OUT/.reports" "$SYN"
timed "$SYN" nta-report-all-maxflows-1000 "$NTA" report -q --all --max-flows 1000 --output-dir "$OUT/.reports" "$SYN"
timed "$SYN" nta-report-aggs-maxflows-1000 "$NTA" report -q --durations --ifhist --ooo --states --packets --max-flows 1000 --output-dir "$OUT/.reports" "$SYN"
caps+=("$SYN")

# summary: packets from nta info's JSON, ratios against each peer
PEER_RESULTS=${PEER_RESULTS:-$HERE/../../shared/bench/PEER-RESULTS.md} python3 - "$RAW" "${caps[@]}" <<'PY'
import json, subprocess, sys, os, collections
raw, caps = sys.argv[1], sys.argv[2:]
rows = [l.rstrip("\n").split("\t") for l in open(raw)][1:]
nta = os.environ.get("NTA") or os.path.join(os.path.dirname(raw), "..", "..", "build", "nta")
meta = {}
for c in caps:
    j = json.loads(subprocess.run([nta, "info", "-q", "--format", "json", c], capture_output=True, text=True).stdout)
    meta[os.path.basename(c)] = (j["packets"], os.path.getsize(c))
by = collections.defaultdict(dict)
for cap, tool, wall, user, sys_, rss in rows:
    killed = wall.startswith(">")
    by[cap][tool] = (float(wall.lstrip(">")), float(user), float(sys_), int(rss), killed)
# the floors: flowwalk (mmap, decode, 4-tuple hash; ../shared/bench/PEER-RESULTS.md, precise
# 10-run medians) per capture, when that file is there
floors = {}
peer = os.environ["PEER_RESULTS"]
if os.path.exists(peer):
    for line in open(peer):
        f = [x.strip() for x in line.strip().strip("|").split("|")]
        if len(f) == 5 and f[1] == "flowwalk" and f[3].replace(",", "").isdigit():
            floors[f[0] + ".pcap"] = int(f[3].replace(",", ""))
# bytes each event format writes (the rate that matters for them is of output, not input)
outbytes = {}
for c in caps:
    if c.endswith("syn200k.pcap"):
        continue
    for f in ("jsonl", "csv", "text", "dtrace"):
        p = subprocess.Popen([nta, "events", "-q", "--format", f, c], stdout=subprocess.PIPE)
        n = 0
        while True:
            b = p.stdout.read(1 << 20)
            if not b:
                break
            n += len(b)
        p.wait()
        outbytes[(os.path.basename(c), "nta-events-fmt-" + f)] = n
print("| capture | tool | wall s | user s | sys s | packets/s | MB/s | peak RSS MiB | nta events / tool | % of floor | output MB/s |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for cap, tools in by.items():
    pk, size = meta[cap]
    base = tools["nta-events"][0] if "nta-events" in tools else 0
    for tool, (w, u, s, rss, killed) in tools.items():
        w = max(w, 0.01)
        gt, lt = (">", "<") if killed else ("", "")
        fl = f"{100 * pk / w / floors[cap]:.0f} %" if cap in floors and tool.startswith("nta") else ""
        rat = gt + "%.1fx" % (w / base) if base else ""
        ob = outbytes.get((cap, tool))
        om = f"{ob / w / 1e6:,.0f}" if ob else ""
        print(f"| {cap} | {tool}{' (killed)' if killed else ''} | {gt}{w:.2f} | {u:.2f} | {s:.2f} | {lt}{pk / w:,.0f} | {lt}{size / w / 1e6:,.0f} | {rss / 1024:.0f} | {rat} | {fl} | {om} |")
print()
for cap, tools in by.items():
    for run, rep in (("nta-run-ex9-fixed", "nta-report-ooo"), ("nta-run-ex3", "nta-report-packets")):
        if run in tools and rep in tools:
            print(f"{cap}: {run} / {rep} = {tools[run][0] / max(tools[rep][0], 0.01):.2f}x wall (issue 15: at most 1.5x)")
PY
