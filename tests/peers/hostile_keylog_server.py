#!/usr/bin/env python3
"""TLS 1.2 echo server that reveals the session's secrets, for
tests/zeroize_secrets.rs (Python ssl, i.e. OpenSSL, over memory BIOs).

Usage: hostile_keylog_server.py --cert C --key K --client-ca CA --keylog F

Requires a client certificate under CA. Prints "PORT <n>", then per
connection, after the handshake, "SECRETS master=<hex> client_key=<hex>
server_key=<hex> client_iv=<hex> server_iv=<hex>": the master secret
from OpenSSL's key log, and the key block derived from it with the TLS 1.2
PRF (RFC 5246 section 6.3) and the two hello randoms read off the wire.
Then echoes until the client closes.
"""
import argparse
import hashlib
import hmac
import ssl

from peer_common import serve_forever

SUITE = "ECDHE-ECDSA-AES128-GCM-SHA256"  # key 16, fixed IV 4, PRF SHA-256


def p_sha256(secret, seed, length):
    out, a = b"", seed
    while len(out) < length:
        a = hmac.new(secret, a, hashlib.sha256).digest()
        out += hmac.new(secret, a + seed, hashlib.sha256).digest()
    return out[:length]


def hello_random(first_flight):
    # record header (5) + handshake header (4) + version (2), then 32 bytes
    assert first_flight[0] == 22 and first_flight[5] in (1, 2), first_flight[:6].hex()
    return first_flight[11:43]


def serve(sock, ctx, keylog):
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_side=True)
    seen_in, seen_out = b"", b""

    def flush():
        nonlocal seen_out
        data = out.read()
        if data:
            sock.sendall(data)
            seen_out += data

    def feed():
        nonlocal seen_in
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError
        seen_in += chunk
        inc.write(chunk)

    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            flush()
            feed()
    flush()
    client_random, server_random = hello_random(seen_in), hello_random(seen_out)
    master = None
    with open(keylog) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "CLIENT_RANDOM" and parts[1] == client_random.hex():
                master = bytes.fromhex(parts[2])
    assert master is not None and tls.cipher()[0] == SUITE, tls.cipher()
    block = p_sha256(master, b"key expansion" + server_random + client_random, 40)
    print("SECRETS master={} client_key={} server_key={} client_iv={} server_iv={}".format(
        master.hex(), block[0:16].hex(), block[16:32].hex(), block[32:36].hex(), block[36:40].hex()), flush=True)
    while True:
        try:
            data = tls.read(65536)
        except ssl.SSLWantReadError:
            flush()
            feed()
            continue
        if not data:
            break
        tls.write(data)
        flush()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--client-ca", required=True)
    p.add_argument("--keylog", required=True)
    args = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(SUITE)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(args.client_ca)
    ctx.keylog_filename = args.keylog

    def ended(exc):
        if not isinstance(exc, (EOFError, OSError, ssl.SSLError)):
            raise exc  # a bug in this server, not the client going
        print(f"ENDED {type(exc).__name__}", flush=True)

    serve_forever(lambda sock, _index: serve(sock, ctx, args.keylog), ended)


if __name__ == "__main__":
    main()
