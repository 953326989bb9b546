#!/usr/bin/env python3
"""Report of the P-256 firmware benchmark (scripts/bench-firmware-p256.sh).

Two images of the firmware benchmark, the same build configuration except
feature p256-cortex-m4 (FREERTOS_TLS_P256_CORTEX_M4), run one after the
other against the same peer script: "stock" (mbedTLS's own P-256) and
"p256" (ECDH and ECDSA verification on P256-Cortex-M4). Each image runs
both clients (freertos-tls and the raw mbedTLS client); in the p256 image
the raw client's ECDH/verify go through the same hooks, since the hooks
replace mbedTLS's functions in the whole image.

  report_p256.py --stock-console C --stock-peer P --stock-map M \
                 --p256-console C --p256-peer P --p256-map M --commit X [--out F]

Exits 1 when a run is not sound (failed handshakes, no pairs, unknown or
mixed groups); a missed target is a result.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import map_sizes  # noqa: E402
import report  # noqa: E402

KINDS = report.KINDS
ECDSA_TARGET = 0.2
FLASH_TARGET = 12 * 1024
# Issue 21: a full TLS 1.3 handshake (ECDHE P-256, ECDSA server, server
# authentication) with the feature.
TLS13_TARGET = 5e6


def flash(sizes):
    """Bytes in flash: code, constants and initialised data of every part."""
    return sum(sizes[part][k] for part in map_sizes.PARTS for k in (".text", ".rodata", ".data"))


def load(console, peer, problems, label):
    hs, _, found = report.parse_console(console)
    problems.extend(f"{label}: {p}" for p in found)
    groups = report.parse_peer(peer)
    out = {}
    for kind in KINDS:
        pairs = report.pairs_of(hs, kind)
        if not pairs:
            problems.append(f"{label}: no {KINDS[kind]} pairs")
            continue
        used = groups.get((kind, "ours"), set()) | groups.get((kind, "raw"), set())
        if len(used) != 1:
            problems.append(f"{label}: {KINDS[kind]}: groups {used}")
        out[kind] = {"ours": [o["insn"] for o, _ in pairs], "raw": [r["insn"] for _, r in pairs],
                     "group": "/".join(sorted(used)) or "?"}
    # The version pair (report.version_pairs): ours in TLS 1.3 and in 1.2.
    vpairs = report.version_pairs(hs)
    if vpairs:
        out["versions"] = {"1.3": [a["insn"] for a, _ in vpairs], "1.2": [b["insn"] for _, b in vpairs],
                           "group": "/".join(sorted(groups.get(("3", "ours"), set()))) or "?"}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for image in ("stock", "p256"):
        for what in ("console", "peer", "map"):
            ap.add_argument(f"--{image}-{what}", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--qemu", default="")
    ap.add_argument("--out")
    args = ap.parse_args()

    problems = []
    stock = load(args.stock_console, args.stock_peer, problems, "stock image")
    p256 = load(args.p256_console, args.p256_peer, problems, "p256 image")
    sizes = {name: map_sizes.parse(path)[0] for name, path in (("stock", args.stock_map), ("p256", args.p256_map))}

    out = []
    emit = out.append
    versions = {"stock": stock.pop("versions", None), "p256": p256.pop("versions", None)}
    n = min([len(v["ours"]) for v in list(stock.values()) + list(p256.values())] or [0])
    emit(f"Library commit {args.commit}; QEMU mps2-an386 (Cortex-M4F), `-icount shift=0`{args.qemu}; two images of "
         "the firmware benchmark (same build configuration, release/LTO; the second with feature "
         f"`p256-cortex-m4`), run one after the other against the same peer script; at least {n} pairs of full "
         "handshakes per key type and image. Server authentication only: the handshake has two ECDSA (or two "
         "RSA) verifications, one ECDHE key generation and one shared secret; ECDSA signing does not occur.")
    emit("")
    if problems:
        emit("**The run is not sound:**")
        emit("")
        emit("\n".join(f"* {p}" for p in problems))
        emit("")
    mi = lambda xs: f"{statistics.median(xs) / 1e6:.2f} M ({min(xs) / 1e6:.2f}–{max(xs) / 1e6:.2f})"
    targets = []
    if len(stock) == len(KINDS) and len(p256) == len(KINDS):
        emit("| instructions per full handshake: median (min–max) | " + " | ".join(KINDS.values()) + " |")
        emit("|---|---:|---:|")
        row = lambda name, cells: emit(f"| {name} | " + " | ".join(cells) + " |")
        row("ECDHE group negotiated (stock / p256 image)", [f"{stock[k]['group']} / {p256[k]['group']}" for k in KINDS])
        row("raw mbedTLS, stock image", [mi(stock[k]["raw"]) for k in KINDS])
        row("freertos-tls, stock image", [mi(stock[k]["ours"]) for k in KINDS])
        row("**freertos-tls + p256-cortex-m4**", [mi(p256[k]["ours"]) for k in KINDS])
        row("raw mbedTLS in the p256 image (same hooks)", [mi(p256[k]["raw"]) for k in KINDS])
        med = {k: (statistics.median(p256[k]["ours"]), statistics.median(stock[k]["raw"]),
                   statistics.median(stock[k]["ours"])) for k in KINDS}
        row("ratio p256 / raw mbedTLS (medians)", [f"{med[k][0] / med[k][1]:.3f}" for k in KINDS])
        row("ratio p256 / freertos-tls stock (medians)", [f"{med[k][0] / med[k][2]:.3f}" for k in KINDS])
        emit("")
        e = med["E"][0] / med["E"][1]
        targets.append((f"ECDHE-ECDSA P-256 ≤ {ECDSA_TARGET}× stock mbedTLS", f"{e:.3f}×", e <= ECDSA_TARGET))
        r = med["R"][0] / med["R"][2]
        targets.append(("ECDHE-RSA no worse than without the feature", f"{r:.3f}×", r <= 1.0))
    if versions["stock"] and versions["p256"]:
        vs, vp = versions["stock"], versions["p256"]
        emit("TLS 1.3 (our client only; the peer pinned to TLS 1.3, ECDSA P-256 chain, key share P-256), next to "
             "our TLS 1.2 handshakes of the same rounds (bench_firmware.c's version pairs). With "
             "MBEDTLS_USE_PSA_CRYPTO the ECDHE key pair comes from PSA (psa_generate_key, then "
             "psa_export_public_key), which the feature's three mbedTLS hooks (ECDH_GEN_PUBLIC, "
             "ECDH_COMPUTE_SHARED, ECDSA_VERIFY) do not reach: the feature also defines "
             "MBEDTLS_PSA_P256M_DRIVER_ENABLED and supplies PSA's P-256 driver entry points for key "
             "generation and public-key export on the same assembly "
             "(mbedtls-sys/shim/p256_cortex_m4_psa_driver.c); the shared secret and the verifications "
             "take the hooks, inside PSA's built-in code.")
        emit("")
        emit("| instructions per full handshake: median (min–max) | stock image | p256 image |")
        emit("|---|---:|---:|")
        emit(f"| TLS 1.3 (peer: {vs['group']} / {vp['group']}) | {mi(vs['1.3'])} | {mi(vp['1.3'])} |")
        emit(f"| TLS 1.2, same rounds | {mi(vs['1.2'])} | {mi(vp['1.2'])} |")
        emit("")
        t = statistics.median(vp["1.3"])
        targets.append((f"TLS 1.3 full handshake with p256-cortex-m4 ≤ {TLS13_TARGET / 1e6:.0f} M instructions",
                        f"{t / 1e6:.2f} M", t <= TLS13_TARGET))
    added = flash(sizes["p256"]) - flash(sizes["stock"])
    emit("Flash (.text + .rodata + .data, whole image, from the linker maps):")
    emit("")
    emit("| part | stock | p256 | added |")
    emit("|---|---:|---:|---:|")
    for part in map_sizes.PARTS:
        a = sum(sizes["stock"][part][k] for k in (".text", ".rodata", ".data"))
        b = sum(sizes["p256"][part][k] for k in (".text", ".rodata", ".data"))
        emit(f"| {part} | {a:,} | {b:,} | {b - a:+,} |")
    emit(f"| **image** | {flash(sizes['stock']):,} | {flash(sizes['p256']):,} | {added:+,} |")
    emit("")
    targets.append(("flash added ≤ 12 KB (12,288 B)", f"{added:+,} B", added <= FLASH_TARGET))
    report.emit_targets(emit, targets)
    report.finish(out, args.out, "Firmware benchmark: P-256 on P256-Cortex-M4 (feature p256-cortex-m4)",
                  "./scripts/bench-firmware-p256.sh")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
