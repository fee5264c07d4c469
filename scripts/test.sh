#!/usr/bin/env bash
# scripts/test.sh: set up, build and run nta's whole test suite (the README's second command).
#
# With --sanitize the build goes to build-asan with ASan+UBSan and the same suite runs there.
# Builds with -Werror so warnings fail like errors.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=build
flags=(-DNTA_WERROR=ON)
if [[ "${1:-}" == "--sanitize" ]]; then
    dir=build-asan
    flags+=(-DNTA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure
