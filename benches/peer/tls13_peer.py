#!/usr/bin/env python3
"""TLS server for scripts/bench-tls13.sh (Python's ssl module, i.e. OpenSSL).

Same request protocol as bench_peer.py: after the handshake the client sends
'D' or 'U' and a 64-bit big-endian count; 'D': the server sends that many
bytes (in one sendall, so OpenSSL cuts it into records of up to 16 KiB),
'U': it reads that many bytes and answers one byte. A connection closing
without a request is dropped.

The TLS version, the key-exchange group and session tickets are pinned on
the server, so that the client under test needs no new API:

  tls13_peer.py --cert C --key K --version 1.2|1.3|both [--group P-256|X25519]
                [--tickets N]

Prints "PORT <n>" once listening, then one line per connection:
  CONN <version> <reused 0|1> <cipher>
"""
import argparse
import socket
import ssl
import struct
import sys
import threading

CHUNK = 1 << 20
GROUP_NAMES = {"P-256": "prime256v1", "X25519": "X25519", "P-384": "secp384r1"}
lock = threading.Lock()


def serve(conn, ctx):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        with lock:
            print(f"FAIL handshake {e}", flush=True)
        conn.close()
        return
    with lock:
        print(f"CONN {tls.version()} {int(tls.session_reused)} {tls.cipher()[0]}", flush=True)
    try:
        req = b""
        while len(req) < 9:
            part = tls.recv(9 - len(req))
            if not part:
                return
            req += part
        cmd, count = req[:1], struct.unpack(">Q", req[1:])[0]
        if cmd == b"U":
            while count > 0:
                part = tls.recv(min(count, CHUNK))
                if not part:
                    return
                count -= len(part)
            tls.sendall(b"K")
        elif cmd == b"D":
            tls.sendall(bytes(count))
        # Wait for the client to close (its close_notify or FIN).
        while tls.recv(4096):
            pass
    except (ssl.SSLError, OSError):
        pass
    finally:
        try:
            tls.close()
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--version", choices=["1.2", "1.3", "both"], default="both")
    p.add_argument("--group", choices=sorted(GROUP_NAMES))
    p.add_argument("--tickets", type=int, default=2, help="TLS 1.3 tickets per connection")
    args = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    lo = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3, "both": ssl.TLSVersion.TLSv1_2}
    hi = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3, "both": ssl.TLSVersion.TLSv1_3}
    ctx.minimum_version = lo[args.version]
    ctx.maximum_version = hi[args.version]
    ctx.load_cert_chain(args.cert, args.key)
    if args.group:
        # OpenSSL 3: sets the server's whole group list to this one group
        # (TLS 1.2 and 1.3 alike); a client key share for another group
        # gets a HelloRetryRequest.
        ctx.set_ecdh_curve(GROUP_NAMES[args.group])
    if hasattr(ctx, "num_tickets"):
        ctx.num_tickets = args.tickets
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print(f"PORT {srv.getsockname()[1]}", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, ctx), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
