#!/usr/bin/env python3
"""synflood.py - spoofed SYNs from random ports and sources on an interface (AF_PACKET), bounded.

  synflood.py IFACE DST_MAC DST_IP DPORT COUNT SECONDS [RATE]

Sources are 198.18.0.100-199 (addresses nobody owns in the test namespace, as a real flood's
would be), random source ports and ISNs. Sends COUNT frames or stops after SECONDS, whichever
comes first; at most RATE frames a second when given (paced in batches). Prints "sending" once
its frames are built, just before the first goes out (a test waits
for it: building them takes a while on a busy machine), then "sent N SYNs in S s (R/s)".
"""
import random
import socket
import struct
import sys
import time

from rawpkt import csum


def frame(src_mac, dst_mac, sip, dip, sport, dport, isn):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, isn, 0, 6 << 4, 0x02, 64240, 0, 0)
    tcp += struct.pack("!BBH", 2, 4, 1460)          # MSS option
    pseudo = struct.pack("!4s4sBBH", sip, dip, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + tcp


def main(argv):
    if len(argv) not in (7, 8):
        print(__doc__, file=sys.stderr)
        return 2
    rate = float(argv[7]) if len(argv) == 8 else 0.0
    iface, dst_mac, dip, dport = argv[1], bytes.fromhex(argv[2].replace(":", "")), argv[3], int(argv[4])
    count, secs = int(argv[5]), float(argv[6])
    rnd = random.Random(4987)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src_mac = s.getsockname()[4]
    dipb = socket.inet_aton(dip)
    frames = [frame(src_mac, dst_mac, socket.inet_aton("198.18.0.%d" % rnd.randrange(100, 200)),
                    dipb, rnd.randrange(1024, 65536), dport, rnd.getrandbits(32))
              for _ in range(min(count, 20000))]
    print("sending", flush=True)
    sent, t0 = 0, time.monotonic()
    deadline = t0 + secs
    while sent < count and time.monotonic() < deadline:
        for f in frames[: count - sent]:
            try:
                s.send(f)
                sent += 1
            except BlockingIOError:
                time.sleep(0.0005)
            except OSError:
                time.sleep(0.0005)
            if rate > 0 and sent % 200 == 0:    # paced: no faster than RATE
                ahead = t0 + sent / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
                if time.monotonic() >= deadline:
                    break
        if sent < count:    # the next round: other ports, same shape
            frames = [frame(src_mac, dst_mac, f[26:30], dipb, rnd.randrange(1024, 65536), dport,
                            rnd.getrandbits(32)) for f in frames]
    dt = time.monotonic() - t0
    print(f"sent {sent} SYNs in {dt:.2f} s ({sent / dt:.0f}/s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
