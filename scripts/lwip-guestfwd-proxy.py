#!/usr/bin/env python3
"""The broker side of the lwIP firmware's one forwarded address.

QEMU's user network starts this once per guest TCP connection to the
guestfwd address (-nic user,restrict=on,guestfwd=tcp:10.0.2.100:8883-cmd:...),
with that connection on stdin/stdout (one socket; stderr is the same socket,
so nothing may be printed there). It connects to the broker on
127.0.0.1:PORT and relays both ways, unchanged, and can break the
connection the way a network or a broker does:

  --fault drop   once the broker has answered K of the guest's MQTT
                 packets (K = --after-records; 2 = CONNECT and SUBSCRIBE
                 answered by CONNACK and SUBACK), when the guest next
                 sends an application-data record (an MQTT PUBLISH),
                 close both sides instead of forwarding it: the guest
                 sees a FIN, no TLS close_notify
  --fault stall  at that record, forward nothing more in either
                 direction but keep both connections open until the guest
                 closes its side (or --stall-limit seconds pass)

Only the --fault-on'th connection (default 1) is broken; the others are
relayed normally, so the firmware can reconnect. Each connection is
numbered through files in --state DIR (conn-1, conn-2, ...), and logged to
DIR/proxy.log, with the TLS version the broker's ServerHello chose
("server hello: TLS 1.3", from its supported_versions extension, else its
legacy version field).

The fault point is counted on the guest's application-data records, in
a way that holds for TLS 1.2 and 1.3 alike. In TLS 1.3 the guest's
handshake records after ServerHello (Certificate, CertificateVerify,
Finished) are application-data records on the wire too, and leave with
MQTT CONNECT (the library holds its last flight for its first record); in
TLS 1.2 the guest's first application-data record is CONNECT alone. So
the guest's first turn is the application-data records it sends before
the broker sends one back (CONNACK, or 1.3's session tickets): F records,
CONNECT the last. The guest sends each later MQTT packet only after the
broker answered the previous one, so its K-th packet after CONNECT is
record F + K: with --after-records 2, the PUBLISH after SUBSCRIBE.
"""
import argparse
import os
import select
import socket
import sys
import time

TLS_APPLICATION_DATA = 23
TLS_HANDSHAKE = 22
SUPPORTED_VERSIONS = 0x002B
VERSION_NAMES = {0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}


class ServerHelloVersion:
    """The version the server's ServerHello picks, from the plaintext
    handshake records at the start of the broker's byte stream."""

    def __init__(self):
        self.stream = b""
        self.handshake = b""
        self.version = None

    def feed(self, data):
        """Returns the version's name once known (once), else None."""
        if self.version is not None:
            return None
        self.stream += data
        while len(self.stream) >= 5:
            length = int.from_bytes(self.stream[3:5], "big")
            if len(self.stream) < 5 + length:
                return None
            kind, body = self.stream[0], self.stream[5:5 + length]
            self.stream = self.stream[5 + length:]
            if kind != TLS_HANDSHAKE:
                self.version = "no ServerHello first"
                return self.version
            self.handshake += body
            parsed = self.parse()
            if parsed:
                self.version = parsed
                self.stream = b""
                return parsed
        return None

    def parse(self):
        h = self.handshake
        if len(h) < 4:
            return None
        if h[0] != 2:
            return f"handshake message {h[0]} first, not ServerHello"
        length = int.from_bytes(h[1:4], "big")
        if len(h) < 4 + length:
            return None
        body = h[4:4 + length]
        version = int.from_bytes(body[0:2], "big")
        pos = 2 + 32
        pos += 1 + body[pos]  # session id
        pos += 2 + 1  # cipher suite, compression method
        if pos + 2 <= len(body):
            end = pos + 2 + int.from_bytes(body[pos:pos + 2], "big")
            pos += 2
            while pos + 4 <= end:
                ext, n = int.from_bytes(body[pos:pos + 2], "big"), int.from_bytes(body[pos + 2:pos + 4], "big")
                if ext == SUPPORTED_VERSIONS and n == 2:
                    version = int.from_bytes(body[pos + 4:pos + 6], "big")
                pos += 4 + n
        return VERSION_NAMES.get(version, f"version 0x{version:04x}")


def claim_number(state):
    n = 1
    while True:
        try:
            fd = os.open(os.path.join(state, f"conn-{n}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.close(fd)
            return n
        except FileExistsError:
            n += 1


class RecordCounter:
    """Counts the TLS records of one direction (5-byte headers only)."""

    def __init__(self):
        self.pending = b""
        self.skip = 0
        self.app_records = 0

    def feed(self, data):
        """Returns the offset just past the end of the record that made
        app_records reach each new value, as (count, end_offset) pairs."""
        return [(count, end) for count, _, end in self.feed_spans(data)]

    def feed_spans(self, data):
        """As feed, as (count, start_offset, end_offset): the start is where
        the record's header began in data (0 when in an earlier chunk)."""
        ends = []
        pos = 0
        start = 0
        while pos < len(data):
            if not self.skip and not self.pending:
                start = pos
            if self.skip:
                take = min(self.skip, len(data) - pos)
                self.skip -= take
                pos += take
                if self.skip == 0 and self.current_type == TLS_APPLICATION_DATA:
                    self.app_records += 1
                    ends.append((self.app_records, start, pos))
                continue
            need = 5 - len(self.pending)
            self.pending += data[pos:pos + need]
            pos += min(need, len(data) - pos)
            if len(self.pending) == 5:
                self.current_type = self.pending[0]
                self.skip = int.from_bytes(self.pending[3:5], "big")
                self.pending = b""
                if self.skip == 0 and self.current_type == TLS_APPLICATION_DATA:
                    self.app_records += 1
                    ends.append((self.app_records, start, pos))
        return ends


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--fault", choices=["none", "drop", "stall"], default="none")
    ap.add_argument("--after-records", type=int, default=2)
    ap.add_argument("--fault-on", type=int, default=1)
    ap.add_argument("--stall-limit", type=float, default=60.0)
    args = ap.parse_args()

    os.makedirs(args.state, exist_ok=True)
    log = open(os.path.join(args.state, "proxy.log"), "a", buffering=1)
    # Tracebacks to the log, never into the guest's TCP stream.
    os.dup2(log.fileno(), 2)
    number = claim_number(args.state)
    fault = args.fault if number == args.fault_on else "none"

    def say(text):
        log.write(f"{time.strftime('%H:%M:%S')} conn {number}: {text}\n")

    guest = socket.socket(fileno=os.dup(0))
    os.close(0)
    os.close(1)
    broker = socket.create_connection(("127.0.0.1", args.port), timeout=10)
    broker.settimeout(None)
    say(f"relaying to 127.0.0.1:{args.port}, fault {fault}")
    counter = RecordCounter()
    try:
        relay(args, guest, broker, counter, fault, say)
    except OSError as e:
        say(f"connection failed: {e}")
    finally:
        broker.close()
        guest.close()
        say("closed")


def relay(args, guest, broker, counter, fault, say):
    """Moves bytes until either side closes or the fault ends it."""
    to_guest = to_broker = 0
    stalled_at = None
    hello = ServerHelloVersion()
    version = None
    # The guest's first turn (see the module's description).
    broker_records = RecordCounter()
    first_turn = None
    while True:
        if stalled_at is not None:
            # Keep the connections, move nothing; notice the guest
            # closing its side.
            r, _, _ = select.select([guest], [], [], 1.0)
            if r and not guest.recv(65536):
                say("guest closed during the stall")
                break
            if time.monotonic() - stalled_at > args.stall_limit:
                say("stall limit reached")
                break
            continue
        r, _, _ = select.select([guest, broker], [], [], 60.0)
        if not r:
            continue
        if guest in r:
            data = guest.recv(65536)
            if not data:
                say(f"guest closed ({to_broker} bytes to the broker, {to_guest} to the guest)")
                break
            cut = None
            spans = counter.feed_spans(data)
            if fault != "none" and first_turn is not None:
                trigger = first_turn + args.after_records
                for count, start, _ in spans:
                    if count == trigger:
                        cut = start
                        break
            if cut is not None:
                broker.sendall(data[:cut])
                to_broker += cut
                if fault == "drop":
                    say(f"drop: {len(data) - cut} bytes from the guest not forwarded, connection closed "
                        f"({to_guest} bytes to the guest, {to_broker} to the broker; guest's "
                        f"application-data record {trigger}, its first turn {first_turn}, {version})")
                    break
                say(f"stall at the guest's application-data record {trigger} (first turn {first_turn}, {version}; "
                    f"{to_guest} bytes to the guest, {to_broker} to the broker)")
                stalled_at = time.monotonic()
                continue
            broker.sendall(data)
            to_broker += len(data)
        if broker in r:
            data = broker.recv(65536)
            if not data:
                say(f"broker closed ({to_broker} bytes to the broker, {to_guest} to the guest)")
                break
            seen = hello.feed(data)
            if seen:
                version = seen
                say(f"server hello: {seen}")
            if broker_records.feed(data) and first_turn is None and counter.app_records > 0:
                first_turn = counter.app_records
            guest.sendall(data)
            to_guest += len(data)

if __name__ == "__main__":
    sys.exit(main())
