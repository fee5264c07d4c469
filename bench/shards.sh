#!/usr/bin/env bash
# bench/shards.sh: what sharding buys (issue 17): each capture's shards run one after another on
# this machine, and the wall time N machines would take projected from them.
#
# Usage: bash bench/shards.sh [CAPTURE...]  (default /tmp/ntabench/{hdr128,conns}.pcap)
# For each capture and each command (`report --all` with its two logs, the aggregating reports
# alone, and `nta run` of the article's Example 4 when ../shared is there), after `cat` warmed
# the page cache:
#   single       one run (reports to files, as bench/run.sh's nta-report-all)
#   plan, split  nta plan and nta split with N = 8 (done once per input, not per run)
#   N = 1 2 4 8  every shard from nta split's bucket, one after another (a machine each): the
#                slowest shard's wall time and peak RSS, the merge's wall time and peak RSS,
#                and the projection: slowest shard + merge; its speed-up over single (target
#                >= 0.8 N) and the merge's share of single (target < 5 %)
#   --jobs 2     the same shards as two threads of one process, against one thread
# The single run, the merges and --jobs are medians of three; each shard runs once (the shards
# of N = 8 are 8 runs already); this 2-vCPU VM varies 10-40 % from run to run. Prints a markdown table; raw rows in bench/results/shards.tsv.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NTA=${NTA:-$HERE/../build/nta}
OUT=$HERE/results
W=${NTA_BENCH_WORK:-/tmp/ntabench/shards}
mkdir -p "$OUT" "$W"
caps=("$@")
if [ ${#caps[@]} -eq 0 ]; then
    for c in hdr128 conns; do [ -f /tmp/ntabench/$c.pcap ] && caps+=(/tmp/ntabench/$c.pcap); done
fi
[ ${#caps[@]} -gt 0 ] || { echo "no captures: run ../shared/bench/make-captures.sh hdr conns" >&2; exit 2; }
RAW=$OUT/shards.tsv
EX4=$HERE/../../shared/article-scripts/ex4.d   # nta run: Example 4 (per-interface lquantize)
printf 'capture\tcommand\tstep\twall_s\trss_kb\n' >"$RAW"

# t NAME CMD...: one timed run; echoes "wall rss_kb"
t() {
    /usr/bin/time -f '%e %M' -o "$W/.time" "$@" >/dev/null 2>"$W/.err" || { echo "FAILED: $* ($(tail -2 "$W/.err"))" >&2; exit 1; }
    tail -1 "$W/.time"
}
# t3 DIR CMD...: t three times, DIR (the output) emptied before each, outside the timing; echoes
# the median wall time and the largest RSS
t3() {
    local dir=$1 i
    shift
    for i in 1 2 3; do
        rm -rf "$dir"
        mkdir -p "$dir"
        t "$@"
    done | sort -n | awk '{ w[NR] = $1; if ($2 > r) r = $2 } END { print w[2], r }'
}
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$RAW"; }

echo "| capture | command | single s | N | slowest shard s (MiB) | merge s (MiB) | projected s | speed-up | merge % of single |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for cap in "${caps[@]}"; do
    c=$(basename "$cap" .pcap)
    cat "$cap" >/dev/null
    for cmdname in all aggs run; do
        # out DIR: where a command's output goes (reports: a directory of files; nta run: -o)
        case $cmdname in
            all) cmd=(report --all) ;;
            aggs) cmd=(report --durations --ifhist --ooo --bytes) ;;
            run) [ -f "$EX4" ] || continue; cmd=(run -s "$EX4") ;;
        esac
        out() { mkdir -p "$1"; if [ $cmdname = run ]; then echo -o "$1/out.txt"; else echo -q --output-dir "$1"; fi; }
        rm -rf "$W/single"
        read -r sw srss < <(t3 "$W/single" "$NTA" "${cmd[@]}" $(out "$W/single") "$cap")
        row "$c" "$cmdname" single "$sw" "$srss"
        for n in 1 2 4 8; do
            read -r pw prss < <(t "$NTA" plan -q --shards $n -o "$W/plan.json" "$cap")
            row "$c" "$cmdname" "plan-$n" "$pw" "$prss"
            rm -rf "$W/b"
            read -r spw sprss < <(t "$NTA" split -q --plan "$W/plan.json" -o "$W/b")
            row "$c" "$cmdname" "split-$n" "$spw" "$sprss"
            max=0; maxrss=0
            for ((k = 0; k < n; k++)); do
                cat "$W/b/shard-$k.pcapng" >/dev/null
                read -r kw krss < <(t "$NTA" "${cmd[@]}" --plan "$W/plan.json" --shard $k \
                    --emit-shard "$W/s$k.nta" "$W/b/shard-$k.pcapng")
                row "$c" "$cmdname" "shard-$n-$k" "$kw" "$krss"
                max=$(awk -v a="$max" -v b="$kw" 'BEGIN { print (b > a ? b : a) }')
                maxrss=$(( krss > maxrss ? krss : maxrss ))
            done
            rm -rf "$W/merged"
            files=()
            for ((k = 0; k < n; k++)); do files+=("$W/s$k.nta"); done
            read -r mw mrss < <(t3 "$W/merged" "$NTA" merge $(out "$W/merged") "${files[@]}")
            row "$c" "$cmdname" "merge-$n" "$mw" "$mrss"
            diff -r -q "$W/single" "$W/merged" >/dev/null || echo "WARNING: $c $cmdname N=$n: merged != single" >&2
            rm -f "${files[@]}"
            awk -v c="$c" -v cmd="$cmdname" -v s="$sw" -v n="$n" -v m="$max" -v mr="$maxrss" -v mw="$mw" \
                -v mm="$mrss" 'BEGIN { p = m + mw; printf "| %s | %s | %.2f | %d | %.2f (%d) | %.2f (%d) | %.2f | %.2fx | %.1f %% |\n",
                c, cmd, s, n, m, mr / 1024, mw, mm / 1024, p, s / p, 100 * mw / s }'
        done
        for j in 1 2; do
            rm -rf "$W/jobs"
            read -r jw jrss < <(t3 "$W/jobs" "$NTA" "${cmd[@]}" --jobs $j $(out "$W/jobs") "$cap")
            diff -r -q "$W/single" "$W/jobs" >/dev/null || echo "WARNING: $c $cmdname --jobs $j != single" >&2
            row "$c" "$cmdname" "jobs-$j" "$jw" "$jrss"
            echo "| $c | $cmdname --jobs $j | $sw | | | | $jw ($((jrss / 1024)) MiB) | $(awk -v s="$sw" -v j="$jw" 'BEGIN { printf "%.2fx", s / j }') | |"
        done
    done
done
rm -rf "$W"
