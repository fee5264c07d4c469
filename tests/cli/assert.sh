# tests/cli/assert.sh: the assertions the CLI test scripts share (sourced; $TMP must be set).
# Each counts into $pass / $fail; a failure prints "FAIL: ..." with what was seen.
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect STATUS DESCRIPTION -- COMMAND...: runs COMMAND, stdout in $TMP/out, stderr in $TMP/err
expect() {
    local want=$1 what=$2
    shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, wanted $want; stderr: $(head -c 400 "$TMP/err")"; fi
}
has() {   # has FILE PATTERN DESCRIPTION
    if grep -q -e "$2" "$1"; then ok; else bad "$3: '$2' not in $(basename "$1"): $(head -c 300 "$1")"; fi
}
json() {  # json EXPR: evaluates a Python expression on the JSON in $TMP/out as j
    python3 -c "import json,sys; j=json.load(open('$TMP/out')); print($1)"
}
eq() {    # eq GOT WANT DESCRIPTION
    if [ "$1" == "$2" ]; then ok; else bad "$3: got '$1', wanted '$2'"; fi
}
same() {  # same FILE1 FILE2 DESCRIPTION
    if cmp -s "$1" "$2"; then ok; else bad "$3: $(diff "$1" "$2" | head -5)"; fi
}
