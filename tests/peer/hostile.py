#!/usr/bin/env python3
"""hostile.py - TCP peers that hold a server's resources, from spoofed addresses over AF_PACKET.

  hostile.py IFACE DST_MAC DST_IP DPORT NOACK ZEROWIN VANISH SECONDS

Opens NOACK + ZEROWIN + VANISH connections to DST_IP:DPORT from 198.18.0.100-199 (addresses no
stack in the namespace owns, so the kernel neither answers nor resets what comes back) and
behaves badly for SECONDS, then goes silent:
  noack    asks for GET /bytes/1048576 and never acknowledges a byte of the answer;
  zerowin  pipelines eight GET /bytes/16777216 behind a 2920-byte window, then acknowledges what
           arrives with a zero window and answers every probe the same way, for SECONDS;
  vanish   sends GET / with Connection: close and its FIN in one segment, then never speaks again
           (the server's answer and FIN are never acknowledged).
Prints one line: "established N/M: noack A zerowin B vanish C; bytes received R; probes answered P".
Exit status 0 when every connection was established (the server answered each SYN).
"""
import random
import select
import socket
import struct
import sys
import time

from rawpkt import csum


SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10




class Conn:
    def __init__(self, mode, sip, sport, isn):
        self.mode, self.sip, self.sport = mode, sip, sport
        self.iss = isn
        self.snd_nxt = isn + 1
        self.rcv_nxt = None
        self.established = False


class Peers:
    def __init__(self, iface, dst_mac, dip, dport):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        self.s.bind((iface, 0))
        self.s.setblocking(False)
        self.src_mac = self.s.getsockname()[4]
        self.dst_mac, self.dip, self.dport = dst_mac, socket.inet_aton(dip), dport
        self.conns = {}
        self.rx_bytes = 0
        self.probes = 0

    def send(self, c, flags, payload=b"", wnd=65535, seq=None):
        seq = c.snd_nxt if seq is None else seq
        ack = c.rcv_nxt if c.rcv_nxt is not None else 0
        opts = struct.pack("!BBH", 2, 4, 1460) if flags & SYN else b""
        off = (20 + len(opts)) // 4
        tcp = struct.pack("!HHIIBBHHH", c.sport, self.dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          off << 4, flags, wnd, 0, 0) + opts + payload
        pseudo = struct.pack("!4s4sBBH", c.sip, self.dip, 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, c.sip, self.dip)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frame = self.dst_mac + self.src_mac + b"\x08\x00" + ip + tcp
        for _ in range(50):
            try:
                self.s.send(frame)
                return
            except (BlockingIOError, OSError):
                time.sleep(0.001)

    def open(self, mode, sip, sport, isn):
        c = Conn(mode, sip, sport, isn)
        self.conns[(sip, sport)] = c
        # zerowin offers a small window from the start: the server may send 2920 bytes
        self.send(c, SYN, wnd=2920 if mode == "zerowin" else 65535, seq=c.iss)

    def established(self, c):
        c.established = True
        if c.mode == "noack":
            req = b"GET /bytes/1048576 HTTP/1.1\r\nHost: t\r\n\r\n"
            self.send(c, ACK | PSH, req)
        elif c.mode == "zerowin":
            req = b"GET /bytes/16777216 HTTP/1.1\r\nHost: t\r\n\r\n" * 8
            self.send(c, ACK | PSH, req, wnd=2920)
        else:
            req = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            self.send(c, ACK | PSH | FIN, req)
            c.snd_nxt += 1
        c.snd_nxt += len(req)

    def frame_in(self, f, active):
        if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6 or f[26:30] != self.dip:
            return
        ihl = (f[14] & 15) * 4
        t = 14 + ihl
        sport, dport, seq, ack, off, flags, wnd = struct.unpack("!HHIIBBH", f[t:t + 16])
        c = self.conns.get((f[30:34], dport))
        if c is None or sport != self.dport:
            return
        iplen = struct.unpack("!H", f[16:18])[0]
        plen = iplen - ihl - (off >> 4) * 4
        if flags & RST:
            return
        if not c.established:
            if flags & SYN and flags & ACK and ack == (c.iss + 1) & 0xFFFFFFFF:
                c.rcv_nxt = seq + 1
                self.established(c)
            return
        if not active or c.mode != "zerowin":
            return  # noack and vanish never answer; after SECONDS nobody does
        self.rx_bytes += max(plen, 0)
        end = (seq + max(plen, 0) + (1 if flags & FIN else 0)) & 0xFFFFFFFF
        if ((end - c.rcv_nxt) & 0xFFFFFFFF) < 0x80000000:
            c.rcv_nxt = end
        if plen <= 1:
            self.probes += 1
        self.send(c, ACK, wnd=0)


def main(argv):
    if len(argv) != 9:
        print(__doc__, file=sys.stderr)
        return 2
    iface, dst_mac, dip, dport = argv[1], bytes.fromhex(argv[2].replace(":", "")), argv[3], int(argv[4])
    counts = {"noack": int(argv[5]), "zerowin": int(argv[6]), "vanish": int(argv[7])}
    secs = float(argv[8])
    rnd = random.Random(5961)
    p = Peers(iface, dst_mac, dip, dport)
    ports = rnd.sample(range(20000, 60000), sum(counts.values()))
    i = 0
    for mode, n in counts.items():
        for _ in range(n):
            sip = socket.inet_aton("198.18.0.%d" % (100 + i % 100))
            p.open(mode, sip, ports[i], rnd.getrandbits(32))
            i += 1
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.s], [], [], 0.05)
        if not r:
            continue
        for _ in range(256):
            try:
                f = p.s.recv(65535)
            except (BlockingIOError, OSError):
                break
            p.frame_in(f, True)
    est = {m: sum(1 for c in p.conns.values() if c.mode == m and c.established) for m in counts}
    total = sum(est.values())
    print("established %d/%d: noack %d zerowin %d vanish %d; bytes received %d; probes answered %d"
          % (total, len(p.conns), est["noack"], est["zerowin"], est["vanish"], p.rx_bytes, p.probes))
    return 0 if total == len(p.conns) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
