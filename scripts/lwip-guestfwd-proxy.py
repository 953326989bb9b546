#!/usr/bin/env python3
"""The broker side of the lwIP firmware's one forwarded address.

QEMU's user network starts this once per guest TCP connection to the
guestfwd address (-nic user,restrict=on,guestfwd=tcp:10.0.2.100:8883-cmd:...),
with that connection on stdin/stdout (one socket; stderr is the same socket,
so nothing may be printed there). It connects to the broker on
127.0.0.1:PORT and relays both ways, unchanged, and can break the
connection the way a network or a broker does:

  --fault drop   after the broker's Kth TLS application-data record to the
                 guest (K = --after-records; 2 = MQTT CONNACK, SUBACK),
                 when the guest next sends (an MQTT PUBLISH), close both
                 sides instead of forwarding it: the guest sees a FIN, no
                 TLS close_notify
  --fault stall  after that record, forward nothing more in either
                 direction but keep both connections open until the guest
                 closes its side (or --stall-limit seconds pass)

Only the --fault-on'th connection (default 1) is broken; the others are
relayed normally, so the firmware can reconnect. Each connection is
numbered through files in --state DIR (conn-1, conn-2, ...), and logged to
DIR/proxy.log.
"""
import argparse
import os
import select
import socket
import sys
import time

TLS_APPLICATION_DATA = 23


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
        ends = []
        pos = 0
        while pos < len(data):
            if self.skip:
                take = min(self.skip, len(data) - pos)
                self.skip -= take
                pos += take
                if self.skip == 0 and self.current_type == TLS_APPLICATION_DATA:
                    self.app_records += 1
                    ends.append((self.app_records, pos))
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
                    ends.append((self.app_records, pos))
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
    drop_armed = False
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
            if drop_armed:
                say(f"drop: {len(data)} bytes from the guest not forwarded, connection closed "
                    f"({to_guest} bytes to the guest, {to_broker} to the broker)")
                break
            broker.sendall(data)
            to_broker += len(data)
        if broker in r:
            data = broker.recv(65536)
            if not data:
                say(f"broker closed ({to_broker} bytes to the broker, {to_guest} to the guest)")
                break
            cut = None
            if fault != "none":
                for count, end in counter.feed(data):
                    if count == args.after_records:
                        cut = end
                        break
            guest.sendall(data if cut is None else data[:cut])
            to_guest += len(data) if cut is None else cut
            if cut is not None:
                say(f"{fault} after application-data record {args.after_records} "
                    f"({to_guest} bytes to the guest, {to_broker} to the broker)")
                if fault == "drop":
                    drop_armed = True
                    fault = "none"
                else:
                    stalled_at = time.monotonic()


if __name__ == "__main__":
    sys.exit(main())
