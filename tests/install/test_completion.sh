#!/usr/bin/env bash
# tests/install/test_completion.sh: the bash completion the build made (issue 16) against the nta
# it was made from. The completion's lists are generated from --help (completion/
# gen-completion.sh); this checks them another way, so a parse that goes wrong cannot pass:
# - the commands are those `nta --help` lists, and every option token on an option line of
#   `nta CMD --help` (read here with a simpler rule than the generator's) is offered, and no more;
# - nta itself accepts every option offered, and says it needs a value exactly when the
#   completion treats it as taking one;
# - every value offered for --format/--to runs nta successfully on a bundled input;
# - what a user sees: `nta re` -> report, `nta report --oo` -> --ooo, --format=j -> json,
#   directories only after --output-dir, file names for inputs and -o; with and without
#   bash-completion loaded.
#
# Usage: test_completion.sh NTA COMPLETION_FILE SOURCE_DIR
set -u
NTA=$1
COMP=$2
SRC=$3
FX=$SRC/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/tests/cli/assert.sh"
. "$(dirname "$0")/complete.sh"

# file names are completed from a directory of known content
mkdir -p "$TMP/cwd/dd" "$TMP/scratch"
: >"$TMP/cwd/zz.pcap"
cd "$TMP/cwd"
export COMP_FROM=$COMP

# --- commands: exactly those under "Commands:" in nta --help ---
want=$("$NTA" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }' | sort | tr '\n' ' ')
eq "$(words '')" "${want% }" "nta <TAB> offers the commands of nta --help"
[ -n "${want% }" ] && ok || bad "nta --help lists no commands"
eq "$(words re)" "report" "nta re<TAB>"
eq "$(words --v)" "--version" "nta --v<TAB>"
"$NTA" --version >"$TMP/out" 2>&1
has "$TMP/out" '^nta [0-9]' "nta --version, which the completion offers"

# --- per command: options, their values ---
"$NTA" info --no-such-option "$TMP/none" >/dev/null 2>"$TMP/err"
has "$TMP/err" "unknown option" "an unknown option is reported as such (the check below relies on it)"
"$NTA" convert --to jsonl --no-such-option "$TMP/none" >/dev/null 2>"$TMP/err"
has "$TMP/err" "unknown option" "convert hands unknown options on to events, which reports them"
"$NTA" report --ooo -q -o "$TMP/agg.txt" "$FX/veth-scenarios.pcap"   # printed aggregations: convert's json/csv/text input
# shard files, nta merge's input: a plan of one shard, its report and events shards
"$NTA" plan --shards 1 -q -o "$TMP/plan.json" "$FX/veth-scenarios.pcap"
"$NTA" report --all --plan "$TMP/plan.json" --shard 0 --emit-shard "$TMP/r.nta"
"$NTA" events --plan "$TMP/plan.json" --shard 0 --emit-shard "$TMP/e.nta"
for cmd in $want; do
    # every -x / --xx on the lines starting with blanks and '-', and --help
    hopts=$({ "$NTA" "$cmd" --help | grep -E '^[[:blank:]]+-' | grep -oE '(^|[[:blank:],/(])--?[A-Za-z0-9][A-Za-z0-9-]*' |
              sed 's/^[[:blank:],/(]*//'; echo --help; } | sort -u | tr '\n' ' ')
    copts=$(words "$cmd" -)
    eq "$copts" "${hopts% }" "nta $cmd -<TAB> offers the options of nta $cmd --help"
    pre=()
    [ "$cmd" = convert ] && pre=(--to jsonl)   # so the options handed on to events are checked
    for o in $copts; do
        # in a scratch directory: -o writes its file before the missing input is noticed
        (cd "$TMP/scratch" && "$NTA" "$cmd" "${pre[@]}" "$o" </dev/null >/dev/null 2>"$TMP/err")
        if grep -q "needs a value" "$TMP/err"; then needs=1 val=(1); else needs=0 val=(); fi
        (cd "$TMP/scratch" && "$NTA" "$cmd" "${pre[@]}" "$o" "${val[@]}" "$TMP/none" </dev/null >/dev/null 2>"$TMP/err")
        grep -q "unknown option" "$TMP/err" && bad "nta $cmd: the completion offers $o, which nta does not know" || ok
        # after an option that takes a value, no option is offered (the value comes next)
        after=$(words "$cmd" "$o" -)
        if [ "$needs" = 1 ]; then
            eq "$after" "" "nta $cmd $o -<TAB>: $o takes a value, nothing starting with '-' to offer"
        else
            [ -n "$after" ] && ok || bad "nta $cmd $o -<TAB>: $o takes no value, the options should follow"
        fi
        # values listed for it: each must work on one of the bundled inputs
        for v in $(completions "$cmd" "$o" ''); do
            [ -e "$v" ] && continue   # a file or directory name
            okv=0
            for in in "$FX/veth-scenarios.pcap" "$TMP/agg.txt" "$TMP/r.nta" "$TMP/e.nta"; do
                "$NTA" "$cmd" "$o" "$v" -q -o "$TMP/v.out" "$in" >/dev/null 2>&1 && okv=1 && break
            done
            [ $okv = 1 ] && ok || bad "nta $cmd $o $v: offered by the completion, fails on every bundled input"
        done
    done
done
# the value check can fail: a value nta rejects fails on every input
okv=0
for in in "$FX/veth-scenarios.pcap" "$TMP/agg.txt"; do
    "$NTA" convert --to bogus -q -o "$TMP/v.out" "$in" >/dev/null 2>&1 && okv=1
done
eq "$okv" 0 "a value nta does not know fails on every bundled input"

# --- what a user sees, with and without bash-completion (which brings _filedir) ---
for from in "$COMP" "bc:$COMP"; do
    [ "$from" = "bc:$COMP" ] && [ ! -f /usr/share/bash-completion/bash_completion ] && {
        if [ -n "${CI:-}" ]; then bad "bash-completion is not installed (scripts/setup.sh installs it)"; fi
        continue
    }
    export COMP_FROM=$from
    w="(${from%%:*})"
    eq "$(words report --oo)" "--ooo" "nta report --oo<TAB> $w"
    eq "$(words info --format '')" "json text" "nta info --format <TAB> $w"
    eq "$(words info --format = j)" "json" "nta info --format=j<TAB> $w"
    eq "$(words events --format d)" "dtrace" "nta events --format d<TAB> $w"
    eq "$(words convert --to pc)" "pcap pcapng" "nta convert --to pc<TAB> $w"
    eq "$(words report --output-dir '' | sed 's|/$||')" "dd" "nta report --output-dir <TAB>: directories only $w"
    eq "$(words info z)" "zz.pcap" "nta info z<TAB>: input file names $w"
    eq "$(words info -o z)" "zz.pcap" "nta info -o z<TAB>: file names $w"
    eq "$(words report --filter '')" "" "nta report --filter <TAB>: a BPF expression, nothing to list $w"
done

echo "completion: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
