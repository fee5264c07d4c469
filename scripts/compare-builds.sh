#!/usr/bin/env bash
# scripts/compare-builds.sh: proves a refactor kept outputs byte-identical (STYLE/brief: "prove it
# by comparing old and new builds on every public capture and own fixture, in every format").
#
# Usage: scripts/compare-builds.sh OLD_NTA NEW_NTA [OUTDIR]
# Runs both binaries on every capture in fixtures/ and ../shared/fixtures/public/ (and on the
# dtrace text each capture gives as nta-events.d lines, Example 3 and Example 6 logs), with
# info, events and report in every format, and compares stdout, stderr and the exit status.
# Prints one line per difference and a summary; exits 1 when anything differs.
# NTA_CMP_SKIP_EVENTS=1 leaves out the (large) events outputs; NTA_CMP_ONLY=REGEX limits the
# captures by name.
set -u
OLD=$(realpath "$1")
NEW=$(realpath "$2")
OUT=${3:-$(mktemp -d)}
cd "$(dirname "$0")/.."
SHARED=../shared
mkdir -p "$OUT/old" "$OUT/new" "$OUT/in"

caps=()
for f in fixtures/* "$SHARED"/fixtures/public/*; do
    case "$f" in
        *.log|*.tsv|*.txt|*.sh|*.py|*/MANIFEST|*/groundtruth) continue ;;
    esac
    [ -f "$f" ] || continue
    if [ -n "${NTA_CMP_ONLY:-}" ] && ! [[ "$(basename "$f")" =~ $NTA_CMP_ONLY ]]; then continue; fi
    caps+=("$f")
done

ncase=0
ndiff=0
# run NAME ARGS...: one case for both builds (cwd is the repo; outputs named by NAME)
run() {
    local name=$1
    shift
    local b
    for b in old new; do
        local bin=$OLD
        [ "$b" = new ] && bin=$NEW
        "$bin" "$@" >"$OUT/$b/$name.out" 2>"$OUT/$b/$name.err"
        echo $? >"$OUT/$b/$name.rc"
    done
    ncase=$((ncase + 1))
    local part
    for part in out err rc; do
        if ! cmp -s "$OUT/old/$name.$part" "$OUT/new/$name.$part"; then
            echo "DIFF $name.$part: $*"
            ndiff=$((ndiff + 1))
        fi
    done
}

# A report --output-dir compares every file of the folder.
run_dir() {
    local name=$1
    shift
    local b
    for b in old new; do
        local bin=$OLD
        [ "$b" = new ] && bin=$NEW
        rm -rf "$OUT/$b/$name.d"
        "$bin" "$@" --output-dir "$OUT/$b/$name.d" >"$OUT/$b/$name.out" 2>"$OUT/$b/$name.err"
        echo $? >"$OUT/$b/$name.rc"
    done
    ncase=$((ncase + 1))
    if ! diff -r -q "$OUT/old/$name.d" "$OUT/new/$name.d" >/dev/null 2>&1; then
        echo "DIFF $name.d/: $*"
        ndiff=$((ndiff + 1))
    fi
    for part in out err rc; do
        if ! cmp -s "$OUT/old/$name.$part" "$OUT/new/$name.$part"; then
            echo "DIFF $name.$part: $*"
            ndiff=$((ndiff + 1))
        fi
    done
}

for cap in "${caps[@]}"; do
    n=$(basename "$cap")
    run "$n.info" info "$cap"
    run "$n.info-json" info --format json "$cap"
    for fmt in text json csv; do
        run "$n.report-$fmt" report --all --format "$fmt" "$cap"
        run "$n.bytes-interval-$fmt" report --bytes --interval 1s --format "$fmt" "$cap"
        run "$n.report-local-all-$fmt" report --all --local all --format "$fmt" "$cap"
        run "$n.ooo-fail-$fmt" report --ooo --fail-if 'ooo.packets > 0' --format "$fmt" "$cap"
    done
    run_dir "$n.dir-json" report --all --format json "$cap"
    run_dir "$n.dir-text" report --all "$cap"
    if [ -z "${NTA_CMP_SKIP_EVENTS:-}" ]; then
        for fmt in text jsonl csv dtrace; do
            run "$n.events-$fmt" events --format "$fmt" "$cap"
        done
        run "$n.events-state-jsonl" events -P tcp:::state-change --format jsonl --local all "$cap"
    fi
    # the same capture as dtrace text: nta-events.d lines, Example 3 and Example 6 logs
    "$OLD" events -q --format dtrace "$cap" >"$OUT/in/$n.ntaev" 2>/dev/null
    "$OLD" report -q --packets "$cap" >"$OUT/in/$n.ex3" 2>/dev/null
    "$OLD" report -q --states "$cap" >"$OUT/in/$n.ex6" 2>/dev/null
    for t in ntaev ex3 ex6; do
        in=$OUT/in/$n.$t
        [ -s "$in" ] || continue
        run "$n.$t.report-text" report --all "$in"
        run "$n.$t.report-json" report --all --format json "$in"
        run "$n.$t.report-csv" report --all --format csv "$in"
        run "$n.$t.events-jsonl" events --format jsonl "$in"
        run "$n.$t.events-csv" events --format csv "$in"
        run "$n.$t.info" info "$in"
    done
done
echo "compared $ncase cases on ${#caps[@]} captures: $ndiff differences (outputs in $OUT)"
[ "$ndiff" -eq 0 ]
