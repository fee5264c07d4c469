#!/usr/bin/env python3
"""bench/syn200k.py: the memory case of issue 14 -- 200,000 SYNs from distinct 4-tuples to one
server in a 14 MB pcap, every connection left half open.

Usage: python3 bench/syn200k.py OUT.pcap. The packets are made here (Ethernet/IPv4/TCP SYN, ten
microseconds apart), not captured: what is measured is how memory follows the number of flows
nta keeps (--max-flows), which needs many flows more than real payloads. bench/run.sh times nta
on it and reports the peak RSS of `report --bytes --format json` and `report --all --max-flows`.
"""
import struct
import sys

def main(path):
    with open(path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        base = 1700000000
        for i in range(200000):
            src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
            dst = bytes([192, 0, 2, 1])
            tcp = struct.pack('>HHIIBBHHH', 1024 + i % 60000, 80, i * 7919, 0, 5 << 4, 0x02,
                              65535, 0, 0)
            ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i & 0xffff, 0, 64, 6, 0,
                             src, dst)
            pkt = b'\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00' + ip + tcp
            usec = i * 10
            out.write(struct.pack('<IIII', base + usec // 1000000, usec % 1000000, len(pkt),
                                  len(pkt)))
            out.write(pkt)

if __name__ == '__main__':
    main(sys.argv[1])
