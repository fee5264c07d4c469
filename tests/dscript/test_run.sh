#!/usr/bin/env bash
# tests/dscript/test_run.sh: `nta run` on captures: the article's and dtrace-tcp(4)'s scripts,
# Example 1's command lines, -l, -o, -e, statuses, the tick guard.
#
# Usage: test_run.sh NTA_BINARY SOURCE_DIR. Truth, per the issue: ex3.d, ex4.d, ex6.d and
# ex9-fixed.d print byte for byte what `nta report --packets/--ifhist/--states/--ooo` print on
# every public capture and own fixture; ex5.d, both dtrace-tcp(4) scripts and Example 1 equal
# independent models over `nta events --format jsonl` (tests/dscript/models.py, written from
# the scripts' text and DTrace's documented semantics); ex7/8/9.d fail with DTrace's messages
# (d-language.md 1.2); the -l listing is the FreeBSD 14 probe list with nta's documented IDs.
# Prints "N passed, N failed"; exit 1 on any failure, 77 (skip) when ../shared is missing
# outside CI.
set -u
NTA=$1
SRC=$2
SHARED=$SRC/../shared
HERE=$SRC/tests/dscript
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -d "$SHARED/article-scripts" ] || [ ! -f "$SHARED/fixtures/public/MANIFEST.tsv" ]; then
    if [ -n "${CI:-}" ]; then echo "dscript: $SHARED is missing, and CI must have it"; exit 1; fi
    echo "SKIP dscript: $SHARED not found"; exit 77
fi
. "$SRC/tests/cli/assert.sh"
A=$SHARED/article-scripts
captures=()
i=0
for f in "$SHARED"/fixtures/public/*.pcap* "$SRC"/fixtures/*.pcap* "$SRC"/fixtures/*.erf; do
    case $f in *.log) continue ;; esac
    # under ASan+UBSan (NTA_TEST_SANITIZED, set by tests/CMakeLists.txt) every own fixture and
    # every fourth public capture: the byte-for-byte truth is the plain build's job, this build
    # looks for memory errors, and all 35 cost six minutes of CI there
    i=$((i + 1))
    if [ -n "${NTA_TEST_SANITIZED:-}" ] && [[ $f == "$SHARED"/* ]] && [ $((i % 4)) -ne 1 ]; then continue; fi
    captures+=("$f")
done

# --- the article's scripts against the reports that print them ---
for f in "${captures[@]}"; do
    for pair in ex3:--packets ex4:--ifhist ex6:--states ex9-fixed:--ooo; do
        s=${pair%%:*}
        "$NTA" run "$A/$s.d" "$f" >"$TMP/run.txt" 2>/dev/null
        "$NTA" report "${pair#*:}" "$f" >"$TMP/report.txt" 2>/dev/null
        same "$TMP/report.txt" "$TMP/run.txt" "$s.d vs report ${pair#*:} on $(basename "$f")"
    done
    # --- and against the models over the events ---
    "$NTA" events --format jsonl "$f" >"$TMP/ev.jsonl" 2>/dev/null
    python3 "$HERE/models.py" "$TMP/ev.jsonl" "$TMP"
    for s in ex5 tcp4-segments tcp4-states; do
        "$NTA" run "$A/$s.d" "$f" >"$TMP/run.txt" 2>/dev/null
        same "$TMP/$s.txt" "$TMP/run.txt" "$s.d vs its model on $(basename "$f")"
    done
done
# the models must see something: at least one capture gives ex5 a histogram
F=$SRC/fixtures/veth-scenarios.pcap
"$NTA" run "$A/ex5.d" "$F" >"$TMP/run.txt" 2>/dev/null
has "$TMP/run.txt" "Connection duration (ms)" "ex5.d times connections on veth-scenarios.pcap"

# --- the article's examples that DTrace refuses (d-language.md 1.2) ---
expect 1 "ex7.d" -- "$NTA" run "$A/ex7.d" "$F"
has "$TMP/err" 'invalid probe description "fbt:::tcp_usr_attach:entry": Overspecified probe description' "ex7.d: five fields"
expect 1 "ex8.d" -- "$NTA" run "$A/ex8.d" "$F"
has "$TMP/err" "probe description fbt::udp_attach:entry does not match any probes" "ex8.d: D_PDESC_ZERO"
expect 1 "ex8.d -Z" -- "$NTA" run -Z "$A/ex8.d" "$F"
has "$TMP/err" "args\[ \] may not be referenced because probe description fbt::udp_attach:entry matches an unstable set of probes" "ex8.d -Z: D_ARGS_MULTI"
expect 1 "ex9.d" -- "$NTA" run -x errtags "$A/ex9.d" "$F"
has "$TMP/err" "\[D_PRINTF_ARG_PROTO\] line 27: printa( ) prototype mismatch: conversion #2 (%d) is missing a corresponding value argument" "ex9.d: the printa format"
expect 0 "ex3.d -e" -- "$NTA" run -e "$A/ex3.d"
eq "$(wc -c <"$TMP/out")" 0 "-e prints nothing"

# --- Example 1, as the article's command lines (not quiet, then quiet) ---
F=$SHARED/fixtures/public/ppa-tcp_teardown.pcapng
"$NTA" events --format jsonl --probe ip:::send "$F" 2>/dev/null >"$TMP/ev.jsonl"
python3 - "$TMP/ev.jsonl" >"$TMP/model1.txt" <<'PY'
import json, sys
# dtrace-providers.md 5.0: header once, "%3d %6d %32s " per firing (CPU 0, ip:::send is nta's
# probe 57600, FUNCTION "none"), the printf text, the record's "\n"; "\n" at the end
out = ["%3s %6s %32s\n" % ("CPU", "ID", "FUNCTION:NAME")]
for line in open(sys.argv[1]):
    ev = json.loads(line)
    if ev.get("probe") == "ip:::send":
        out.append("%3d %6d %32s %s\n" % (0, 57600, "none:send", ev["args"][2]["ip_daddr"]))
sys.stdout.write("".join(out) + "\n")
PY
expect 0 "Example 1" -- "$NTA" run -n 'ip:::send {printf("%s", args[2]->ip_daddr);}' "$F"
same "$TMP/model1.txt" "$TMP/out" "Example 1, not quiet"
has "$TMP/err" "nta: description 'ip:::send ' matched 1 probe" "Example 1's banner"
expect 0 "Example 1 quiet" -- "$NTA" run -x quiet -n 'ip:::send {printf("%s\n", args[2]->ip_daddr);}' "$F"
python3 -c "import json,sys
print(''.join(json.loads(l)['args'][2]['ip_daddr'] + '\n' for l in open('$TMP/ev.jsonl') if 'probe' in json.loads(l)))" >"$TMP/model2.txt"
same "$TMP/model2.txt" "$TMP/out" "Example 1, quiet"
eq "$(wc -c <"$TMP/err")" 0 "quiet: no banner"

# --- Example 2: -l -P ip -P tcp -P udp (FreeBSD 14's probes, nta's IDs: man page) ---
expect 0 "-l -P ip -P tcp -P udp" -- "$NTA" run -l -P ip -P tcp -P udp
{
    printf "%5s %10s %17s %33s %s\n" ID PROVIDER MODULE FUNCTION NAME
    for row in "57600 ip send" "57601 ip receive" "57610 tcp send" "57611 tcp receive" \
        "57612 tcp state-change" "57613 tcp connect-request" "57614 tcp connect-established" \
        "57615 tcp connect-refused" "57616 tcp accept-established" "57617 tcp accept-refused" \
        "57640 tcp debug-input" "57641 tcp debug-output" "57642 tcp debug-user" \
        "57643 tcp debug-drop" "57644 tcp receive-autoresize" "57645 tcp siftr" \
        "57620 udp send" "57621 udp receive"; do
        set -- $row
        printf "%5d %10s %17s %33s %s\n" "$1" "$2" kernel none "$3"
    done
} >"$TMP/list.txt"
same "$TMP/list.txt" "$TMP/out" "Example 2's listing"
expect 0 "-l -n tcp:::state-change" -- "$NTA" run -l -n 'tcp:::state-change'
eq "$(tail -1 "$TMP/out")" "$(printf "%5d %10s %17s %33s %s" 57612 tcp kernel none state-change)" "-l of one description"

# --- -o appends; exit(n) is the status; ^C-free end of input is exit(0) ---
F=$SRC/fixtures/loopback.pcap
expect 0 "-o" -- "$NTA" run -q -o "$TMP/o.txt" -n 'tcp:::send /args[4]->tcp_flags & TH_SYN/ { printf("syn\n"); }' "$F"
expect 0 "-o again" -- "$NTA" run -q -o "$TMP/o.txt" -n 'tcp:::send /args[4]->tcp_flags & TH_SYN/ { printf("syn\n"); }' "$F"
n=$(python3 -c "import json
print(sum(1 for l in open('$TMP/ev2.jsonl') if 'probe' in json.loads(l) and json.loads(l)['probe'] == 'tcp:::send' and json.loads(l)['args'][4]['tcp_flags'] & 2))" 2>/dev/null ||
    { "$NTA" events --format jsonl "$F" >"$TMP/ev2.jsonl" 2>/dev/null; python3 -c "import json
print(sum(1 for l in open('$TMP/ev2.jsonl') if 'probe' in json.loads(l) and json.loads(l)['probe'] == 'tcp:::send' and json.loads(l)['args'][4]['tcp_flags'] & 2))"; })
eq "$(grep -c '^syn$' "$TMP/o.txt")" "$((2 * n))" "-o appends (two runs)"
expect 0 "-o -" -- "$NTA" run -q -o - -n 'BEGIN { printf("hi\n"); exit(0); }'
eq "$(cat "$TMP/out")" "hi" "-o - is standard output"
expect 7 "exit(7) on a capture" -- "$NTA" run -q -n 'tcp:::receive { exit(7); }' "$F"
expect 1 "unreadable input" -- "$NTA" run -q -n 'BEGIN { x = 1; }' "$TMP/none.pcap"
expect 1 "partly unreadable input" -- "$NTA" run -q -n 'ip:::receive { n++; } END { printf("%d\n", n); }' "$SHARED/fixtures/public/sv-smtp-to-comma.pcap"
has "$TMP/err" "record 19" "the damage is reported"
has "$TMP/out" "^[1-9]" "what was read is still counted"
expect 5 "exit() wins over damaged input" -- "$NTA" run -q -n 'ip:::receive { exit(5); }' "$SHARED/fixtures/public/sv-smtp-to-comma.pcap"

# --- address texts: two addresses sharing a cache slot in one firing, and strsize ---
# 10.0.1.5 and 10.0.1.120 hash to the same slot of the 256-slot address cache (common/addr.h
# nta_addr_slot: ((bytes ^ 4) * 0xff51afd7ed558ccd) >> 56 = 221 for both): each firing reads
# both, and both texts must stay whole (truth: the packets' own addresses, written below)
python3 - "$TMP/coll.pcap" <<'PY'
import struct, sys
def csum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def pkt(src, dst, sp, dp, seq, ack, flags):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    tcp = tcp[:16] + struct.pack("!H", csum(bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\2\0\0\0\0\2\2\0\0\0\0\1\x08\0" + ip + tcp
A, B = [10, 0, 1, 5], [10, 0, 1, 120]
ps = [pkt(A, B, 40000, 80, 1000, 0, 0x02), pkt(B, A, 80, 40000, 5000, 1001, 0x12), pkt(A, B, 40000, 80, 1001, 5001, 0x10)]
out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
for i, p in enumerate(ps):
    out += struct.pack("<IIII", 1700000000, i * 1000, len(p), len(p)) + p
open(sys.argv[1], "wb").write(out)
PY
expect 0 "colliding addresses" -- "$NTA" run -q --local all -n 'ip:::send { printf("%s %s %s %s\n", args[2]->ip_saddr, args[2]->ip_daddr, args[2]->ip_saddr, args[2]->ip_daddr); }' "$TMP/coll.pcap"
eq "$(cat "$TMP/out")" "$(printf '10.0.1.5 10.0.1.120 10.0.1.5 10.0.1.120\n10.0.1.120 10.0.1.5 10.0.1.120 10.0.1.5\n10.0.1.5 10.0.1.120 10.0.1.5 10.0.1.120')" "two addresses in one cache slot, one firing"
expect 0 "strsize cuts addresses" -- "$NTA" run -q --local all -x strsize=7 -n 'ip:::send { printf("%s|%s\n", args[2]->ip_saddr, args[2]->ip_daddr); }' "$TMP/coll.pcap"
eq "$(cat "$TMP/out")" "$(printf '10.0.1.|10.0.1.\n10.0.1.|10.0.1.\n10.0.1.|10.0.1.')" "strsize=7: seven characters of each address"

# --- arg0..arg5 on a network probe: the connection for tcpsinfo_t (tcps_addr; NULL without
# one, as the translator's NULL value), a fixed non-zero pointer-like value
# (0xfffff80000000000 | N << 12) for the other structures (d-language.md 3.9) ---
expect 0 "argN" -- "$NTA" run -q -n 'tcp:::send { printf("%x %x %x\n", arg0, arg2, arg6); } tcp:::send /arg3 != args[3]->tcps_addr/ { printf("arg3 %x\n", arg3); }' "$SRC/fixtures/loopback.pcap"
eq "$(sort -u "$TMP/out" | grep .)" "fffff80000000000 fffff80000002000 0" "argN of tcp:::send"

# --- without input walltimestamp is the time nta started plus the virtual clock (man page) ---
now=$(date +%s)
expect 0 "walltimestamp without input" -- "$NTA" run -q -n 'tick-2s { printf("%d %d\n", walltimestamp / 1000000000, timestamp); exit(0); }'
read -r w t <"$TMP/out"
eq "$t" 2000000000 "the virtual clock at the first tick-2s"
[ $((w - now - 2)) -ge -1 ] && [ $((w - now - 2)) -le 5 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: walltimestamp $w is not the start time ($now) + 2 s"; }

# --- the output is never an input; ^C runs END, prints dtrace's "\n" first and is 128+2 ---
cp "$SRC/fixtures/loopback.pcap" "$TMP/in.pcap"
expect 2 "-o onto an input is refused" -- "$NTA" run -q -o "$TMP/in.pcap" -n 'ip:::send { n++; }' "$TMP/in.pcap"
cmp -s "$TMP/in.pcap" "$SRC/fixtures/loopback.pcap" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: the input was written to"; }
"$NTA" run -q --max-ticks 1000000000000 -n 'tick-1ms { n++; } END { printf("end %d\n", n > 0); }' >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
eq "$?" 130 "SIGINT: status 128+2"
eq "$(cat "$TMP/out")" "$(printf '\nend 1\n')" "SIGINT: the newline, then END"

# --- the tick guard: a capture spanning ten years with tick-1ms stays bounded ---
F=$SHARED/fixtures/public/zeek-mixed-vlan-mpls.pcap
expect 0 "tick-1ms over ten years" -- timeout 60 "$NTA" run -q -n 'tick-1ms { n++; } END { printf("%d\n", n); }' "$F"
has "$TMP/err" "firings left out in" "the left-out firings are reported"
has "$TMP/out" "^[1-9][0-9]*$" "ticks fired"

# --- printf() formatted beside the analysis or inline: the same bytes ---
F=$SRC/fixtures/veth-scenarios.pcap
"$NTA" run "$A/tcp4-segments.d" "$F" >"$TMP/threaded.txt" 2>/dev/null
"$NTA" run --inline-output "$A/tcp4-segments.d" "$F" >"$TMP/inline.txt" 2>/dev/null
same "$TMP/inline.txt" "$TMP/threaded.txt" "consumer thread vs inline formatting"

# --- dtrace text input: the same events, the same output ---
F=$SRC/fixtures/veth-scenarios.pcap
"$NTA" events --format dtrace "$F" >"$TMP/ev.txt" 2>/dev/null
"$NTA" run "$A/ex9-fixed.d" "$TMP/ev.txt" >"$TMP/run.txt" 2>/dev/null
"$NTA" report --ooo "$TMP/ev.txt" >"$TMP/report.txt" 2>/dev/null
same "$TMP/report.txt" "$TMP/run.txt" "ex9-fixed.d on dtrace text vs report --ooo"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
