#!/usr/bin/env python3
"""tests/cli/bytes_tuples.py: a capture for --bytes beyond its memory bound (issue 14), and the rows
it must print, derived here from the packets made.

Usage: bytes_tuples.py OUT.pcap EXPECTED.csv [N]. N TCP connections from 700 client addresses
(10.0.x.y, whose texts sort unlike their numbers) to 192.0.2.1:80, each sending data in four
rounds (so a tuple comes back after its table went to disk), and a UDP flow for every third;
EXPECTED.csv holds proto,laddr,lport,raddr,rport,bytes per tuple as the server (--local
192.0.2.1) receives them, in printa order: bytes, then the key (texts by strcmp, ports).
"""
import struct, sys
out, exp = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('>%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
recs = []
t = [1700000000 * 10**6]
def pkt(src, dst, proto, l4):
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0, src, dst)
    ip = ip[:10] + struct.pack('>H', csum(ip)) + ip[12:]
    t[0] += 10
    recs.append((t[0], b'\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00' + ip + l4))
def tcp(src, dst, sp, dp, seq, ack, flags, data=b''):
    pkt(src, dst, 6, struct.pack('>HHIIBBHHH', sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data)
def udp(src, dst, sp, dp, data):
    pkt(src, dst, 17, struct.pack('>HHHH', sp, dp, 8 + len(data), 0) + data)
srv = bytes([192, 0, 2, 1])
cli = lambda i: bytes([10, 0, (i >> 8) & 255, i & 255])   # texts like 10.0.1.10 < 10.0.1.9
sums = {}
seqs = {}
for i in range(N):
    c, sp = cli(i % 700), 1024 + i
    tcp(c, srv, sp, 80, 1000, 0, 0x02)
    tcp(srv, c, 80, sp, 5000, 1001, 0x12)
    tcp(c, srv, sp, 80, 1001, 5001, 0x10)
    seqs[i] = 1001
for r in range(4):
    for i in range(N):
        c, sp = cli(i % 700), 1024 + i
        n = (i * 7 + r * 3) % 41 + 1
        tcp(c, srv, sp, 80, seqs[i], 5001, 0x18, b'x' * n)
        seqs[i] += n
        k = ('TCP', '192.0.2.1', 80, '%d.%d.%d.%d' % tuple(c), sp)
        sums[k] = sums.get(k, 0) + n
        if i % 3 == 0:
            m = (i + r) % 17 + 1
            udp(c, srv, 4000 + i, 53, b'u' * m)
            k = ('UDP', '192.0.2.1', 53, '%d.%d.%d.%d' % tuple(c), 4000 + i)
            sums[k] = sums.get(k, 0) + m
with open(out, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for us, p in recs:
        f.write(struct.pack('<IIII', us // 10**6, us % 10**6, len(p), len(p)) + p)
with open(exp, 'w') as f:
    for proto in ('TCP', 'UDP'):
        rows = sorted((v, k[1], k[2], k[3], k[4]) for k, v in sums.items() if k[0] == proto)
        for v, la, lp, ra, rp in rows:
            f.write('%s,%s,%d,%s,%d,%d\n' % (proto, la, lp, ra, rp, v))
