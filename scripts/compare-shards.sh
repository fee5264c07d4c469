#!/usr/bin/env bash
# scripts/compare-shards.sh: proves that merged shards print what one run prints (issue 17).
#
# Usage: scripts/compare-shards.sh NTA [OUTDIR]
# For every capture in fixtures/ and ../shared/fixtures/public/ (NTA_SHARD_CAPS=FILES... to
# choose others, e.g. the bench captures) and every shard count in NTA_SHARD_NS (default
# "1 2 3 7"): nta plan, each shard run from the plan's inputs (the plain loop), nta merge in
# every format; and one run of the same command. Compared: stdout, stderr and the exit status
# of the merge against the run's, for report --all (text, json, csv, --output-dir), report
# --bytes --interval 1s (text, json, csv), report --ooo --fail-if, events (text, jsonl, csv,
# dtrace) and events -P tcp:::state-change --local all (plan made with --local all), and nta run
# of every article script that shards (../shared/article-scripts: ex3, ex4, ex5, ex6, ex9-fixed,
# tcp4-segments, tcp4-states) and of the programs in run_progs below (a not-quiet header, faults
# on stderr, BEGIN's globals, END's exit status, BEGIN's and END's clocks; nta merge takes no
# format for them).
# NTA_SHARD_WHAT="report events run" (the default: all) chooses the commands compared.
# NTA_SHARD_SPLIT=1 runs the shards from nta split's buckets instead; NTA_SHARD_JOBS=J also
# compares every command run with --jobs J (NTA_SHARD_NS="" for that alone); NTA_SHARD_HASH=1
# keeps only the digests of stdout (the bench captures' events run to gigabytes). Prints one line per
# difference and a summary; exits 1 when anything differs.
set -u
NTA=$(realpath "$1")
OUT=${2:-$(mktemp -d)}
cd "$(dirname "$0")/.."
SHARED=../shared
NS=${NTA_SHARD_NS-1 2 3 7}   # set and empty: no N (with NTA_SHARD_JOBS: --jobs alone)
WHAT=${NTA_SHARD_WHAT:-report events run}
want() { case " $WHAT " in *" $1 "*) return 0 ;; esac; return 1; }
# nta run's programs: name and arguments (one run's and every shard's)
run_scripts=()
if [ -d "$SHARED/article-scripts" ]; then
    for s in ex3 ex4 ex5 ex6 ex9-fixed tcp4-segments tcp4-states; do
        run_scripts+=("$s")
    done
fi
# run_args NAME: the program's arguments into ra
run_args() {
    case "$1" in
        hdr) ra=(-n 'tcp:::state-change { trace(args[3]->tcps_state); }') ;;
        fault) ra=(-n 'ip:::receive /args[2]->ip_plength < 60/ {
                       trace(args[2]->ip_plength / (args[2]->ip_plength - args[2]->ip_plength)); }') ;;
        glob) ra=(-q -n 'BEGIN { n = 7; printf("start\n"); }'
                  -n 'tcp:::receive { @[args[3]->tcps_raddr, n] = sum(args[2]->ip_plength);
                                      a[args[1]->cs_cid]++; }'
                  -n 'tcp:::send /a[args[1]->cs_cid] == 1/ { printf("%d\n", args[4]->tcp_dport); }'
                  -n 'END { exit(3); }') ;;
        clock) ra=(-q -n 'BEGIN { printf("%d %d\n", timestamp, walltimestamp); }'
                   -n 'tcp:::state-change { s[args[1]->cs_cid] = timestamp; }'
                   -n 'END { printf("%d %d\n", timestamp, walltimestamp); }') ;;
        *) ra=(-s "$SHARED/article-scripts/$1.d") ;;
    esac
}
run_progs=("${run_scripts[@]}" hdr fault glob clock)
mkdir -p "$OUT"

caps=()
if [ -n "${NTA_SHARD_CAPS:-}" ]; then
    read -r -a caps <<<"$NTA_SHARD_CAPS"
else
    for f in fixtures/* "$SHARED"/fixtures/public/*; do
        case "$f" in
            *.log|*.tsv|*.txt|*.sh|*.py|*/MANIFEST|*/groundtruth) continue ;;
        esac
        [ -f "$f" ] && caps+=("$f")
    done
fi

ncase=0
ndiff=0
# same NAME: compares $OUT/single.NAME.* with $OUT/merged.NAME.* (out, err, rc)
same() {
    ncase=$((ncase + 1))
    local part
    for part in out err rc; do
        if ! cmp -s "$OUT/single.$1.$part" "$OUT/merged.$1.$part"; then
            echo "DIFF $1.$part"
            ndiff=$((ndiff + 1))
            return
        fi
    done
}
# single NAME ARGS...: one run
single() {
    local name=$1
    shift
    if [ -n "${NTA_SHARD_HASH:-}" ]; then   # large outputs: their digest only
        { "$NTA" "$@" 2>"$OUT/single.$name.err"; echo $? >"$OUT/single.$name.rc"; } | sha256sum >"$OUT/single.$name.out"
        return
    fi
    "$NTA" "$@" >"$OUT/single.$name.out" 2>"$OUT/single.$name.err"
    echo $? >"$OUT/single.$name.rc"
}
# merged NAME ARGS...: nta merge ARGS (the shard files come last)
merged() {
    local name=$1
    shift
    if [ -n "${NTA_SHARD_HASH:-}" ]; then
        { "$NTA" merge "$@" 2>"$OUT/merged.$name.err"; echo $? >"$OUT/merged.$name.rc"; } | sha256sum >"$OUT/merged.$name.out"
        return
    fi
    "$NTA" merge "$@" >"$OUT/merged.$name.out" 2>"$OUT/merged.$name.err"
    echo $? >"$OUT/merged.$name.rc"
}
# jobs NAME CMD...: CMD with --jobs $j, compared with the single run of NAME
jobs() {
    local name=$1
    shift
    if [ -n "${NTA_SHARD_HASH:-}" ]; then
        { "$NTA" "$@" --jobs "$j" 2>"$OUT/merged.$name.err"; echo $? >"$OUT/merged.$name.rc"; } | sha256sum >"$OUT/merged.$name.out"
    else
        "$NTA" "$@" --jobs "$j" >"$OUT/merged.$name.out" 2>"$OUT/merged.$name.err"
        echo $? >"$OUT/merged.$name.rc"
    fi
    same "$name"
}
# shards N PLAN CMD...: the N shard files of CMD (report ... or events ...), in $OUT/s.K
shards() {
    local n=$1 plan=$2
    shift 2
    rm -f "$OUT"/s.* "$OUT"/b.*
    if [ -n "${NTA_SHARD_SPLIT:-}" ]; then
        "$NTA" split --plan "$plan" -o "$OUT/b" 2>/dev/null || echo "split failed: $plan"
    fi
    local k
    for ((k = 0; k < n; k++)); do
        if [ -n "${NTA_SHARD_SPLIT:-}" ]; then
            "$NTA" "$@" --plan "$plan" --shard "$k" --emit-shard "$OUT/s.$k" "$OUT/b/shard-$k.pcapng" \
                2>>"$OUT/shard.err" || echo "shard $k failed: $*"
        else
            "$NTA" "$@" --plan "$plan" --shard "$k" --emit-shard "$OUT/s.$k" 2>>"$OUT/shard.err" \
                || echo "shard $k failed: $*"
        fi
    done
}

# events_cases N: the events comparisons of $cap with N shards (plan.json made)
events_cases() {
    shards "$1" "$OUT/plan.json" events
    for fmt in text jsonl csv dtrace; do
        merged "$b.ev.$fmt" --format "$fmt" "${files[@]}"
        same "$b.ev.$fmt"
    done
    "$NTA" plan --shards "$1" --local all -o "$OUT/plan-all.json" "$cap" 2>/dev/null
    shards "$1" "$OUT/plan-all.json" events -P tcp:::state-change
    merged "$b.sc" --format jsonl "${files[@]}"
    same "$b.sc"
}

for cap in "${caps[@]}"; do
    b=$(basename "$cap")
    if want report; then
        for fmt in text json csv; do
            single "$b.all.$fmt" report --all --format "$fmt" "$cap"
            single "$b.bytes.$fmt" report --bytes --interval 1s --format "$fmt" "$cap"
        done
        single "$b.ooo" report --ooo --fail-if 'ooo.packets > 0' "$cap"
        rm -rf "$OUT/single.dir"
        single "$b.dir" report --all --format json --output-dir "$OUT/single.dir" "$cap"
    fi
    if want events; then
        for fmt in text jsonl csv dtrace; do
            single "$b.ev.$fmt" events --format "$fmt" "$cap"
        done
        single "$b.sc" events -P tcp:::state-change --format jsonl --local all "$cap"
    fi
    if want run; then
        for r in "${run_progs[@]}"; do
            run_args "$r"
            single "$b.run.$r" run "${ra[@]}" "$cap"
        done
    fi
    if [ -n "${NTA_SHARD_JOBS:-}" ] && want report && want events; then   # the same shards as threads of one process
        j=$NTA_SHARD_JOBS
        for fmt in text json csv; do
            jobs "$b.all.$fmt" report --all --format "$fmt" "$cap"
            jobs "$b.bytes.$fmt" report --bytes --interval 1s --format "$fmt" "$cap"
        done
        jobs "$b.ooo" report --ooo --fail-if 'ooo.packets > 0' "$cap"
        for fmt in text jsonl csv dtrace; do
            jobs "$b.ev.$fmt" events --format "$fmt" "$cap"
        done
        jobs "$b.sc" events -P tcp:::state-change --format jsonl --local all "$cap"
    fi
    if [ -n "${NTA_SHARD_JOBS:-}" ] && want run; then
        j=$NTA_SHARD_JOBS
        for r in "${run_progs[@]}"; do
            run_args "$r"
            jobs "$b.run.$r" run "${ra[@]}" "$cap"
        done
    fi
    for n in $NS; do
        if ! "$NTA" plan --shards "$n" -o "$OUT/plan.json" "$cap" 2>"$OUT/plan.err"; then
            echo "PLAN FAILED $b N=$n: $(cat "$OUT/plan.err")"
            ndiff=$((ndiff + 1))
            continue
        fi
        files=()
        for ((k = 0; k < n; k++)); do files+=("$OUT/s.$k"); done
        if want run; then
            for r in "${run_progs[@]}"; do
                run_args "$r"
                shards "$n" "$OUT/plan.json" run "${ra[@]}"
                merged "$b.run.$r" "${files[@]}"
                same "$b.run.$r"
            done
        fi
        want report || { want events && events_cases "$n"; continue; }
        shards "$n" "$OUT/plan.json" report --all
        for fmt in text json csv; do
            merged "$b.all.$fmt" --format "$fmt" "${files[@]}"
            same "$b.all.$fmt"
        done
        rm -rf "$OUT/merged.dir"
        merged "$b.dir" --format json --output-dir "$OUT/merged.dir" "${files[@]}"
        same "$b.dir"
        if ! diff -r -q "$OUT/single.dir" "$OUT/merged.dir" >/dev/null 2>&1; then
            echo "DIFF $b.dir/ (N=$n)"
            ndiff=$((ndiff + 1))
        fi
        shards "$n" "$OUT/plan.json" report --bytes --interval 1s
        for fmt in text json csv; do
            merged "$b.bytes.$fmt" --format "$fmt" "${files[@]}"
            same "$b.bytes.$fmt"
        done
        shards "$n" "$OUT/plan.json" report --ooo
        merged "$b.ooo" --fail-if 'ooo.packets > 0' "${files[@]}"
        same "$b.ooo"
        want events && events_cases "$n"
    done
done
echo "compared $ncase cases on ${#caps[@]} captures (N = $NS): $ndiff differences (outputs in $OUT)"
[ "$ncase" -gt 0 ] || { echo "FAIL: no case compared"; exit 1; }
[ "$ndiff" -eq 0 ]
