#!/usr/bin/env python3
"""Where the bytes of a Cortex-M image linked with freertos-tls come from.

    cross-image-report.py IMAGE.map [--max-rust-bytes N] [--library libfreertos_tls.a]

Reads the GNU ld map of an image linked with --gc-sections (so every input
section listed was kept) and prints a table of .text / .rodata / .data /
.bss / .ARM.exidx by origin:

  rust        this library's Rust code: the members of the library archive
              that rustc produced, without the functions of core, alloc and
              compiler_builtins (named by their demangled section names).
              With LTO, core's code is merged into the library's object:
              functions are told apart by name; unnamed read-only data
              (string literals, tables) cannot be, and all of it is counted
              here.
  core        core / alloc / compiler_builtins functions
  mbedtls     the C members of the library archive (mbedTLS)
  unwinder    libgcc's ARM EHABI unwinder (unwind-arm.o, pr-support.o, ...)
  other       the firmware, newlib, the rest of libgcc

Fails (exit 1) when any unwinder object is in the image, or when the Rust
code exceeds --max-rust-bytes.
"""
import argparse
import re
import shutil
import subprocess
import sys

UNWINDER_MEMBERS = re.compile(r"libgcc\.a\((unwind-arm|pr-support|libunwind|unwind-sjlj|unwind-c)\.o\)")
KINDS = (".text", ".rodata", ".data", ".bss", ".ARM.exidx")
CORE_PREFIXES = ("core::", "alloc::", "compiler_builtins::", "<core::", "<alloc::", "<compiler_builtins::")
OWN_CRATES = ("freertos_tls", "freertos_rng_ports")


def kind_of(section):
    for kind in (".ARM.exidx", ".ARM.extab", ".rodata", ".text", ".data", ".bss"):
        if section == kind or section.startswith(kind + "."):
            return ".ARM.exidx" if kind == ".ARM.extab" else kind
    if section == "COMMON":
        return ".bss"
    return None


def input_sections(map_text):
    """(section name, size, file) for every input section in the memory map."""
    body = map_text.split("Linker script and memory map", 1)[-1]
    pending = None
    for line in body.splitlines():
        # " .text.name  0xADDR  0xSIZE file" or the name alone, the rest on
        # the next line when the name is long.
        m = re.match(r"^ (\S+)\s+0x[0-9a-fA-F]+\s+0x([0-9a-fA-F]+)\s+(\S.*)$", line)
        if m:
            yield m.group(1), int(m.group(2), 16), m.group(3).strip()
            pending = None
            continue
        m = re.match(r"^ (\S+)$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^\s+0x[0-9a-fA-F]+\s+0x([0-9a-fA-F]+)\s+(\S.*)$", line)
        if m and pending:
            yield pending, int(m.group(1), 16), m.group(2).strip()
        pending = None


def demangler():
    tool = shutil.which("arm-none-eabi-c++filt") or shutil.which("c++filt")
    if not tool:
        sys.exit("cross-image-report: c++filt (binutils) is needed to tell core from the library")

    def demangle(names):
        if not names:
            return {}
        out = subprocess.run([tool, "--format=rust"], input="\n".join(names), capture_output=True, text=True, check=True)
        return dict(zip(names, out.stdout.splitlines()))

    return demangle


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("map")
    ap.add_argument("--library", default="libfreertos_tls.a", help="file name of the library archive")
    ap.add_argument("--max-rust-bytes", type=int, default=None, help="fail above this .text + .rodata of the library's Rust code")
    args = ap.parse_args()

    with open(args.map, encoding="utf-8", errors="replace") as f:
        map_text = f.read()

    rows = []  # (origin-before-demangling, kind, size, symbol-part)
    unwinder_files = set()
    lib_member = re.compile(re.escape(args.library) + r"\(([^)]+)\)$")
    for section, size, path in input_sections(map_text):
        kind = kind_of(section)
        if kind is None or size == 0:
            continue
        if UNWINDER_MEMBERS.search(path):
            unwinder_files.add(path)
            rows.append(("unwinder", kind, size, None))
            continue
        m = lib_member.search(path)
        if not m:
            rows.append(("other", kind, size, None))
            continue
        member = m.group(1)
        if member.startswith("compiler_builtins-"):
            rows.append(("core", kind, size, None))
        elif member.endswith(".rcgu.o"):
            # Function sections are named .text.<mangled symbol>, cold ones
            # .text.unlikely.<mangled symbol>.
            symbol = re.sub(r"^\.text\.(unlikely\.|hot\.|startup\.|exit\.)?", "", section) if kind == ".text" else None
            rows.append(("rust?", kind, size, symbol))
        else:
            rows.append(("mbedtls", kind, size, None))

    demangle = demangler()
    names = sorted({r[3] for r in rows if r[0] == "rust?" and r[3]})
    demangled = demangle(names)
    table = {}
    for origin, kind, size, symbol in rows:
        if origin == "rust?":
            # v0 names carry crate disambiguators: core[1a2b...]::fmt::write.
            name = re.sub(r"\[[0-9a-f]+\]", "", demangled.get(symbol, symbol)) if symbol else ""
            is_core = name.startswith(CORE_PREFIXES) and not any(c in name for c in OWN_CRATES)
            origin = "core" if is_core else "rust"
        table.setdefault(origin, dict.fromkeys(KINDS, 0))[kind] += size

    origins = ("rust", "core", "mbedtls", "unwinder", "other")
    print(f"{'origin':<10}" + "".join(f"{k:>12}" for k in KINDS))
    for origin in origins:
        sizes = table.get(origin, dict.fromkeys(KINDS, 0))
        print(f"{origin:<10}" + "".join(f"{sizes[k]:>12}" for k in KINDS))
    rust = table.get("rust", dict.fromkeys(KINDS, 0))
    rust_bytes = rust[".text"] + rust[".rodata"]
    print(f"library Rust code (.text + .rodata, core/alloc functions excluded): {rust_bytes} bytes")

    failed = False
    if unwinder_files:
        print("FAIL: unwinder objects in the image: " + ", ".join(sorted(unwinder_files)))
        failed = True
    else:
        print("no unwinder objects in the image")
    if args.max_rust_bytes is not None:
        if rust_bytes > args.max_rust_bytes:
            print(f"FAIL: library Rust code {rust_bytes} bytes > budget {args.max_rust_bytes}")
            failed = True
        else:
            print(f"library Rust code within budget ({rust_bytes} <= {args.max_rust_bytes} bytes)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
