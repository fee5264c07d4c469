#!/usr/bin/env bash
# scripts/memcheck.sh: the CLI under valgrind memcheck on a few inputs (issue 6): no invalid
# access, no definite leak. Each command must exit with its documented status; valgrind's own
# findings exit 99. Run after a build (CI: .ci/run, after the test suites).
set -u
cd "$(dirname "$0")/.."
NTA=${NTA:-./build/nta}
PUB=../shared/fixtures/public
fail=0
check() {   # check WANT_STATUS ARGS...
    local want=$1
    shift
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite "$NTA" "$@" >/dev/null 2>"$TMPDIR_/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "memcheck: nta $* exited $rc (wanted $want):"
        head -20 "$TMPDIR_/err"
        fail=1
    fi
}
TMPDIR_=$(mktemp -d)
trap 'rm -rf "$TMPDIR_"' EXIT
check 0 info fixtures/two-links.pcapng
check 0 info fixtures/veth-scenarios.erf
check 0 events -q --format jsonl fixtures/veth-scenarios.pcap.gz
check 0 report -q --all --format json fixtures/reorder.pcap
check 0 report -q --all --format csv --output-dir "$TMPDIR_/out" fixtures/loopback.pcap
check 2 report --fail-if 'nonsense' fixtures/loopback.pcap
# dtrace text in, conversions out
"$NTA" events -q --format dtrace fixtures/loopback.pcap >"$TMPDIR_/lo.out"
"$NTA" report -q --packets fixtures/loopback.pcap >"$TMPDIR_/ex3.txt"
"$NTA" report -q --durations fixtures/veth-scenarios.pcap >"$TMPDIR_/aggs.txt"
check 0 report -q --all "$TMPDIR_/lo.out"
check 0 convert -q --to pcap -o "$TMPDIR_/ex3.pcap" "$TMPDIR_/ex3.txt"
check 0 convert -q --to pcapng -o "$TMPDIR_/two.pcapng.zst" fixtures/two-links.pcapng
check 0 convert -q --to json "$TMPDIR_/aggs.txt"
check 3 report -q --ooo "$TMPDIR_/ex3.txt"
printf 'not a capture' >"$TMPDIR_/bad"
check 3 info "$TMPDIR_/bad"
if [ -d "$PUB" ]; then
    check 1 events -q --format csv "$PUB/sv-smtp-to-comma.pcap"
    check 1 report -q --all "$PUB/zeek-wikipedia-cut.pcap"
    check 0 info "$PUB/pcapnggen-le-test102.pcapng"
fi
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    "$NTA" info - <fixtures/veth-scenarios.pcap.zst >/dev/null 2>&1 || { echo "memcheck: stdin"; fail=1; }
[ "$fail" -eq 0 ] && echo "memcheck: clean"
exit "$fail"
