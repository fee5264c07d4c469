#!/usr/bin/env bash
# tests/cli/test_convert.sh: `nta convert` as a user runs it (issue 5).
#
# Usage: test_convert.sh NTA_BINARY SOURCE_DIR. Truth:
# - DTrace's own printed aggregations: every non-empty expected output of the aggregation
#   categories of ../shared/conformance/dtrace (MANIFEST.tsv: agg, quantize, lquantize,
#   llquantize, normalize, printa, sort, trunc) is read and rendered back byte for byte; the
#   histograms are re-drawn from the counts read, so bars, rows and the negative-count layout
#   are checked; what is skipped is listed with the reason;
# - the article's Example 4 sample histogram (typeset with tabs) read into numbers;
# - tshark and capinfos reading what nta writes: pcapng keeps interfaces and names, pcap
#   written from dtrace segment lines opens in tshark with the segments nta logged;
# - zstd -dc undoing `-o FILE.zst`.
set -u
NTA=$1
SRC=$2
SHARED=$SRC/../shared
FX=$SRC/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -f "$SHARED/conformance/dtrace/MANIFEST.tsv" ]; then
    if [ -n "${CI:-}" ]; then echo "convert: $SHARED is missing, and CI must have it"; exit 1; fi
    echo "SKIP convert: $SHARED not found"; exit 77
fi
CONF=$SHARED/conformance/dtrace

. "$(dirname "$0")/assert.sh"

# --- DTrace's printed aggregations, read and rendered back ---
# printa.tst.dynwidth prints "-->100       <--": values glued to the format's literal text, so
# there is no key or value column to read (the text itself passes through unchanged).
skip_conf="printa.tst.dynwidth"
n=0
while IFS=$'\t' read -r name _ _ _ category _; do
    case "$category" in agg|quantize|lquantize|llquantize|normalize|printa|sort|trunc) ;; *) continue ;; esac
    [ -s "$CONF/$name.out" ] || continue   # error tests print nothing on stdout
    if [ "$name" = "$skip_conf" ]; then echo "skip $name: values glued to literal text"; continue; fi
    n=$((n + 1))
    if "$NTA" convert -q --to text "$CONF/$name.out" >"$TMP/rt" 2>"$TMP/err" && cmp -s "$TMP/rt" "$CONF/$name.out"; then
        ok
    else
        bad "conformance $name: $(head -c 200 "$TMP/err") $(diff "$CONF/$name.out" "$TMP/rt" | head -4)"
    fi
done < <(grep -v '^#' "$CONF/MANIFEST.tsv")
eq "$([ "$n" -ge 40 ] && echo yes)" "yes" "at least 40 conformance outputs read back ($n)"

# the numbers behind the text: aggs.tst.lquantize prints 10 single-count lquantize entries
expect 0 "lquantize output to JSON" -- "$NTA" convert -q --to json "$CONF/aggs.tst.lquantize.out"
eq "$(python3 -c "
import json; j = json.load(open('$TMP/out'))
h = [a for a in j['aggregations'] if a['kind'] == 'histogram']
print(len(h), sum(a['total'] for a in h), h[1]['keys'], [b['count'] for b in h[1]['buckets']], h[1]['buckets'][1]['value'])")" \
   "10 10 [100] [0, 1, 0] 100" "lquantize entries: keys, buckets and counts"
expect 0 "negative counts to CSV" -- "$NTA" convert -q --to csv "$CONF/aggs.tst.negorder.out"
has "$TMP/out" '^1,histogram,"2","1",-12$' "negative count kept with its key"

# the article's Example 4 sample (typeset: tabs, no header dashes)
awk '/^value\tDistribution\tcount/ { p = 1 } p && /^$/ { exit } p { print }' \
    "$SHARED/seeds/dtrace-network-providers-article.txt" >"$TMP/ex4.txt"
expect 0 "Example 4 sample to JSON" -- "$NTA" convert -q --to json "$TMP/ex4.txt"
eq "$(python3 -c "
import json; h = json.load(open('$TMP/out'))['aggregations'][0]
b = h['buckets']
print(len(b), h['total'], b[0]['label'], b[0]['range'], b[1]['count'], b[-2]['value'], b[-2]['count'])")" \
   "16 823 < 0 below 479 1300 152" "Example 4: 16 rows (< 0, 0 ... 1400), 479+61+...+152 = 823"
expect 3 "typeset sample has no text form" -- "$NTA" convert -q --to text "$TMP/ex4.txt"

# Example 9's printa table (nta's --ooo text, checked against tcptrace elsewhere): named columns
"$NTA" report -q --ooo "$SHARED/fixtures/public/arkime-wireshark-retrans.pcap" >"$TMP/ooo.txt"
"$NTA" report -q --ooo --format json "$SHARED/fixtures/public/arkime-wireshark-retrans.pcap" >"$TMP/ooo.json"
expect 0 "Example 9 table to JSON" -- "$NTA" convert -q --to json "$TMP/ooo.txt"
eq "$(python3 -c "
import json
rows = [a['columns'] for a in json.load(open('$TMP/out'))['aggregations'] if a['kind'] == 'row']
print(sorted((r['raddr'], r['bytes'], r['ooo_bytes'], r['packets'], r['ooo_packets']) for r in rows))")" \
   "$(python3 -c "
import json
rows = json.load(open('$TMP/ooo.json'))['rows']
print(sorted((r['raddr'], r['bytes'], r['ooo_bytes'], r['packets'], r['ooo_packets']) for r in rows))")" \
   "Example 9 text read back equals the report's JSON"

# --- captures ---
expect 0 "pcapng to pcapng" -- "$NTA" convert -q --to pcapng -o "$TMP/two.pcapng" "$FX/two-links.pcapng"
eq "$(tshark -r "$TMP/two.pcapng" -T fields -e frame.interface_name -e frame.time_epoch -e frame.len 2>/dev/null | md5sum)" \
   "$(tshark -r "$FX/two-links.pcapng" -T fields -e frame.interface_name -e frame.time_epoch -e frame.len 2>/dev/null | md5sum)" \
   "pcapng keeps interface names, times and lengths (tshark)"
# --ifname once went to the BPF filter instead ("em0" does not compile)
expect 0 "--ifname names a pcap's interface in pcapng" -- "$NTA" convert -q --ifname em0 --to pcapng -o "$TMP/em0.pcapng" "$FX/veth-scenarios.pcap"
eq "$(tshark -r "$TMP/em0.pcapng" -T fields -e frame.interface_name 2>/dev/null | sort | uniq -c | tr -s ' ')" \
   " 105 em0" "every frame on interface em0 (tshark; capinfos: 105 packets)"
expect 3 "two link types do not fit a pcap" -- "$NTA" convert -q --to pcap -o "$TMP/two.pcap" "$FX/two-links.pcapng"
has "$TMP/err" "write pcapng instead" "pcap refusal explained"
expect 0 "pcap to pcapng.zst" -- "$NTA" convert -q --to pcapng -o "$TMP/vs.pcapng.zst" "$FX/veth-scenarios.pcap"
zstd -q -dc "$TMP/vs.pcapng.zst" >"$TMP/vs.pcapng"
eq "$(tshark -r "$TMP/vs.pcapng" -T fields -e frame.time_epoch -e frame.len -e frame.protocols 2>/dev/null | md5sum)" \
   "$(tshark -r "$FX/veth-scenarios.pcap" -T fields -e frame.time_epoch -e frame.len -e frame.protocols 2>/dev/null | md5sum)" \
   "pcap -> pcapng.zst: same frames (zstd -dc, tshark)"
expect 0 "pcapng.zst back to pcap" -- "$NTA" convert -q --to pcap -o "$TMP/vs.pcap" "$TMP/vs.pcapng.zst"
eq "$(tshark -r "$TMP/vs.pcap" -x 2>/dev/null | md5sum)" "$(tshark -r "$FX/veth-scenarios.pcap" -x 2>/dev/null | md5sum)" \
   "pcapng -> pcap: every byte of every frame (tshark -x)"

# --- dtrace segment lines to pcap, and the round trip capture -> events -> pcap -> events ---
VS=$FX/veth-scenarios.pcap
seg() {   # the segment fields of the tcp send/receive events in JSON Lines on stdin
    python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if e.get("probe") in ("tcp:::send", "tcp:::receive"):
        a = e["args"]
        print(e["probe"], e["ts_ns"], a[2]["ip_saddr"], a[4]["tcp_sport"], a[2]["ip_daddr"], a[4]["tcp_dport"],
              a[4]["tcp_seq"], a[4]["tcp_ack"], a[4]["tcp_flags"], a[4]["tcp_window"], a[2]["ip_plength"] - a[4]["tcp_offset"])'
}
"$NTA" events -q --format dtrace --local all "$VS" >"$TMP/vs.out"
expect 0 "nta-events.d lines to pcap" -- "$NTA" convert -q --to pcap -o "$TMP/synth.pcap" "$TMP/vs.out"
eq "$(tshark -r "$TMP/synth.pcap" -T fields -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.len -Y tcp 2>/dev/null | md5sum)" \
   "$(tshark -r "$VS" -T fields -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.len -Y tcp 2>/dev/null | md5sum)" \
   "tshark sees every TCP segment once, with its ports, seq and length (send/receive pairs deduplicated)"
"$NTA" events -q --format jsonl --local all "$VS" | seg >"$TMP/a.seg"
"$NTA" events -q --format jsonl --local all "$TMP/synth.pcap" | seg >"$TMP/b.seg"
if cmp -s "$TMP/a.seg" "$TMP/b.seg" && [ -s "$TMP/a.seg" ]; then ok; else bad "capture -> events -> pcap -> events: $(diff "$TMP/a.seg" "$TMP/b.seg" | head -4)"; fi
"$NTA" report -q --packets "$VS" >"$TMP/ex3.txt"
expect 0 "Example 3 lines to pcap" -- "$NTA" convert -q --to pcap -o "$TMP/ex3.pcap" "$TMP/ex3.txt"
eq "$(tshark -r "$TMP/ex3.pcap" -T fields -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.len -e tcp.flags 2>/dev/null | md5sum)" \
   "$(tshark -r "$VS" -Y tcp -T fields -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.len -e tcp.flags 2>/dev/null | md5sum)" \
   "Example 3 lines become the capture's segments (addresses, ports, lengths, flags)"
expect 3 "state lines have no segments" -- "$NTA" convert -q --to pcap -o "$TMP/x.pcap" <("$NTA" report -q --states "$VS"; true)
"$NTA" report -q --states "$VS" >"$TMP/ex6.txt"
expect 3 "state lines have no segments (file)" -- "$NTA" convert -q --to pcap -o "$TMP/x.pcap" "$TMP/ex6.txt"
has "$TMP/err" "no TCP or UDP segments" "why no pcap"

# --- events, as nta events writes them ---
expect 0 "convert --to jsonl" -- "$NTA" convert -q --to jsonl "$VS"
eq "$(tail -n +2 "$TMP/out" | md5sum)" "$("$NTA" events -q --format jsonl "$VS" | tail -n +2 | md5sum)" "convert --to jsonl = events --format jsonl"
expect 0 "events to .zst" -- "$NTA" convert -q --to csv -o "$TMP/ev.csv.zst" "$VS"
eq "$(zstd -q -dc "$TMP/ev.csv.zst" | md5sum)" "$("$NTA" events -q --format csv "$VS" | md5sum)" "-o FILE.zst is zstd of the same output"

expect 0 "gzip capture to zst" -- "$NTA" convert -q --to zst -o "$TMP/vs.pcap.zst" "$FX/veth-scenarios.pcap.gz"
if zstd -q -dc "$TMP/vs.pcap.zst" | cmp -s - "$FX/veth-scenarios.pcap"; then ok; else bad "--to zst: zstd -dc gives the original bytes"; fi

# --- usage ---
expect 2 "no --to" -- "$NTA" convert "$VS"
expect 2 "bad --to" -- "$NTA" convert --to xml "$VS"
expect 2 "unknown option for a capture conversion" -- "$NTA" convert --to pcapng --frob -o "$TMP/x.pcapng" "$VS"
has "$TMP/err" "option '--frob' does not apply" "the option is named"
if command -v script >/dev/null; then   # a terminal on stdout: no binary capture written to it
    script -qec "$NTA convert --to pcap $VS" /dev/null >"$TMP/tty" 2>&1
    eq "$? $(grep -c 'writes binary data' "$TMP/tty")" "2 1" "pcap to a terminal refused"
fi
expect 2 "aggregations to pcap" -- "$NTA" convert --to pcap "$CONF/aggs.tst.lquantize.out"
printf 'no numbers here\n' >"$TMP/prose.txt"
expect 3 "prose" -- "$NTA" convert --to json "$TMP/prose.txt"
has "$TMP/err" "no printed aggregation" "prose refused"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
