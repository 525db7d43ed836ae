#!/usr/bin/env python3
"""http_client.py MODE HOST PORT [ARGS] - raw-socket HTTP/1.1 checks against tcpe's http app.

  pipeline   ten requests in one write; ten responses, in order, on one connection
  bytewise   one request written a byte at a time; a complete response
  statuses   400 (bad request line), 431 (oversized head), 405 (POST, with Allow), each then closed
  close      'Connection: close' is honoured: the response, then EOF
  idle MS    a kept-alive connection is closed by the server after MS of silence
  many N     N concurrent connections held open, each served twice (keep-alive)
Prints one summary line; exit 0 only if every check held.
"""
import asyncio
import socket
import sys
import time

from checks import CheckFailed, check

PATTERN = b"0123456789abcdefghijklmnopqrstuv"


def body(n):
    return (PATTERN * (n // 32 + 1))[:n]


def read_response(f, head=False):
    """Read one response from a buffered socket file: (status, headers, body).
    A response to HEAD has a Content-Length but no body (RFC 9110 §9.3.2)."""
    line = f.readline()
    if not line:
        return None
    status = int(line.split()[1])
    headers = {}
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, v = h.decode().split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = 0 if head else int(headers.get("content-length", "0"))
    return status, headers, f.read(n) if n else b""


def conn(host, port):
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s, s.makefile("rb")


def pipeline(host, port):
    s, f = conn(host, port)
    reqs = b"".join(b"GET /bytes/%d HTTP/1.1\r\nHost: t\r\n\r\n" % (i * 100 + 1) for i in range(9))
    reqs += b"HEAD /bytes/999 HTTP/1.1\r\nHost: t\r\n\r\n"
    s.sendall(reqs)
    for i in range(9):
        st, h, b = read_response(f)
        check(st == 200 and b == body(i * 100 + 1), f"response {i}: {st} {len(b)} bytes")
    st, h, b = read_response(f, head=True)
    check(st == 200 and h["content-length"] == "999", "HEAD response")
    s.sendall(b"GET / HTTP/1.1\r\n\r\n")        # and the connection is still usable
    check(read_response(f)[0] == 200, 'read_response(f)[0] == 200')
    return "10 pipelined requests answered in order, connection still open"


def bytewise(host, port):
    s, f = conn(host, port)
    req = b"GET /bytes/300 HTTP/1.1\r\nHost: tcpe\r\nAccept: */*\r\n\r\n"
    for i in range(len(req)):
        s.send(req[i:i + 1])
        time.sleep(0.002)
    st, h, b = read_response(f)
    check(st == 200 and b == body(300), f"{st} {len(b)}")
    return f"request of {len(req)} one-byte segments answered"


def expect_closed(f):
    check(f.read() == b"", "data after the final response")


def statuses(host, port):
    out = []
    for req, want in ((b"GET / HTTP/9.9\r\n\r\n", 400),
                      (b"GET / HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431),
                      (b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", 405),
                      (b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400)):
        s, f = conn(host, port)
        s.sendall(req + b"GET / HTTP/1.1\r\n\r\n")   # a second request that must be ignored
        st, h, _ = read_response(f)
        check(st == want, f"got {st}, want {want}")
        check(h.get("connection") == "close", f"{want} without Connection: close")
        if want == 405:
            check(h.get("allow") == "GET, HEAD", "405 without Allow")
        expect_closed(f)
        out.append(str(want))
    return "statuses " + ", ".join(out) + ", each followed by a close"


def close(host, port):
    s, f = conn(host, port)
    s.sendall(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    st, h, b = read_response(f)
    check(st == 200 and h.get("connection") == "close" and len(b) > 0, 'st == 200 and h.get("connection") == "close" and len(b) > 0')
    expect_closed(f)
    s, f = conn(host, port)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")          # 1.0 closes by default
    check(read_response(f)[0] == 200, 'read_response(f)[0] == 200')
    expect_closed(f)
    return "Connection: close and HTTP/1.0 both answered then closed"


def idle(host, port, ms):
    s, f = conn(host, port)
    s.sendall(b"GET / HTTP/1.1\r\n\r\n")
    check(read_response(f)[0] == 200, 'read_response(f)[0] == 200')
    t0 = time.monotonic()
    s.settimeout(ms / 1000 * 5 + 2)
    rest = s.recv(100)                            # blocks until the server's FIN
    dt = (time.monotonic() - t0) * 1000
    check(rest == b"", "data instead of a close")
    # never before the limit; how late is up to the scheduler (the socket timeout bounds it)
    check(ms * 0.9 <= dt, f"closed after {dt:.0f} ms, before the idle limit of {ms} ms")
    return f"idle keep-alive connection closed by the server after {dt:.0f} ms (limit {ms} ms)"


async def many(host, port, n):
    conns = []
    t0 = time.monotonic()
    for _ in range(0, n, 500):                   # open in waves, all stay open
        conns += await asyncio.gather(*(asyncio.open_connection(host, port)
                                        for _ in range(min(500, n - len(conns)))))
    opened = time.monotonic() - t0

    async def ask(rw):
        r, w = rw
        w.write(b"GET /bytes/10 HTTP/1.1\r\nHost: t\r\n\r\n")
        head = await r.readuntil(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 200 "), head[:20])
        check(await r.readexactly(10) == body(10), 'await r.readexactly(10) == body(10)')

    for rnd in range(2):                         # every connection served twice
        await asyncio.wait_for(asyncio.gather(*(ask(c) for c in conns)), 120)
    for _, w in conns:
        w.close()
    return (f"{n} concurrent connections opened in {opened:.1f} s, all held open and served "
            f"twice ({2 * n} responses) in {time.monotonic() - t0:.1f} s")


def main(argv):
    mode, host, port = argv[1], argv[2], int(argv[3])
    try:
        if mode == "idle":
            msg = idle(host, port, int(argv[4]))
        elif mode == "many":
            msg = asyncio.run(many(host, port, int(argv[4])))
        else:
            msg = {"pipeline": pipeline, "bytewise": bytewise, "statuses": statuses,
                   "close": close}[mode](host, port)
    except Exception as e:  # noqa: BLE001 - every failure is reported the same way
        print(f"http {mode}: FAILED: {type(e).__name__}: {e}")
        return 1
    print(f"http {mode}: {msg}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
