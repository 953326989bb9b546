#!/usr/bin/env python3
"""TLS server for the firmware benchmark, over QEMU's one UART connection.

QEMU's `-serial tcp:127.0.0.1:PORT` gives the firmware a single TCP stream
for the whole run, so one stream carries every handshake, one after the
other. Between sessions the firmware writes a request line (TLS records
never start with a letter, so a line and a record cannot be confused):

  "CA E\\n" / "CA R\\n"  answer: 4-byte big-endian length, then the PEM of
                         the CA the ECDSA (E) / RSA (R) server chain leads to
  "HS E <impl>\\n"        the TLS records that follow are a new session with
  "HS R <impl>\\n"        the ECDSA P-256 / RSA-2048 server certificate; it
                         ends when the server's handshake completes. <impl>
                         (ours/raw) only labels the peer's summary
  "HS 3 <impl>\\n"        the same with the ECDSA P-256 server certificate,
  "HS 2 <impl>\\n"        TLS 1.3 only (3) or TLS 1.2 only (2, E's context):
                         the TLS 1.3 rows and their TLS 1.2 reference
  "BYE\\n"               end of the run

Python's ssl module (OpenSSL 3), TLS 1.2 pinned to one suite per key type:
ECDHE-ECDSA-AES128-GCM-SHA256 and ECDHE-RSA-AES128-GCM-SHA256, ECDHE on
P-256 (secp256r1); for "3", TLS 1.3 pinned, OpenSSL's default 1.3 suites
(the client's order decides), key share on P-256 only, no session
tickets. A server
certificate for "localhost" under a self-signed CA of the same key type
(made here with openssl). The peer's work is not what is measured: the
firmware counts only its own instructions.

  uart_peer.py --dir DIR --port-file FILE
"""
import argparse
import os
import socket
import ssl
import struct
import subprocess
import sys
from collections import Counter

SUITES = {"E": "ECDHE-ECDSA-AES128-GCM-SHA256", "R": "ECDHE-RSA-AES128-GCM-SHA256"}
KEYGEN = {"E": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "R": ["-newkey", "rsa:2048"]}
RECORD_TYPES = {20, 21, 22, 23}  # change_cipher_spec, alert, handshake, application_data
GROUPS = {23: "secp256r1", 24: "secp384r1", 25: "secp521r1", 29: "x25519"}
KEY_SHARE = 0x0033
HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")


def make_pki(directory, kind):
    """CA and server certificate of one key type; returns (ca, cert, key) paths."""
    p = lambda name: os.path.join(directory, f"{kind}-{name}")
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)
    run("req", "-x509", *KEYGEN[kind], "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"),
        "-days", "30", "-subj", f"/CN=freertos-tls firmware bench CA {kind}",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    run("req", *KEYGEN[kind], "-nodes", "-keyout", p("server.key"), "-out", p("server.csr"),
        "-subj", "/CN=localhost")
    with open(p("ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
        "-CAcreateserial", "-days", "30", "-extfile", p("ext.cnf"), "-out", p("server.pem"))
    return p("ca.pem"), p("server.pem"), p("server.key")


def server_context(cert, key, suite, version=ssl.TLSVersion.TLSv1_2):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = version
    ctx.maximum_version = version
    if suite:
        ctx.set_ciphers(suite)
    # ECDHE on P-256 for every client: the comparison is of the same work,
    # whatever groups each client offers (the summary says what was used).
    ctx.set_ecdh_curve("prime256v1")
    ctx.load_cert_chain(cert, key)
    return ctx


class Stream:
    """Exact reads from the UART's TCP connection."""

    def __init__(self, sock):
        self.sock = sock

    def exactly(self, n):
        buf = bytearray()
        while len(buf) < n:
            part = self.sock.recv(n - len(buf))
            if not part:
                raise EOFError
            buf += part
        return bytes(buf)

    def line(self, first):
        buf = bytearray(first)
        while not buf.endswith(b"\n"):
            if len(buf) > 64:
                raise ValueError(f"request line too long: {bytes(buf)!r}")
            buf += self.exactly(1)
        return buf.decode("ascii").strip()

    def record(self, first):
        header = first + self.exactly(4)
        (length,) = struct.unpack(">H", header[3:5])
        return header + self.exactly(length)


def server_hello_key_share(body):
    """TLS 1.3: the group of the ServerHello's key_share extension (with
    "+HRR" for a HelloRetryRequest), or None."""
    pos = 2 + 32
    if pos >= len(body):
        return None
    hrr = body[2:34] == HRR_RANDOM
    pos += 1 + body[pos] + 3
    end = pos + 2 + int.from_bytes(body[pos:pos + 2], "big")
    pos += 2
    while pos + 4 <= min(end, len(body)):
        ext, n = int.from_bytes(body[pos:pos + 2], "big"), int.from_bytes(body[pos + 2:pos + 4], "big")
        if ext == KEY_SHARE and n >= 2:
            group = int.from_bytes(body[pos + 4:pos + 6], "big")
            name = GROUPS.get(group, f"group {group:04x}")
            return name + "+HRR" if hrr else name
        pos += 4 + n
    return None


def key_exchange_group(records):
    """The named group of the ServerKeyExchange in the server's plaintext
    handshake records (RFC 8422 ECParameters), or of a TLS 1.3
    ServerHello's key share, or None."""
    data = b"".join(r[5:] for r in records if r[0] == 22)
    i = 0
    while i + 4 <= len(data):
        kind, length = data[i], int.from_bytes(data[i + 1:i + 4], "big")
        body = data[i + 4:i + 4 + length]
        if kind == 2:
            share = server_hello_key_share(body)
            if share:
                return share
        if kind == 12 and len(body) >= 3 and body[0] == 3:
            return GROUPS.get(int.from_bytes(body[1:3], "big"), f"group {body[1:3].hex()}")
        if kind == 14:  # ServerHelloDone: nothing after it is plaintext handshake
            break
        i += 4 + length
    return None


def split_records(data):
    records, i = [], 0
    while i + 5 <= len(data):
        n = int.from_bytes(data[i + 3:i + 5], "big")
        records.append(data[i:i + 5 + n])
        i += 5 + n
    return records


def session(stream, ctx):
    """Serve one TLS handshake from the stream: (completed, ECDHE group)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
    group = None
    while True:
        try:
            tls.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            done = False
        except ssl.SSLError as e:
            print(f"uart_peer: handshake failed: {e}", file=sys.stderr)
            stream.sock.sendall(outgoing.read())
            return False, group
        pending = outgoing.read()
        if pending:
            found = key_exchange_group(split_records(pending))
            # A HelloRetryRequest's group, then the ServerHello's: both kept.
            if found and group and group.endswith("+HRR"):
                group = f"{group}>{found}"
            else:
                group = group or found
            stream.sock.sendall(pending)
        if done:
            return True, f"{group}/{tls.version()}/{tls.cipher()[0]}"
        first = stream.exactly(1)
        if first[0] not in RECORD_TYPES:
            raise ValueError(f"byte {first!r} inside a TLS session")
        incoming.write(stream.record(first))


def serve(conn, pki, contexts):
    stream = Stream(conn)
    counts = Counter()
    while True:
        try:
            first = stream.exactly(1)
        except EOFError:
            break
        if first[0] in RECORD_TYPES:
            # A record after a session ended (e.g. an alert): not part of a handshake.
            stream.record(first)
            continue
        request = stream.line(first)
        words = request.split()
        kind = words[1] if len(words) >= 2 else ""
        if words[0] == "CA" and len(words) == 2 and kind in ("E", "R"):
            with open(pki[kind][0], "rb") as f:
                pem = f.read()
            conn.sendall(struct.pack(">I", len(pem)) + pem)
        elif words[0] == "HS" and len(words) == 3 and kind in contexts:
            completed, group = session(stream, contexts[kind])
            if not completed:
                break
            counts[(kind, words[2], group)] += 1
        elif request == "BYE":
            break
        else:
            raise ValueError(f"unknown request {request!r}")
    for (kind, impl, group), n in sorted(counts.items()):
        print(f"SERVED {kind} {impl} {group} {n}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="where the certificates are made")
    ap.add_argument("--port-file", required=True, help="written with the listening port once ready")
    ap.add_argument("--accept-timeout", type=float, default=60.0)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    pki = {kind: make_pki(args.dir, kind) for kind in SUITES}
    contexts = {kind: server_context(cert, key, SUITES[kind]) for kind, (_, cert, key) in pki.items()}
    contexts["2"] = contexts["E"]
    contexts["3"] = server_context(pki["E"][1], pki["E"][2], None, ssl.TLSVersion.TLSv1_3)
    # No TLS 1.3 session tickets: they follow the client's Finished, which
    # our client sends with its first record, here TLS_Cleanup's
    # close_notify; the firmware never reads after that, and unread tickets
    # would land in the next session.
    contexts["3"].num_tickets = 0
    # The client's suite order decides, as it does in the TLS 1.2 rows
    # (one suite there): the server's preference would pick AES-256/SHA-384.
    contexts["3"].options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(args.accept_timeout)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{srv.getsockname()[1]}\n")
    os.replace(tmp, args.port_file)
    conn, _ = srv.accept()
    conn.settimeout(None)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        serve(conn, pki, contexts)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
