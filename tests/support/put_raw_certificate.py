#!/usr/bin/env python3
"""Store arbitrary bytes as an X.509 certificate object in a PKCS#11 token.

pkcs11-tool refuses to store bytes OpenSSL cannot parse; the tests need a
token holding a malformed certificate, so this calls the module directly.
Usage: put_raw_certificate.py MODULE PIN LABEL FILE   (SOFTHSM2_CONF set)
"""
import ctypes
import sys

CKF_RW_SESSION, CKF_SERIAL_SESSION, CKF_TOKEN_INITIALIZED = 0x2, 0x4, 0x400
CKU_USER = 1
CKA_CLASS, CKA_TOKEN, CKA_LABEL, CKA_VALUE = 0x0, 0x1, 0x3, 0x11
CKA_CERTIFICATE_TYPE, CKA_SUBJECT = 0x80, 0x101
CKO_CERTIFICATE, CKC_X_509 = 1, 0

ulong = ctypes.c_ulong


class Attribute(ctypes.Structure):
    _fields_ = [("type", ulong), ("value", ctypes.c_void_p), ("length", ulong)]


def attr(kind, data):
    buf = ctypes.create_string_buffer(data, len(data))
    return Attribute(kind, ctypes.cast(buf, ctypes.c_void_p), len(data)), buf


def check(rv, what):
    if rv != 0:
        sys.exit(f"{what} failed: CK_RV 0x{rv:x}")


def main():
    module, pin, label, path = sys.argv[1:5]
    data = open(path, "rb").read()
    lib = ctypes.CDLL(module)
    check(lib.C_Initialize(None), "C_Initialize")
    count = ulong(0)
    check(lib.C_GetSlotList(1, None, ctypes.byref(count)), "C_GetSlotList")
    slots = (ulong * count.value)()
    check(lib.C_GetSlotList(1, slots, ctypes.byref(count)), "C_GetSlotList")
    info = ctypes.create_string_buffer(512)  # larger than CK_TOKEN_INFO
    flags_offset = 32 + 32 + 16 + 16
    slot = None
    for s in slots[: count.value]:
        if lib.C_GetTokenInfo(ulong(s), info) == 0:
            flags = ulong.from_buffer(info, flags_offset).value
            if flags & CKF_TOKEN_INITIALIZED:
                slot = s
                break
    if slot is None:
        sys.exit("no initialized token")
    session = ulong(0)
    check(lib.C_OpenSession(ulong(slot), ulong(CKF_SERIAL_SESSION | CKF_RW_SESSION), None, None,
                            ctypes.byref(session)), "C_OpenSession")
    pin_bytes = pin.encode()
    check(lib.C_Login(session, ulong(CKU_USER), pin_bytes, ulong(len(pin_bytes))), "C_Login")
    keep = []
    items = []
    for kind, value in [
        (CKA_CLASS, bytes(ulong(CKO_CERTIFICATE))),
        (CKA_CERTIFICATE_TYPE, bytes(ulong(CKC_X_509))),
        (CKA_TOKEN, b"\x01"),
        (CKA_LABEL, label.encode()),
        (CKA_SUBJECT, b"\x30\x00"),
        (CKA_VALUE, data),
    ]:
        a, buf = attr(kind, value)
        items.append(a)
        keep.append(buf)
    template = (Attribute * len(items))(*items)
    handle = ulong(0)
    check(lib.C_CreateObject(session, template, ulong(len(items)), ctypes.byref(handle)), "C_CreateObject")
    lib.C_CloseSession(session)
    lib.C_Finalize(None)


if __name__ == "__main__":
    main()
