#!/usr/bin/env python3
"""Toolchain checks of the lint step of scripts/test.sh.

1. The lint toolchain. clippy runs with -D warnings, and each new rustc
   brings new lints: CI lints with one recorded rustc, the lint-rustc of
   [workspace.metadata.toolchain] in Cargo.toml. The active rustc (the one
   cargo runs) must be that version. FREERTOS_TLS_UNPINNED_RUSTC=1 turns a
   mismatch into a warning (for a developer on another toolchain; new lint
   findings are then theirs to judge).

2. The minimum supported rustc (MSRV, each package's rust-version). The
   project's own code is checked by clippy's incompatible_msrv lint (std
   APIs newer than rust-version; an error under -D warnings). Here: every
   crate that building the workspace's libraries pulls in, as locked in
   Cargo.lock (normal and build dependencies, for the host and the Cortex-M
   targets), must declare a rust-version no newer than the MSRV, or an
   MSRV compiler could not build the library from this lock file.
   Dev-dependencies are left out: the tests run on the lint toolchain.

What this cannot check: language features newer than the MSRV that the
lint rustc accepts. No MSRV compiler is available on CI (only rustup's
stable and Debian's rustc-web); docs/testing.md, "Toolchain", says so.
"""
import json
import os
import subprocess
import sys

CROSS_TRIPLES = ["thumbv7em-none-eabihf", "thumbv6m-none-eabi"]


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def version_tuple(text):
    return tuple(int(part) for part in text.split("."))


def check_lint_rustc(workspace):
    pinned = workspace["metadata"]["toolchain"]["lint-rustc"]
    active = run("rustc", "--version").split()[1]
    if active == pinned:
        print(f"lint toolchain: rustc {active} (the recorded lint-rustc)")
        return True
    message = (
        f"lint toolchain: the active rustc is {active}, but clippy and rustfmt are "
        f"pinned to {pinned} (Cargo.toml, [workspace.metadata.toolchain] lint-rustc). "
        f"Run with rustc {pinned} (e.g. `rustup toolchain install {pinned}` and "
        f"RUSTUP_TOOLCHAIN={pinned}), or move the pin after fixing what the new "
        f"lints find; FREERTOS_TLS_UNPINNED_RUSTC=1 makes this a warning."
    )
    if os.environ.get("FREERTOS_TLS_UNPINNED_RUSTC") == "1":
        print("WARNING: " + message, file=sys.stderr)
        return True
    print("ERROR: " + message, file=sys.stderr)
    return False


def check_dependency_msrv(host):
    filters = []
    for triple in [host] + CROSS_TRIPLES:
        filters += ["--filter-platform", triple]
    meta = json.loads(run("cargo", "metadata", "--format-version", "1", "--locked", *filters))
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    ok = True
    for member in meta["workspace_members"]:
        msrv = packages[member].get("rust_version")
        if not msrv:
            print(f"ERROR: {packages[member]['name']} declares no rust-version", file=sys.stderr)
            ok = False
            continue
        # Everything building the member needs: normal and build edges
        # (kind null / "build"), not dev.
        seen, stack, offenders = set(), [member], []
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            needs = packages[node].get("rust_version")
            if needs and version_tuple(needs) > version_tuple(msrv):
                offenders.append(f"{packages[node]['name']} {packages[node]['version']} (rust-version {needs})")
            for dep in nodes[node]["deps"]:
                if any(kind["kind"] in (None, "build") for kind in dep["dep_kinds"]):
                    stack.append(dep["pkg"])
        name = packages[member]["name"]
        if offenders:
            print(
                f"ERROR: MSRV: {name} declares rust-version {msrv}, but Cargo.lock has crates it "
                f"needs to build that require newer: {', '.join(sorted(offenders))}. Pin an older "
                f"version (cargo update -p <crate> --precise <version>) or raise rust-version.",
                file=sys.stderr,
            )
            ok = False
        else:
            print(f"MSRV: {name} {msrv}: all {len(seen) - 1} crates it builds with allow it")
    return ok


def main():
    workspace = json.loads(run("cargo", "metadata", "--format-version", "1", "--no-deps"))
    host = next(
        line.split(": ", 1)[1] for line in run("rustc", "-vV").splitlines() if line.startswith("host: ")
    )
    results = [check_lint_rustc(workspace), check_dependency_msrv(host)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
