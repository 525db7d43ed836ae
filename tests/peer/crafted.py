#!/usr/bin/python3
"""crafted.py IFACE TCPE_MAC TCPE_IP - hand-made segments (scapy) against tcpe's echo app on port 7.

Sends from 198.18.0.50, an address the namespace's kernel does not own, so only this script
answers tcpe. Checks RFC 5961 (challenge ACKs for in-window RST and SYN, ACK validation),
out-of-window and out-of-order segments (SACK), zero-window probing, and that malformed frames
get no answer. Prints one line per check; exit 0 only if all held.
"""
import sys
import time

from scapy.all import Ether, IP, TCP, Raw, AsyncSniffer, sendp, conf, get_if_hwaddr  # noqa

conf.verb = 0
IFACE, TMAC, TIP = sys.argv[1], sys.argv[2], sys.argv[3]
ME = "198.18.0.50"
MYMAC = get_if_hwaddr(IFACE)
SPORT = 40123
failures = 0


def check(what, ok, detail=""):
    global failures
    print(f"  {'ok' if ok else 'FAIL'}: {what}{(' - ' + detail) if detail else ''}", flush=True)
    if not ok:
        failures += 1


class Peer:
    def __init__(self, sport):
        self.sport = sport
        self.seq = 1000000
        self.rcv = None      # next byte expected from tcpe
        self.wnd = 65535

    def frame(self, flags, seq=None, ack=None, data=b"", wnd=None, options=None, **ipkw):
        t = TCP(sport=self.sport, dport=7, flags=flags, seq=self.seq if seq is None else seq,
                ack=(self.rcv or 0) if ack is None else ack,
                window=self.wnd if wnd is None else wnd, options=options or [])
        return Ether(src=MYMAC, dst=TMAC) / IP(src=ME, dst=TIP, **ipkw) / t / Raw(data)

    def send(self, pkt, wait=0.25):
        """Send, return tcpe's TCP replies to us within `wait` s."""
        sn = AsyncSniffer(iface=IFACE, store=True,
                          lfilter=lambda p: TCP in p and p[IP].dst == ME and p[TCP].dport == self.sport)
        sn.start()
        time.sleep(0.05)
        sendp(pkt, iface=IFACE)
        time.sleep(wait)
        return [p[TCP] for p in sn.stop()]


def main():
    p = Peer(SPORT)
    syn = p.frame("S", options=[("MSS", 1400), ("SAckOK", b""), ("Timestamp", (100, 0)),
                               ("WScale", 7)])
    r = p.send(syn)
    sa = [x for x in r if x.flags == "SA"]
    check("SYN gets one SYN-ACK", len(sa) == 1, str([str(x.flags) for x in r]))
    if not sa:
        return 1
    sa = sa[0]
    opts = dict((k, v) for k, v in sa.options)
    check("SYN-ACK offers MSS 1460, window scale, SACK, timestamps echoing ours",
          opts.get("MSS") == 1460 and "WScale" in opts and "SAckOK" in opts
          and opts.get("Timestamp", (0, 0))[1] == 100, str(sa.options))
    p.seq += 1
    p.rcv = sa.seq + 1
    ts = [101]

    def tsopt():
        ts[0] += 1
        return [("Timestamp", (ts[0], 0))]

    p.send(p.frame("A", options=tsopt()), wait=0.1)

    # in-order data comes back (echo)
    r = p.send(p.frame("PA", data=b"abc", options=tsopt()))
    got = b"".join(bytes(x.payload) for x in r if len(x.payload))
    check("in-order data is echoed", got == b"abc", repr(got))
    p.seq += 3
    p.rcv += len(got)
    p.send(p.frame("A", options=tsopt()), wait=0.05)

    # RFC 5961 §3: an in-window RST that is not exact draws a challenge ACK, nothing closes
    r = p.send(p.frame("R", seq=p.seq + 100))
    check("in-window RST (not exact) draws a challenge ACK",
          len(r) == 1 and r[0].flags == "A" and r[0].ack == p.seq, str([(str(x.flags), x.ack) for x in r]))
    # RFC 5961 §4: a SYN on an established connection draws a challenge ACK
    r = p.send(p.frame("S", seq=p.seq + 5))
    check("SYN in ESTABLISHED draws a challenge ACK",
          len(r) == 1 and r[0].flags == "A" and r[0].ack == p.seq, str([(str(x.flags), x.ack) for x in r]))
    # RFC 5961 §5: an ACK of data never sent is ACKed and dropped
    r = p.send(p.frame("A", ack=p.rcv + 100000, options=tsopt()))
    check("ACK of unsent data is answered with an ACK",
          len(r) == 1 and r[0].flags == "A" and r[0].seq == p.rcv, str([(str(x.flags), x.seq) for x in r]))
    # out of window: far beyond what was offered
    r = p.send(p.frame("PA", seq=p.seq + 50000000, data=b"zzz", options=tsopt()))
    check("out-of-window data is ACKed, not taken", len(r) == 1 and r[0].ack == p.seq and
          not len(r[0].payload), str([(str(x.flags), x.ack) for x in r]))
    # out of order: held, ACKed at once with a SACK block; the hole filled -> all of it, in order
    r = p.send(p.frame("PA", seq=p.seq + 4, data=b"efgh", options=tsopt()))
    sack = [v for x in r for k, v in x.options if k == "SAck"]
    check("out-of-order data gets an immediate ACK with a SACK block",
          len(r) == 1 and r[0].ack == p.seq and sack and tuple(sack[0][:2]) == (p.seq + 4, p.seq + 8),
          str([(x.ack, x.options) for x in r]))
    r = p.send(p.frame("PA", data=b"abcd", options=tsopt()))
    got = b"".join(bytes(x.payload) for x in r if len(x.payload))
    check("filling the hole delivers both segments in order", got == b"abcdefgh", repr(got))
    p.seq += 8
    p.rcv += len(got)
    # RFC 7323 PAWS: an old timestamp marks an old duplicate
    r = p.send(p.frame("PA", data=b"old", options=[("Timestamp", (5, 0))]))
    check("a segment with an old timestamp is dropped (PAWS) and ACKed",
          len(r) == 1 and r[0].ack == p.seq and not len(r[0].payload), str([(x.ack,) for x in r]))

    # zero window: we stop reading; tcpe must probe, then resume when the window opens
    p.send(p.frame("A", wnd=0, options=tsopt()), wait=0.05)
    r = p.send(p.frame("PA", data=b"0123456789", wnd=0, options=tsopt()), wait=2.5)
    p.seq += 10
    data = [x for x in r if len(x.payload)]
    check("with our window at zero, tcpe sends only 1-byte probes",
          data and all(len(x.payload) == 1 for x in data), str([len(x.payload) for x in data]))
    r = p.send(p.frame("A", wnd=65535, options=tsopt()), wait=0.5)
    got = b"".join(bytes(x.payload) for x in r if len(x.payload))
    check("the window opens: the rest follows", got.endswith(b"123456789"), repr(got))
    p.rcv += 10
    p.send(p.frame("A", options=tsopt()), wait=0.05)	# all of it received

    # malformed frames: never answered (and counted by reason; the shell checks the counters)
    def raw_frame(**tcpkw):
        t = TCP(sport=p.sport, dport=7, flags="PA", seq=p.seq, ack=p.rcv, window=65535, **tcpkw)
        return Ether(src=MYMAC, dst=TMAC) / IP(src=ME, dst=TIP) / t / Raw(b"x")

    bad = []
    f = Ether(bytes(raw_frame()))
    f[TCP].chksum ^= 0x5555
    bad.append(("bad TCP checksum", f))
    bad.append(("data offset beyond the segment", raw_frame(dataofs=15)))
    raw = bytearray(bytes(raw_frame(options=[("NOP", None)] * 4)))
    raw[14 + 20 + 20:14 + 20 + 24] = bytes([2, 3, 5, 0xB4])     # MSS option of length 3
    raw[14 + 20 + 16:14 + 20 + 18] = b"\0\0"
    seg = bytes(raw[14 + 20:])
    pseudo = bytes(raw[26:34]) + bytes([0, 6]) + len(seg).to_bytes(2, "big")
    data = pseudo + seg + (b"\0" if len(seg) % 2 else b"")
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    raw[14 + 20 + 16:14 + 20 + 18] = (~total & 0xFFFF).to_bytes(2, "big")
    bad.append(("malformed option (MSS length 3)", Ether(bytes(raw))))
    frag = Ether(src=MYMAC, dst=TMAC) / IP(src=ME, dst=TIP, flags="MF") / \
        TCP(sport=p.sport, dport=7, flags="PA", seq=p.seq, ack=p.rcv) / Raw(b"x")
    bad.append(("IP fragment", frag))
    f = raw_frame()
    f[Ether].src = "ff:ff:ff:ff:ff:ff"
    bad.append(("broadcast source MAC", f))
    for name, fr in bad:
        r = p.send(fr, wait=0.15)
        check(f"{name}: no answer", len(r) == 0, str([str(x.flags) for x in r]))

    # an exact RST closes; after it the tuple is unknown and data draws a RST
    p.send(p.frame("R", options=tsopt()), wait=0.1)
    r = p.send(p.frame("PA", data=b"late", options=tsopt()))
    check("after an exact RST, data draws a RST", len(r) == 1 and "R" in str(r[0].flags),
          str([str(x.flags) for x in r]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
