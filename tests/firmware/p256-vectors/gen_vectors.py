#!/usr/bin/env python3
"""Writes the C vector tables of the p256-vectors firmware (vectors.c).

Every expected value comes from Python's `cryptography` (OpenSSL) at test
time: fresh keys and signatures each run, plus the invalid inputs mbedTLS
must refuse (points off the curve or at infinity, coordinates >= p,
scalars 0 or >= n, r or s = 0 or >= n, wrong signatures). Groups other
than P-256 (X25519, P-384) check the generic path behind the same hooks.

Usage: gen_vectors.py OUT.c   (prints the number of vectors on stdout)
"""
import os
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# mbedTLS group ids (mbedtls_ecp_group_id, ecp.h)
SECP256R1, SECP384R1, CURVE25519 = 3, 4, 9
# mbedTLS error codes
ERR_INVALID_KEY = -0x4C80
ERR_VERIFY_FAILED = -0x4E00
ERR_BAD_INPUT = -0x4F80
ERR_RANDOM_FAILED = -0x4D00
# What the firmware's scripted RNG returns when its bytes run out.
ERR_RNG_EXHAUSTED = -0x0034

NAMES = {SECP256R1: "P-256", SECP384R1: "P-384", CURVE25519: "X25519"}

CURVES = {
    SECP256R1: (ec.SECP256R1(), 32,
                0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
                0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551),
    SECP384R1: (ec.SECP384R1(), 48,
                int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE"
                    "FFFFFFFF0000000000000000FFFFFFFF", 16),
                int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                    "581A0DB248B0A77AECEC196ACCC52973", 16)),
}


def be(value, size):
    return value.to_bytes(size, "big")


def point(pub, size):
    nums = pub.public_numbers()
    return b"\x04" + be(nums.x, size) + be(nums.y, size)


def raw_point(x, y, size):
    return b"\x04" + be(x, size) + be(y, size)


def c_bytes(data):
    if not data:
        return "NULL, 0"
    return "(const uint8_t[]){%s}, %d" % (",".join("0x%02x" % b for b in data), len(data))


ecdh, ecdsa, keygen = [], [], []


def add_ecdh(name, group, d, q, z, expect):
    """d: scalar bytes (big-endian; X25519 little-endian), q: point encoding
    (b"" = the point at infinity), z: the expected shared secret."""
    ecdh.append("{%s, %d, %s, %s, %s, %d}" % (
        '"%s"' % name, group, c_bytes(d), c_bytes(q), c_bytes(z), expect))


def add_ecdsa(name, group, digest, q, r, s, expect):
    ecdsa.append("{%s, %d, %s, %s, %s, %s, %d}" % (
        '"%s"' % name, group, c_bytes(digest), c_bytes(q), c_bytes(r), c_bytes(s), expect))


def add_keygen(name, group, rng, d, q, expect):
    """rng: the bytes the scripted RNG hands out; d, q: the key pair
    expected (empty: any valid pair, checked against d*G in the firmware)."""
    keygen.append("{%s, %d, %s, %s, %s, %d}" % (
        '"%s"' % name, group, c_bytes(rng), c_bytes(d), c_bytes(q), expect))


def weierstrass_ecdh(group):
    curve, size, p, n = CURVES[group]
    for i in range(4):
        ours = ec.generate_private_key(curve)
        peer = ec.generate_private_key(curve)
        z = ours.exchange(ec.ECDH(), peer.public_key())
        d = be(ours.private_numbers().private_value, size)
        add_ecdh("ecdh %s valid %d" % (NAMES[group], i), group, d, point(peer.public_key(), size), z, 0)
    ours = ec.generate_private_key(curve)
    d = be(ours.private_numbers().private_value, size)
    peer = ec.generate_private_key(curve).public_key().public_numbers()
    x, y = peer.x, peer.y
    add_ecdh("ecdh %s point off the curve (y+1)" % NAMES[group], group, d, raw_point(x, (y + 1) % p, size), b"", ERR_INVALID_KEY)
    add_ecdh("ecdh %s point off the curve (x+1)" % NAMES[group], group, d, raw_point((x + 1) % p, y, size), b"", ERR_INVALID_KEY)
    add_ecdh("ecdh %s point (0,0)" % NAMES[group], group, d, raw_point(0, 0, size), b"", ERR_INVALID_KEY)
    add_ecdh("ecdh %s x = p (not reduced)" % NAMES[group], group, d, raw_point(p, y, size), b"", ERR_INVALID_KEY)
    add_ecdh("ecdh %s y = p (not reduced)" % NAMES[group], group, d, raw_point(x, p, size), b"", ERR_INVALID_KEY)
    add_ecdh("ecdh %s point at infinity" % NAMES[group], group, d, b"", b"", ERR_INVALID_KEY)
    q = raw_point(x, y, size)
    add_ecdh("ecdh %s d = 0" % NAMES[group], group, be(0, size), q, b"", ERR_INVALID_KEY)
    add_ecdh("ecdh %s d = n" % NAMES[group], group, be(n, size), q, b"", ERR_INVALID_KEY)
    add_ecdh("ecdh %s d = n+1" % NAMES[group], group, be(n + 1, size), q, b"", ERR_INVALID_KEY)
    add_ecdh("ecdh %s d = 2^256-1" % NAMES[group], group, b"\xff" * size, q, b"", ERR_INVALID_KEY)
    # d = n-1: -Q, whose x is Q's.
    add_ecdh("ecdh %s d = n-1" % NAMES[group], group, be(n - 1, size), q, be(x, size), 0)
    add_ecdh("ecdh %s d = 1" % NAMES[group], group, be(1, size), q, be(x, size), 0)


def x25519_ecdh():
    for i in range(3):
        ours = x25519.X25519PrivateKey.generate()
        peer = x25519.X25519PrivateKey.generate()
        z = ours.exchange(peer.public_key())
        raw = bytearray(ours.private_bytes_raw())
        # RFC 7748 clamping, as mbedTLS expects a stored X25519 key to be.
        raw[0] &= 248
        raw[31] = (raw[31] & 127) | 64
        pub = peer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        add_ecdh("ecdh x25519 valid %d" % i, CURVE25519, bytes(raw), pub, z, 0)


def weierstrass_ecdsa(group, hash_algs):
    curve, size, p, n = CURVES[group]
    key = ec.generate_private_key(curve)
    q = point(key.public_key(), size)
    for alg in hash_algs:
        h = hashes.Hash(alg)
        h.update(os.urandom(40))
        digest = h.finalize()
        r, s = utils.decode_dss_signature(key.sign(digest, ec.ECDSA(utils.Prehashed(alg))))
        tag = "ecdsa %s %s" % (NAMES[group], alg.name)
        add_ecdsa(tag + " valid", group, digest, q, be(r, size), be(s, size), 0)
        add_ecdsa(tag + " valid (n-s)", group, digest, q, be(r, size), be(n - s, size), 0)
        wrong = bytes([digest[0] ^ 1]) + digest[1:]
        add_ecdsa(tag + " wrong hash", group, wrong, q, be(r, size), be(s, size), ERR_VERIFY_FAILED)
        add_ecdsa(tag + " r+1", group, digest, q, be(r + 1 if r + 1 < n else 1, size), be(s, size), ERR_VERIFY_FAILED)
        add_ecdsa(tag + " swapped r,s", group, digest, q, be(s, size), be(r, size), ERR_VERIFY_FAILED)
    # A digest >= n (reduced modulo n before use), as 32/48 bytes of 0xff.
    digest = b"\xff" * size
    alg = hashes.SHA256() if size == 32 else hashes.SHA384()
    r, s = utils.decode_dss_signature(key.sign(digest, ec.ECDSA(utils.Prehashed(alg))))
    add_ecdsa("ecdsa %s digest >= n" % NAMES[group], group, digest, q, be(r, size), be(s, size), 0)
    # Range checks on r and s, then the key checks.
    h = hashes.Hash(hashes.SHA256())
    h.update(b"range")
    digest = h.finalize()
    r, s = utils.decode_dss_signature(key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256()))))
    rb, sb = be(r, size), be(s, size)
    for label, rr, ss in [("r = 0", be(0, size), sb), ("s = 0", rb, be(0, size)), ("r = n", be(n, size), sb),
                          ("s = n", rb, be(n, size)), ("r = n+1", be(n + 1, size), sb),
                          ("s = 2^k-1", rb, b"\xff" * size), ("r = r+n", (r + n).to_bytes(size + 1, "big"), sb),
                          ("r,s = 0,0", be(0, size), be(0, size))]:
        add_ecdsa("ecdsa %s %s" % (NAMES[group], label), group, digest, q, rr, ss, ERR_VERIFY_FAILED)
    nums = key.public_key().public_numbers()
    add_ecdsa("ecdsa %s key off the curve" % NAMES[group], group, digest, raw_point(nums.x, (nums.y + 1) % p, size), rb, sb,
              ERR_INVALID_KEY)
    add_ecdsa("ecdsa %s key at infinity" % NAMES[group], group, digest, b"", rb, sb, ERR_INVALID_KEY)
    add_ecdsa("ecdsa %s key x >= p" % NAMES[group], group, digest, raw_point(p, nums.y, size), rb, sb, ERR_INVALID_KEY)
    other = point(ec.generate_private_key(curve).public_key(), size)
    add_ecdsa("ecdsa %s other key" % NAMES[group], group, digest, other, rb, sb, ERR_VERIFY_FAILED)
    add_ecdsa("ecdsa %s empty hash" % NAMES[group], group, b"", q, rb, sb, ERR_VERIFY_FAILED)


def keygens():
    for group in (SECP256R1, SECP384R1):
        curve, size, p, n = CURVES[group]
        for i in range(2):
            d = ec.derive_private_key(int.from_bytes(os.urandom(size), "big") % (n - 1) + 1, curve)
            db = be(d.private_numbers().private_value, size)
            add_keygen("keygen %s valid %d" % (NAMES[group], i), group, db, db, point(d.public_key(), size), 0)
        d = ec.generate_private_key(curve)
        db = be(d.private_numbers().private_value, size)
        # Rejection sampling: 2^k-1 (>= n) and 0 are drawn first, then d.
        add_keygen("keygen %s rejects >= n and 0" % NAMES[group], group, b"\xff" * size + b"\x00" * size + db, db,
                   point(d.public_key(), size), 0)
        add_keygen("keygen %s n itself rejected" % NAMES[group], group, be(n, size) + db, db, point(d.public_key(), size), 0)
        # Bounded: 30 unusable draws, then mbedTLS's RANDOM_FAILED (a 31st
        # draw would hit the exhausted RNG's error instead).
        add_keygen("keygen %s gives up after 30 draws" % NAMES[group], group, b"\xff" * size * 30, b"", b"",
                   ERR_RANDOM_FAILED)
        add_keygen("keygen %s rng error passed on" % NAMES[group], group, b"", b"", b"", ERR_RNG_EXHAUSTED)
    add_keygen("keygen x25519", CURVE25519, os.urandom(64), b"", b"", 0)
    add_keygen("keygen x25519 rng error passed on", CURVE25519, b"", b"", b"", ERR_RNG_EXHAUSTED)


def main():
    weierstrass_ecdh(SECP256R1)
    weierstrass_ecdh(SECP384R1)
    x25519_ecdh()
    add_ecdh("ecdh x25519 d = 0", CURVE25519, b"\x00" * 32, b"\x09" + b"\x00" * 31, b"", ERR_INVALID_KEY)
    weierstrass_ecdsa(SECP256R1, [hashes.SHA256(), hashes.SHA384(), hashes.SHA1(), hashes.SHA512()])
    weierstrass_ecdsa(SECP384R1, [hashes.SHA384(), hashes.SHA256()])
    add_ecdsa("ecdsa x25519 refused", CURVE25519, b"\x01" * 32, b"\x09" + b"\x00" * 31, b"\x01", b"\x01",
              ERR_BAD_INPUT)
    keygens()
    with open(sys.argv[1], "w") as out:
        out.write("/* Generated by gen_vectors.py at test time. */\n#include \"vectors.h\"\n\n")
        for kind, rows in (("EcdhVector_t", ecdh), ("EcdsaVector_t", ecdsa), ("KeygenVector_t", keygen)):
            table = kind.replace("Vector_t", "").lower()
            out.write("const %s x%sVectors[] = {\n    %s,\n};\n" % (kind, table.capitalize(), ",\n    ".join(rows)))
            out.write("const size_t x%sVectorCount = %d;\n\n" % (table.capitalize(), len(rows)))
    print(len(ecdh) + len(ecdsa) + len(keygen))


if __name__ == "__main__":
    main()
