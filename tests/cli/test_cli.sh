#!/usr/bin/env bash
# tests/cli/test_cli.sh: nta as a user runs it: exit statuses, messages, stdin, JSON, filters.
#
# Usage: test_cli.sh NTA_BINARY SOURCE_DIR. Truth: capinfos counts recorded in fixtures/groundtruth
# and ../shared/fixtures/public (MANIFEST.tsv), and tcpdump/tshark run here on the same files
# with the same filter. Prints "N passed, N failed" last; exit 1 on any failure, 77 (skip) when
# ../shared is missing outside CI.
set -u
NTA=$1
SRC=$2
SHARED=$SRC/../shared/fixtures/public
FX=$SRC/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -f "$SHARED/MANIFEST.tsv" ]; then
    if [ -n "${CI:-}" ]; then echo "cli: $SHARED is missing, and CI must have it"; exit 1; fi
    echo "SKIP cli: $SHARED not found"; exit 77
fi

. "$(dirname "$0")/assert.sh"

# --- help and usage errors (exit 2) ---
expect 0 "nta --help" -- "$NTA" --help
has "$TMP/out" "info" "main help lists info"
expect 0 "nta info --help" -- "$NTA" info --help
has "$TMP/out" "--filter" "info help lists --filter"
expect 2 "no command" -- "$NTA"
expect 2 "unknown command" -- "$NTA" frobnicate
has "$TMP/err" "unknown command 'frobnicate'" "unknown command is named"
expect 2 "unknown option" -- "$NTA" info --bogus "$FX/loopback.pcap"
has "$TMP/err" "unknown option '--bogus'" "unknown option is named"
expect 2 "no file" -- "$NTA" info
expect 2 "bad --format" -- "$NTA" info --format xml "$FX/loopback.pcap"
expect 2 "missing option value" -- "$NTA" info "$FX/loopback.pcap" --format
expect 2 "bad filter" -- "$NTA" info -f "tcp port banana" "$FX/loopback.pcap"
has "$TMP/err" "does not compile" "bad filter explained"

# --- unreadable input (exit 3) ---
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >"$TMP/notcap.txt"
expect 3 "text file" -- "$NTA" info "$TMP/notcap.txt"
has "$TMP/err" "not a capture" "text file named as not a capture"
has "$TMP/err" "notcap.txt" "message names the file"
expect 3 "missing file" -- "$NTA" info "$TMP/nope.pcap"
has "$TMP/err" "No such file" "missing file explained"
: >"$TMP/empty"
expect 3 "empty file" -- "$NTA" info "$TMP/empty"
has "$TMP/err" "empty" "empty file explained"
expect 3 "pcap version 1" -- "$NTA" info "$SHARED/libpcap-pcap-invalid-version-1.pcap"
head -c 100000 /dev/urandom >"$TMP/random.bin"
expect 3 "random bytes" -- "$NTA" info "$TMP/random.bin"
# About one random file in five starts with a plausible ERF record header (CI once read such a
# file as one ERF packet and exit 1): the next header, 64 bytes on, has a zero timestamp here.
python3 -c 'import struct,sys; h=struct.pack("<II", 0, 1600000000) + bytes([2, 4]) + struct.pack(">HHH", 64, 0, 60); sys.stdout.buffer.write(h + bytes(48) + bytes([0xff]) * 64)' >"$TMP/erfish.bin"
expect 3 "one plausible ERF header, then garbage" -- "$NTA" info "$TMP/erfish.bin"
has "$TMP/err" "not a capture" "ERF-looking garbage named as not a capture"
# an ERF file whose 11th record has type 0 and the rx-error flag: libtrace reads it, then
# dereferences NULL when asked for its link type (found by fuzz/fuzz_trace.c; segfault before)
zcat "$FX/veth-scenarios.erf" | python3 -c "
import sys
d = bytearray(sys.stdin.buffer.read()); pos = n = 0
while pos + 16 <= len(d):
    if n == 10: d[pos + 8] = d[pos + 8] & 0x80; d[pos + 9] = 0x10
    pos += int.from_bytes(d[pos + 10:pos + 12], 'big'); n += 1
sys.stdout.buffer.write(d)" > "$TMP/erf-type0.erf"
expect 1 "ERF record of type 0 mid-file" -- "$NTA" info "$TMP/erf-type0.erf"
has "$TMP/err" "ERF record 11: type 0 is not an ERF record type" "the bad ERF record is named"
has "$TMP/err" "the 10 packets before that point were read" "the ERF packets before it are kept"
# a 16-byte ERF record of type Ethernet (no room for its 2 pad bytes): libtrace asserted and
# aborted when asked for the packet (found by fuzz/fuzz_trace.c)
printf '\x0a\x0d\x01\x00\x1f\x76\x39\xe7\x02\x80\x00\x10\x00\xaa\x0d\x0a' > "$TMP/erf-short.erf"
expect 3 "ERF record shorter than its headers" -- "$NTA" info "$TMP/erf-short.erf"
has "$TMP/err" "record 1: shorter than its own headers" "the short ERF record is named"

# --- partly unreadable (exit 1): what was read is reported ---
expect 1 "cut pcap" -- "$NTA" info "$SHARED/zeek-wikipedia-cut.pcap"
has "$TMP/out" "^packets: *92$" "cut pcap reports its 92 complete packets (capinfos: 92)"
has "$TMP/err" "offset 19932" "cut pcap names the offset"
has "$TMP/err" "truncated" "cut pcap says truncated"
expect 1 "garbage record length" -- "$NTA" info "$SHARED/sv-smtp-to-comma.pcap"
has "$TMP/out" "^packets: *18$" "18 packets before the garbage (capinfos: 18)"
head -c 1500 "$FX/veth-scenarios.pcap.gz" >"$TMP/cut.pcap.gz"
expect 1 "cut gzip" -- "$NTA" info "$TMP/cut.pcap.gz"
has "$TMP/err" "gzip stream ends" "cut gzip explained"
# one good file and one bad: the good one is fully reported
expect 1 "good + bad file" -- "$NTA" info "$FX/loopback.pcap" "$TMP/notcap.txt"
has "$TMP/out" "^packets: *10$" "good file still counted"

# --- formats, compression, stdin ---
want=$(awk -F': *' '/^Number of packets/ {print $2; exit}' "$FX/groundtruth/veth-scenarios.pcap.capinfos.txt")
for f in veth-scenarios.pcap veth-scenarios.pcap.gz veth-scenarios.pcap.bz2 veth-scenarios.pcap.xz \
         veth-scenarios.pcap.zst veth-scenarios-ns.pcap veth-scenarios.pcapng veth-scenarios.erf; do
    expect 0 "$f" -- "$NTA" info --format json "$FX/$f"
    eq "$(json "j['packets']")" "$want" "$f packets (capinfos)"
done
expect 0 "stdin zstd" -- sh -c "cat '$FX/veth-scenarios.pcap.zst' | '$NTA' info --format json -"
eq "$(json "j['packets']")" "$want" "stdin packets"
eq "$(json "j['files'][0]['compression']")" "zstd" "stdin compression"
eq "$(json "j['interfaces'][0]['name']")" "stdin" "stdin interface name"

# --- JSON content ---
expect 0 "two-links json" -- "$NTA" info --format json "$FX/two-links.pcapng"
eq "$(json "[(i['name'], i['linktype_name'], i['packets']) for i in j['interfaces']]")" \
   "[('vfx-s', 'ethernet', 22), ('any', 'linux-sll', 22)]" "two-links interfaces (capinfos)"
eq "$(json "j['schema_version']")" "1" "schema_version"
expect 0 "--ifname" -- "$NTA" info --format json --ifname em0 "$FX/loopback.pcap"
eq "$(json "j['interfaces'][0]['name']")" "em0" "--ifname names the interface"

# --- filters: the same expression through tcpdump (classic pcap) and tshark (pcapng, 2 link types) ---
for flt in "tcp port 8080" "udp" "ip6" "tcp[tcpflags] & tcp-syn != 0"; do
    want=$(tcpdump -r "$FX/veth-scenarios.pcap" -n "$flt" 2>/dev/null | wc -l)
    expect 0 "filter $flt" -- "$NTA" info --format json -f "$flt" "$FX/veth-scenarios.pcap"
    eq "$(json "j['packets']")" "$want" "filter '$flt' (tcpdump)"
done
want=$(tshark -r "$FX/two-links.pcapng" -Y "tcp.port == 8080" 2>/dev/null | wc -l)
expect 0 "filter on two link types" -- "$NTA" info --format json -f "tcp port 8080" "$FX/two-links.pcapng"
eq "$(json "j['packets']")" "$want" "filter across link types (tshark)"

# --- several files are one trace ---
expect 0 "three files" -- "$NTA" info --format json "$FX/veth-scenarios.pcap" "$FX/loopback.pcap" "$FX/veth-midstream.pcap"
eq "$(json "j['packets']")" "$(( $(tcpdump -r "$FX/veth-scenarios.pcap" 2>/dev/null | wc -l) + 10 + 13 ))" "merged count"

# --- output handling ---
expect 0 "-o file" -- "$NTA" info -o "$TMP/report.txt" "$FX/loopback.pcap"
has "$TMP/report.txt" "^packets: *10$" "-o writes the report"
if [ -s "$TMP/err" ]; then bad "clean run printed on stderr: $(cat "$TMP/err")"; else ok; fi
if [ -w /dev/full ]; then
    expect 3 "full disk" -- "$NTA" info "$FX/loopback.pcap" -o /dev/full
    has "$TMP/err" "writing /dev/full failed: No space left on device" "full disk reported, naming the file and the reason (issue 14)"
fi

# --- nta events ---
expect 0 "events --help" -- "$NTA" events --help
has "$TMP/out" "--probe" "events help lists --probe"
expect 2 "unknown probe" -- "$NTA" events --probe 'tcp:::frobnicate' "$FX/loopback.pcap"
has "$TMP/err" "matches no probe" "unknown probe explained"
expect 2 "bad --local" -- "$NTA" events --local 10.1.2.3/40 "$FX/loopback.pcap"
expect 2 "bad events --format" -- "$NTA" events --format xml "$FX/loopback.pcap"
expect 2 "bad --max-flows" -- "$NTA" events --max-flows -3 "$FX/loopback.pcap"
VS=$FX/veth-scenarios.pcap
count() { tshark -n -r "$VS" -Y "$1" 2>/dev/null | wc -l; }
expect 0 "events jsonl" -- "$NTA" events --format jsonl "$VS"
has "$TMP/err" "traced endpoints: all" "inferred endpoints announced"
python3 - "$TMP/out" >"$TMP/probes" <<'PY' || bad "events jsonl is not JSON Lines"
import json, sys, collections
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["type"] == "meta" and lines[0]["traced"] == "all", lines[0]
c = collections.Counter(j["probe"] for j in lines[1:])
for k, v in sorted(c.items()):
    print(k, v)
PY
ok
probe_count() { awk -v p="$1" '$1 == p {print $2}' "$TMP/probes"; }
# every host traced: each IP packet is one ip:::send and one ip:::receive
eq "$(probe_count ip:::send)" "$(count 'ip || ipv6')" "ip:::send = IP frames (tshark)"
eq "$(probe_count ip:::receive)" "$(count 'ip || ipv6')" "ip:::receive = IP frames (tshark)"
# connect-request fires for every SYN sent (retransmissions too)
eq "$(probe_count tcp:::connect-request)" "$(count 'tcp.flags.syn == 1 && tcp.flags.ack == 0')" "connect-request = SYNs (tshark)"
eq "$(probe_count tcp:::send)" "$(count 'tcp')" "tcp:::send = TCP frames (tshark)"
eq "$(probe_count udp:::send)" "$(count 'udp')" "udp:::send = UDP frames (tshark)"
# one traced host: only its side fires
expect 0 "--local server" -- "$NTA" events -q --format jsonl --local 10.77.0.1 --probe 'ip:::send' "$VS"
eq "$(grep -c '"probe"' "$TMP/out")" "$(count 'ip.src == 10.77.0.1')" "--local: ip:::send only for the server (tshark)"
eq "$(python3 -c "import json; print(sorted({json.loads(l).get('host') for l in open('$TMP/out')} - {None}))")" "['10.77.0.1']" "--local: every event on the server"
eq "$(head -1 "$TMP/out" | python3 -c "import json,sys; print(json.load(sys.stdin)['traced'])")" "10.77.0.1" "meta records the traced host"
# probe globs
expect 0 "glob *:::send" -- "$NTA" events -q --format jsonl --probe '*:::send' "$VS"
eq "$(python3 -c "import json; print(sorted({json.loads(l).get('probe') for l in open('$TMP/out')} - {None}))")" \
   "['ip:::send', 'tcp:::send', 'udp:::send']" "glob *:::send"
# CSV: one header, every row as wide as it
expect 0 "events csv" -- "$NTA" events -q --format csv "$VS"
eq "$(python3 -c "import csv; r=list(csv.reader(open('$TMP/out'))); print(len({len(x) for x in r}), r[0][:3], r[0][3])")" \
   "1 ['ts_ns', 'probe', 'host'] arg0.pkt_addr" "csv shape"
# text: dtrace's header and line prefix
expect 0 "events text" -- "$NTA" events -q --probe tcp:::state-change "$VS"
eq "$(head -1 "$TMP/out")" "CPU     ID                    FUNCTION:NAME" "text header"
has "$TMP/out" "^  0  57612                none:state-change " "text line prefix"
# damaged input: events for what was read, exit 1
expect 1 "events on a cut file" -- "$NTA" events -q --format jsonl "$SHARED/zeek-wikipedia-cut.pcap"
has "$TMP/err" "92 packets before that point" "cut file: packets read reported"
# streaming: with --local given, events come out while the input is still being written
mkfifo "$TMP/fifo"
( head -c 4000 "$VS"; sleep 5; tail -c +4001 "$VS" ) >"$TMP/fifo" &
feeder=$!
"$NTA" events -q --local all "$TMP/fifo" >"$TMP/stream.out" &
reader=$!
seen=0
for _ in $(seq 45); do   # up to 4.5 s, while the feeder still sleeps (5 s)
    if [ -s "$TMP/stream.out" ]; then seen=1; break; fi
    sleep 0.1
done
wait $feeder $reader
if [ "$seen" -eq 1 ] && grep -q "none:state-change" "$TMP/stream.out"; then ok
else bad "streaming: nothing written while the input paused"; fi
# the same for the packet log, which a writer thread formats (reports/log_writer.c)
rm -f "$TMP/fifo"; mkfifo "$TMP/fifo"
( head -c 4000 "$VS"; sleep 5; tail -c +4001 "$VS" ) >"$TMP/fifo" &
feeder=$!
"$NTA" report -q --packets --local all "$TMP/fifo" >"$TMP/stream.out" &
reader=$!
seen=0
for _ in $(seq 45); do
    if [ "$(wc -l <"$TMP/stream.out")" -gt 2 ]; then seen=1; break; fi
    sleep 0.1
done
wait $feeder $reader
# with --local all every segment is a tcp:::send at one end and a tcp:::receive at the other
if [ "$seen" -eq 1 ] && [ "$(grep -c '(' "$TMP/stream.out")" -eq "$((2 * $(tshark -r "$VS" -Y tcp 2>/dev/null | wc -l)))" ]; then ok
else bad "streaming packet log: nothing written while the input paused, or not two lines per TCP segment (tshark)"; fi

# A pcapng that declares nine more interfaces after a packet on its first: the analyzer keeps a
# pointer to each interface's name, and the interface table grew under it (heap-use-after-free
# under ASan, garbage names otherwise). tshark names both frames' interface if0.
python3 - "$TMP/tenifs.pcapng" <<'PY'
import struct, sys
def blk(t, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", t, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)
def idb(name):
    return blk(1, struct.pack("<HHI", 1, 0, 65535) + opt(2, name.encode()) + opt(0, b""))
def epb(ts_us, flags, seq):
    tcp = struct.pack(">HHIIBBHHH", 1000, 80, seq, 0, 0x50, flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    pkt = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0]) + ip + tcp
    return blk(6, struct.pack("<IIIII", 0, ts_us >> 32, ts_us & 0xffffffff, len(pkt), len(pkt)) + pkt)
out = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)) + idb("if0") + epb(1700000000000000, 2, 1)
out += b"".join(idb("if%d" % i) for i in range(1, 10)) + epb(1700000000000100, 0x10, 2)
open(sys.argv[1], "wb").write(out)
PY
eq "$(tshark -r "$TMP/tenifs.pcapng" -T fields -e frame.interface_name 2>/dev/null | tr '\n' ' ')" "if0 if0 " "ten-interface pcapng as tshark reads it"
expect 0 "interfaces declared after packets" -- "$NTA" events --local 10.0.0.1 --probe ip:::send --format csv "$TMP/tenifs.pcapng"
eq "$(python3 -c "import csv; r=list(csv.DictReader(l for l in open('$TMP/out') if not l.startswith('#'))); print([x['arg3.if_name'] for x in r])")" \
   "['if0', 'if0']" "both packets on interface if0 after nine more were declared"

# --- nta report ---
expect 0 "report --help" -- "$NTA" report --help
has "$TMP/out" "ooo.packets_ratio" "report help lists metrics"
expect 2 "bad --fail-if" -- "$NTA" report --ooo --fail-if 'ooo.packets_ratio >' "$VS"
has "$TMP/err" "followed by a number" "bad --fail-if explained"
expect 2 "unknown metric" -- "$NTA" report --ooo --fail-if 'ooo.banana > 1' "$VS"
expect 2 "bad --interval" -- "$NTA" report --bytes --interval 2x "$VS"
# a capture merged from different years (capinfos: 952109346.874907 to 1278600802.074822):
# --interval 1s printed a block per second of the gaps, billions of them (a run without end);
# gaps of more than 1000 empty intervals are skipped whole and counted on stderr. Printed plus
# skipped blocks = the seconds the capture spans, counting the last one: 326491456.
MV=$SHARED/zeek-mixed-vlan-mpls.pcap
expect 0 "--interval over years of gap" -- timeout 60 "$NTA" report -q --bytes --interval 1s "$MV"
printed=$(grep -c "TCP in:" "$TMP/out")
skipped=$(sed -n 's/.*--interval: \([0-9]*\) empty intervals not printed.*/\1/p' "$TMP/err")
span=$(capinfos -a -e -S -T "$MV" 2>/dev/null | tail -1 |
       awk -F'\t' '{ printf "%d", int($3) - int($2) + ($3 - int($3) < $2 - int($2) ? 0 : 1) }')
eq "$((printed + ${skipped:-0}))" "$span" "--interval: printed + skipped blocks = the capture's span in seconds"
expect 4 "--fail-if on skipped intervals" -- timeout 60 "$NTA" report -q --bytes --interval 1s --format csv \
    --fail-if 'bytes.skipped_intervals > 0' "$MV"
# --ooo against tshark. The article counts every inbound data segment in ESTABLISHED whose seq
# is not rcv_nxt. In captures without gaps that is exactly tshark's out-of-order plus
# retransmitted data segments (a late segment is below rcv_nxt either way); data packets and
# bytes per sender equal tshark's.
ooo_rows() { "$NTA" report -q --ooo --format csv --local all "$1" | grep -v '^#' | tail -n +2 | sort; }
tshark_rows() {
    tshark -n -r "$1" -Y 'tcp.len > 0' -T fields -e ip.src -e ipv6.src -e tcp.len \
        -e tcp.analysis.out_of_order -e tcp.analysis.retransmission 2>/dev/null |
    python3 -c "
import sys, collections, ipaddress
b=collections.Counter(); p=collections.Counter(); o=collections.Counter()
for l in sys.stdin:
    f=l.rstrip('\\n').split('\\t'); src=f[0] or f[1]
    p[src]+=1; b[src]+=int(f[2]); o[src]+= (f[3]!='' or f[4]!='')
for k in sorted(p): print('%s,%d,%d,%d' % (k, b[k], p[k], o[k]))" | sort
}
for f in arkime-http-post-upload.pcap arkime-wireshark-retrans.pcap zeek-retransmit-fast009.pcap \
         ppa-tcp_retransmissions.pcapng zeek-tcp-timestamp.pcap; do
    got=$(ooo_rows "$SHARED/$f" | awk -F, '{print $1","$2","$4","$5}')
    eq "$got" "$(tshark_rows "$SHARED/$f")" "--ooo $f: bytes, packets, ooo = tshark ooo + retransmissions"
done
# sv-tcp-rst-unacked-stream-10.pcap has segments the capture missed (tshark: "previous segment
# not captured" at frames 20, 21, 52, 56, 72). By hand from its data segments from
# 174.56.47.59 (relative seq, each 1288 bytes unless noted), the host's rcv_nxt stops at each
# hole: 9481 18497 19785 (rcv_nxt 8193) and 21073 22361 (rcv_nxt 10769 once 8193 filled the
# first hole) are ahead of it; 31377 (again) and 39441 34289 36865 38153 40729 42017 43305
# 44593 45881 47169 48457 then 49745 56185 57473 ... come around the later holes: 19 in all,
# where tshark flags 13 out-of-order and 1 retransmission (different definitions; man page).
eq "$(ooo_rows "$SHARED/sv-tcp-rst-unacked-stream-10.pcap" | grep '^174.56.47.59,' | cut -d, -f2,4,5)" \
   "53608,43,19" "--ooo with capture gaps (hand-derived)"
# --ooo on nta's own reordering capture (fixtures/reorder.pcap: HTB delays ~1/16 of the server's
# segments, captured at the client). Truth: the article's definition applied to tshark's parse
# by a separate model (unbounded set of received ranges): a data segment from the server counts
# when its seq is not the client's rcv_nxt, until the client leaves ESTABLISHED (its FIN).
RO=$FX/reorder.pcap
fin=$(tshark -n -r "$RO" -Y 'ip.src == 10.77.0.2 && tcp.flags.fin == 1' -T fields -e frame.number 2>/dev/null | head -1)
want=$(tshark -n -r "$RO" -Y 'ip.src == 10.77.0.1 && tcp.len > 0' -T fields -e frame.number -e tcp.seq -e tcp.len 2>/dev/null |
    python3 -c "
import sys
rcv, held, n, b, o, ob = 1, [], 0, 0, 0, 0
for l in sys.stdin:
    f, seq, ln = map(int, l.split())
    if f >= $fin:
        break
    n += 1; b += ln
    if seq != rcv:
        o += 1; ob += ln
    if seq <= rcv < seq + ln:
        rcv = seq + ln
        held.sort()
        while held and held[0][0] <= rcv:
            rcv = max(rcv, held.pop(0)[1])
    elif seq > rcv:
        held.append((seq, seq + ln))
print('10.77.0.1,%d,%d,%d,%d' % (b, ob, n, o))")
eq "$("$NTA" report -q --ooo --format csv --local 10.77.0.2 "$RO" | grep -v '^#' | tail -n +2)" "$want" \
   "--ooo on real reordering = the article's definition computed from tshark's parse"
tshark_ooo=$(tshark -n -r "$RO" -Y 'ip.src == 10.77.0.1 && (tcp.analysis.out_of_order || tcp.analysis.retransmission)' 2>/dev/null | wc -l)
if [ "$tshark_ooo" -gt 0 ]; then ok; else bad "the reordering fixture shows no reordering to tshark"; fi

# --bytes: per 4-tuple, what the endpoint sent and received = tshark's payload of the
# conversation (both directions), TCP and UDP
expect 0 "bytes csv" -- "$NTA" report -q --bytes --format csv --local all "$VS"
got=$(grep -v '^#' "$TMP/out" | tail -n +2 | awk -F, '{print $2","$3":"$4"-"$5":"$6","$7}' | sort)
want=$(tshark -n -r "$VS" -T fields -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst \
        -e tcp.dstport -e tcp.len -e udp.srcport -e udp.dstport -e udp.length 2>/dev/null |
    python3 -c "
import sys, collections, ipaddress
def d(a):
    return a
t=collections.Counter()
for l in sys.stdin:
    f=l.rstrip('\\n').split('\\t')
    s=f[0] or f[1]; dd=f[3] or f[4]
    if f[2]:
        proto, sp, dp, n = 'TCP', f[2], f[5], int(f[6])
    elif f[7]:
        proto, sp, dp, n = 'UDP', f[7], f[8], int(f[9]) - 8
    else:
        continue
    t[(proto, s, sp, dd, dp)] += n; t[(proto, dd, dp, s, sp)] += n
for (proto, a, pa, b, pb), n in t.items():
    fix = lambda x: str(ipaddress.ip_address(x)) if ':' not in x else x
    print('%s,%s:%s-%s:%s,%d' % (proto, a, pa, b, pb, n))" | sort)
# addresses: DTrace compresses a single zero group; tshark's fd77::1 forms need no change here
eq "$got" "$want" "--bytes per 4-tuple = tshark payload per conversation"
# several reports, one read: output-dir gets one file each; JSON records inputs and traced hosts
expect 0 "--all --output-dir json" -- "$NTA" report -q --all --format json --output-dir "$TMP/rep" "$VS"
eq "$(ls "$TMP/rep" | tr '\n' ' ')" "bytes.json durations.json ifhist.json ooo.json packets.json states.json " "one file per report"
eq "$(python3 -c "import json; j=json.load(open('$TMP/rep/ooo.json')); print(j['report'], j['traced'], j['inputs'][0].endswith('veth-scenarios.pcap'), j['skipped']['non_ip'])")" \
   "ooo all True 2" "report JSON header (2 ARP frames skipped, as capinfos/tshark show)"
eq "$(python3 -c "import json; j=json.load(open('$TMP/rep/durations.json')); print(sum(b['count'] for b in j['rows'][0]['buckets']))")" \
   "12" "durations: 12 ends (the state changes test_fsm derives: FIN_WAIT_2/CLOSING/LAST_ACK entries after a start)"
# an output dir that holds a larger run's files: the logs' old bytes are cut by the writer
# thread (after the JSON head / CSV preamble the analysing thread wrote): same files as fresh
# (old logs of 64 MB: cutting them takes long enough for the head to be written meanwhile)
for fmt in text json csv; do
    mkdir -p "$TMP/over-$fmt"
    ext=$fmt; [ $fmt = text ] && ext=txt
    "$NTA" report -q --all --format $fmt --output-dir "$TMP/over-$fmt" "$SHARED/arkime-wireshark-retrans.pcap" 2>/dev/null
    head -c 64000000 /dev/zero | tr '\0' x > "$TMP/over-$fmt/packets.$ext"
    cp "$TMP/over-$fmt/packets.$ext" "$TMP/over-$fmt/states.$ext"
    "$NTA" report -q --all --format $fmt --output-dir "$TMP/over-$fmt" "$VS" 2>/dev/null
    "$NTA" report -q --all --format $fmt --output-dir "$TMP/fresh-$fmt" "$VS" 2>/dev/null
    if diff -r "$TMP/over-$fmt" "$TMP/fresh-$fmt" >/dev/null; then ok; else bad "--output-dir over larger $fmt files differs from a fresh one"; fi
done
# --fail-if: report written, condition on stderr, exit 4
expect 4 "--fail-if holds" -- "$NTA" report -q --ooo --fail-if 'ooo.packets > 0' "$SHARED/arkime-wireshark-retrans.pcap"
has "$TMP/out" "OOO PACKETS" "report still written when a gate fails"
has "$TMP/err" "ooo.packets = 36" "failing gate and value on stderr"
expect 0 "--fail-if passes" -- "$NTA" report -q --ooo --fail-if 'connect_refused > 0' "$SHARED/arkime-wireshark-retrans.pcap"
expect 4 "--fail-if connect_refused" -- "$NTA" report -q --states --fail-if 'connect_refused > 0' "$VS"
# text: the article's layouts
expect 0 "states text" -- "$NTA" report -q --states "$VS"
eq "$(head -1 "$TMP/out")" "                          LADDR LPORT                           RADDR RPORT  DELTA(us)" "states header (Example 6)"
expect 0 "packets text" -- "$NTA" report -q --packets "$VS"
if grep -q $'ACK|\b)$' "$TMP/out"; then ok; else bad "packets: flags end with the backspace of Example 3"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
