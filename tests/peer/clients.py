#!/usr/bin/env python3
"""clients.py - real socket clients for the peer tests (Linux TCP stack as the peer).

  clients.py hello HOST PORT N CONC GREETING   N connections, CONC at a time; each must read
                                               exactly GREETING and then a clean close (EOF).
  clients.py echo HOST PORT BYTES [CONNS]      send BYTES random bytes on each of CONNS
                                               connections, half-close, read everything back,
                                               compare byte for byte.
  clients.py upload HOST PORT BYTES            send BYTES to a discard server, half-close,
                                               expect a clean close.
Prints one summary line; exit status 0 only if every connection did what it must.
"""
import asyncio
import hashlib
import os
import sys
import time


async def hello_one(host, port, greeting, timeout):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        data = await asyncio.wait_for(reader.read(), timeout)   # until EOF (server's FIN)
    finally:
        writer.close()
    return data == greeting


async def hello(host, port, n, conc, greeting):
    sem = asyncio.Semaphore(conc)
    ok = bad = err = 0
    errors = {}

    async def one(_):
        nonlocal ok, bad, err
        async with sem:
            try:
                if await hello_one(host, port, greeting, 20):
                    ok += 1
                else:
                    bad += 1
            except Exception as e:  # reset, refused, timeout: all count as failures
                err += 1
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1

    t0 = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(n)))
    dt = time.monotonic() - t0
    print(f"hello: {ok} ok, {bad} wrong data, {err} errors {errors or ''} "
          f"in {dt:.2f} s ({n / dt:.0f} conn/s)")
    return ok == n


async def echo_one(host, port, nbytes):
    payload = os.urandom(nbytes)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 20)

    async def send():
        view = memoryview(payload)
        for off in range(0, nbytes, 65536):
            writer.write(view[off:off + 65536])
            await writer.drain()
        writer.write_eof()

    async def recv():
        chunks = []
        while True:
            chunk = await reader.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    _, back = await asyncio.wait_for(asyncio.gather(send(), recv()), 120)
    writer.close()
    same = back == payload
    if not same:
        print(f"echo: sent {nbytes} bytes sha256 {hashlib.sha256(payload).hexdigest()[:16]}, "
              f"got {len(back)} bytes sha256 {hashlib.sha256(back).hexdigest()[:16]}")
    return same


async def echo(host, port, nbytes, conns):
    t0 = time.monotonic()
    res = await asyncio.gather(*(echo_one(host, port, nbytes) for _ in range(conns)),
                               return_exceptions=True)
    dt = time.monotonic() - t0
    ok = sum(1 for r in res if r is True)
    errs = [repr(r) for r in res if isinstance(r, Exception)]
    total = nbytes * conns
    print(f"echo: {ok}/{conns} connections byte-exact, {total} bytes each way in {dt:.2f} s "
          f"({total * 8 / dt / 1e6:.1f} Mbit/s each way) {errs[:3] if errs else ''}")
    return ok == conns


async def upload(host, port, nbytes):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 20)
    t0 = time.monotonic()
    chunk = os.urandom(65536)
    sent = 0
    while sent < nbytes:
        n = min(len(chunk), nbytes - sent)
        writer.write(chunk[:n])
        await writer.drain()
        sent += n
    writer.write_eof()
    rest = await asyncio.wait_for(reader.read(), 60)
    dt = time.monotonic() - t0
    writer.close()
    print(f"upload: {sent} bytes in {dt:.2f} s ({sent * 8 / dt / 1e6:.1f} Mbit/s), "
          f"server sent back {len(rest)} bytes before closing")
    return rest == b""


def main(argv):
    mode = argv[1]
    host, port = argv[2], int(argv[3])
    if mode == "hello":
        ok = asyncio.run(hello(host, port, int(argv[4]), int(argv[5]), argv[6].encode()))
    elif mode == "echo":
        ok = asyncio.run(echo(host, port, int(argv[4]), int(argv[5]) if len(argv) > 5 else 1))
    elif mode == "upload":
        ok = asyncio.run(upload(host, port, int(argv[4])))
    else:
        print(__doc__)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
