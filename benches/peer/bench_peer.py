#!/usr/bin/env python3
"""TLS peer for scripts/bench.sh (Python's ssl module, i.e. OpenSSL).

Server (default): listens on 127.0.0.1, prints "PORT <n>" once ready. Per
connection, after the handshake it reads a 9-byte request: 'U' or 'D' and
a 64-bit big-endian count. 'U': receive that many bytes, then answer one
byte; 'D': send that many bytes. A connection that closes without a
request (the handshake benchmark) is simply dropped.

  bench_peer.py --cert C --key K --cipher OPENSSL_NAME

Client (--client PORT --ca CA --up/--down BYTES): the same transfers
OpenSSL-to-OpenSSL, to show how fast the peer itself can go.
"""
import argparse
import socket
import ssl
import struct
import threading
import time

CHUNK = 1 << 20


def serve(conn, ctx):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        conn.close()
        return
    try:
        req = b""
        while len(req) < 9:
            part = tls.recv(9 - len(req))
            if not part:
                return
            req += part
        cmd, count = req[:1], struct.unpack(">Q", req[1:])[0]
        if cmd == b"U":
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            while count > 0:
                n = tls.recv_into(view, min(count, CHUNK))
                if n == 0:
                    return
                count -= n
            tls.sendall(b"K")
        elif cmd == b"D":
            data = memoryview(bytes(CHUNK))
            while count > 0:
                n = min(count, CHUNK)
                tls.sendall(data[:n])
                count -= n
    except (ssl.SSLError, OSError):
        pass
    finally:
        try:
            tls.close()
        except OSError:
            pass


def server(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # The library speaks TLS 1.2; pin the one suite under test.
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(args.cipher)
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        # Mutual-TLS rows: a client certificate under this CA is required.
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.client_ca)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print(f"PORT {srv.getsockname()[1]}", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, ctx), daemon=True).start()


def client(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(args.ca)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    for direction, count in (("up", args.up), ("down", args.down)):
        if not count:
            continue
        raw = socket.create_connection(("127.0.0.1", args.client))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            t0 = time.monotonic()
            tls.sendall((b"U" if direction == "up" else b"D") + struct.pack(">Q", count))
            left = count
            while left > 0:
                n = min(left, CHUNK)
                if direction == "up":
                    tls.sendall(view[:n])
                else:
                    n = tls.recv_into(view, n)
                    if n == 0:
                        raise SystemExit("peer closed early")
                left -= n
            if direction == "up":
                tls.recv(1)
            usec = int((time.monotonic() - t0) * 1e6)
            print(f"PEERBULK {direction} {tls.cipher()[0]} {count} {usec}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--cipher", default="ECDHE-ECDSA-AES128-GCM-SHA256")
    p.add_argument("--client", type=int)
    p.add_argument("--ca")
    p.add_argument("--client-ca")
    p.add_argument("--up", type=int, default=0)
    p.add_argument("--down", type=int, default=0)
    args = p.parse_args()
    if args.client:
        client(args)
    else:
        server(args)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
