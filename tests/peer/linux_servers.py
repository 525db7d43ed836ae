#!/usr/bin/env python3
"""linux_servers.py - the Linux kernel's TCP as the reference server: echo on PORT, bulk on PORT+2.

  linux_servers.py ADDR ECHO_PORT BULK_PORT BULK_BYTES SECONDS

Echo returns every byte and closes after the peer's FIN; bulk sends BULK_BYTES of the body
pattern (byte i = PATTERN[i % 32]) and closes, like tcpe's apps. Exits after SECONDS.
"""
import socket
import socketserver
import sys
import threading

PATTERN = b"0123456789abcdefghijklmnopqrstuv"


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            d = self.request.recv(1 << 16)
            if not d:
                break
            self.request.sendall(d)


class Bulk(socketserver.BaseRequestHandler):
    def handle(self):
        left = self.server.bulk_bytes
        block = PATTERN * 2048
        while left > 0:
            n = min(left, len(block))
            self.request.sendall(block[:n])
            left -= n


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main(argv):
    addr, eport, bport, nbytes, secs = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5])
    e = Server((addr, eport), Echo)
    b = Server((addr, bport), Bulk)
    b.bulk_bytes = nbytes
    for srv in (e, b):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait(secs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
