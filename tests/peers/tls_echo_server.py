#!/usr/bin/env python3
"""TLS echo peer for the integration tests (Python's ssl module, i.e. OpenSSL).

Listens on 127.0.0.1 (port 0 = pick one), prints "PORT <n>" once ready,
then for each connection prints one line "CONN sni=<name> alpn=<proto>"
after the handshake and echoes every byte back. Options:
  --drop-after N   close the TCP socket abruptly (RST) after N echoed bytes
  --silent         accept TCP but never answer (handshake timeout tests)
  --client-ca F    require a client certificate issued under F
  --no-tickets     issue no session tickets (resumption by session ID only)
  --report-reuse   add " reused=<0|1>" (the server's own verdict) to CONN,
                   and shut down cleanly after the client's close_notify
  --report-close   after each connection print "CLOSED close_notify" (the
                   client sent close_notify), "CLOSED eof" (TCP closed
                   without it) or "CLOSED error <text>"
"""
import argparse
import socket
import ssl
import struct
import sys
import threading


_say_lock = threading.Lock()


def say(text):
    """One event line. Connections are served by threads: print() writes the
    text and its newline separately, so two lines could interleave."""
    with _say_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def serve(conn, args, ctx):
    sni = {"name": "-"}

    def on_sni(sock, name, _ctx):
        sni["name"] = name or "-"

    ctx.sni_callback = on_sni
    try:
        # With --report-reuse or --report-close, b"" from recv means a real
        # close_notify (ragged EOFs raise). --report-reuse answers it with the
        # server's own close_notify: OpenSSL keeps a session in its cache
        # only after a clean shutdown.
        clean_eof = args.report_reuse or args.report_close
        tls = ctx.wrap_socket(conn, server_side=True, suppress_ragged_eofs=not clean_eof)
    except (ssl.SSLError, OSError) as exc:
        say(f"HANDSHAKE_FAILED {exc}")
        conn.close()
        return
    line = f"CONN sni={sni['name']} alpn={tls.selected_alpn_protocol() or '-'} version={tls.version()}"
    if args.report_reuse:
        line += f" reused={int(tls.session_reused)}"
    say(line)
    if args.greet:
        tls.sendall(b"G" * args.greet)
    echoed = 0
    how = "eof"
    try:
        while True:
            data = tls.recv(65536)
            if not data:
                how = "close_notify" if clean_eof else "eof"
                if args.report_reuse:
                    tls = tls.unwrap()
                break
            if args.drop_after is not None and echoed + len(data) >= args.drop_after:
                # RST instead of FIN, and no close_notify: a dead peer.
                tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                tls.close()
                return
            tls.sendall(data)
            echoed += len(data)
    except ssl.SSLEOFError:
        how = "eof"
    except (ssl.SSLError, OSError) as exc:
        how = f"error {exc}"
    finally:
        if args.report_close:
            say(f"CLOSED {how}")
        try:
            tls.close()
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--alpn", default="")
    p.add_argument("--drop-after", type=int)
    p.add_argument("--silent", action="store_true")
    p.add_argument("--client-ca")
    p.add_argument("--no-tickets", action="store_true")
    p.add_argument("--report-reuse", action="store_true")
    p.add_argument("--report-close", action="store_true")
    p.add_argument("--versions", choices=["both", "1.2", "1.3"], default="both")
    p.add_argument("--greet", type=int, default=0, help="send this many bytes in one write first")
    args = p.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3 if args.versions == "1.3" else ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2 if args.versions == "1.2" else ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(args.cert, args.key)
    if args.alpn:
        ctx.set_alpn_protocols(args.alpn.split(","))
    if args.no_tickets:
        ctx.options |= ssl.OP_NO_TICKET
    if args.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.client_ca)

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    say(f"PORT {srv.getsockname()[1]}")
    held = []
    while True:
        conn, _ = srv.accept()
        if args.silent:
            held.append(conn)  # keep it open, say nothing
            continue
        threading.Thread(target=serve, args=(conn, args, ctx), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
