#!/usr/bin/env python3
"""lossy_client.py - byte-exact transfers with goodput, for the impaired-path tests.

  echo HOST PORT BYTES   send BYTES of seeded random data, read them back, compare
  bulk HOST PORT BYTES   read until EOF, expect BYTES of the body pattern (byte i = PATTERN[i % 32])

Prints one line: "<mode> <bytes> bytes in <s> s = <Mbit/s> Mbit/s" and exits 0 only when every
byte matched.
"""
import hashlib
import random
import socket
import sys
import threading
import time

PATTERN = b"0123456789abcdefghijklmnopqrstuv"


def echo(host, port, n):
    data = random.Random(20261124).randbytes(n)
    s = socket.create_connection((host, port), timeout=60)
    got = hashlib.sha256()
    count = 0
    t0 = time.monotonic()

    def sender():
        view = memoryview(data)
        for off in range(0, n, 65536):
            s.sendall(view[off:off + 65536])
        s.shutdown(socket.SHUT_WR)

    th = threading.Thread(target=sender)
    th.start()
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        got.update(chunk)
        count += len(chunk)
    th.join()
    dt = time.monotonic() - t0
    s.close()
    ok = count == n and got.digest() == hashlib.sha256(data).digest()
    return ok, count, dt


def bulk(host, port, n):
    s = socket.create_connection((host, port), timeout=60)
    count = 0
    ok = True
    t0 = time.monotonic()
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        # compare against the pattern at this offset, cheaply: rotate, repeat, cut
        start = count % 32
        want = (PATTERN[start:] + PATTERN[:start]) * (len(chunk) // 32 + 2)
        if chunk != want[:len(chunk)]:
            ok = False
        count += len(chunk)
    dt = time.monotonic() - t0
    s.close()
    return ok and count == n, count, dt


def main(argv):
    if len(argv) != 5 or argv[1] not in ("echo", "bulk"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, host, port, n = argv[1], argv[2], int(argv[3]), int(argv[4])
    ok, count, dt = (echo if mode == "echo" else bulk)(host, port, n)
    print(f"{mode} {count} bytes in {dt:.2f} s = {count * 8 / dt / 1e6:.1f} Mbit/s"
          f"{'' if ok else ' MISMATCH (want %d bytes)' % n}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
