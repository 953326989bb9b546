#!/usr/bin/env python3
"""Code and data size of the benchmark firmware by part, from its GNU ld map.

  map_sizes.py FIRMWARE.map

The library's own parts come from scripts/cross-image-report.py (the one
definition of "this library's Rust" that the cross test checks too: Rust
functions told apart from core/alloc by demangled name, unnamed constants
by the functions that use them, the built-in AWS IoT root certificates on
their own row, mbedTLS, libgcc's unwinder). This script only splits what
that report calls "other" into the FreeRTOS kernel (tasks, queue, list,
heap_4, the ARM_CM4F port) and the rest (board support, the benchmark
program with its raw mbedTLS client, newlib, the rest of libgcc).
"""
import os
import re
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
IMAGE_REPORT = os.path.join(ROOT, "scripts", "cross-image-report.py")
PARTS = ["this library's Rust", "built-in root certificates", "core/alloc", "mbedTLS", "unwinder",
         "FreeRTOS kernel", "rest"]
FROM_IMAGE_REPORT = {"rust": "this library's Rust", "roots": "built-in root certificates", "core": "core/alloc",
                     "mbedtls": "mbedTLS", "unwinder": "unwinder", "other": "other"}
KINDS = [".text", ".rodata", ".data", ".bss"]
KERNEL_SOURCES = ("tasks.c", "queue.c", "list.c", "heap_4.c", "port.c", "timers.c", "event_groups.c",
                  "stream_buffer.c")

# " .text.name  0xADDR  0xSIZE  object", or the name alone on its line and
# the numbers on the next when the name is long.
ENTRY = re.compile(r"^ (\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.+)$")
NAME_ONLY = re.compile(r"^ (\S+)$")


def kind_of(section):
    for kind in KINDS:
        if section == kind or section.startswith(kind + "."):
            return kind
    return ".bss" if section == "COMMON" else None


def map_inputs(map_path):
    """(section, address, size, object) of each input section in the
    memory map of a GNU ld map; section is None when the line gives none
    (lwip_sizes.py reads its maps through this too)."""
    in_map, pending = False, None
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
            section, pending = m.group(1) or pending, None
            yield section, int(m.group(2), 16), int(m.group(3), 16), m.group(4).strip()


def source_of(obj):
    """The source file an object was compiled from: "tasks.c" of
    ".../tasks.c.obj"."""
    return re.sub(r"\.(o|obj)$", "", obj.rsplit("/", 1)[-1])


def kernel_bytes(map_path):
    """Bytes per kind of the FreeRTOS kernel's objects (not in an archive)."""
    sizes = defaultdict(int)
    for section, _, size, obj in map_inputs(map_path):
        kind = kind_of(section or "")
        if kind is None or obj.endswith(")"):
            continue
        if source_of(obj) in KERNEL_SOURCES:
            sizes[kind] += size
    return sizes


def image_report(map_path):
    """cross-image-report.py's table: {origin: {kind: bytes}}, and its
    verdict lines (unwinder, Rust code budget)."""
    r = subprocess.run([sys.executable, IMAGE_REPORT, map_path], capture_output=True, text=True)
    table, notes = {}, []
    header = None
    for line in r.stdout.splitlines():
        words = line.split()
        if words and words[0] == "origin":
            header = words[1:]
        elif header and len(words) == len(header) + 1 and words[0] in FROM_IMAGE_REPORT:
            table[FROM_IMAGE_REPORT[words[0]]] = dict(zip(header, map(int, words[1:])))
        elif line.strip():
            notes.append(line.strip())
    if "other" not in table:
        sys.exit(f"map_sizes: no table from {IMAGE_REPORT}:\n{r.stdout}{r.stderr}")
    return table, notes


def parse(map_path):
    """{part: {kind: bytes}} over PARTS, the unwind-table bytes, and the
    image report's notes."""
    table, notes = image_report(map_path)
    kernel = kernel_bytes(map_path)
    sizes = {p: {k: table.get(p, {}).get(k, 0) for k in KINDS} for p in PARTS}
    sizes["FreeRTOS kernel"] = {k: kernel[k] for k in KINDS}
    sizes["rest"] = {k: table["other"].get(k, 0) - kernel[k] for k in KINDS}
    exidx = sum(row.get(".ARM.exidx", 0) for row in table.values())
    return sizes, exidx, notes


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sizes, exidx, notes = parse(sys.argv[1])
    print("| part | .text | .rodata | .data | .bss |")
    print("|---|---:|---:|---:|---:|")
    for p in PARTS:
        print(f"| {p} | " + " | ".join(str(sizes[p][k]) for k in KINDS) + " |")
    print(f"unwind tables (.ARM.exidx/.extab): {exidx} bytes")
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
