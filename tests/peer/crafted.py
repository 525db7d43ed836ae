#!/usr/bin/python3
"""crafted.py IFACE TCPE_MAC TCPE_IP - hand-made segments (scapy) against tcpe's echo app on port 7
and its hello app on port 42181.

Sends from 198.18.0.50, an address the namespace's kernel does not own, so only this script
answers tcpe. Checks RFC 5961 (challenge ACKs for in-window RST and SYN, ACK validation),
out-of-window and out-of-order segments (SACK), zero-window probing, that malformed frames get no
answer; then what a hostile peer tried before (issue 14): a blind segment with a huge timestamp,
an out-of-order FIN followed by data beyond it, FINs flooding a TIME_WAIT entry. Prints one line
per check; exit 0 only if all held.
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
    def __init__(self, sport, dport=7):
        self.sport = sport
        self.dport = dport
        self.seq = 1000000
        self.rcv = None      # next byte expected from tcpe
        self.wnd = 65535

    def frame(self, flags, seq=None, ack=None, data=b"", wnd=None, options=None, **ipkw):
        t = TCP(sport=self.sport, dport=self.dport, flags=flags, seq=self.seq if seq is None else seq,
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

    def connect(self, ts=None):
        """Handshake; returns tcpe's SYN-ACK (or None)."""
        opts = [("MSS", 1400), ("SAckOK", b"")] + ([("Timestamp", (ts, 0))] if ts else [])
        sa = [x for x in self.send(self.frame("S", options=opts)) if x.flags == "SA"]
        if not sa:
            return None
        self.seq += 1
        self.rcv = sa[0].seq + 1
        return sa[0]


def hostile(base_port):
    """Issue 14's defects, from the wire."""
    # 1. A blind segment at RCV.NXT with an unacceptable ACK and a huge TSval must not move
    #    TS.Recent: the real peer's next segment is still taken, not dropped by PAWS.
    p = Peer(base_port)
    if p.connect(ts=1000) is None:
        check("hostile: handshake", False)
        return
    p.send(p.frame("A", options=[("Timestamp", (1001, 0))]), wait=0.05)
    p.send(p.frame("PA", data=b"x", ack=p.rcv + 100000, options=[("Timestamp", (0x7ffffff0, 0))]),
           wait=0.1)
    r = p.send(p.frame("PA", data=b"real", options=[("Timestamp", (1002, 0))]))
    got = b"".join(bytes(x.payload) for x in r if len(x.payload))
    check("a blind huge timestamp does not wedge the connection (RFC 7323 §4.3)", got == b"real",
          repr(got))
    p.seq += 4
    p.rcv += len(got)
    p.send(p.frame("R", options=[("Timestamp", (1003, 0))]), wait=0.05)

    # 4. An out-of-order FIN, then data beyond it (not the peer's), then the hole: the 20 bytes up
    #    to the FIN are echoed, the FIN is acknowledged and echo closes.
    p = Peer(base_port + 1)
    p.connect()
    p.send(p.frame("A"), wait=0.05)
    p.send(p.frame("FA", seq=p.seq + 10, data=b"KLMNOPQRST"), wait=0.1)
    p.send(p.frame("PA", seq=p.seq + 21, data=b"beyond-fin"), wait=0.1)
    r = p.send(p.frame("PA", data=b"ABCDEFGHIJ"), wait=0.4)
    got = b"".join(bytes(x.payload) for x in r if len(x.payload))
    fin_acked = any(x.ack == p.seq + 21 for x in r)
    check("an out-of-order FIN survives data beyond it: data echoed, FIN acknowledged",
          got == b"ABCDEFGHIJKLMNOPQRST" and fin_acked,
          repr(got) + " acks " + str(sorted({x.ack - p.seq for x in r})))
    tcpe_fin = [x for x in r if "F" in str(x.flags)]
    if tcpe_fin:
        p.send(p.frame("A", seq=p.seq + 21, ack=tcpe_fin[0].seq + len(tcpe_fin[0].payload) + 1),
               wait=0.05)

    # 2. TIME_WAIT on tcpe's side (hello closes first): FINs anywhere in the sequence space draw
    #    at most one ACK per ~0.5 s, and the real retransmitted FIN is still answered.
    p = Peer(base_port + 2, dport=42181)
    p.connect()
    r = p.send(p.frame("A"), wait=0.3)
    data = [x for x in r if len(x.payload)]
    fin = [x for x in r if "F" in str(x.flags)]
    if not fin:
        check("hostile: hello closed", False, str([str(x.flags) for x in r]))
        return
    end = fin[-1].seq + len(fin[-1].payload) + 1
    p.send(p.frame("FA", ack=end), wait=0.2)       # tcpe: TIME_WAIT
    p.seq += 1
    flood = [p.frame("FA", seq=p.seq + 5000 + 100 * i, ack=end) for i in range(30)]
    sn = AsyncSniffer(iface=IFACE, store=True,
                      lfilter=lambda q: TCP in q and q[IP].dst == ME and q[TCP].dport == p.sport)
    sn.start()
    time.sleep(0.05)
    sendp(flood, iface=IFACE)
    time.sleep(0.2)
    acks = sn.stop()
    # one ACK per ~0.52 s tick: two if the burst straddles a tick boundary
    check("30 stray FINs to a TIME_WAIT entry draw at most two ACKs", len(acks) <= 2, str(len(acks)))
    time.sleep(0.6)
    r = p.send(p.frame("FA", seq=p.seq - 1, ack=end))
    check("the peer's real retransmitted FIN is ACKed", len(r) == 1 and r[0].ack == p.seq,
          str([(str(x.flags), x.ack - p.seq) for x in r]) + f" {len(data)} data")


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
    hostile(SPORT + 10)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
