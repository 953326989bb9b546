#!/usr/bin/env python3
"""Hostile TLS 1.3 server for tests/hostile_peers.rs: one scripted misbehaviour.

Usage: hostile_server13.py --cert C --key K --case NAME

Same protocol as hostile_server.py: prints "PORT <n>", serves connections
one after another, and prints "SAW <what>" lines. Cases:

- "hs13_*" answer the ClientHello with raw records (HelloRetryRequest and
  ServerHello are plaintext in TLS 1.3, so no keys are needed), then report
  the client's alert as "SAW client_alert <description or none>".
- "cv13_*" run a real tlslite-ng TLS 1.3 handshake with one of the
  server's handshake messages corrupted (CertificateVerify signature,
  Finished verify_data); "SAW client_alert <description>" follows.
- "post13_*" complete a real TLS 1.3 handshake, read the client's first
  message ("SAW request ..."), then misbehave after the handshake.
- "psk13_wrong_identity": an honest TLS 1.3 echo server with tickets
  (reporting like the nst13 cases), except that its second connection's
  ServerHello selects PSK identity 1 when the client offered one (index 0).
- "tkt12_bytes_<n>": TLS 1.2 with tickets, the first connection's ticket
  padded to n bytes; "SAW hello12 ticket=<0|1>" per ClientHello.
- "nst13_*" send one hostile NewSessionTicket on the first connection (after
  "hello"); every later connection is an honest TLS 1.3 echo server with
  session tickets that reports "SAW hello psk=<0|1> resumed=<0|1>": whether
  the ClientHello offered a PSK, and whether tlslite-ng resumed with it.
"""
import os
import socket
import struct
import time

from peer_common import echo, run_case_server, say
from tlslite.api import HandshakeSettings, TLSConnection
from tlslite.constants import AlertDescription, KeyUpdateMessageType
from tlslite.errors import TLSRemoteAlert
from tlslite.constants import ECPointFormat
from tlslite.messages import CertificateVerify, Finished, NewSessionTicket, NewSessionTicket1_0, ServerHello

HANDSHAKE, ALERT, APPDATA, CCS = 22, 21, 23, 20
TLS13 = b"\x03\x04"
HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
EXT_SUPPORTED_GROUPS, EXT_KEY_SHARE, EXT_SUPPORTED_VERSIONS, EXT_PSK = 10, 51, 43, 41
EXT_SESSION_TICKET = 35
SECP256R1, X25519, SECP384R1, SECP521R1, FFDHE2048 = 0x17, 0x1D, 0x18, 0x19, 0x100
# The P-256 base point: a valid public key for a ServerHello's key_share.
P256_G = bytes.fromhex(
    "04" "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
    "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5")


def record(ctype, body, version=b"\x03\x03"):
    return bytes([ctype]) + version + struct.pack(">H", len(body)) + body


def handshake_msg(hs_type, body):
    return bytes([hs_type]) + struct.pack(">I", len(body))[1:] + body


def ext(ext_type, body):
    return struct.pack(">HH", ext_type, len(body)) + body


def read_record(sock, timeout):
    """One record from the client: (type, body), or None on timeout/close."""
    sock.settimeout(timeout)
    buf = b""
    try:
        while len(buf) < 5 or len(buf) < 5 + struct.unpack(">H", buf[3:5])[0]:
            want = 5 - len(buf) if len(buf) < 5 else 5 + struct.unpack(">H", buf[3:5])[0] - len(buf)
            chunk = sock.recv(want)
            if not chunk:
                return None
            buf += chunk
    except (socket.timeout, OSError):
        return None
    return buf[0], buf[5:]


def read_client_hello(sock):
    """The next ClientHello (skipping a compatibility-mode ChangeCipherSpec)."""
    while True:
        rec = read_record(sock, 10)
        if rec is None:
            raise EOFError("no ClientHello")
        if rec[0] == HANDSHAKE and rec[1][0] == 1:
            return parse_client_hello(rec[1][4:])


def parse_client_hello(body):
    p = 2 + 32
    sid = body[p + 1:p + 1 + body[p]]
    p += 1 + body[p]
    (n,) = struct.unpack(">H", body[p:p + 2])
    suites = [struct.unpack(">H", body[p + 2 + i:p + 4 + i])[0] for i in range(0, n, 2)]
    p += 2 + n
    p += 1 + body[p]
    (end,) = struct.unpack(">H", body[p:p + 2])
    p += 2
    end += p
    exts = {}
    while p < end:
        t, n = struct.unpack(">HH", body[p:p + 4])
        exts[t] = body[p + 4:p + 4 + n]
        p += 4 + n
    groups = []
    if EXT_SUPPORTED_GROUPS in exts:
        g = exts[EXT_SUPPORTED_GROUPS]
        groups = [struct.unpack(">H", g[2 + i:4 + i])[0] for i in range(0, len(g) - 2, 2)]
    shares = []
    if EXT_KEY_SHARE in exts:
        k, q = exts[EXT_KEY_SHARE], 2
        while q < len(k):
            grp, n = struct.unpack(">HH", k[q:q + 4])
            shares.append(grp)
            q += 4 + n
    return {"sid": sid, "suites": suites, "exts": exts, "groups": groups, "shares": shares}


def server_hello(ch, random, extensions, version=b"\x03\x03", suite=0x1301):
    assert suite in ch["suites"], ch["suites"]
    body = (version + random + bytes([len(ch["sid"])]) + ch["sid"] + struct.pack(">H", suite) + b"\x00"
            + struct.pack(">H", len(extensions)) + extensions)
    return record(HANDSHAKE, handshake_msg(2, body))


def hello_retry_request(ch, group):
    return server_hello(ch, HRR_RANDOM, ext(EXT_SUPPORTED_VERSIONS, TLS13) + ext(EXT_KEY_SHARE, struct.pack(">H", group)))


def tls13_server_hello(ch, extra=b""):
    assert SECP256R1 in ch["shares"], f"the client's key shares {ch['shares']}"
    share = struct.pack(">HH", SECP256R1, len(P256_G)) + P256_G
    exts = ext(EXT_SUPPORTED_VERSIONS, TLS13) + ext(EXT_KEY_SHARE, share) + extra
    return server_hello(ch, os.urandom(32), exts)


def report_client_alert(sock, seconds=3.0):
    """The first alert the client sends within `seconds` (other records skipped)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        rec = read_record(sock, max(0.05, end - time.monotonic()))
        if rec is None:
            break
        if rec[0] == ALERT and len(rec[1]) == 2:
            say(f"client_alert {AlertDescription.toStr(rec[1][1])}")
            return
    say("client_alert none")


# --- raw cases: HelloRetryRequest, ServerHello ----------------------------

def raw_case(name, sock):
    ch = read_client_hello(sock)
    say("client_hello groups={} shares={}".format(
        ",".join(f"{g:#x}" for g in ch["groups"]), ",".join(f"{g:#x}" for g in ch["shares"])))
    # A group the client supports but sent no key share for.
    other = next(g for g in ch["groups"] if g not in ch["shares"])
    if name == "hs13_hrr_unoffered_group":
        unoffered = next(g for g in (SECP521R1, FFDHE2048, 0x1E) if g not in ch["groups"])
        sock.sendall(hello_retry_request(ch, unoffered))
    elif name == "hs13_hrr_offered_group":
        # Control: an HRR for a group the client offered gets a second ClientHello.
        sock.sendall(hello_retry_request(ch, other))
        ch2 = read_client_hello(sock)
        say("second_client_hello shares={}".format(",".join(f"{g:#x}" for g in ch2["shares"])))
    elif name == "hs13_hrr_group_already_shared":
        sock.sendall(hello_retry_request(ch, ch["shares"][0]))
    elif name == "hs13_second_hrr":
        sock.sendall(hello_retry_request(ch, other))
        ch2 = read_client_hello(sock)
        say("second_client_hello shares={}".format(",".join(f"{g:#x}" for g in ch2["shares"])))
        sock.sendall(hello_retry_request(ch2, other))
    elif name in ("hs13_downgrade_tls12", "hs13_downgrade_tls11", "hs13_tls12_no_marker"):
        # A server negotiating TLS 1.2 (no supported_versions) to a client that
        # offered 1.3; RFC 8446 4.1.3 marks the random of a 1.3-capable server.
        marker = {"hs13_downgrade_tls12": b"DOWNGRD\x01", "hs13_downgrade_tls11": b"DOWNGRD\x00",
                  "hs13_tls12_no_marker": os.urandom(8)}[name]
        sock.sendall(server_hello(ch, os.urandom(24) + marker, b"", suite=0xC02B))
    elif name in ("hs13_psk_not_offered", "hs13_psk_control"):
        assert EXT_PSK not in ch["exts"], "the client offered a PSK"
        # selected_identity 0 of a list the client never sent.
        extra = ext(EXT_PSK, b"\x00\x00") if name == "hs13_psk_not_offered" else b""
        sock.sendall(tls13_server_hello(ch, extra))
    else:
        raise SystemExit(f"unknown case {name}")
    say(f"{name} sent")
    report_client_alert(sock)
    time.sleep(1)


# --- tlslite-ng TLS 1.3 sessions -----------------------------------------

def settings13(tickets=False):
    s = HandshakeSettings()
    s.minVersion = s.maxVersion = (3, 4)
    if tickets:
        s.ticketKeys = [bytearray(os.urandom(32))]
        s.ticket_count = 1
    return s


TICKET_KEYS = [bytearray(os.urandom(32))]


def send_msg(conn, msg):
    for _ in conn._sendMsg(msg):
        pass


def corrupting(name):
    """Patch tlslite-ng so that the server's own message `name` is wrong."""
    if name == "cv13_bad_signature":
        orig = CertificateVerify.create

        def create(self, signature, scheme):
            sig = bytearray(signature)
            sig[len(sig) // 2] ^= 0x01
            return orig(self, sig, scheme)
        CertificateVerify.create = create
    elif name == "cv13_bad_finished":
        orig = Finished.create

        def create(self, verify_data):
            v = bytearray(verify_data)
            v[0] ^= 0x01
            return orig(self, v)
        Finished.create = create
    elif name != "cv13_control":
        raise SystemExit(f"unknown case {name}")


def corrupt_case(name, sock, chain, key):
    conn = TLSConnection(sock)
    try:
        conn.handshakeServer(certChain=chain, privateKey=key, settings=settings13())
        first = conn.read(max=16384, min=1)
        say(f"request {bytes(first).decode(errors='replace')}")
        conn.write(bytes(first))
        say("client_alert none")
    except TLSRemoteAlert as alert:
        say(f"client_alert {AlertDescription.toStr(alert.description)}")


def peek_offers_psk(sock):
    """Whether the waiting ClientHello offers a PSK (read without consuming)."""
    sock.settimeout(10)
    for _ in range(100):
        data = sock.recv(65536, socket.MSG_PEEK)
        if len(data) >= 5 and len(data) >= 5 + struct.unpack(">H", data[3:5])[0]:
            return EXT_PSK in parse_client_hello(data[9:])["exts"]
        time.sleep(0.02)
    raise EOFError("no ClientHello")


def honest_echo(sock, chain, key):
    psk = peek_offers_psk(sock)
    conn = TLSConnection(sock)
    s = settings13(tickets=True)
    s.ticketKeys = TICKET_KEYS
    # tlslite-ng reports no resumption in TLS 1.3: a ServerHello that
    # selects the client's PSK is the server's verdict.
    sent = []
    send_msgs = conn._sendMsgs

    def spy(msgs):
        sent.extend(msgs)
        return send_msgs(msgs)
    conn._sendMsgs = spy
    conn.handshakeServer(certChain=chain, privateKey=key, settings=s)
    resumed = any(isinstance(m, ServerHello) and m.getExtension(EXT_PSK) is not None for m in sent)
    say(f"hello psk={int(psk)} resumed={int(resumed)}")
    echo(conn)


def tls12_ticket_case(name, sock, chain, key, index):
    """TLS 1.2 with session tickets; the first connection's ticket padded to
    the size in the case name. Reports "SAW hello12 ticket=<0|1>": whether
    the ClientHello's session_ticket extension carried a ticket."""
    sock.settimeout(10)
    data = b""
    for _ in range(100):
        data = sock.recv(65536, socket.MSG_PEEK)
        if len(data) >= 5 and len(data) >= 5 + struct.unpack(">H", data[3:5])[0]:
            break
        time.sleep(0.02)
    exts = parse_client_hello(data[9:])["exts"]
    say(f"hello12 ticket={int(len(exts.get(EXT_SESSION_TICKET, b'')) > 0)}")
    if index == 0:
        size = int(name.rsplit("_", 1)[1])
        orig = NewSessionTicket1_0.create

        def create(self, lifetime, ticket):
            return orig(self, lifetime, bytearray(ticket) + bytearray(max(0, size - len(ticket))))
        NewSessionTicket1_0.create = create
    conn = TLSConnection(sock)
    s = HandshakeSettings()
    s.maxVersion = (3, 3)
    s.ec_point_formats = [ECPointFormat.uncompressed]
    s.ticketKeys = TICKET_KEYS
    try:
        conn.handshakeServer(certChain=chain, privateKey=key, settings=s)
    finally:
        if index == 0:
            NewSessionTicket1_0.create = orig
    echo(conn)


def post_case(name, sock, chain, key, index):
    if name.startswith("tkt12_bytes_"):
        tls12_ticket_case(name, sock, chain, key, index)
        return
    if name.startswith("nst13_") and index > 0:
        honest_echo(sock, chain, key)
        return
    if name == "psk13_wrong_identity":
        # An honest server with tickets, except on the second connection:
        # there the ServerHello selects identity 1 of the client's one PSK.
        if index != 1:
            honest_echo(sock, chain, key)
            return
        ch = read_client_hello(sock)
        say(f"client_hello psk={int(EXT_PSK in ch['exts'])}")
        sock.sendall(tls13_server_hello(ch, ext(EXT_PSK, b"\x00\x01")))
        report_client_alert(sock)
        return
    conn = TLSConnection(sock)
    s = settings13(tickets=name == "nst13_genuine")
    if name == "nst13_genuine":
        s.ticketKeys = TICKET_KEYS
    conn.handshakeServer(certChain=chain, privateKey=key, settings=s)
    first = conn.read(max=16384, min=1)
    say(f"request {bytes(first).decode(errors='replace')}")

    def nst(lifetime, ticket, nonce=b"\x00"):
        send_msg(conn, NewSessionTicket().create(lifetime, 0x01020304, bytearray(nonce), bytearray(ticket), []))

    if name == "post13_keyupdate_storm":
        conn.write(b"hello")
        # 1000 KeyUpdates, each asking the client to update its keys too.
        for i in range(1000):
            try:
                for _ in conn.send_keyupdate_request(KeyUpdateMessageType.update_requested):
                    pass
            except OSError:
                say(f"keyupdate_storm stopped after {i}")
                break
        else:
            say("keyupdate_storm sent 1000")
        conn.write(b"after the storm")
    elif name == "nst13_genuine":
        conn.write(b"hello")  # the ticket went out after the handshake
    elif name == "nst13_lifetime_over_7_days":
        nst(604801, os.urandom(64))
        conn.write(b"hello")
    elif name == "nst13_lifetime_max":
        nst(0xFFFFFFFF, os.urandom(64))
        conn.write(b"hello")
    elif name == "nst13_lifetime_zero":
        nst(0, os.urandom(64))
        conn.write(b"hello")
    elif name == "nst13_ticket_empty":
        nst(3600, b"")
        conn.write(b"hello")
    elif name.startswith("nst13_ticket_bytes_"):
        # A well-formed ticket of the given size (16,366: the largest whose
        # NewSessionTicket fits one 16 KiB record).
        nst(3600, os.urandom(int(name.rsplit("_", 1)[1])))
        conn.write(b"hello")
    elif name == "nst13_ticket_64k":
        # A ticket of 65,535 bytes (the most the field holds), over 4 records.
        nst(3600, os.urandom(65535))
        conn.write(b"hello")
    else:
        raise SystemExit(f"unknown case {name}")
    # Then an echo server, until the client goes.
    echo(conn)


def prepare(case, chain, key):
    if case.startswith("cv13_"):
        corrupting(case)

    def handle(sock, index):
        if case.startswith("hs13_"):
            raw_case(case, sock)
        elif case.startswith("cv13_"):
            corrupt_case(case, sock, chain, key)
        else:
            post_case(case, sock, chain, key, index)
    return handle


if __name__ == "__main__":
    run_case_server(prepare)
