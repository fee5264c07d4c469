#!/usr/bin/env python3
"""tests/dscript/test_darwin.py: execname and pid from macOS process blocks, against tshark.

Usage: test_darwin.py NTA_BINARY SOURCE_DIR

fixtures/veth-scenarios-darwin.pcapng (made by make_darwin_pcapng.py from veth-scenarios.pcap,
checked here byte for byte) names a process for most packets. Truth per packet is what tshark
reads in the file: frame.darwin.process_info.{pid,pname} where tshark has them (Wireshark 4.6
on; not available here to try), else its pcapng file dissector (-X read_format:"MIME Files
Format"), whose Darwin process blocks and per-packet process index are resolved here as
Apple's libpcap does (index = the section's DPEBs in order). Then:
  - every ip/tcp/udp send and receive probe shows its packet's process, "kernel" and 0 where
    the packet names none; a state change shows its packet's or, for a held FIN applied later
    (analyzer/synth.c), "kernel" and 0;
  - apart from execname and pid, nta run prints the same as on veth-scenarios.pcap;
  - the damaged files of make_darwin_pcapng.py --damage behave as man/nta.1 says: a DPEB too
    short for its process id is an unusable record (warning, exit status 1) that keeps its
    index; an index the section never declared gives "kernel" and 0 silently; a file cut in a
    DPEB is read up to there and reported as cut.
Exit 0 pass, 1 fail, 77 skip (tshark missing; under CI=1 that is a failure)."""
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NTA, SRC = sys.argv[1], sys.argv[2]
HERE = os.path.join(SRC, "tests", "dscript")
FIXTURE = os.path.join(SRC, "fixtures", "veth-scenarios-darwin.pcapng")
BASE = os.path.join(SRC, "fixtures", "veth-scenarios.pcap")
GEN = os.path.join(HERE, "make_darwin_pcapng.py")

SCRIPT = """#pragma D option quiet
ip:::send, ip:::receive, tcp:::send, tcp:::receive, udp:::send, udp:::receive,
tcp:::state-change
{ printf("%d %s:::%s %s %d\\n", timestamp, probeprov, probename, execname, pid); }
"""
PLAIN = """#pragma D option quiet
ip:::, tcp:::, udp:::
{ printf("%d %s:::%s\\n", timestamp, probeprov, probename); }
"""

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def run(*args):
    p = subprocess.run(list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def truth_from_frames(path):
    """{timestamp ns: (name, pid) or None} from tshark's frame.darwin fields (Wireshark 4.6+)."""
    rc, out, err = run("tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.time_epoch",
                       "-e", "frame.darwin.process_info.pname",
                       "-e", "frame.darwin.process_info.pid")
    truth = {}
    for line in out.splitlines():
        ts, name, pid = (line.split("\t") + ["", ""])[:3]
        sec, _, frac = ts.partition(".")
        ns = int(sec) * 10**9 + int((frac + "000000000")[:9])
        truth[ns] = (name, int(pid)) if pid else None
    return truth


def truth_from_blocks(path):
    """The same from tshark 4.0's pcapng file dissector: every block in file order."""
    rc, out, err = run("tshark", "-r", path, "-X", "read_format:MIME Files Format", "-T", "pdml")
    root = ET.fromstring(out)
    truth, procs = {}, []
    for b in root.iter("field"):
        if b.get("name") != "pcapng.block":
            continue
        f = {}
        for x in b.iter("field"):
            f.setdefault(x.get("name"), x.get("show"))
        t = f.get("pcapng.block.type")
        if t == "0x0a0d0d0a":
            procs = []
        elif t == "0x80000001":
            procs.append((f.get("pcapng.darwin.process_name", ""), int(f["pcapng.darwin.process_id"])))
        elif t == "0x00000006":
            us = int(f["pcapng.timestamp_high"]) << 32 | int(f["pcapng.timestamp_low"])
            ix = f.get("pcapng.options.option.data.packet.darwin.dpeb_id")
            truth[us * 1000] = procs[int(ix)] if ix is not None and int(ix) < len(procs) else None
    return truth


def events(out):
    rows = []
    for line in out.splitlines():
        if line.strip():
            ts, probe, name, pid = line.split(" ")
            rows.append((int(ts), probe, name, int(pid)))
    return rows


def compare(rows, truth, label):
    bad = []
    for ts, probe, name, pid in rows:
        want = truth.get(ts, "missing")
        if want == "missing":
            bad.append(f"{ts} {probe}: no packet at that time")
            continue
        want = want or ("kernel", 0)
        got = (name, pid)
        if got != want and not (probe == "tcp:::state-change" and got == ("kernel", 0)):
            bad.append(f"{ts} {probe}: {got}, tshark {want}")
    check(not bad, f"{label}: {len(rows)} probes against tshark" + "".join("\n      " + b for b in bad[:10]))


def main():
    if shutil.which("tshark") is None:
        if os.environ.get("CI"):
            print("FAIL: tshark is missing, and CI must have it")
            return 1
        print("SKIP darwin: tshark not found")
        return 77
    tmp = tempfile.mkdtemp()
    try:
        script = os.path.join(tmp, "proc.d")
        with open(script, "w") as f:
            f.write(SCRIPT)
        plain = os.path.join(tmp, "plain.d")
        with open(plain, "w") as f:
            f.write(PLAIN)

        made = os.path.join(tmp, "made.pcapng")
        subprocess.run([sys.executable, GEN, BASE, made], check=True)
        with open(made, "rb") as a, open(FIXTURE, "rb") as b:
            check(a.read() == b.read(), "the fixture is what make_darwin_pcapng.py makes")

        fields = run("tshark", "-G", "fields")[1]
        if "\tframe.darwin.process_info.pname\t" in fields:
            truth, how = truth_from_frames(FIXTURE), "frame.darwin.process_info"
        else:
            truth, how = truth_from_blocks(FIXTURE), "tshark's pcapng block dissection"
        n_frames = len(run("tshark", "-r", FIXTURE)[1].splitlines())
        check(len(truth) == n_frames == 105, f"{how}: {len(truth)} packets, tshark reads {n_frames}")
        named = sum(1 for v in truth.values() if v)
        check(named > 50 and len({v for v in truth.values() if v}) == 5,
              f"{named} packets name a process, 5 processes in all")

        rc, out, err = run(NTA, "run", script, FIXTURE)
        check(rc == 0 and err == "", f"nta run exits 0 quietly (status {rc}, stderr {err!r})")
        rows = events(out)
        compare(rows, truth, "send/receive/state-change")
        for probe in ("ip:::send", "tcp:::receive", "udp:::send", "tcp:::state-change"):
            check(any(r[1] == probe and r[2] != "kernel" for r in rows),
                  f"some {probe} shows a process")
        check(any(r[2] == "kernel" for r in rows), "packets without a process show kernel")

        # nothing else changes: the same probes as on the pcap the fixture was made from
        a = run(NTA, "run", plain, FIXTURE)[1]
        b = run(NTA, "run", plain, BASE)[1]
        check(a == b and a.count("\n") > 300, "the same probes fire as on veth-scenarios.pcap")

        # damaged process blocks
        intact = out.splitlines()
        for damage in ("short-dpeb", "bad-index", "cut-dpeb"):
            path = os.path.join(tmp, damage + ".pcapng")
            subprocess.run([sys.executable, GEN, BASE, path, "--damage", damage], check=True)
            rc, out, err = run(NTA, "run", script, path)
            lines = out.splitlines()
            if damage == "short-dpeb":
                # section 2's index 0 (named) is the damaged block; index 1 (httpd) still counts
                want = [l.replace(" named 53", " kernel 0") for l in intact]
                check(rc == 1 and "1 unusable records skipped" in err
                      and "process event block is too short for its process id" in err,
                      f"short DPEB: status 1 and a warning (status {rc}, {err.strip()!r})")
                check(lines == want, "short DPEB: its packets show kernel, later indexes stay right")
            elif damage == "bad-index":
                diff = [(x, y) for x, y in zip(intact, lines) if x != y]
                check(rc == 0 and err == "", f"index out of range: status 0, no warning ({rc}, {err!r})")
                check(len(lines) == len(intact) and diff
                      and all(y.endswith(" kernel 0") for x, y in diff)
                      and len({x.split(" ")[0] for x, y in diff}) == 1,
                      f"index out of range: that one packet's probes show kernel ({len(diff)} lines)")
            else:
                check(rc == 1 and "file ends inside block 0x80000001" in err,
                      f"cut DPEB: status 1, the cut reported ({rc}, {err.strip()!r})")
                check(0 < len(lines) < len(intact) and set(lines) <= set(intact),
                      f"cut DPEB: the {len(lines)} probes before the cut are as in the whole file")
    finally:
        shutil.rmtree(tmp)
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
