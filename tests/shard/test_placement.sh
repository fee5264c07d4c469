#!/usr/bin/env bash
# tests/shard/test_placement.sh: the plan's placement of the heaviest flows (source/flow_tally.c)
# against the rule man/nta.1 states ("The hash"), recomputed here in Python from tshark's
# Community IDs (an independent implementation of the flow hash): each flow's packets; flows
# with at least 1/(256 N) of the packets (at most 1024; heaviest first, equal counts by digest)
# placed, after every other flow was counted on its hash's shard (packets without an IP header
# on shard 0), each on the shard with the fewest packets (lowest index among equals). The plan's
# "placed" and "shard_packets" must be exactly that, nta split's buckets must hold exactly
# shard_packets, and every packet of bucket K must be of a flow placed on K or hashed to K.
# Usage: test_placement.sh NTA REPO
set -u
NTA=$(realpath "$1")
REPO=$(realpath "$2")
SHARED=$REPO/../shared
command -v tshark >/dev/null || { echo "SKIP: no tshark"; [ -n "${CI:-}" ] && exit 1; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$REPO/tests/cli/assert.sh"
pub=$SHARED/fixtures/public
caps="$REPO/fixtures/veth-scenarios.pcap $REPO/fixtures/two-links.pcapng $REPO/fixtures/reorder-heavy.pcap"
for f in zeek-wikipedia.pcap ppa-http_ip4and6.pcapng arkime-v6.pcap; do
    [ -f "$pub/$f" ] && caps="$caps $pub/$f"
done
[ -d "$pub" ] || { [ "${CI:-}" = 1 ] && { echo "FAIL: ../shared missing (CI=1)"; exit 1; }; echo "note: ../shared missing, own fixtures only"; }

cids() {   # cids FILE: one Community ID per packet ("" without one), as tshark computes them
    tshark -o ip.defragment:FALSE -o ipv6.defragment:FALSE --enable-protocol communityid -r "$1" \
        -T fields -e communityid 2>/dev/null
}
moved=0
for f in $caps; do
    cids "$f" >"$TMP/cid"
    for n in 2 3 7; do
        name="$(basename "$f") N=$n"
        if ! "$NTA" plan -q --shards $n -o "$TMP/plan.json" "$f" 2>"$TMP/err"; then
            bad "$name: nta plan failed: $(head -c 300 "$TMP/err")"
            continue
        fi
        got=$(python3 - "$TMP/cid" "$TMP/plan.json" $n <<'PY'
import base64, json, sys
cids = [l.rstrip("\n") for l in open(sys.argv[1])]
plan = json.load(open(sys.argv[2]))
n = int(sys.argv[3])
if plan["packets"] != len(cids):
    print("packets: plan %d, tshark %d" % (plan["packets"], len(cids))); sys.exit()
count, other = {}, 0
for c in cids:
    if c:
        count[c] = count.get(c, 0) + 1
    else:
        other += 1
dg = {c: base64.b64decode(c[2:]) for c in count}
hsh = {c: int.from_bytes(dg[c][:4], "big") % n for c in count}
total = other + sum(count.values())
least = max(total // (256 * n), 1)
cand = sorted((c for c in count if count[c] >= least), key=lambda c: (-count[c], dg[c]))[:1024]
loads = [0] * n
loads[0] = other
for c in count:
    if c not in set(cand):
        loads[hsh[c]] += count[c]
placed = []
for c in cand:
    k = min(range(n), key=lambda s: (loads[s], s))
    loads[k] += count[c]
    placed.append({"community_id": c, "shard": k, "packets": count[c]})
if plan["placed"] != placed:
    print("placed differs: plan %s, rule %s" % (plan["placed"][:3], placed[:3]))
elif plan["shard_packets"] != loads:
    print("shard_packets: plan %s, rule %s" % (plan["shard_packets"], loads))
else:
    print("ok %d" % sum(1 for p in placed if p["shard"] != hsh[p["community_id"]]))
PY
)
        case $got in
            ok*) ok; moved=$((moved + ${got#ok })) ;;
            *) bad "$name: $got"; continue ;;
        esac
        # nta split: each bucket holds the planned packets, each of its own flows
        rm -rf "$TMP/b"
        if ! "$NTA" split -q --plan "$TMP/plan.json" -o "$TMP/b" 2>"$TMP/err"; then
            bad "$name: nta split failed: $(head -c 300 "$TMP/err")"
            continue
        fi
        for ((k = 0; k < n; k++)); do cids "$TMP/b/shard-$k.pcapng" >"$TMP/cid.$k"; done
        got=$(python3 - "$TMP/plan.json" $n "$TMP"/cid.* <<'PY'
import base64, json, sys
plan = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
placed = {p["community_id"]: p["shard"] for p in plan["placed"]}
for k in range(n):
    cids = [l.rstrip("\n") for l in open(sys.argv[3 + k])]
    if len(cids) != plan["shard_packets"][k]:
        print("bucket %d holds %d packets, the plan says %d" % (k, len(cids), plan["shard_packets"][k])); sys.exit()
    for c in cids:
        want = placed.get(c, int.from_bytes(base64.b64decode(c[2:])[:4], "big") % n) if c else 0
        if want != k:
            print("bucket %d holds a packet of %s (shard %d)" % (k, c, want)); sys.exit()
print("ok")
PY
)
        if [ "$got" = ok ]; then ok; else bad "$name: $got"; fi
    done
done
# the test exercises placement: somewhere a placed flow is not where its hash would put it
if [ "$moved" -gt 0 ]; then ok; else bad "no flow was placed away from its hash's shard"; fi
echo "placed away from their hash: $moved flows"
echo "test_placement: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
