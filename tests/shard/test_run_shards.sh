#!/usr/bin/env bash
# tests/shard/test_run_shards.sh: nta run as shards (issue 17): merged shards against one run,
# and the programs refused.
#
# Truth is one run of the same program on the same capture: stdout, stderr and exit status of
# nta merge must equal it byte for byte. scripts/compare-shards.sh (NTA_SHARD_WHAT=run) does
# that for every capture with N = 1, 2, 3, 7; here on captures chosen for what they exercise
# (two interfaces, reordering, pickups mid-stream, IPv4 and IPv6, a truncated and a damaged
# capture) with N = 2 and 7, and N = 3 from nta split's buckets (CI time: well under a minute). Then the refusals, each naming the
# variable or call and the clause's probe; a shard of another program; a tree of partial
# merges. The article scripts are read at ../shared/article-scripts (skipped when absent,
# unless CI=1); the other programs are written here.
# Usage: test_run_shards.sh NTA REPO
set -u
NTA=$(realpath "$1")
REPO=$(realpath "$2")
SHARED=$REPO/../shared
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$REPO/tests/cli/assert.sh"
cd "$REPO"

if ! [ -d "$SHARED/article-scripts" ]; then
    [ "${CI:-}" = 1 ] && { echo "FAIL: ../shared/article-scripts missing (CI=1)"; exit 1; }
    echo "skip: ../shared/article-scripts missing"
    exit 77
fi
pub=$SHARED/fixtures/public
caps="fixtures/veth-scenarios.pcap fixtures/two-links.pcapng fixtures/reorder.pcap fixtures/veth-midstream.pcap"
for f in ppa-http_ip4and6.pcapng tcpdump-tcp_rst_data-trunc.pcap libpcap-pcap-invalid-version-1.pcap; do
    [ -f "$pub/$f" ] && caps="$caps $pub/$f"
done

# 1. merged = one run (the plain loop, and from split buckets); the sanitized build (about five
# times slower) with 7 shards only
ns="2 7"
[ -n "${NTA_TEST_SANITIZED:-}" ] && ns="7"
if NTA_SHARD_WHAT=run NTA_SHARD_CAPS="$caps" NTA_SHARD_NS="$ns" bash scripts/compare-shards.sh "$NTA" "$TMP/cmp" >"$TMP/cmp.log" 2>&1; then ok; else bad "compare-shards run (plain loop): $(grep -E 'DIFF|FAIL' "$TMP/cmp.log" | head -5)"; fi
tail -1 "$TMP/cmp.log"
if NTA_SHARD_WHAT=run NTA_SHARD_CAPS="fixtures/two-links.pcapng" NTA_SHARD_NS="3" \
   NTA_SHARD_SPLIT=1 bash scripts/compare-shards.sh "$NTA" "$TMP/cmp2" >"$TMP/cmp2.log" 2>&1; then ok; else bad "compare-shards run (split buckets): $(grep -E 'DIFF|FAIL' "$TMP/cmp2.log" | head -5)"; fi
tail -1 "$TMP/cmp2.log"
# the same shards as threads of one process (nta run --jobs)
if NTA_SHARD_WHAT=run NTA_SHARD_CAPS="$caps" NTA_SHARD_NS="" NTA_SHARD_JOBS=3 bash scripts/compare-shards.sh "$NTA" "$TMP/cmp3" >"$TMP/cmp3.log" 2>&1; then ok; else bad "compare-shards run --jobs 3: $(grep -E 'DIFF|FAIL' "$TMP/cmp3.log" | head -5)"; fi
tail -1 "$TMP/cmp3.log"

# 2. refused programs: exit 2 naming what and where
F=$REPO/fixtures/veth-scenarios.pcap
cd "$TMP"
expect 0 "plan" -- "$NTA" plan --shards 3 -o plan.json "$F"
refused() {   # refused PATTERN PROGRAM-ARGS...
    local pat=$1
    shift
    expect 2 "refused: $*" -- "$NTA" run "$@" --plan plan.json --shard 0 --emit-shard r0
    has err "cannot run as shards: .*$pat" "the refusal names it"
    [ -e r0 ] && bad "a refused shard left a file" || ok
}
cat >ex7like.d <<'D'
/* Example 7's counting of received bytes, on a network probe */
ip:::receive
{
    in += args[2]->ip_plength;
}
END { printf("%d\n", in); }
D
refused "ex7like.d line 2: ip:::receive assigns the global 'in'" -s ex7like.d
refused "tcp:::send assigns the thread-local 'self->t'" -n 'tcp:::send { self->t = timestamp; }'
refused "assigns 'a\[...\]' with a key that is not a connection's" -n 'tcp:::send { a[args[2]->ip_daddr] = 1; }'
refused "tcp:::receive calls trunc()" -n 'tcp:::receive { @c = count(); trunc(@c, 1); }'
refused "ip:::send calls exit()" -n 'ip:::send { exit(0); }'
refused "profile probes fire on the whole run's clock" -n 'tick-1s { @ = count(); }'
refused "sets 't0', which a network clause reads" -n 'BEGIN { t0 = timestamp; }' -n 'tcp:::send { @[timestamp - t0] = count(); }'
expect 2 "refused with --jobs" -- "$NTA" run --jobs 2 -s ex7like.d "$F"
has err "cannot run with --jobs (as shards): ex7like.d line 2: ip:::receive assigns the global 'in'" "the --jobs refusal names it"
[ -s out ] && bad "a refused --jobs run printed something" || ok
expect 2 "--jobs with --shard" -- "$NTA" run --jobs 2 -s "$SHARED/article-scripts/ex4.d" --plan plan.json --shard 0 --emit-shard r0
printf 'CPU     ID                    FUNCTION:NAME\n  0  54322                 :state-change 10.0.0.1 -> 10.0.0.2 ESTABLISHED\n' >trace.txt
expect 2 "--jobs on dtrace text" -- "$NTA" run --jobs 2 -s "$SHARED/article-scripts/ex4.d" trace.txt
has err "--jobs splits captures by connection" "dtrace text refused for --jobs"
# -o appends as one run does; exit() in END and a fault message come through the merge
echo first >o1
cp o1 o2
expect 0 "-o with one thread" -- "$NTA" run -s "$SHARED/article-scripts/ex9-fixed.d" -o o1 "$F"
expect 0 "-o with --jobs 2" -- "$NTA" run --jobs 2 -s "$SHARED/article-scripts/ex9-fixed.d" -o o2 "$F"
same o1 o2 "--jobs -o appends what one run appends"
for s in ex3 ex4 ex5 ex6 ex9-fixed tcp4-segments tcp4-states; do
    expect 0 "$s.d shards" -- "$NTA" run -s "$SHARED/article-scripts/$s.d" --plan plan.json --shard 0 --emit-shard s-$s
done
# a plan of 2^20 packets (made by editing one, with its id made again): 32-bit connection keys
# would collide, so tcp4-states.d's int last[int] is refused there, ex6.d's 64-bit key is not
python3 - plan.json big.json <<'PY'
import collections, hashlib, json, sys
j = json.load(open(sys.argv[1]), object_pairs_hook=collections.OrderedDict)
j["packets"] = 1 << 20
rest = collections.OrderedDict((k, v) for k, v in j.items() if k != "plan_id")
j["plan_id"] = hashlib.sha1(json.dumps(rest, indent=2, ensure_ascii=False).encode()).hexdigest()
open(sys.argv[2], "w").write(json.dumps(j, indent=2, ensure_ascii=False) + "\n")
PY
expect 2 "a 32-bit connection key in a plan of 2^20 packets" -- "$NTA" run -s "$SHARED/article-scripts/tcp4-states.d" --plan big.json --shard 0 --emit-shard r0
has err "'last' is keyed by connection ids cut to 32 bits" "the narrow key named"
expect 0 "a 64-bit connection key in the same plan" -- "$NTA" run -s "$SHARED/article-scripts/ex6.d" --plan big.json --shard 0 --emit-shard r0
expect 2 "-o belongs to the merge" -- "$NTA" run -s "$SHARED/article-scripts/ex4.d" -o x --plan plan.json --shard 0 --emit-shard r0
expect 2 "analysis options belong to the plan" -- "$NTA" run -s "$SHARED/article-scripts/ex4.d" --msl 5 --plan plan.json --shard 0 --emit-shard r0

# 3. a set of one program: another program's shard is refused; the merge takes no format
for k in 0 1 2; do
    "$NTA" run -s "$SHARED/article-scripts/ex6.d" --plan plan.json --shard $k --emit-shard e$k 2>/dev/null
done
"$NTA" run -s "$SHARED/article-scripts/ex5.d" --plan plan.json --shard 1 --emit-shard f1 2>/dev/null
expect 2 "another program's shard refused" -- "$NTA" merge e0 f1 e2
has err "f1: was made by another command or options (run)" "the foreign shard named"
"$NTA" events --plan plan.json --shard 1 --emit-shard v1 2>/dev/null
expect 2 "an events shard refused" -- "$NTA" merge e0 v1 e2
expect 2 "no format for run shards" -- "$NTA" merge --format json e0 e1 e2
expect 0 "the merge" -- "$NTA" merge e0 e1 e2
cp out flat.txt
expect 0 "one run" -- "$NTA" run -s "$SHARED/article-scripts/ex6.d" "$F"
same out flat.txt "merge = one run"
expect 0 "partial merge" -- "$NTA" merge --emit-shard p01 e0 e1
expect 0 "tree merge" -- "$NTA" merge p01 e2
same out flat.txt "tree merge = one run"

echo "test_run_shards: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
