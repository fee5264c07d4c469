#!/usr/bin/env python3
"""tests/dscript/make_darwin_pcapng.py: an own capture rewritten as macOS tcpdump -k writes it.

Apple's pcapng extension (Apple's libpcap pcap-ng.h, Wireshark's wiretap/pcapng-darwin-custom.c):
a Darwin Process Event Block (type 0x80000001: u32 process id, then options name 2 and UUID 4)
declares a process; an Enhanced Packet Block names one with option 0x8001, the index of a DPEB
among its section's DPEBs in order of appearance (0x8003 names the effective process, 0x8002
carries the service class). tcpdump -k writes a DPEB just before the first packet of its
process. This script makes such a file from a classic pcap of fixtures/ (the processes are
invented from the ports, since the namespaces that made the capture had no Mac behind them):

  client side of TCP to port 8080 (10.77.0.2)   curl       pid 4242
  server side (port 8080)                       httpd      pid 501
  TCP over IPv6                                 python3.11 pid 31337 (client), httpd (server)
  UDP to port 5300 / from it                    dig 777 / named 53
  RSTs of the refused connection, ARP, ICMPv6   no process option (the kernel's)

The packets from the UDP scenario on go in a second section whose DPEBs come in another order
(two of them up front, one of them unused): indexes restart per section. Some packets carry
other options before 0x8001 (a comment, epb_flags, the service class) and 0x8003 after it.
Both sections are little-endian: tshark 4.0's pcapng file dissector, the independent reading
the test compares with, stops at the first large packet of a big-endian section (byte-swapped
process blocks are left to tests/formats/test_pcapng.c).

Usage: make_darwin_pcapng.py IN.pcap OUT.pcapng [--damage short-dpeb|bad-index|cut-dpeb]
  short-dpeb  the first DPEB of section 2 is only 12 bytes (no process id): a skipped block
  bad-index   the first packet of section 2 names DPEB 9, which the section never declares
  cut-dpeb    the file ends in the middle of the first DPEB of section 2
Standard library only; the output is the same for the same input (no clocks, no randomness)."""
import struct
import sys

PROCS = {
    "curl": 4242, "httpd": 501, "python3.11": 31337, "dig": 777, "named": 53,
}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0xA1B2C3D4:
        e, nsec = "<", False
    elif magic == 0xD4C3B2A1:
        e, nsec = ">", False
    elif magic == 0xA1B23C4D:
        e, nsec = "<", True
    else:
        sys.exit(f"{path}: not a classic pcap (magic {magic:#x})")
    snaplen, linktype = struct.unpack(e + "II", data[16:24])
    pkts, off = [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, origlen = struct.unpack(e + "IIII", data[off:off + 16])
        usec = frac // 1000 if nsec else frac
        pkts.append((sec * 1000000 + usec, origlen, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return linktype, snaplen & 0xFFFF or 65535, pkts


def process_of(frame):
    """The invented owner of an Ethernet frame, None for the kernel's."""
    et = struct.unpack(">H", frame[12:14])[0]
    if et == 0x0800:
        ihl = (frame[14] & 15) * 4
        proto, l4, v6 = frame[23], 14 + ihl, False
    elif et == 0x86DD:
        proto, l4, v6 = frame[20], 54, True
    else:
        return None
    if proto not in (6, 17):
        return None
    sport, dport = struct.unpack(">HH", frame[l4:l4 + 4])
    if proto == 17:
        return "dig" if dport == 5300 else "named" if sport == 5300 else None
    flags = frame[l4 + 13]
    if dport == 8081 or sport == 8081:   # refused: only the kernel answers
        return "curl" if flags & 0x02 else None
    if sport == 8080:
        return "httpd"
    if dport == 8080:
        return "python3.11" if v6 else "curl"
    return None


def is_udp_5300(frame):
    return struct.unpack(">H", frame[12:14])[0] == 0x0800 and frame[23] == 17


class Writer:
    def __init__(self):
        self.out = bytearray()
        self.e = "<"

    def block(self, btype, body):
        body = bytes(body)
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        self.out += struct.pack(self.e + "II", btype, n) + body + struct.pack(self.e + "I", n)

    def opt(self, code, value):
        return struct.pack(self.e + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

    def shb(self, e):
        self.e = e
        self.block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1)
                   + self.opt(4, b"make_darwin_pcapng.py") + self.opt(0, b""))

    def idb(self, linktype, snaplen):
        self.block(1, struct.pack(self.e + "HHI", linktype, 0, snaplen)
                   + self.opt(2, b"en0") + self.opt(0, b""))

    def dpeb(self, pid, name, uuid_seed):
        uuid = bytes((uuid_seed * 17 + i) & 255 for i in range(16))
        self.block(0x80000001, struct.pack(self.e + "I", pid) + self.opt(2, name.encode())
                   + self.opt(4, uuid) + self.opt(0, b""))

    def epb(self, ts_us, origlen, data, opts):
        body = struct.pack(self.e + "IIIII", 0, ts_us >> 32, ts_us & 0xFFFFFFFF, len(data), origlen)
        body += data + b"\0" * (-len(data) % 4)
        if opts:
            body += b"".join(self.opt(c, v) for c, v in opts) + self.opt(0, b"")
        self.block(6, body)


def main():
    args = sys.argv[1:]
    damage = None
    if len(args) == 4 and args[2] == "--damage" and args[3] in ("short-dpeb", "bad-index", "cut-dpeb"):
        damage = args[3]
    elif len(args) != 2:
        sys.exit(__doc__)
    linktype, snaplen, pkts = read_pcap(args[0])
    w = Writer()
    w.shb("<")
    w.idb(linktype, snaplen)
    index = {}        # process name -> its index in the current section
    section = 1
    cut_at = None
    bad_pending = damage == "bad-index"
    for n, (ts, origlen, data) in enumerate(pkts):
        if section == 1 and is_udp_5300(data):
            section = 2
            w.shb("<")
            w.idb(linktype, snaplen)
            index = {}
            # this section declares two processes up front, in an order unlike section 1's
            for name in ("named", "httpd"):
                if damage == "cut-dpeb" and cut_at is None:
                    cut_at = len(w.out) + 10
                if damage == "short-dpeb" and not index:
                    w.block(0x80000001, b"")   # 12 bytes: no room for the process id
                else:
                    w.dpeb(PROCS[name], name, PROCS[name])
                index[name] = len(index)
        name = process_of(data)
        opts = []
        if name is not None:
            if name not in index:
                w.dpeb(PROCS[name], name, PROCS[name])
                index[name] = len(index)
            ix = index[name]
            if bad_pending and section == 2:
                ix, bad_pending = 9, False
            # vary the neighbours of 0x8001: a comment, epb_flags and the service class before
            # it, the effective process after it
            if n % 3 == 1:
                opts.append((1, f"frame {n + 1}".encode()))
            if n % 2 == 0:
                opts.append((2, struct.pack(w.e + "I", 1 if name in ("httpd", "named") else 2)))
                opts.append((0x8002, struct.pack(w.e + "I", 0)))
            opts.append((0x8001, struct.pack(w.e + "I", ix)))
            if n % 4 == 3:
                opts.append((0x8003, struct.pack(w.e + "I", ix)))
        elif n % 5 == 0:
            opts.append((1, b"no process"))
        w.epb(ts, origlen, data, opts)
    out = bytes(w.out if cut_at is None else w.out[:cut_at])
    with open(args[1], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
