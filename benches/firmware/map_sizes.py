#!/usr/bin/env python3
"""Code and data size of a firmware image by part, from its GNU ld map.

  map_sizes.py FIRMWARE.map [--json OUT.json]

Reads the input sections the linker placed (after --gc-sections, so only
what is in the image) and sums their sizes by kind (.text, .rodata, .data,
.bss, by input section name) and by part:

  this library's Rust  Rust code of libfreertos_tls.a that is not core,
                       alloc or compiler_builtins: the crate and its Rust
                       dependencies (freertos_rng_ports, zeroize, ...), as
                       LTO merged them. Functions are told apart by their
                       demangled names (c++filt), with the rule of
                       scripts/cross-image-report.py: core/alloc code
                       instantiated for this library's types
                       (core::ptr::drop_in_place::<freertos_tls::...>) is
                       the library's; what LTO inlined into its functions,
                       and unnamed constants (string literals, tables),
                       count as the library's too.
  core/alloc           core, alloc and compiler_builtins functions
  mbedTLS              the C objects of mbedtls-sys-auto's build
  FreeRTOS kernel      tasks, queue, list, heap_4, the ARM_CM4F port
  rest                 board support, the program, newlib, libgcc

It also reports whether any of libgcc's ARM unwinder (unwind-arm.o,
pr-support.o, libunwind.o) is linked, and the unwind tables
(.ARM.exidx / .ARM.extab) in the image.
"""
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict

PARTS = ["this library's Rust", "core/alloc", "mbedTLS", "FreeRTOS kernel", "rest"]
KINDS = [".text", ".rodata", ".data", ".bss"]
UNWINDER_MEMBERS = ("unwind-arm.o", "pr-support.o", "libunwind.o", "unwind-sjlj.o", "unwind-dw2.o")
KERNEL_SOURCES = ("tasks.c", "queue.c", "list.c", "heap_4.c", "port.c", "timers.c", "event_groups.c",
                  "stream_buffer.c", "croutine.c")
CORE_PREFIXES = ("core::", "alloc::", "compiler_builtins::", "<core::", "<alloc::", "<compiler_builtins::")
OWN_CRATES = ("freertos_tls", "freertos_rng_ports")

# One input section: " .text.name  0xADDR  0xSIZE  object"; a long name
# stands alone on its line and the numbers follow on the next.
ENTRY = re.compile(r"^ (\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+)$")
NAME_ONLY = re.compile(r"^ (\S+)$")


def kind_of(section):
    """.text / .rodata / .data / .bss, or None for anything else."""
    for kind, prefixes in ((".text", (".text",)), (".rodata", (".rodata",)), (".data", (".data",)),
                           (".bss", (".bss", "COMMON"))):
        if section.startswith(prefixes):
            return kind
    return None


def demangle_all(symbols):
    """Demangled names of Rust symbols (legacy or v0), by binutils' c++filt."""
    tool = shutil.which("arm-none-eabi-c++filt") or shutil.which("c++filt")
    if not tool:
        sys.exit("map_sizes: c++filt (binutils) is needed to tell core from the library")
    names = sorted(symbols)
    out = subprocess.run([tool, "--format=rust"], input="\n".join(names), capture_output=True, text=True,
                         check=True).stdout.splitlines()
    # v0 names carry crate disambiguators: core[1a2b3c]::fmt::write.
    return {n: re.sub(r"\[[0-9a-f]+\]", "", d) for n, d in zip(names, out)}


def is_core(demangled):
    return demangled.startswith(CORE_PREFIXES) and not any(c in demangled for c in OWN_CRATES)


def origin_of(section, obj):
    """(part, mangled symbol to decide on later or None)."""
    a = re.search(r"\(([^()]+)\)$", obj)
    member = a.group(1) if a else None
    archive = obj[: a.start()] if a else obj
    if "libfreertos_tls" in archive and member is not None:
        if member.startswith("compiler_builtins-"):
            return "core/alloc", None
        if member.endswith(".rcgu.o"):
            # Function sections are named .text.<mangled symbol> (or
            # .text.unlikely.<symbol> for cold code).
            symbol = re.search(r"\.(_ZN|_R)[^.]*(\.\S*)?$", section)
            return "this library's Rust", symbol.group(0)[1:] if symbol else None
        return "mbedTLS", None
    base = (member or obj).rsplit("/", 1)[-1]
    source = re.sub(r"\.(o|obj)$", "", base)
    if source in KERNEL_SOURCES and member is None:
        return "FreeRTOS kernel", None
    return "rest", None


def parse(map_path):
    sizes = {p: defaultdict(int) for p in PARTS}
    unwinder = defaultdict(int)
    unwind_tables = 0
    rows = []
    in_map = False
    pending = None
    with open(map_path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map:
                continue
            m = ENTRY.match(line)
            if m is None:
                n = NAME_ONLY.match(line)
                pending = n.group(1) if n else None
                continue
            section = m.group(1) or pending
            pending = None
            size = int(m.group(3), 16)
            obj = m.group(4).strip()
            if not section or size == 0 or obj.startswith("load address"):
                continue
            if section.startswith((".ARM.exidx", ".ARM.extab")):
                unwind_tables += size
                continue
            member = re.search(r"\(([^()]+)\)$", obj)
            if member and "libgcc" in obj and member.group(1) in UNWINDER_MEMBERS:
                unwinder[member.group(1)] += size
            kind = kind_of(section)
            if kind is None:
                continue
            rows.append((kind, size) + origin_of(section, obj))
    demangled = demangle_all({symbol for _, _, _, symbol in rows if symbol})
    for kind, size, part, symbol in rows:
        if symbol and is_core(demangled.get(symbol, symbol)):
            part = "core/alloc"
        sizes[part][kind] += size
    return sizes, dict(unwinder), unwind_tables


def main():
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--json"):
        sys.exit(__doc__)
    sizes, unwinder, tables = parse(sys.argv[1])
    print("| part | .text | .rodata | .data | .bss |")
    print("|---|---:|---:|---:|---:|")
    for p in PARTS:
        print(f"| {p} | " + " | ".join(str(sizes[p][k]) for k in KINDS) + " |")
    total = sum(unwinder.values())
    print("unwinder: " + (f"present ({total} bytes: {', '.join(sorted(unwinder))})" if total else "none")
          + f"; unwind tables {tables} bytes")
    if len(sys.argv) == 4:
        with open(sys.argv[3], "w") as f:
            json.dump({"sizes": {p: dict(sizes[p]) for p in PARTS}, "unwinder": unwinder,
                       "unwind_tables": tables}, f, indent=1)


if __name__ == "__main__":
    main()
