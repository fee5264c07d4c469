#!/usr/bin/env python3
"""tests/dscript/models.py: what three of the seeds' D scripts print, computed independently
from nta's events.

Usage: models.py EVENTS.jsonl OUTDIR   (writes OUTDIR/ex5.txt, tcp4-segments.txt, tcp4-states.txt)

Each script is re-stated here in Python from its D text and DTrace's documented semantics
(shared/reference/d-language.md, dtrace-providers.md), not from nta's D runtime; the events
come from `nta events --format jsonl`, and `nta run` on the same capture must print the same
bytes (tests/dscript/test_run.sh).

ex5.d (the article's Example 5) times connections by the script's own definition, not nta's
--durations report (which counts passive opens too; the article-scripts README):
  - a tcp:::state-change CLOSED -> SYN_SENT, or LISTEN -> SYN_RECEIVED (never seen on FreeBSD:
    a passive open goes CLOSED -> SYN_RECEIVED), stores timestamp in dur[cs_cid];
  - a later change into CLOSING, FIN_WAIT_2 or LAST_ACK with dur[cs_cid] != 0 adds
    (timestamp - dur[cs_cid]) / 1000000 (unsigned 64-bit) to quantize() under the key
    "Connection duration (ms)" and stores 0 (which deletes the element).
  The aggregation is printed at exit as dtrace(1) prints it (dtrace-providers.md 5.1, 5.3,
  5.4): "\n", the key "  %-50s", the distribution block (its own "\n", the header, one row
  per bucket from one below the lowest non-empty to one above the highest, bars of
  round(count * 40 / total) '@'), and "\n".

tcp4-segments.d (dtrace-tcp(4)'s first script): a header, then per tcp:::send / receive one
line: cpu 0, local and remote address and port (send: saddr/sport -> daddr/dport; receive:
daddr/dport <- saddr/sport), ip_plength - tcp_offset as %6d of a uint32_t (the difference is a
64-bit register, the record keeps 32 bits, %d of an unsigned type prints unsigned), the flags
FIN| SYN| RST| PUSH| ACK| URG| in that order, "null " when none, then "\b)\n".

tcp4-states.d (the second): a header, then per tcp:::state-change "%12d" of (timestamp -
last[cid]) / 1000 in unsigned 64-bit arithmetic (last[] is `int last[int]`: the key is cs_cid
cut to 32 bits, the value keeps the whole timestamp, a missing one reads 0), the old and new
state names and the timestamp; then last[cid] = timestamp. The second clause never prints.

Every output ends with the "\n" dtrace(1) prints when the run ends.
"""
import json
import os
import sys

STATES = ["state-closed", "state-listen", "state-syn-sent", "state-syn-received",
          "state-established", "state-close-wait", "state-fin-wait-1", "state-closing",
          "state-last-ack", "state-fin-wait-2", "state-time-wait"]
CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED = 0, 1, 2, 3
CLOSING, LAST_ACK, FIN_WAIT_2 = 7, 8, 9
M64 = (1 << 64) - 1


def state_name(s):
    return STATES[s] if 0 <= s < len(STATES) else "<unknown>"


def bucket(v):
    """quantize()'s bucket index (0..126, zero at 63) of a signed 64-bit value."""
    if v == 0:
        return 63
    if v > 0:
        return 64 + v.bit_length() - 1
    return 62 - ((-v).bit_length() - 1)   # the most negative label L with v <= L


def label(i):
    if i == 63:
        return 0
    return 1 << (i - 64) if i > 63 else -(1 << (62 - i))


def ex5(events):
    dur = {}
    buckets = [0] * 127
    seen = False
    for ev in events:
        if ev["probe"] != "tcp:::state-change":
            continue
        new = (ev["args"][3] or {}).get("tcps_state", -1)
        old = (ev["args"][5] or {}).get("tcps_state", 0)
        cid = (ev["args"][1] or {}).get("cs_cid", 0)
        ts = ev["ts_ns"]
        if (old == CLOSED and new == SYN_SENT) or (old == LISTEN and new == SYN_RECEIVED):
            dur[cid] = ts
        if new in (CLOSING, FIN_WAIT_2, LAST_ACK) and dur.get(cid, 0) != 0:
            ms = ((ts - dur[cid]) & M64) // 1000000
            if ms >= 1 << 63:
                ms -= 1 << 64
            buckets[bucket(ms)] += 1
            seen = True
            dur.pop(cid)
    out = ["\n"]
    if seen:
        nz = [i for i, c in enumerate(buckets) if c]
        lo, hi = max(nz[0] - 1, 0), min(nz[-1] + 1, 126)
        total = sum(buckets[lo:hi + 1])
        out.append("  %-50s" % "Connection duration (ms)")
        out.append("\n%16s %41s %-9s\n" % ("value", "------------- Distribution -------------",
                                              "count"))
        for i in range(lo, hi + 1):
            c = buckets[i]
            depth = (80 * c + total) // (2 * total)   # round half up of c * 40 / total
            out.append("%16d |%s%s %-9d\n" % (label(i), "@" * depth, " " * (40 - depth), c))
        out.append("\n")
    return "".join(out)


def segments(events):
    out = [" %3s %15s:%-5s %15s:%-5s %6s %s\n" % ("CPU", "LADDR", "LPORT", "RADDR", "RPORT",
                                                 "BYTES", "FLAGS")]
    for ev in events:
        if ev["probe"] not in ("tcp:::send", "tcp:::receive"):
            continue
        ip, tcp = ev["args"][2], ev["args"][4]
        length = (ip["ip_plength"] - tcp["tcp_offset"]) & 0xffffffff
        if ev["probe"] == "tcp:::send":
            head = " %3d %16s:%-5d -> %16s:%-5d %6d (" % (0, ip["ip_saddr"], tcp["tcp_sport"],
                                                          ip["ip_daddr"], tcp["tcp_dport"], length)
        else:
            head = " %3d %16s:%-5d <- %16s:%-5d %6d (" % (0, ip["ip_daddr"], tcp["tcp_dport"],
                                                          ip["ip_saddr"], tcp["tcp_sport"], length)
        flags = tcp["tcp_flags"]
        text = "".join(name + "|" for bit, name in ((1, "FIN"), (2, "SYN"), (4, "RST"),
                                                    (8, "PUSH"), (16, "ACK"), (32, "URG"))
                       if flags & bit)
        if flags == 0:
            text += "null "
        out.append(head + text + "\b)\n")
    return "".join(out) + "\n"


def states(events):
    out = [" %12s %-20s %-20s %s\n" % ("DELTA(us)", "OLD", "NEW", "TIMESTAMP")]
    last = {}
    for ev in events:
        if ev["probe"] != "tcp:::state-change":
            continue
        cid = (ev["args"][1] or {}).get("cs_cid", 0) & 0xffffffff
        ts = ev["ts_ns"]
        new = (ev["args"][3] or {}).get("tcps_state", -1)
        old = (ev["args"][5] or {}).get("tcps_state", 0)
        elapsed = ((ts - last.get(cid, 0)) & M64) // 1000
        out.append(" %12d %-20s -> %-20s %d\n" % (elapsed, state_name(old), state_name(new), ts))
        last[cid] = ts
    return "".join(out) + "\n"


def main():
    events = []
    with open(sys.argv[1]) as f:
        for line in f:
            ev = json.loads(line)
            if "probe" in ev:
                events.append(ev)
    for name, fn in (("ex5", ex5), ("tcp4-segments", segments), ("tcp4-states", states)):
        with open(os.path.join(sys.argv[2], name + ".txt"), "w", encoding="latin-1") as f:
            f.write(fn(events))


main()
