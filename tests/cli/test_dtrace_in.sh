#!/usr/bin/env bash
# tests/cli/test_dtrace_in.sh: dtrace text as input (issue 5), as a user runs it.
#
# Usage: test_dtrace_in.sh NTA_BINARY SOURCE_DIR. Truth:
# - the article's own sample outputs (../shared/seeds/dtrace-network-providers-article.txt):
#   Example 1's four ":send 8.8.178.110" lines, Example 3's fourteen segment lines, of which the
#   five IPv6 ones carry the typesetting error "fala" (not hex) and must be reported, not used;
# - round trips through the formats the scripts print, checked against the events nta
#   synthesises from the same capture: a capture's events written as dtrace/nta-events.d lines
#   and read back give the same JSON Lines; Example 3/6 text (nta's --packets/--states, which
#   test_cli.sh checks against the article's layout) and dtrace-tcp(4)'s two loggers (written
#   below with the man page's printf formats) give back the same reports.
set -u
NTA=$1
SRC=$2
SHARED=$SRC/../shared
FX=$SRC/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -f "$SHARED/seeds/dtrace-network-providers-article.txt" ]; then
    if [ -n "${CI:-}" ]; then echo "dtrace-in: $SHARED is missing, and CI must have it"; exit 1; fi
    echo "SKIP dtrace-in: $SHARED not found"; exit 77
fi
ARTICLE=$SHARED/seeds/dtrace-network-providers-article.txt

. "$(dirname "$0")/assert.sh"

# --- nta-events.d lines: every field of every event survives the round trip ---
for cap in "$FX/veth-scenarios.pcap" "$FX/loopback.pcap" "$FX/two-links.pcapng" "$FX/reorder.pcap" \
           "$SHARED/fixtures/public/zeek-ftp-ipv6.pcap" "$SHARED/fixtures/public/zeek-tcp-timestamp.pcap" \
           "$SHARED/fixtures/public/zeek-ipv6-fragmented-dns.pcap"; do
    name=$(basename "$cap")
    "$NTA" events -q --format jsonl --local all "$cap" | tail -n +2 >"$TMP/cap.jsonl"
    "$NTA" events -q --format dtrace --local all "$cap" >"$TMP/$name.out"
    expect 0 "$name: read back nta-events.d lines" -- "$NTA" events -q --format jsonl "$TMP/$name.out"
    tail -n +2 "$TMP/out" >"$TMP/back.jsonl"
    same "$TMP/cap.jsonl" "$TMP/back.jsonl" "$name: events from dtrace lines equal the capture's"
    "$NTA" report -q --all --local all "$cap" >"$TMP/cap.rep"
    "$NTA" report -q --all "$TMP/$name.out" >"$TMP/back.rep"
    same "$TMP/cap.rep" "$TMP/back.rep" "$name: every report from dtrace lines equals the capture's"
done
# the shipped D script itself: its printf statements run on the same events (dscript_sim.py)
# print exactly what nta writes and reads back
for cap in "$FX/veth-scenarios.pcap" "$FX/loopback.pcap" "$SHARED/fixtures/public/zeek-ftp-ipv6.pcap" \
           "$SHARED/fixtures/public/zeek-ipv6-fragmented-dns.pcap"; do
    name=$(basename "$cap")
    "$NTA" events -q --format jsonl "$cap" >"$TMP/sim.jsonl"
    python3 "$SRC/tests/cli/dscript_sim.py" "$SRC/dtrace/nta-events.d" "$TMP/sim.jsonl" >"$TMP/sim.out"
    "$NTA" events -q --format dtrace "$cap" >"$TMP/w.out"
    same "$TMP/w.out" "$TMP/sim.out" "$name: dtrace/nta-events.d prints what nta events --format dtrace writes"
    "$NTA" events -q --format jsonl "$TMP/sim.out" | tail -n +2 >"$TMP/back.jsonl"
    tail -n +2 "$TMP/sim.jsonl" >"$TMP/orig.jsonl"
    same "$TMP/orig.jsonl" "$TMP/back.jsonl" "$name: events read from the D script's lines equal nta's"
done
VS=$FX/veth-scenarios.pcap
"$NTA" events -q --format dtrace "$VS" >"$TMP/vs.out"
gzip -c "$TMP/vs.out" >"$TMP/vs.out.gz"
expect 0 "compressed dtrace output" -- "$NTA" events -q --format jsonl "$TMP/vs.out.gz"
eq "$(tail -n +2 "$TMP/out" | wc -l)" "$(grep -c ':::' "$TMP/vs.out")" "gzip'd dtrace output: one event per line"
# dtrace -o appends: two runs in one file, with stderr noise in between, read as one
{ cat "$TMP/vs.out"; echo "dtrace: 12 drops on CPU 0"; echo; cat "$TMP/vs.out"; } >"$TMP/twice.out"
expect 0 "two appended runs" -- "$NTA" events -q --format jsonl "$TMP/twice.out"
eq "$(tail -n +2 "$TMP/out" | wc -l)" "$(( 2 * $(grep -c ':::' "$TMP/vs.out") ))" "appended runs: every event of both"
# malformed lines: counted with their numbers, the rest used, exit 1
awk 'NR == 5 { print "tcp:::send 12 banana" ; next } NR == 9 { print substr($0, 1, 40); next } { print }' \
    "$TMP/vs.out" >"$TMP/bad.out"
expect 1 "malformed nta-events.d lines" -- "$NTA" events -q --format jsonl "$TMP/bad.out"
has "$TMP/err" "2 malformed lines" "malformed lines counted"
has "$TMP/err" "bad.out:5: timestamp and walltimestamp must be numbers" "line 5 named with its reason"
has "$TMP/err" "bad.out:9:" "line 9 named"
eq "$(tail -n +2 "$TMP/out" | wc -l)" "$(( $(grep -c ':::' "$TMP/vs.out") - 2 ))" "every other line used"

# --- Example 1: dtrace's default output, from the article ---
awk '/^CPU +ID +FUNCTION:NAME/ { p = 5 } p > 0 { print; p-- }' "$ARTICLE" >"$TMP/ex1.txt"
expect 0 "Example 1 output" -- "$NTA" events -q --format jsonl "$TMP/ex1.txt"
eq "$(tail -n +2 "$TMP/out" | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
print(len(ev), {e["probe"] for e in ev}, {e["args"][2]["ip_daddr"] for e in ev}, {e["ts_ns"] for e in ev})')" \
   "4 {'ip:::send'} {'8.8.178.110'} {None}" "Example 1: four ip:::send to 8.8.178.110, no timestamps"
expect 3 "Example 1 has no if_name for --ifhist" -- "$NTA" report -q --ifhist "$TMP/ex1.txt"
has "$TMP/err" "ifhist cannot be computed from dtrace default output (Example 1)" "missing field named"
expect 3 "Example 1: no report at all" -- "$NTA" report -q "$TMP/ex1.txt"
has "$TMP/err" "no report can be computed" "nothing left said"
# dtrace's default output of `dtrace -n tcp:::state-change`: the line shows no argument, but
# FreeBSD always passes state-change a tcpsinfo_t (the text writer dereferenced a NULL one and
# crashed; found by fuzz/fuzz_dtrace_text's check that every event has its probe's structures)
printf 'CPU     ID                    FUNCTION:NAME\n  0  57612                none:state-change \n' >"$TMP/ex1sc.txt"
expect 0 "default output of tcp:::state-change, as text" -- "$NTA" events -q "$TMP/ex1sc.txt"
has "$TMP/out" "none:state-change 0 <unknown>:0 -> <unknown>:0" "state-change line with unknown addresses"
expect 0 "the same as JSON Lines" -- "$NTA" events -q --format jsonl "$TMP/ex1sc.txt"
eq "$(python3 -c "import json; e=[json.loads(l) for l in open('$TMP/out')][1]; print(e['probe'], e['args'][3]['tcps_state'], e['args'][5]['tcps_state'])")" \
   "tcp:::state-change None None" "state-change: tcpsinfo present, its fields unknown (null)"

# --- Example 3: the article's sample, and nta's own --packets text read back ---
awk '/^SADDR\tSPORT\tDADDR/ { p = 15 } p > 0 { print; p-- }' "$ARTICLE" >"$TMP/ex3.txt"
expect 1 "Example 3 sample (5 lines with the typeset 'fala')" -- "$NTA" events -q --format jsonl "$TMP/ex3.txt"
has "$TMP/err" "5 malformed lines" "the five IPv6 lines are reported"
has "$TMP/err" "ex3.txt:2: 'fe80:3::fala:67ff:fe03:f659' is not an address" "with line number and reason"
eq "$(tail -n +2 "$TMP/out" | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
print(len(ev), sum(e["tcp_payload"] for e in ev), sum(e["probe"] == "tcp:::send" for e in ev), ev[0]["args"][4]["tcp_flags"])')" \
   "9 1537 4 24" "Example 3: 9 segments, 37+20+63+0+429+911+20+37+20 bytes, 4 sent by 192.168.0.27, PSH|ACK"
expect 1 "nta info on Example 3 text" -- "$NTA" info -q --format json "$TMP/ex3.txt"
eq "$(python3 -c "import json; j = json.load(open('$TMP/out')); print(j['dtrace_output'], j['events'], j['malformed_lines'], j['probes'])")" \
   "Example 3 segment log 9 5 {'tcp:::send': 4, 'tcp:::receive': 5}" "nta info says which script, how many events, what is missing"
expect 1 "Example 3 as CSV" -- "$NTA" events -q --format csv "$TMP/ex3.txt"
eq "$(head -1 "$TMP/out" | awk -F, '{ print $NF }') $(tail -n +2 "$TMP/out" | awk -F, '{ s += $NF } END { print s }')" \
   "tcp_payload 1537" "Example 3 as CSV: the payload column, ip_plength and tcp_offset being unknown"
expect 1 "Example 3 --packets" -- "$NTA" report -q --packets "$TMP/ex3.txt"
eq "$(sed -n 3p "$TMP/out" | cut -c1-73)" "                   192.168.0.27 41116                  173.194.76.108 993" \
   "Example 3 printed back in its own layout"
"$NTA" report -q --packets "$VS" >"$TMP/pk.txt"
expect 0 "--packets text read back" -- "$NTA" report -q --packets "$TMP/pk.txt"
same "$TMP/pk.txt" "$TMP/out" "Example 3 text -> events -> Example 3 text"
expect 3 "Example 3 has no tcpsinfo for --ooo" -- "$NTA" report -q --ooo "$TMP/pk.txt"
has "$TMP/err" "args\[3\]->tcps_state" "ooo needs args[3]"

# --- Example 6: nta's --states text read back; durations from its deltas ---
"$NTA" report -q --states --durations "$VS" >"$TMP/st.txt"
"$NTA" report -q --states "$VS" >"$TMP/ex6.txt"
expect 0 "Example 6 text read back" -- "$NTA" report -q --states --durations "$TMP/ex6.txt"
same "$TMP/st.txt" "$TMP/out" "Example 6 text -> events -> the same states and durations"
expect 0 "Example 6 --all leaves out what it cannot do" -- "$NTA" report -q --all "$TMP/ex6.txt"
has "$TMP/err" "packets left out" "--all names what it left out"

# --- dtrace-tcp(4)'s loggers, written with the man page's printf formats from nta's events ---
"$NTA" events -q --format jsonl "$VS" | tail -n +2 >"$TMP/vs.jsonl"
python3 - "$TMP/vs.jsonl" "$TMP/segs.txt" "$TMP/states.txt" <<'EOF'
import json, sys
names = [(0x01, "FIN|"), (0x02, "SYN|"), (0x04, "RST|"), (0x08, "PUSH|"), (0x10, "ACK|"), (0x20, "URG|")]
states = ["state-closed", "state-listen", "state-syn-sent", "state-syn-received", "state-established",
          "state-close-wait", "state-fin-wait-1", "state-closing", "state-last-ack", "state-fin-wait-2",
          "state-time-wait"]
with open(sys.argv[2], "w") as segs, open(sys.argv[3], "w") as st:
    segs.write(" %3s %15s:%-5s %15s:%-5s %6s %s\n" % ("CPU", "LADDR", "LPORT", "RADDR", "RPORT", "BYTES", "FLAGS"))
    st.write(" %12s %-20s %-20s %s\n" % ("DELTA(us)", "OLD", "NEW", "TIMESTAMP"))
    last = {}
    for line in open(sys.argv[1]):
        e = json.loads(line)
        a = e["args"]
        if e["probe"] in ("tcp:::send", "tcp:::receive"):
            ip, tcp = a[2], a[4]
            n = ip["ip_plength"] - tcp["tcp_offset"]
            fl = "".join(s for b, s in names if tcp["tcp_flags"] & b) + ("null " if tcp["tcp_flags"] == 0 else "")
            if e["probe"] == "tcp:::send":
                segs.write(" %3d %16s:%-5d -> %16s:%-5d %6d (%s\b)\n" % (0, ip["ip_saddr"], tcp["tcp_sport"], ip["ip_daddr"], tcp["tcp_dport"], n, fl))
            else:
                segs.write(" %3d %16s:%-5d <- %16s:%-5d %6d (%s\b)\n" % (0, ip["ip_daddr"], tcp["tcp_dport"], ip["ip_saddr"], tcp["tcp_sport"], n, fl))
        elif e["probe"] == "tcp:::state-change":
            cid, ts = a[1]["cs_cid"], e["ts_ns"]
            d = (ts - last.get(cid, 0)) // 1000  # the man page's first clause: no "-" line (reference trap 17)
            st.write(" %12d %-20s -> %-20s %d\n" % (d, states[a[5]["tcps_state"]], states[a[3]["tcps_state"]], ts))
            last[cid] = ts
EOF
expect 0 "dtrace-tcp(4) segment log" -- "$NTA" report -q --packets "$TMP/segs.txt"
same "$TMP/pk.txt" "$TMP/out" "dtrace-tcp(4) segments give the same Example 3 report as the capture"
expect 0 "dtrace-tcp(4) segment log, events" -- "$NTA" events -q --format jsonl "$TMP/segs.txt"
eq "$(tail -n +2 "$TMP/out" | python3 -c 'import json,sys; print(sorted((json.loads(l)["probe"]) for l in sys.stdin) == sorted(json.loads(l)["probe"] for l in open("'"$TMP/vs.jsonl"'") if json.loads(l)["probe"] in ("tcp:::send", "tcp:::receive")))')" \
   "True" "dtrace-tcp(4) segments keep send/receive (-> and <-)"
expect 0 "dtrace-tcp(4) state log" -- "$NTA" events -q --format csv "$TMP/states.txt"
eq "$(tail -n +2 "$TMP/out" | cut -d, -f1 | tr '\n' ' ' | md5sum)" \
   "$(python3 -c 'import json; print(" ".join(str(json.loads(l)["ts_ns"]) for l in open("'"$TMP/vs.jsonl"'") if json.loads(l)["probe"] == "tcp:::state-change") + " ")' | tr -d '\n' | md5sum)" \
   "dtrace-tcp(4) state log keeps every timestamp"
expect 3 "dtrace-tcp(4) state log has no cs_cid for --durations" -- "$NTA" report -q --durations "$TMP/states.txt"
has "$TMP/err" "cs_cid" "durations needs cs_cid"

# --- not dtrace output, and options that do not apply ---
printf 'hello world\nthis is not dtrace\n' >"$TMP/prose.txt"
expect 3 "prose" -- "$NTA" report -q --all "$TMP/prose.txt"
has "$TMP/err" "expected dtrace/nta-events.d output" "what was expected is named"
expect 2 "--filter on dtrace text" -- "$NTA" events -q -f tcp "$TMP/pk.txt"
expect 3 "mixed kinds" -- "$NTA" events -q "$TMP/pk.txt" "$TMP/ex6.txt"
has "$TMP/err" "read one kind at a time" "mixed kinds refused"
head -c 0 /dev/null >"$TMP/hdr.txt"; head -1 "$TMP/ex6.txt" >"$TMP/hdr.txt"
expect 0 "header only" -- "$NTA" report -q --states "$TMP/hdr.txt"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
