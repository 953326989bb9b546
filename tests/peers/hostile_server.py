#!/usr/bin/env python3
"""Hostile TLS server for tests/hostile_peers.rs: one scripted misbehaviour.

Usage: hostile_server.py --cert C --key K --case NAME

Listens on 127.0.0.1 (a free port), prints "PORT <n>", serves connections
one after another with the chosen case, and prints "SAW <what>" lines
describing what the client did in reply (read by the test). Cases named
"hs_*" speak raw record bytes during the handshake; the others complete a
real TLS 1.2 handshake with tlslite-ng, read the client's first message,
and then break the session at the record layer.
"""
import os
import socket
import struct
import time

from peer_common import echo, run_case_server, say
from tlslite.api import HandshakeSettings, TLSConnection
from tlslite.constants import AlertDescription, AlertLevel, ECPointFormat
from tlslite.messages import Alert, HelloRequest, Message, ServerHelloDone

HANDSHAKE, ALERT, APPDATA = 22, 21, 23


def record(ctype, body, version=b"\x03\x03"):
    return bytes([ctype]) + version + struct.pack(">H", len(body)) + body


def server_hello(version=b"\x03\x03", suite=0xC02B):
    body = version + os.urandom(32) + b"\x00" + struct.pack(">H", suite) + b"\x00"
    return record(HANDSHAKE, b"\x02" + struct.pack(">I", len(body))[1:] + body)


def read_client_hello(sock):
    """Wait for the ClientHello (at least one record header) before answering."""
    sock.settimeout(10)
    data = sock.recv(65536)
    return data


def client_record_types(sock, seconds):
    """Content types of the records the client sends within `seconds` (raw)."""
    sock.settimeout(0.1)
    buf, types, end = b"", [], time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 5 and len(buf) >= 5 + struct.unpack(">H", buf[3:5])[0]:
            n = struct.unpack(">H", buf[3:5])[0]
            types.append(buf[0])
            buf = buf[5 + n:]
    return types


def hold(sock, seconds):
    """Keep the connection open, saying nothing."""
    time.sleep(seconds)


# --- raw cases: the handshake itself is hostile -------------------------

def raw_case(name, sock):
    read_client_hello(sock)
    if name == "hs_fatal_alert":
        sock.sendall(record(ALERT, bytes([2, AlertDescription.handshake_failure])))
    elif name == "hs_fatal_alert_after_hello":
        sock.sendall(server_hello() + record(ALERT, bytes([2, AlertDescription.internal_error])))
    elif name == "hs_truncated_then_close":
        sock.sendall(server_hello()[:20])
        sock.shutdown(socket.SHUT_WR)
    elif name == "hs_truncated_then_stall":
        sock.sendall(server_hello()[:20])
    elif name == "hs_oversized":
        sock.sendall(b"\x16\x03\x03\xff\xff" + os.urandom(1000))
    elif name == "hs_zero_length":
        sock.sendall(b"\x16\x03\x03\x00\x00")
    elif name == "hs_unexpected_message":
        sock.sendall(record(HANDSHAKE, b"\x0e\x00\x00\x00"))  # ServerHelloDone first
    elif name == "hs_version_tls10":
        sock.sendall(server_hello(version=b"\x03\x01"))
    elif name == "hs_version_ssl3":
        sock.sendall(server_hello(version=b"\x03\x00"))
    elif name == "hs_suite_not_offered":
        sock.sendall(server_hello(suite=0x002F))  # TLS_RSA_WITH_AES_128_CBC_SHA
    elif name == "hs_suite_null":
        sock.sendall(server_hello(suite=0x0000))
    elif name == "hs_not_tls":
        sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    elif name == "hs_stall":
        pass
    elif name == "hs_dribble":
        for b in server_hello():
            try:
                sock.sendall(bytes([b]))
            except OSError:
                break
            time.sleep(1.0)
        return
    else:
        raise SystemExit(f"unknown case {name}")
    say(f"{name} sent")
    hold(sock, 15)


# --- session cases: a real session, broken after the handshake ----------

def send_msg(conn, msg):
    for _ in conn._sendMsg(msg):
        pass


def buffered_records(conn, produce):
    """Run `produce`, returning the record bytes it wrote instead of sending them."""
    conn.sock.buffer_writes = True
    produce()
    out = b"".join(bytes(x) for x in conn.sock._write_queue)
    conn.sock._write_queue.clear()
    conn.sock.buffer_writes = False
    return out


def flip_a_bit(rec):
    """Flip one bit in the last byte (the AEAD tag) of a record."""
    rec = bytearray(rec)
    rec[-1] ^= 0x01
    return bytes(rec)


def session_case(name, sock, chain, key):
    conn = TLSConnection(sock)
    settings = HandshakeSettings()
    settings.maxVersion = (3, 3)
    # mbedTLS sends compressed points when the server lists that format
    # first, which tlslite-ng then refuses: offer uncompressed only.
    settings.ec_point_formats = [ECPointFormat.uncompressed]
    conn.handshakeServer(certChain=chain, privateKey=key, settings=settings)
    first = conn.read(max=16384, min=1)
    say(f"request {bytes(first).decode(errors='replace')}")
    raw = sock  # the TCP socket under tlslite's buffering

    def appdata(data):
        return buffered_records(conn, lambda: conn.write(data))

    def alert(level, desc):
        return buffered_records(conn, lambda: send_msg(conn, Alert().create(desc, level)))

    close_notify = lambda: alert(AlertLevel.warning, AlertDescription.close_notify)

    if name == "data_close_notify_silent":
        raw.sendall(appdata(b"hello") + close_notify())
        hold(raw, 15)
    elif name == "data_close_notify_fin":
        raw.sendall(appdata(b"hello") + close_notify())
        raw.shutdown(socket.SHUT_WR)
        hold(raw, 15)
    elif name == "data_close_notify_garbage":
        # A genuine record after close_notify, then bytes that are no record.
        raw.sendall(appdata(b"hello") + close_notify() + appdata(b"after close") + b"\xde\xad\xbe\xef" * 8)
        hold(raw, 15)
    elif name in ("data_bad_mac", "data_fatal_alert"):
        good = appdata(b"hello")  # records are numbered: make this one first
        bad = flip_a_bit(appdata(b"world")) if name == "data_bad_mac" else alert(
            AlertLevel.fatal, AlertDescription.internal_error)
        raw.sendall(good + bad)
        # A genuine record later: must never reach the application.
        time.sleep(0.3)
        raw.sendall(appdata(b"later"))
        types = client_record_types(raw, 3.0)
        say("client_records " + ",".join(str(t) for t in types))
    elif name == "bit_flip":
        raw.sendall(flip_a_bit(appdata(b"world")))
        types = client_record_types(raw, 3.0)
        say("client_records " + ",".join(str(t) for t in types))
    elif name == "ciphertext_flip":
        rec = bytearray(appdata(b"world"))
        rec[5 + 8] ^= 0x80  # first ciphertext byte, after the explicit nonce
        raw.sendall(bytes(rec))
        hold(raw, 15)
    elif name == "truncated_record_then_close":
        raw.sendall(appdata(b"hello")[:12])
        time.sleep(0.5)
        raw.shutdown(socket.SHUT_WR)
        hold(raw, 15)
    elif name == "truncated_record_then_stall":
        raw.sendall(appdata(b"hello")[:12])
        hold(raw, 15)
    elif name == "oversized_record":
        raw.sendall(b"\x17\x03\x03\x48\x01" + os.urandom(2000))
        hold(raw, 15)
    elif name == "zero_length_record":
        raw.sendall(b"\x17\x03\x03\x00\x00")
        hold(raw, 15)
    elif name == "plaintext_alert_after_handshake":
        raw.sendall(record(ALERT, bytes([2, AlertDescription.handshake_failure])))
        hold(raw, 15)
    elif name == "hello_request":
        raw.sendall(buffered_records(conn, lambda: send_msg(conn, HelloRequest().create())))
        # The client refuses renegotiation (a no_renegotiation warning,
        # read here below tlslite-ng, which would end the session on it)...
        for result in conn._getNextRecord():
            if result not in (0, 1):
                header, parser = result
                break
        say(f"reply_to_hello_request type={header.type} body={bytes(parser.bytes).hex()}")
        # ...and the session goes on.
        data = conn.read(max=16384, min=1)
        say(f"after_hello_request {bytes(data).decode(errors='replace')}")
        conn.write(bytes(data))
        hold(raw, 5)
    elif name == "unexpected_handshake_after":
        raw.sendall(buffered_records(conn, lambda: send_msg(conn, ServerHelloDone().create())))
        hold(raw, 15)
    elif name == "empty_records_then_data":
        # Empty application-data records are legal in TLS 1.2 (RFC 5246 6.2.1).
        # Each record is sealed on its own: records carry sequence numbers.
        # (mbedTLS refuses a fourth consecutive empty one as a DoS: bad MAC.)
        empty = lambda: buffered_records(conn, lambda: send_msg(conn, Message(APPDATA, bytearray())))
        raw.sendall(empty() + empty() + empty() + appdata(b"x"))
        time.sleep(0.3)
        raw.sendall(empty() + appdata(b"yz"))
        hold(raw, 15)
    elif name == "stall_after_handshake":
        hold(raw, 15)
    elif name == "dribble_record":
        for b in appdata(b"dribbled"):
            raw.sendall(bytes([b]))
            time.sleep(0.05)
        hold(raw, 15)
    elif name == "echo":
        conn.write(bytes(first))
        echo(conn)
    elif name == "sink":
        total = len(first)
        try:
            while True:
                data = conn.read(max=16384, min=1)
                if not data:
                    break
                total += len(data)
        except Exception as exc:  # the client's transport broke mid-record
            say(f"sink_end {type(exc).__name__}")
        say(f"sink_total {total}")
    else:
        raise SystemExit(f"unknown case {name}")


def prepare(case, chain, key):
    def handle(sock, _index):
        if case.startswith("hs_"):
            raw_case(case, sock)
        else:
            session_case(case, sock, chain, key)
    return handle


if __name__ == "__main__":
    run_case_server(prepare)
