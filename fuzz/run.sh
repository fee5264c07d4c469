#!/usr/bin/env bash
# fuzz/run.sh: build the libFuzzer targets with clang (ASan+UBSan) and run each for SECONDS
# (default 60), seeded with nta's fixtures and fuzz/corpus/TARGET; new crashers land in
# fuzz/corpus/TARGET/ (commit them: the replay test then keeps them fixed). Exits non-zero when
# a target finds a crash, leak or timeout, so .ci/run uses it as a bounded regression run.
#
# Optimised (-O2 -g) rather than Debug: the same sanitizer checks at 3x the executions per
# second (fuzz_packets 1,800 -> 5,900/s on the same corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
CC=clang cmake -S . -B build-fuzz -DNTA_FUZZ=ON -DNTA_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_capture fuzz_fail_if fuzz_dtrace_text fuzz_packets fuzz_stream fuzz_filter \
    fuzz_trace >/dev/null
for t in ${TARGETS:-capture fail_if dtrace_text packets stream filter trace}; do
    mkdir -p "fuzz/corpus/$t" "build-fuzz/work-$t"
    seeds=("fuzz/corpus/$t")
    case "$t" in capture|stream|packets|trace) seeds+=(fixtures) ;; esac
    echo "== $t for ${secs}s"
    ./build-fuzz/fuzz/fuzz_$t -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -artifact_prefix="fuzz/corpus/$t/crash-" "build-fuzz/work-$t" "${seeds[@]}" 2>&1 |
        grep -E "^#[0-9]+.*DONE|^Done|ERROR|crash-" | tail -3
done
