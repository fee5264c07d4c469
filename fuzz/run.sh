#!/usr/bin/env bash
# fuzz/run.sh: build the libFuzzer targets with clang (ASan+UBSan) and run each for SECONDS
# (default 60), seeded with nta's fixtures and fuzz/corpus/TARGET; new crashers land in
# fuzz/corpus/TARGET/ (commit them: the replay test then keeps them fixed). Exits non-zero when
# a target finds a crash, leak or timeout, so .ci/run uses it as a bounded regression run.
#
# Optimised (-O2 -g) rather than Debug: the same sanitizer checks at 3x the executions per
# second (fuzz_packets 1,800 -> 5,900/s on the same corpus).
#
# FAST=1: for long runs. The targets are built without ASan (UBSan only, build-fuzz-fast):
# ASan maps and unmaps every large buffer an input allocates, which holds `stream` and `trace`
# to 130-200 executions/s; without it they run 4-6x faster. Each target's corpus is then
# replayed once through the ASan+UBSan build, so what only ASan would see is still caught
# for every input kept.
#
# RUNS=N: stop each target after N executions instead (SECONDS still bounds it), e.g.
#   FAST=1 RUNS=10000000 TARGETS=stream bash fuzz/run.sh 86400
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
all=(capture fail_if dtrace_text packets stream filter trace shard dscript)
build() {   # build DIR SANITIZERS CMAKE-OPTIONS...
    local dir=$1 san=$2
    shift 2
    CC=clang cmake -S . -B "$dir" -DNTA_FUZZ=ON -DNTA_FUZZ_SANITIZERS="$san" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j"$(nproc)" --target "${all[@]/#/fuzz_}" >/dev/null
}
build build-fuzz fuzzer,address,undefined -DNTA_SANITIZE=ON
run=build-fuzz
if [ "${FAST:-0}" = 1 ]; then
    build build-fuzz-fast fuzzer,undefined -DNTA_SANITIZE=OFF
    run=build-fuzz-fast
fi
for t in ${TARGETS:-${all[*]}}; do
    mkdir -p "fuzz/corpus/$t" "build-fuzz/work-$t"
    seeds=("fuzz/corpus/$t")
    case "$t" in capture|stream|packets|trace) seeds+=(fixtures) ;; dscript) seeds+=(tests/dscript/cases) ;; esac
    echo "== $t for ${secs}s"
    "./$run/fuzz/fuzz_$t" -max_total_time="$secs" ${RUNS:+-runs="$RUNS"} -max_len=65536 -timeout=10 \
        -artifact_prefix="fuzz/corpus/$t/crash-" "build-fuzz/work-$t" "${seeds[@]}" 2>&1 |
        grep -E "^#[0-9]+.*DONE|^Done|ERROR|crash-" | tail -3
    if [ "$run" != build-fuzz ]; then
        echo "== $t: the corpus once through ASan+UBSan"
        ./build-fuzz/fuzz/fuzz_$t -runs=0 -max_len=65536 -timeout=10 \
            -artifact_prefix="fuzz/corpus/$t/crash-" "build-fuzz/work-$t" 2>&1 |
            grep -E "^#[0-9]+.*(DONE|INITED)|ERROR|crash-" | tail -2
    fi
done
