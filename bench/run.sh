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
# timed through nta against `zstd -dc` alone, and its pcapng form (nta convert) through nta. Prints a markdown table with packets/s, MB/s and
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

RUNS=${RUNS:-5}      # runs per command under 20 s (the median counts)
PEERS=${PEERS:-1}    # 0: nta's rows only (for a comparison with NTA_PREV)
# NTA_PREV=BINARY: every nta row is also run with that (previous) build, alternating with the
# current one, as "prev:TOOL"; the summary gives current / previous per row (issues 13, 14).
NTA_PREV=${NTA_PREV:-}
if [ "$PEERS" != 0 ]; then
    command -v tcptrace >/dev/null || { echo "tcptrace missing (apt-get install tcptrace)" >&2; exit 2; }
fi

# timed CAPTURE TOOL CMD...: median of $RUNS (1 when the first run takes 20 s or more)
timed() {
    local cap=$1 tool=$2
    shift 2
    local first rest=() r i
    first=$(run1 "$@")
    if [[ "$first" != ">"* ]] && awk -v w="${first%% *}" 'BEGIN { exit !(w < 20) }'; then
        for ((i = 1; i < RUNS; i++)); do rest+=("$(run1 "$@")"); done
    fi
    r=$(printf '%s\n' "$first" "${rest[@]}" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
    printf '%s\t%s\t%s\n' "$(basename "$cap")" "$tool" "$(echo "$r" | tr ' ' '\t')" >>"$RAW"
}

# ntarow CAPTURE TOOL ARGS...: nta ARGS timed, and the previous build's after it when given
ntarow() {
    local cap=$1 tool=$2
    shift 2
    timed "$cap" "$tool" "$NTA" "$@"
    if [ -n "$NTA_PREV" ]; then timed "$cap" "prev:$tool" "$NTA_PREV" "$@"; fi
}

for cap in "${caps[@]}"; do
    cat "$cap" >/dev/null
    ntarow "$cap" nta-events events -q --format none "$cap"
    ntarow "$cap" nta-events-all events -q --format none --local all "$cap"
    ntarow "$cap" nta-info info -q "$cap"
    # every report from one read, written to files (issue 6 measures it against the floors on
    # every capture; the packet log of hdr128 is 1.3 GB of text), and the aggregating reports
    # alone (no per-packet or per-state-change log lines)
    ntarow "$cap" nta-report-all report -q --all --output-dir "$OUT/.reports" "$cap"
    ntarow "$cap" nta-report-aggs report -q --durations --ifhist --ooo --bytes --output-dir "$OUT/.reports" "$cap"
    # the machine formats against text (issue 13: within 1.5x), and every event format's output
    # rate (issue 13: >= 400 MB/s of output on one core; output bytes are counted below)
    ntarow "$cap" nta-report-all-json report -q --all --format json --output-dir "$OUT/.reports" "$cap"
    ntarow "$cap" nta-report-all-csv report -q --all --format csv --output-dir "$OUT/.reports" "$cap"
    for f in jsonl csv text dtrace; do
        ntarow "$cap" "nta-events-fmt-$f" events -q --format "$f" "$cap"
    done
    # nta run against the report each article script reproduces (issue 15: within 1.5x)
    if [ -d "$ARTICLE" ]; then
        ntarow "$cap" nta-run-ex9-fixed run "$ARTICLE/ex9-fixed.d" "$cap"
        ntarow "$cap" nta-report-ooo report -q --ooo "$cap"
        ntarow "$cap" nta-run-ex3 run "$ARTICLE/ex3.d" "$cap"
        ntarow "$cap" nta-report-packets report -q --packets "$cap"
    fi
    if [ "$PEERS" != 0 ]; then
        timed "$cap" tcptrace-n tcptrace -n "$cap"
        timed "$cap" tshark-conv-tcp tshark -n -q -r "$cap" -z conv,tcp
        timed "$cap" tshark-conv-tcp-nodeseg tshark -n -q -o tcp.desegment_tcp_streams:FALSE -r "$cap" -z conv,tcp
        timed "$cap" tcpdump-nr tcpdump -nr "$cap"
        if command -v tracestats >/dev/null; then timed "$cap" tracestats tracestats "pcapfile:$cap"; fi
    fi
    # the .zst form: nta decompressing while it analyses, against decompression alone
    [ -f "$cap.zst" ] || zstd -q -3 -k "$cap"
    cat "$cap.zst" >/dev/null
    ntarow "$cap" nta-events-zst events -q --format none "$cap.zst"
    timed "$cap" zstd-dc zstd -q -dc "$cap.zst"
    # the pcapng form (nta convert, made once next to it): the pcapng reader's cost
    [ -f "$cap.pcapng" ] || "$NTA" convert -q --to pcapng -o "$cap.pcapng" "$cap"
    cat "$cap.pcapng" >/dev/null
    ntarow "$cap" nta-info-pcapng info -q "$cap.pcapng"
    ntarow "$cap" nta-events-pcapng events -q --format none "$cap.pcapng"
done

# memory with many flows left open (issue 14): 200,000 half-open connections
SYN=${NTABENCH_DIR:-/tmp/ntabench}/syn200k.pcap
[ -f "$SYN" ] || python3 "$HERE/syn200k.py" "$SYN"
ntarow "$SYN" nta-report-bytes-json report -q --bytes --format json --output-dir "$OUT/.reports" "$SYN"
ntarow "$SYN" nta-report-all report -q --all --output-dir "$OUT/.reports" "$SYN"
ntarow "$SYN" nta-report-all-maxflows-1000 report -q --all --max-flows 1000 --output-dir "$OUT/.reports" "$SYN"
ntarow "$SYN" nta-report-aggs-maxflows-1000 report -q --durations --ifhist --ooo --states --packets --max-flows 1000 --output-dir "$OUT/.reports" "$SYN"
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
prev = [(cap, t) for cap, tools in by.items() for t in tools if "prev:" + t in tools]
if prev:
    print("| capture | nta row | this build s | previous build s | this / previous |")
    print("|---|---|---:|---:|---:|")
    for cap, t in prev:
        w, pw = by[cap][t][0], by[cap]["prev:" + t][0]
        print(f"| {cap} | {t} | {w:.2f} | {pw:.2f} | {w / max(pw, 0.01):.2f}x |")
    print()
for cap, tools in by.items():
    for run, rep in (("nta-run-ex9-fixed", "nta-report-ooo"), ("nta-run-ex3", "nta-report-packets")):
        if run in tools and rep in tools:
            print(f"{cap}: {run} / {rep} = {tools[run][0] / max(tools[rep][0], 0.01):.2f}x wall (issue 15: at most 1.5x)")
PY
