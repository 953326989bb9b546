#!/usr/bin/env python3
"""TLS 1.3 echo server that reveals the session's secrets, for
tests/zeroize_secrets.rs (tlslite-ng, TLS_AES_128_GCM_SHA256).

Usage: hostile_keylog_server13.py --cert C --key K [--require-client-cert]

Prints "PORT <n>", then per connection, once the client's first record has
arrived (the library holds its Finished until then):

  SECRETS c_hs=<hex> s_hs=<hex> c_app=<hex> s_app=<hex> c_key=<hex>
          s_key=<hex> res_master=<hex> psk=<hex> ticket=<hex>

(one line): the handshake and application traffic secrets as tlslite-ng
installs them in its record layer, the application write keys derived from
them (RFC 8446 7.3), the resumption master secret, and the PSK the client
derives from the one NewSessionTicket sent here (RFC 8446 4.6.1: nonce
"\\x01\\x02", a random 200-byte ticket, lifetime one hour); then echoes
until the client closes.
"""
import argparse
import os

from peer_common import echo, serve_forever, tlslite_credentials
from tlslite.api import HandshakeSettings, TLSConnection
from tlslite.messages import NewSessionTicket
from tlslite.utils.cryptomath import HKDF_expand_label

NONCE = bytearray(b"\x01\x02")


def serve(sock, chain, key, req_cert):
    conn = TLSConnection(sock)
    settings = HandshakeSettings()
    settings.minVersion = settings.maxVersion = (3, 4)
    settings.cipherNames = ["aes128gcm"]
    secrets = []  # (client, server) traffic secrets, in the order installed
    install = conn._recordLayer.calcTLS1_3PendingState

    def spy(suite, cl, sr, impl):
        secrets.append((bytes(cl), bytes(sr)))
        return install(suite, cl, sr, impl)
    conn._recordLayer.calcTLS1_3PendingState = spy
    conn.handshakeServer(certChain=chain, privateKey=key, settings=settings, reqCert=req_cert)
    if req_cert:
        # tlslite-ng verified the client's CertificateVerify.
        assert conn.session.clientCertChain is not None and conn.session.clientCertChain.getNumCerts() > 0
    first = conn.read(max=16384, min=1)
    (c_hs, s_hs), (c_app, s_app) = secrets[0], secrets[1]
    assert (bytearray(c_app), bytearray(s_app)) == (conn.session.cl_app_secret, conn.session.sr_app_secret)
    res_master = bytes(conn.session.resumptionMasterSecret)
    psk = bytes(HKDF_expand_label(conn.session.resumptionMasterSecret, b"resumption", NONCE, 32, "sha256"))
    ticket = os.urandom(200)
    for _ in conn._sendMsg(NewSessionTicket().create(3600, 0x0A0B0C0D, NONCE, bytearray(ticket), [])):
        pass
    c_key = bytes(HKDF_expand_label(bytearray(c_app), b"key", b"", 16, "sha256"))
    s_key = bytes(HKDF_expand_label(bytearray(s_app), b"key", b"", 16, "sha256"))
    fields = dict(c_hs=c_hs, s_hs=s_hs, c_app=c_app, s_app=s_app, c_key=c_key, s_key=s_key,
                  res_master=res_master, psk=psk, ticket=ticket)
    print("SECRETS " + " ".join(f"{k}={v.hex()}" for k, v in fields.items()), flush=True)
    conn.write(bytes(first))
    echo(conn)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--require-client-cert", action="store_true")
    args = p.parse_args()
    chain, key = tlslite_credentials(args.cert, args.key)
    # The client went: report and go on.
    serve_forever(lambda sock, _index: serve(sock, chain, key, args.require_client_cert),
                  lambda exc: print(f"ENDED {type(exc).__name__} {exc}", flush=True))


if __name__ == "__main__":
    main()
