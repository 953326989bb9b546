"""What the Python test servers share: the listening socket and its accept
loop, tlslite-ng credentials, the echo after a case, and the report line.
Imported by the servers beside it (their folder is on the import path when
they run as scripts)."""
import argparse
import socket
import sys


def say(what):
    """A report line the Rust test reads: "SAW <what>"."""
    print(f"SAW {what}", flush=True)


def serve_forever(handle, on_error, nodelay=False):
    """Listen on 127.0.0.1 (a free port, printed as "PORT <n>"), then call
    handle(sock, index) for each connection in turn, index counting from 0.
    An exception from handle (the client gave up or misbehaved) goes to
    on_error(exc) and the loop goes on; the socket is closed either way."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    print(f"PORT {srv.getsockname()[1]}", flush=True)
    index = 0
    while True:
        sock, _ = srv.accept()
        if nodelay:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            handle(sock, index)
        except Exception as exc:  # noqa: BLE001 - reported, then the next connection
            on_error(exc)
        finally:
            index += 1
            sock.close()


def run_case_server(prepare):
    """The hostile servers' main: `--cert C --key K --case NAME`, then
    serve_forever with TCP_NODELAY, each connection handled by
    prepare(case, chain, key) (called once: it returns handle(sock, index)).
    A connection that fails is reported as "SAW server_error ..."; Ctrl-C
    ends the server quietly."""
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--case", required=True)
    args = p.parse_args()
    chain, key = tlslite_credentials(args.cert, args.key)
    handle = prepare(args.case, chain, key)
    try:
        serve_forever(handle, lambda exc: say(f"server_error {type(exc).__name__} {exc}"), nodelay=True)
    except KeyboardInterrupt:
        sys.exit(0)


def tlslite_credentials(cert_path, key_path):
    """The server's certificate chain and private key, as tlslite-ng takes them."""
    from tlslite.api import X509CertChain, parsePEMKey  # only the tlslite servers need it

    chain = X509CertChain()
    with open(cert_path) as f:
        chain.parsePemList(f.read())
    with open(key_path) as f:
        key = parsePEMKey(f.read(), private=True)
    return chain, key


def echo(conn):
    """Echo a tlslite-ng connection's application data until the client closes."""
    while True:
        data = conn.read(max=16384, min=1)
        if not data:
            break
        conn.write(bytes(data))
