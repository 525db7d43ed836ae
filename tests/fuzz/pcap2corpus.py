#!/usr/bin/env python3
"""pcap2corpus.py OUTDIR PCAP... - turn captured sessions into fuzz_stack inputs.

Each TCP connection's frames towards port 80 become one input: records of [time step 1 ms]
[2-byte little-endian length][frame], the destination MAC set to the fuzz target's (02:00:00:00:00:01)
and acknowledgment numbers made relative to the server's ISN (the target adds its own ISN back;
it fixes checksums). Also writes every frame alone, so single packets are in the corpus too.
IPv4 and IPv6 (no extension headers) alike; IPv6 captures also give the peer's ICMPv6 (neighbour
solicitations, echo requests) as single frames."""
import os
import struct
import sys

OUR_MAC = bytes.fromhex("020000000001")
OUR_IP6 = bytes.fromhex("20010002000000000000000000000001")  # the target's --ip6 2001:2::1


def frames(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, incl, _ = struct.unpack(endian + "IIII", rec)
            yield f.read(incl)


def main(argv):
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for path in argv[2:]:
        conns = {}
        server_isn = {}
        for fr in frames(path):
            if len(fr) >= 62 and fr[12:14] == b"\x86\xdd" and fr[20] == 58 and fr[22:38] != OUR_IP6:
                with open(os.path.join(out, "frame%05d" % n), "wb") as f:
                    f.write(struct.pack("<BH", 1, len(fr)) + OUR_MAC + fr[6:])
                n += 1
                continue
            if len(fr) >= 74 and fr[12:14] == b"\x86\xdd" and fr[20] == 6:
                t = 14 + 40
            elif len(fr) >= 54 and fr[12:14] == b"\x08\x00" and fr[23] == 6:
                t = 14 + (fr[14] & 15) * 4
            else:
                continue
            sport, dport, seq, ack = struct.unpack("!HHII", fr[t:t + 12])
            if sport == 80 and fr[t + 13] & 0x12 == 0x12:
                server_isn[dport] = seq
            if dport != 80:
                continue
            if sport in server_isn:
                rel = (ack - server_isn[sport]) & 0xFFFFFFFF
                fr = fr[:t + 8] + struct.pack("!I", rel) + fr[t + 12:]
            fr = OUR_MAC + fr[6:]
            rec = struct.pack("<BH", 1, len(fr)) + fr
            conns.setdefault(sport, []).append(rec)
            with open(os.path.join(out, "frame%05d" % n), "wb") as f:
                f.write(rec)
            n += 1
        for sport, recs in conns.items():
            with open(os.path.join(out, "%s-%d" % (os.path.basename(path), sport)), "wb") as f:
                f.write(b"".join(recs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
