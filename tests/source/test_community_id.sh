#!/usr/bin/env bash
# tests/source/test_community_id.sh: nta's Community ID (source/community_id.c) against tshark's,
# an independent implementation of the spec, on every packet of every capture; and each
# packet's shard against the rule man/nta.1 states (the digest's first four bytes, big-endian,
# modulo N), computed here in Python from tshark's text.
# Usage: test_community_id.sh CID_DUMP REPO. tshark runs with IP defragmentation off: with it
# on, tshark hashes a fragmented datagram's last fragment with the reassembled ports, where nta
# (which never reassembles) hashes each fragment as it is. A capture nta and tshark read a
# different number of packets from (a damaged one) cannot be lined up and is left out, named.
set -u
DUMP=$1
REPO=$2
SHARED=$REPO/../shared
command -v tshark >/dev/null || { echo "SKIP: no tshark"; [ -n "${CI:-}" ] && exit 1; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
packets=0
files=0
# every capture takes a tshark start (seconds here): CI compares captures chosen for their
# protocols (IPv4/IPv6 TCP and UDP, ICMP and ICMPv6 both kinds, fragments, VLAN/MPLS, SLL2,
# loopback, many flows); NTA_CID_ALL=1 compares all (61 captures, 24,620 packets)
pub=$SHARED/fixtures/public
if [ -n "${NTA_CID_ALL:-}" ]; then
    caps=("$REPO"/fixtures/*.pcap "$REPO"/fixtures/*.pcapng "$pub"/*.pcap "$pub"/*.pcapng "$pub"/*.gz)
else
    caps=("$REPO"/fixtures/veth-scenarios.pcap "$REPO"/fixtures/loopback.pcap "$REPO"/fixtures/two-links.pcapng
          "$pub"/arkime-v6.pcap "$pub"/ppa-synscan.pcapng "$pub"/arkime-socks5-http-302-frag.pcap
          "$pub"/zeek-ipv6-fragmented-dns.pcap "$pub"/zeek-mixed-vlan-mpls.pcap "$pub"/sv-decode-sll2-01.pcap
          "$pub"/zeek-wikipedia.pcap "$pub"/zeek-206_example_b.pcap)
fi
for f in "${caps[@]}"; do
    [ -f "$f" ] || continue
    "$DUMP" "$f" 7 >"$TMP/nta" 2>/dev/null
    tshark -o ip.defragment:FALSE -o ipv6.defragment:FALSE --enable-protocol communityid -r "$f" \
        -T fields -e communityid >"$TMP/tshark" 2>/dev/null
    if [ "$(wc -l <"$TMP/nta")" != "$(wc -l <"$TMP/tshark")" ]; then
        echo "left out (nta and tshark read different packets): $(basename "$f")"
        continue
    fi
    files=$((files + 1))
    out=$(paste "$TMP/nta" "$TMP/tshark" | python3 -c '
import sys, base64
n = bad = 0
for line in sys.stdin:
    ours, shard, theirs = line.rstrip("\n").split("\t")
    if not theirs:
        continue
    n += 1
    want = int.from_bytes(base64.b64decode(theirs[2:])[:4], "big") % 7
    if ours != theirs or int(shard) != want:
        bad += 1
        if bad <= 3:
            print("  differs:", ours, shard, "tshark:", theirs, want, file=sys.stderr)
print(n, bad)')
    set -- $out
    packets=$((packets + $1))
    if [ "$2" != 0 ]; then
        echo "FAIL $(basename "$f"): $2 of $1 packets differ"
        fail=1
    fi
done
echo "community id: $packets packets of $files captures compared with tshark"
[ "$files" -ge 5 ] && [ "$packets" -gt 1000 ] || { echo "FAIL: too little compared"; exit 1; }
exit $fail
