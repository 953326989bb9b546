#!/usr/bin/env python3
"""Round-trip counting, delaying TCP proxy for scripts/bench-tls13.sh.

  rtt_proxy.py --upstream PORT [--delay-ms D]

Listens on 127.0.0.1 (prints "PORT <n>"), forwards every accepted
connection to 127.0.0.1:PORT, and holds each chunk it reads for D ms in
each direction before writing it on (order kept), so that one round trip
through it costs 2*D ms on top of the loopback. The TCP handshake itself
is not delayed (the kernel completes the client's connect to the proxy).

It parses the TLS record headers going each way (it cannot decrypt) and,
when a connection ends, prints one line:

  PX <n> version=<1.2|1.3> hrr=<0|1> rtt=<k> fin_with_app=<0|1>
     max_server_record=<bytes> flights=<...>

* a *flight* is a run of chunks read from one side with nothing read from
  the other side in between (the protocol is request/response, so the
  order the proxy reads them in is causal);
* *rtt* is the number of server flights read before the client's chunk
  that carries its first application-data record: the round trips between
  TCP connect and the client's first application record on the wire;
* the client's first application record: TLS 1.2, the first client record
  of content type 23; TLS 1.3 (every encrypted record is type 23 on the
  wire), the second client type-23 record, the first being its Finished
  (server authentication: no client Certificate/CertificateVerify, no
  early data);
* fin_with_app: the client's Finished (TLS 1.2: its last type-22 record
  before the first application record; TLS 1.3: its first type-23
  record) arrived in the same chunk as that application record, i.e. in
  one TCP segment (the client sets TCP_NODELAY);
* max_server_record: the longest record the server sent (record length
  field: ciphertext, so a full 16 KiB plaintext record shows as ~16.4 K);
* flights: C@ms[...] / S@ms[...]: who sent, when the proxy read the
  flight's first chunk (ms after accept), each record as type:length.

The version comes from the ServerHello (supported_versions = 0x0304); a
HelloRetryRequest is a ServerHello with RFC 8446's fixed random.
"""
import argparse
import asyncio
import itertools
import sys
import time

HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
counter = itertools.count(1)
keep = set()


class Conn:
    def __init__(self, n):
        self.n = n
        self.events = []  # (side, [(type, len)], chunk_no)
        self.buf = {"C": b"", "S": b""}
        self.version = "1.2"
        self.hrr = 0
        self.t0 = time.monotonic()

    def feed(self, side, data):
        self.buf[side] += data
        recs = []
        b = self.buf[side]
        while len(b) >= 5:
            ln = int.from_bytes(b[3:5], "big")
            if len(b) < 5 + ln:
                break
            typ, body = b[0], b[5 : 5 + ln]
            if side == "S" and typ == 22 and len(body) > 38 and body[0] == 2:
                self.server_hello(body)
            recs.append((typ, ln))
            b = b[5 + ln :]
        self.buf[side] = b
        self.events.append((side, recs, time.monotonic() - self.t0))

    def server_hello(self, hs):
        rnd = hs[6:38]
        if rnd == HRR_RANDOM:
            self.hrr = 1
        p = 38
        sid = hs[p]
        p += 1 + sid + 2 + 1
        if p + 2 > len(hs):
            return
        end = p + 2 + int.from_bytes(hs[p : p + 2], "big")
        p += 2
        while p + 4 <= end:
            et, el = int.from_bytes(hs[p : p + 2], "big"), int.from_bytes(hs[p + 2 : p + 4], "big")
            if et == 43 and hs[p + 4 : p + 6] == b"\x03\x04":
                self.version = "1.3"
            p += 4 + el

    def report(self):
        flights, rtt, server_flights, found, fin_with_app = [], None, 0, False, 0
        client_23 = 0
        last = None
        for side, recs, t in self.events:
            if not recs:
                continue
            if side != last:
                flights.append([side, [], t])
                if side == "S":
                    server_flights += 1
                last = side
            flights[-1][1].extend(recs)
            if side == "C" and not found:
                fin_here = False
                for i, (typ, ln) in enumerate(recs):
                    if typ == 23:
                        client_23 += 1
                        if self.version == "1.3" and client_23 == 1:
                            fin_here = True
                        elif self.version == "1.3" or client_23 == 1:
                            found = True
                            rtt = server_flights
                            if self.version == "1.2":
                                fin_here = any(t == 22 for t, _ in recs[:i])
                            fin_with_app = int(fin_here)
                            break
        max_s = max((ln for side, recs, _ in self.events if side == "S" for _, ln in recs), default=0)
        fl = " ".join(f"{s}@{t * 1000:.0f}[" + ",".join(f"{ty}:{n}" for ty, n in r) + "]" for s, r, t in flights)
        return (f"PX {self.n} version={self.version} hrr={self.hrr} rtt={rtt if found else 'none'} "
                f"fin_with_app={fin_with_app} max_server_record={max_s} flights={fl}")


async def pump(reader, writer, side, conn, delay):
    queue = asyncio.Queue()

    async def sender():
        while True:
            item = await queue.get()
            if item is None:
                break
            due, data = item
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except OSError:
            pass

    task = asyncio.ensure_future(sender())
    keep.add(task)
    task.add_done_callback(keep.discard)
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            conn.feed(side, data)
            queue.put_nowait((time.monotonic() + delay, data))
    except OSError:
        pass
    queue.put_nowait(None)
    try:
        await task
    except OSError:
        pass


async def handle(creader, cwriter, upstream, delay):
    conn = Conn(next(counter))
    try:
        sreader, swriter = await asyncio.open_connection("127.0.0.1", upstream)
    except OSError:
        cwriter.close()
        return
    import socket

    for w in (cwriter, swriter):
        w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        await asyncio.gather(pump(creader, swriter, "C", conn, delay), pump(sreader, cwriter, "S", conn, delay))
    finally:
        for w in (cwriter, swriter):
            w.close()
        print(conn.report(), flush=True)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", type=int, required=True)
    p.add_argument("--delay-ms", type=float, default=0.0)
    args = p.parse_args()
    delay = args.delay_ms / 1000.0
    # Strong references to the connection tasks: asyncio keeps only weak
    # ones, and a collected task would lose its connection's report line.
    tasks = set()

    def accepted(r, w):
        t = asyncio.ensure_future(handle(r, w, args.upstream, delay))
        tasks.add(t)
        t.add_done_callback(tasks.discard)

    srv = await asyncio.start_server(accepted, "127.0.0.1", 0)
    print(f"PORT {srv.sockets[0].getsockname()[1]}", flush=True)
    async with srv:
        await srv.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
