#!/usr/bin/env python3
"""telemetry_client.py PREFIX COMMAND [COMMAND...] - query a running tcpe (or any DPDK process)
through DPDK's telemetry v2 socket, /var/run/dpdk/PREFIX/dpdk_telemetry.v2, and print one JSON
object {COMMAND: reply, ...}. Exit status 1 if the socket is missing or a reply is not JSON."""
import json
import socket
import sys


def query(prefix, commands):
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    info = json.loads(s.recv(65536).decode())      # greeting: version, pid, max_output_len
    size = int(info.get("max_output_len", 16384))
    out = {}
    for cmd in commands:
        s.send(cmd.encode())
        reply = json.loads(s.recv(size).decode())
        out[cmd] = reply.get(cmd.split(",")[0])
    s.close()
    return out


if __name__ == "__main__":
    try:
        print(json.dumps(query(sys.argv[1], sys.argv[2:])))
    except (OSError, ValueError) as e:
        print(f"telemetry: {e}", file=sys.stderr)
        sys.exit(1)
