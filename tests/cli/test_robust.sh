#!/usr/bin/env bash
# tests/cli/test_robust.sh: nothing lost, nothing hangs (issue 14): inputs at the edges of what
# the formats allow, read as a user runs nta.
#
# Usage: test_robust.sh NTA_BINARY SOURCE_DIR. Every damaged or extreme input is built here, with
# python3, from nta's own real fixtures; the truth is tshark/capinfos/zcat on the same bytes, the
# fixture's groundtruth, or a hand derivation written next to the check. Prints "N passed,
# N failed" last; exit 1 on any failure.
set -u
NTA=$1
SRC=$2
FX=$SRC/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

. "$(dirname "$0")/assert.sh"

VS=$FX/veth-scenarios.pcap

# bounded NAME LIMIT -- COMMAND...: runs COMMAND for at most 20 s keeping at most LIMIT bytes of
# its standard output in $TMP/out; passes when it ended by itself within that.
bounded() {
    local what=$1 limit=$2
    shift 3
    timeout 20 "$@" 2>"$TMP/err" | head -c "$limit" >"$TMP/out"
    local st=("${PIPESTATUS[@]}")
    local size
    size=$(stat -c %s "$TMP/out")
    if [ "${st[0]}" -ne 124 ] && [ "$size" -lt "$limit" ]; then ok; else
        bad "$what: still writing after 20 s or $limit bytes (exit ${st[0]}, $size bytes)"; fi
}

# pcapng.py MODE: veth-scenarios.pcap's first ten packets as pcapng (if_tsresol 9), with
#   ones    the sixth packet's timestamp all ones (2^64 - 1 ns)
#   offset  if_tsoffset 2^64 / 10^9 s, which takes every time past 2^64 ns
#   resol   if_tsresol 2^-0 (seconds) and every timestamp in ns units: 1.8e27 ns
cat >"$TMP/pcapng.py" <<'EOF'
import struct, sys
src = open(sys.argv[1], 'rb').read()
mode = sys.argv[2]
recs, pos = [], 24
while pos + 16 <= len(src):
    s, u, cl, ol = struct.unpack('<IIII', src[pos:pos + 16])
    recs.append((s, u, cl, ol, src[pos + 16:pos + 16 + cl]))
    pos += 16 + cl
def opt(code, val):
    return struct.pack('<HH', code, len(val)) + val + b'\0' * (-len(val) % 4)
def block(t, body):
    return struct.pack('<II', t, 12 + len(body)) + body + struct.pack('<I', 12 + len(body))
out = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
opts = opt(9, bytes([0x80 if mode == 'resol' else 9]))
if mode == 'offset':
    opts += opt(14, struct.pack('<q', 2**64 // 10**9))
out += block(1, struct.pack('<HHI', 1, 0, 65535) + opts + struct.pack('<HH', 0, 0))
for i, (s, u, cl, ol, d) in enumerate(recs[:10]):
    ts = s * 10**9 + u * 1000
    if mode == 'ones' and i == 5:
        ts = 2**64 - 1
    out += block(6, struct.pack('<IIIII', 0, ts >> 32, ts & 0xffffffff, cl, ol) + d + b'\0' * (-cl % 4))
sys.stdout.buffer.write(out)
EOF

# --- classic pcap times: unsigned seconds, no fraction of a second or more ---
# veth-scenarios.pcap's first six records retimed: to 2040-01-01 (2208988800 s) and on, and
# with ts_usec 1000000 in the fourth (tshark prints it as 1795454472.1000000000)
python3 - "$VS" "$TMP" <<'EOF2'
import struct, sys
src = open(sys.argv[1], 'rb').read()
out2040, outbad, pos = bytearray(src[:24]), bytearray(src[:24]), 24
for i in range(6):
    s, u, cl, ol = struct.unpack('<IIII', src[pos:pos + 16])
    d = src[pos + 16:pos + 16 + cl]
    out2040 += struct.pack('<IIII', 2208988800 + i, u, cl, ol) + d
    outbad += struct.pack('<IIII', s, 1000000 if i == 3 else u, cl, ol) + d
    pos += 16 + cl
open(sys.argv[2] + '/y2040.pcap', 'wb').write(out2040)
open(sys.argv[2] + '/usec.pcap', 'wb').write(outbad)
EOF2
expect 0 "pcap dated 2040" -- "$NTA" info --format json "$TMP/y2040.pcap"
eq "$(json "j['first_ts_ns']")" "$(tshark -r "$TMP/y2040.pcap" -T fields -e frame.time_epoch 2>/dev/null | head -1 | tr -d .)" \
   "a pcap dated 2040 reads as tshark reads it"
expect 1 "pcap record with ts_usec 1000000" -- "$NTA" info --format json "$TMP/usec.pcap"
eq "$(json "(j['packets'], j['skipped']['bad_record'])")" "(5, 1)" "ts_usec 1000000: five packets read, one bad record"
has "$TMP/err" "pcap record 4 at offset .*: its microsecond field is 1000000 (must be below 1000000)" "the bad time is named"

# --- times beyond 63-bit nanoseconds: counted, never saturated (--bytes --interval looped) ---
for mode in ones offset resol; do
    python3 "$TMP/pcapng.py" "$VS" $mode >"$TMP/$mode.pcapng"
    bounded "$mode: report --bytes --interval 1s ends" 1000000 -- "$NTA" report --bytes --interval 1s "$TMP/$mode.pcapng"
    expect 1 "$mode: the unusable records make the exit status 1" -- "$NTA" info --format json "$TMP/$mode.pcapng"
    want=$([ $mode = ones ] && echo 1 || echo 10)
    eq "$(json "j['skipped']['bad_record']")" "$want" "$mode: records with no usable time counted as bad_record"
    has "$TMP/err" "beyond 63-bit nanoseconds" "$mode: stderr says why"
    eq "$(json "min([j['first_ts_ns'] or 0, j['last_ts_ns'] or 0, j['duration_ns'] or 0]) >= 0")" "True" \
       "$mode: no negative time or duration in nta info's JSON"
done
# tshark shows the all-ones packet as 18446744073.709551615 s: one packet of the ten (capinfos)
eq "$(tshark -r "$TMP/ones.pcapng" -T fields -e frame.time_epoch 2>/dev/null | grep -c '^18446744073\.709551615')" "1" \
   "tshark sees one all-ones timestamp"
expect 1 "ones: the other nine packets are read" -- "$NTA" info --format json "$TMP/ones.pcapng"
eq "$(json "j['packets']")" "9" "ones: nine packets (the tenth has no usable time)"

# --- --bytes --interval: block ends past 2^63 saturate instead of wrapping ---
# dtrace text may carry any 64-bit time: the last 40 events of veth-scenarios.pcap moved to
# 2^64 - 1 ns. The blocks end, and they hold every byte a single block holds.
"$NTA" events -q --format dtrace --local all "$VS" >"$TMP/vs.out"
python3 - "$TMP/vs.out" >"$TMP/vs-max.out" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
for i, l in enumerate(lines):
    t = l.split(' ')
    if i >= len(lines) - 40 and t[0] != 'ntaev1':
        t[1] = t[2] = str(2**64 - 1)
    print(' '.join(t))
EOF
bounded "2^64-1 ns events: report --bytes --interval 1s ends" 1000000 -- "$NTA" report --bytes --interval 1s "$TMP/vs-max.out"
expect 0 "2^64-1 ns events: --bytes --interval 1s as JSON" -- timeout 20 "$NTA" report --bytes --interval 1s --format json "$TMP/vs-max.out"
eq "$(json "sum(r['bytes'] for r in j['rows'])")" \
   "$("$NTA" report -q --bytes --format json "$TMP/vs-max.out" | python3 -c 'import json,sys; print(sum(r["bytes"] for r in json.load(sys.stdin)["rows"]))')" \
   "2^64-1 ns events: the blocks hold every byte the whole-run block holds"
eq "$(json "all(0 <= r['interval_start_ns'] <= r['interval_end_ns'] <= 2**63 - 1 for r in j['rows'])")" "True" \
   "2^64-1 ns events: interval bounds positive, ordered, within 63 bits"
# an interval longer than the time left before 2^64 ns (1.7e19 ns from 1.8e18): capinfos gives
# veth-scenarios.pcap a 5.3 s span, so one block holds everything (the end wrapped to 1981 and
# a second block was printed); it starts at the first TCP or UDP packet (tshark)
expect 0 "--interval 17000000000s" -- timeout 20 "$NTA" report -q --bytes --interval 17000000000s "$VS"
eq "$(grep -c 'TCP in:' "$TMP/out")" "1" "--interval 17000000000s: one block"
expect 0 "--interval 17000000000s as JSON" -- timeout 20 "$NTA" report -q --bytes --interval 17000000000s --format json "$VS"
first=$(tshark -r "$VS" -Y 'tcp or udp' -T fields -e frame.time_epoch 2>/dev/null | head -1 | tr -d .)
eq "$(json "sorted(set((r['interval_start_ns'], r['interval_end_ns']) for r in j['rows']))")" \
   "[($first, 9223372036854775807)]" "--interval 17000000000s: the block starts at the first TCP/UDP packet and ends at 2^63 - 1"

# --- ERF through nta's own streams and record reader ---
ERF=$FX/veth-scenarios.erf   # gzip'd by traceconvert (fixtures/MANIFEST)
zcat "$ERF" >"$TMP/v.erf"
tshark_count() { tshark -r "$1" ${2:+-Y "$2"} -T fields -e frame.number 2>/dev/null | wc -l; }
# cut short: every record zcat recovers whole is read (libtrace lost them all)
head -c 2000 "$ERF" >"$TMP/cut.erf.gz"
zcat "$TMP/cut.erf.gz" >"$TMP/cut.erf" 2>/dev/null
whole=$(python3 -c "
d = open('$TMP/cut.erf', 'rb').read(); p = n = 0
while p + 16 <= len(d) and p + int.from_bytes(d[p + 10:p + 12], 'big') <= len(d):
    p += int.from_bytes(d[p + 10:p + 12], 'big'); n += 1
print(n)")
eq "$(tshark_count "$TMP/cut.erf")" "$whole" "cut ERF: tshark reads the records zcat recovers whole"
expect 1 "gzip'd ERF cut short" -- "$NTA" info --format json "$TMP/cut.erf.gz"
eq "$(json "j['packets']")" "$whole" "gzip'd ERF cut short: every whole record zcat recovers is read"
has "$TMP/err" "gzip stream ends before its end marker" "gzip'd ERF cut short: the cut is named"
# zstd and xz: as the gzip'd original (libtrace called the zstd one corrupt)
zstd -q -c "$TMP/v.erf" >"$TMP/v.erf.zst"
xz -c "$TMP/v.erf" >"$TMP/v.erf.xz"
"$NTA" events -q --ifname e0 --format jsonl --local all "$ERF" | tail -n +2 >"$TMP/erf.jsonl"   # without the meta line (it names the input)
for f in v.erf.zst v.erf.xz v.erf; do
    expect 0 "$f" -- "$NTA" events -q --ifname e0 --format jsonl --local all "$TMP/$f"
    tail -n +2 "$TMP/out" >"$TMP/ev.jsonl"
    same "$TMP/ev.jsonl" "$TMP/erf.jsonl" "$f: the same events as the gzip'd ERF"
done
eq "$(tshark_count "$TMP/v.erf")" "105" "tshark: 105 ERF records"
# on a pipe, sniffed or named (the sniffing said "empty" / needed a file name)
zcat "$ERF" | expect 0 "ERF on standard input" -- "$NTA" info --format json -
eq "$(json "j['packets']")" "105" "ERF on standard input: 105 packets"
zcat "$ERF" | expect 0 "erf:- on standard input" -- "$NTA" events -q --ifname e0 --format jsonl --local all erf:-
tail -n +2 "$TMP/out" >"$TMP/ev.jsonl"
same "$TMP/ev.jsonl" "$TMP/erf.jsonl" "erf:-: the same events as the file"
# a padding record (type 48) in the middle is passed over (libtrace ended there: 10 packets)
python3 - "$TMP/v.erf" "$TMP" <<'EOF2'
import struct, sys
d = open(sys.argv[1], 'rb').read()
recs, p = [], 0
while p + 16 <= len(d):
    r = int.from_bytes(d[p + 10:p + 12], 'big'); recs.append(bytearray(d[p:p + r])); p += r
pad = struct.pack('<Q', 0) + bytes([48, 0]) + struct.pack('>HHH', 32, 0, 0) + bytes(16)
open(sys.argv[2] + '/pad.erf', 'wb').write(b''.join(recs[:10]) + pad + b''.join(recs[10:]))
for i in (20, 30, 40):
    recs[i][9] |= 0x10          # receive error
recs[50][9] |= 0x20             # data-stream error
recs[60][12:14] = struct.pack('>H', 3)   # the card lost 3 frames before this one
open(sys.argv[2] + '/rx.erf', 'wb').write(b''.join(recs))
EOF2
eq "$(tshark_count "$TMP/pad.erf")" "105" "tshark: a padding record is no frame"
expect 0 "ERF with a padding record" -- "$NTA" info --format json "$TMP/pad.erf"
eq "$(json "j['packets']")" "105" "ERF with a padding record: every frame read"
# records flagged with a receive or data-stream error: counted (libtrace dropped three silently)
eq "$(tshark_count "$TMP/rx.erf" 'erf.flags.rxe == 1 || erf.flags.dse == 1')" "4" "tshark: four records flagged"
expect 1 "ERF with flagged records" -- "$NTA" info --format json "$TMP/rx.erf"
eq "$(json "j['packets']")" "101" "flagged ERF records are not analysed (105 - 4)"
eq "$(json "j['skipped']['bad_record']")" "4" "flagged ERF records counted as bad_record"
has "$TMP/err" "ERF record 21 at offset .*receive error" "the first flagged record is named"
eq "$(tshark -r "$TMP/rx.erf" -T fields -e erf.lctr 2>/dev/null | awk '{s += $1} END {print s}')" "3" "tshark: loss counters sum to 3"
eq "$(json "j['interfaces'][0]['ifdrop']")" "3" "ERF loss counters are the interface's drops"

# --- corruption found at a gzip member's end: the packets decoded from it are named ---
# veth-scenarios.pcap as two gzip members split after its 50th record (record ends derived from
# the record headers), the second member's CRC-32 flipped; gzip -t finds the CRC error, and
# everything decoded before it was handed out: packets 51-105 came from the damaged member.
python3 - "$VS" "$TMP" <<'EOF2'
import gzip, struct, sys
src = open(sys.argv[1], 'rb').read()
ends, pos = [], 24
while pos + 16 <= len(src):
    pos += 16 + struct.unpack('<I', src[pos + 8:pos + 12])[0]
    ends.append(pos)
def gz(b, bad):
    z = bytearray(gzip.compress(b, mtime=0))
    if bad:
        z[-8] ^= 0xff   # the member's CRC-32 (then ISIZE) closes it
    return bytes(z)
open(sys.argv[2] + '/crc2.pcap.gz', 'wb').write(gz(src[:ends[49]], 0) + gz(src[ends[49]:], 1))
open(sys.argv[2] + '/crc1.pcap.gz', 'wb').write(gz(src[:ends[49]], 1) + gz(src[ends[49]:], 0))
EOF2
expect 1 "gzip -t on the damaged member" -- gzip -t "$TMP/crc2.pcap.gz"
has "$TMP/err" "crc error" "gzip finds the CRC error"
expect 1 "second gzip member's CRC fails" -- "$NTA" info --format json "$TMP/crc2.pcap.gz"
eq "$(json "j['packets']")" "105" "second member's CRC fails: its packets were already read"
has "$TMP/err" "incorrect data check" "the CRC failure is reported"
has "$TMP/err" "may be wrong: packets 51-105 of this file" "the packets from the damaged member are named"
expect 1 "first gzip member's CRC fails" -- "$NTA" info --format json "$TMP/crc1.pcap.gz"
eq "$(json "j['packets']")" "50" "first member's CRC fails: reading stops there, as zcat does"
eq "$(zcat "$TMP/crc1.pcap.gz" 2>/dev/null | wc -c)" "$(python3 -c "
import struct; d = open('$VS', 'rb').read(); p = 24
for _ in range(50): p += 16 + struct.unpack('<I', d[p + 8:p + 12])[0]
print(p)")" "zcat stops after the first member too"
has "$TMP/err" "may be wrong: packets 1-50 of this file" "first member's packets named"
# the same through the pcapng and ERF readers (one member each, CRC flipped), inline and ahead
python3 - "$FX/veth-scenarios.pcapng" "$TMP/v.erf" "$TMP" <<'EOF2'
import gzip, sys
for src, name in ((sys.argv[1], 'crc.pcapng.gz'), (sys.argv[2], 'crc.erf.gz')):
    z = bytearray(gzip.compress(open(src, 'rb').read(), mtime=0))
    z[-8] ^= 0xff
    open(sys.argv[3] + '/' + name, 'wb').write(z)
EOF2
for f in crc.pcapng.gz crc.erf.gz; do
    expect 1 "$f" -- "$NTA" info "$TMP/$f"
    has "$TMP/err" "gzip member (from decompressed byte 0 on) may be wrong: packets 1-105 of this file" "$f: every packet named"
done
expect 1 "second member's CRC, read ahead on a pipe" -- sh -c "cat '$TMP/crc2.pcap.gz' | '$NTA' info -"
has "$TMP/err" "may be wrong: packets 51-105 of this file" "the same packets named from a pipe"

# --- --local ::ffff:a.b.c.d is the IPv4 host it prints as ---
# veth-scenarios.pcap's server is 10.77.0.1 (fixtures/MANIFEST); the mapped form was echoed as
# 10.77.0.1 yet matched no packet (they carry the IPv4 address)
"$NTA" events -q --format jsonl --local 10.77.0.1 "$VS" | tail -n +2 >"$TMP/v4.jsonl"
for spec in ::ffff:10.77.0.1 ::FFFF:10.77.0.1/128 ::ffff:a4d:1; do
    expect 0 "--local $spec" -- "$NTA" events --format jsonl --local "$spec" "$VS"
    has "$TMP/err" "traced endpoints: 10.77.0.1 (given" "--local $spec is echoed as 10.77.0.1"
    tail -n +2 "$TMP/out" >"$TMP/m.jsonl"
    same "$TMP/m.jsonl" "$TMP/v4.jsonl" "--local $spec traces what --local 10.77.0.1 does"
done
expect 0 "--local ::ffff:10.77.0.0/120" -- "$NTA" report --states --format json --local ::ffff:10.77.0.0/120 "$VS"
eq "$(json "j['traced']")" "10.77.0.0/24" "a mapped /120 is the IPv4 /24"
# an IPv4-compatible address is IPv6 (DTrace prints it as a dotted quad): echoed as what it is
expect 0 "--local ::10.77.0.1" -- "$NTA" report --states --format json --local ::10.77.0.1 "$VS"
eq "$(json "j['traced']")" "::10.77.0.1" "an IPv4-compatible address is echoed in IPv6 form"

# --- --ooo under heavy reordering: the receiver holds what FreeBSD's reassembly queue holds ---
# reorder-heavy.pcap (fixtures/MANIFEST): a 3 MB download with up to 126 holes at once at the
# client. reass.py replays tshark's view of every segment (groundtruth tshark-tcp.tsv) through
# FreeBSD's tcp_reass() rule, written from its source: a segment beyond rcv_nxt joins the queue
# entries it overlaps or touches, else starts a new one while fewer than
# min(sb_hiwat / t_maxseg + 1, maxqueuelen 100) are held (sb_hiwat: the largest window the
# client advertised; t_maxseg: the smaller MSS option), else is dropped. A data segment received
# in ESTABLISHED is out of order when its seq is not rcv_nxt (the article's Example 9).
cat >"$TMP/reass.py" <<'EOF2'
import sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
col = {h: i for i, h in enumerate(rows[0])}
rcv, limit = sys.argv[2], sys.argv[3]
M = 1 << 32
def lt(a, b): return a != b and (a - b) % M >= M // 2
def leq(a, b): return a == b or lt(a, b)
nxt, q, hiwat, mss, closed = None, [], 0, [], False
packets = ooo = most = 0
for r in rows[1:]:
    seq, ln = int(r[col['tcp.seq_raw']]), int(r[col['tcp.len']])
    fl, win = int(r[col['tcp.flags']], 16), int(r[col['tcp.window_size']] or 0)
    if fl & 0x02 and r[col['tcp.options.mss_val']]:
        mss.append(int(r[col['tcp.options.mss_val']]))
    if r[col['ip.src']] == rcv:
        if fl & 0x10:
            hiwat = max(hiwat, win)
        closed = closed or bool(fl & 0x01)
        continue
    if fl & 0x02:
        nxt = (seq + 1) % M
        continue
    if ln == 0 or nxt is None:
        continue
    if not closed:
        packets += 1
        ooo += seq != nxt
    end = (seq + ln) % M
    if leq(seq, nxt) and lt(nxt, end):
        nxt = end
        while q and leq(q[0][0], nxt):
            nxt = q[0][1] if lt(nxt, q[0][1]) else nxt
            q.pop(0)
    elif lt(nxt, seq):
        i = 0
        while i < len(q) and lt(q[i][1], seq): i += 1
        j = i
        while j < len(q) and leq(q[j][0], end): j += 1
        if j > i:
            q[i:j] = [(q[i][0] if lt(q[i][0], seq) else seq, q[j - 1][1] if lt(end, q[j - 1][1]) else end)]
        elif limit == 'unbounded' or len(q) < min(hiwat // min(mss) + 1, 100):
            q.insert(i, (seq, end))
    most = max(most, len(q))
print(packets, ooo, most)
EOF2
GTT=$FX/groundtruth/reorder-heavy.pcap.tshark-tcp.tsv
read -r m_packets m_ooo m_most < <(python3 "$TMP/reass.py" "$GTT" 10.77.0.2 freebsd)
read -r u_packets u_ooo u_most < <(python3 "$TMP/reass.py" "$GTT" 10.77.0.2 unbounded)
eq "$([ "$u_most" -gt 16 ] && echo yes)" "yes" "reorder-heavy.pcap has more than 16 holes at once ($u_most)"
expect 0 "--ooo on reorder-heavy.pcap" -- "$NTA" report -q --ooo --format json --local all "$FX/reorder-heavy.pcap"
eq "$(json "[(r['packets'], r['ooo_packets']) for r in j['rows'] if r['raddr'] == '10.77.0.1']")" \
   "[($m_packets, $m_ooo)]" "--ooo counts what FreeBSD's queue gives (unbounded: $u_ooo; queue at most $m_most)"

# --- --bytes beyond its memory bound: a block's tuples go to disk, the rows come back alike ---
# bytes_tuples.py derives the rows from the packets it makes: 3,000 TCP tuples (over the 1,024 a
# block keeps with --max-flows 10) met in four rounds each, and 1,000 UDP ones
python3 "$(dirname "$0")/bytes_tuples.py" "$TMP/tuples.pcap" "$TMP/tuples.csv" 3000
expect 0 "--bytes --max-flows 10 (to disk)" -- "$NTA" report -q --bytes --local 192.0.2.1 --format csv --max-flows 10 "$TMP/tuples.pcap"
grep -v '^#' "$TMP/out" | tail -n +2 | cut -d, -f2- >"$TMP/rows.csv"
same "$TMP/rows.csv" "$TMP/tuples.csv" "--bytes rows from disk are the packets' sums in printa order"
for f in text json; do
    for iv in "" "--interval 20ms"; do
        "$NTA" report -q --bytes --local 192.0.2.1 --format $f $iv --max-flows 10 "$TMP/tuples.pcap" >"$TMP/disk" 2>/dev/null
        "$NTA" report -q --bytes --local 192.0.2.1 --format $f $iv "$TMP/tuples.pcap" >"$TMP/mem" 2>/dev/null
        same "$TMP/disk" "$TMP/mem" "--bytes --format $f $iv: rows from disk as from memory"
    done
done
# a merge of shards spills as one run does (the plan's --max-flows): the same rows
"$NTA" plan --shards 3 --local 192.0.2.1 --max-flows 10 -o "$TMP/plan.json" "$TMP/tuples.pcap" 2>/dev/null
for k in 0 1 2; do "$NTA" report --bytes --plan "$TMP/plan.json" --shard $k --emit-shard "$TMP/s$k.shard" 2>/dev/null; done
"$NTA" merge "$TMP/s0.shard" "$TMP/s1.shard" "$TMP/s2.shard" >"$TMP/merged" 2>/dev/null
"$NTA" report -q --bytes --local 192.0.2.1 --max-flows 10 "$TMP/tuples.pcap" >"$TMP/single" 2>/dev/null
same "$TMP/merged" "$TMP/single" "--bytes merged from 3 shards, past the memory bound: one run's rows"
# where the runs cannot be written, the run stops saying so (exit 3), never prints a part
TMPDIR=$TMP/none "$NTA" report -q --bytes --local 192.0.2.1 --max-flows 10 "$TMP/tuples.pcap" >"$TMP/out" 2>"$TMP/err"
eq "$?" 3 "--bytes with an unusable TMPDIR: exit 3"
has "$TMP/err" "the bytes report stopped: No such file or directory (its temporary files go to $TMP/none)" "--bytes with an unusable TMPDIR: the message"
# the peak follows --max-flows: 200,000 SYNs (bench/syn200k.py) took 77 MB with JSON before
# (390 MB before that); ~15 MB now. Not under the sanitizers, whose shadow memory is counted.
if ! nm "$NTA" 2>/dev/null | grep -q __asan_init; then
    python3 "$SRC/bench/syn200k.py" "$TMP/syn.pcap"
    /usr/bin/time -f %M -o "$TMP/rss" "$NTA" report -q --bytes --format json --max-flows 1000 "$TMP/syn.pcap" >/dev/null 2>&1
    rss=$(tail -1 "$TMP/rss")
    eq "$([ "$rss" -lt 40000 ] && echo bounded)" "bounded" "report --bytes --format json --max-flows 1000 on 200,000 SYNs: peak $rss KB"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
