#!/usr/bin/env bash
# tests/shard/test_shards.sh: merged shards against one run, and the merge's refusals (issue 17).
#
# Truth is one run of the same command on the same inputs: stdout, stderr and exit status of
# nta merge must equal it byte for byte. scripts/compare-shards.sh does that for every capture
# with N = 1, 2, 3, 7 (minutes; nta run's comparisons are test_run_shards.sh's); here it runs on captures chosen for what they exercise (loopback,
# two interfaces out of time order, reordering, pickups mid-stream, IPv6 and fragments, damaged
# input, timers), with N = 3 and 7 from the plan's inputs and N = 3 from nta split's buckets.
# Then: the documented errors (a missing shard, one given twice, one of another plan, of other
# options, an incomplete or damaged file), a tree of partial merges, rotated captures whose
# connections cross files, and a bucket refused when given to the wrong shard.
# Usage: test_shards.sh NTA REPO
set -u
NTA=$(realpath "$1")
REPO=$(realpath "$2")
SHARED=$REPO/../shared
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$REPO/tests/cli/assert.sh"
cd "$REPO"

pub=$SHARED/fixtures/public
caps="fixtures/veth-scenarios.pcap fixtures/two-links.pcapng fixtures/loopback.pcap fixtures/reorder.pcap fixtures/veth-midstream.pcap"
for f in zeek-wikipedia.pcap ppa-http_ip4and6.pcapng arkime-socks5-http-302-frag.pcap \
         tcpdump-tcp_rst_data-trunc.pcap zeek-ipv6-fragmented-dns.pcap sv-tcp-split-handshake-4whs.pcap \
         libpcap-pcap-invalid-version-1.pcap; do
    [ -f "$pub/$f" ] && caps="$caps $pub/$f"
done
if ! [ -d "$pub" ]; then
    echo "note: ../shared missing, own fixtures only"
fi

# 1. merged = one run (the plain loop, and from split buckets)
if NTA_SHARD_WHAT="report events" NTA_SHARD_CAPS="$caps" NTA_SHARD_NS="3 7" bash scripts/compare-shards.sh "$NTA" "$TMP/cmp" >"$TMP/cmp.log" 2>&1; then ok; else bad "compare-shards (plain loop): $(grep -E 'DIFF|FAIL' "$TMP/cmp.log" | head -5)"; fi
tail -1 "$TMP/cmp.log"
if NTA_SHARD_WHAT="report events" NTA_SHARD_CAPS="fixtures/veth-scenarios.pcap fixtures/two-links.pcapng fixtures/reorder.pcap" NTA_SHARD_NS="3" \
   NTA_SHARD_SPLIT=1 bash scripts/compare-shards.sh "$NTA" "$TMP/cmp2" >"$TMP/cmp2.log" 2>&1; then ok; else bad "compare-shards (split buckets): $(grep -E 'DIFF|FAIL' "$TMP/cmp2.log" | head -5)"; fi
tail -1 "$TMP/cmp2.log"
# the same shards as threads of one process (report and events --jobs 2)
if NTA_SHARD_WHAT="report events" NTA_SHARD_CAPS="$caps" NTA_SHARD_NS="" NTA_SHARD_JOBS=2 bash scripts/compare-shards.sh "$NTA" "$TMP/cmp3" >"$TMP/cmp3.log" 2>&1; then ok; else bad "compare-shards --jobs 2: $(grep -E 'DIFF|FAIL' "$TMP/cmp3.log" | head -5)"; fi
tail -1 "$TMP/cmp3.log"

# 2. the merge's refusals
F=fixtures/veth-scenarios.pcap
cd "$TMP"
expect 0 "plan" -- "$NTA" plan --shards 3 -o plan.json "$REPO/$F"
for k in 0 1 2; do
    expect 0 "shard $k" -- "$NTA" report --all --plan plan.json --shard $k --emit-shard s$k
done
expect 2 "a shard missing" -- "$NTA" merge s0 s2
has err "shard 1 of 3 (plan [0-9a-f]*) is missing" "missing shard named"
expect 2 "a shard given twice" -- "$NTA" merge s0 s1 s2 s1
has err "s1 and s1 are the same file" "duplicate named"
cp s1 s1copy
expect 2 "a shard given twice under two names" -- "$NTA" merge s0 s1 s2 s1copy
has err "s1copy: holds shard 1, as s1 does" "duplicate copy named"
expect 0 "another plan" -- "$NTA" plan --shards 3 --local 10.77.0.1 -o other.json "$REPO/$F"
expect 0 "a shard of another plan" -- "$NTA" report --all --plan other.json --shard 1 --emit-shard o1
expect 2 "a shard of another plan refused" -- "$NTA" merge s0 o1 s2
has err "o1: belongs to another plan" "foreign shard named"
expect 0 "a shard of other options" -- "$NTA" report --ooo --plan plan.json --shard 1 --emit-shard x1
expect 2 "other options refused" -- "$NTA" merge s0 x1 s2
has err "x1: was made by another command or options" "other options named"
expect 0 "an events shard" -- "$NTA" events --plan plan.json --shard 1 --emit-shard e1
expect 2 "another command refused" -- "$NTA" merge s0 e1 s2
head -c $(( $(stat -c %s s1) - 9 )) s1 >cut1
expect 3 "an incomplete shard (its run did not finish)" -- "$NTA" merge s0 cut1 s2
has err "cut1: incomplete" "incomplete shard named"
printf 'not a shard' >junk
expect 3 "not a shard file" -- "$NTA" merge s0 junk s2
has err "junk: not a shard file" "junk named"
python3 - s1 bad1 <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.index(b'MAIN') + 16
for k in range(i, min(i + 40, len(b) - 40)):
    b[k] ^= 0x5a
open(sys.argv[2], 'wb').write(b)
PY
expect 3 "a damaged shard" -- "$NTA" merge s0 bad1 s2
has err "bad1" "damaged shard named"
expect 2 "a shard index beyond the plan" -- "$NTA" report --all --plan plan.json --shard 3 --emit-shard s3
expect 2 "analysis options belong to the plan" -- "$NTA" report --all --plan plan.json --shard 0 --msl 5 --emit-shard s0b
has err "fixed by the plan" "--msl refused in a shard"
mkdir -p elsewhere
cp "$REPO/$F" rel.pcap
"$NTA" plan --shards 2 -o rel.json rel.pcap 2>/dev/null
(cd elsewhere && expect 3 "a shard that cannot read the plan's input (another folder)" -- "$NTA" report --all --plan ../rel.json --shard 0 --emit-shard r0)
has err "reads otherwise than when planned" "an input read otherwise is said"
[ -e elsewhere/r0 ] && bad "a failed shard left its file" || ok
expect 2 "a shard's inputs must be the plan's" -- "$NTA" report --all --plan plan.json --shard 0 --emit-shard s0b "$REPO/$F" "$REPO/$F"

# 3. a tree: (s0 + s1) + s2 = the whole; a partial merge is no complete set
expect 0 "partial merge" -- "$NTA" merge --emit-shard p01 s0 s1
expect 2 "a partial merge alone is incomplete" -- "$NTA" merge p01
expect 0 "tree merge" -- "$NTA" merge --format json p01 s2
cp out tree.json
expect 0 "flat merge" -- "$NTA" merge --format json s0 s1 s2
same out tree.json "tree merge = flat merge"
expect 0 "single run" -- "$NTA" report --all --format json "$REPO/$F"
same out tree.json "tree merge = one run"
expect 2 "a shard twice through a partial merge" -- "$NTA" merge p01 s1 s2

# 4. a bucket given to the wrong shard, or something that is no bucket
expect 0 "split" -- "$NTA" split --plan plan.json -o b
expect 3 "the bucket of shard 1 read as shard 0" -- "$NTA" report --all --plan plan.json --shard 0 --emit-shard w0 b/shard-1.pcapng
has err "belongs to shard 1, not 0" "wrong bucket named"
expect 3 "a capture that is no bucket" -- "$NTA" report --all --plan plan.json --shard 0 --emit-shard w0 "$REPO/fixtures/two-links.pcapng"
has err "not a bucket of nta split" "no bucket said"
tshark -r b/shard-0.pcapng -c 1 >/dev/null 2>&1 && ok || { command -v tshark >/dev/null && bad "tshark cannot read a bucket"; }

# 5. rotated captures: one capture cut by time into three files; its connections cross them
ROT=$REPO/fixtures/veth-scenarios.pcap
editcap -F pcap -c 40 "$ROT" rot.pcap >/dev/null 2>&1 || bad "editcap"
rot=(rot_*.pcap)
eq "${#rot[@]}" 3 "three rotated files"
expect 0 "plan over rotated files" -- "$NTA" plan --shards 3 -o rplan.json "${rot[@]}"
for k in 0 1 2; do "$NTA" report --all --plan rplan.json --shard $k --emit-shard r$k 2>/dev/null; done
expect 0 "merge of rotated files" -- "$NTA" merge r0 r1 r2
cp out rmerged.txt
expect 0 "one run over the rotated files" -- "$NTA" report --all "${rot[@]}"
same out rmerged.txt "rotated: merged = one run"
for r in durations states; do
    "$NTA" report -q --$r "$ROT" >orig.$r
    for k in 0 1 2; do "$NTA" report --$r --plan rplan.json --shard $k --emit-shard q$k 2>/dev/null; done
    "$NTA" merge -q q0 q1 q2 >rot.$r 2>/dev/null
    same rot.$r orig.$r "rotated files: --$r as from the uncut capture (connections crossing files kept)"
done

echo "test_shards: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
