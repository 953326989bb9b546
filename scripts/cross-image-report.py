#!/usr/bin/env python3
"""Where the bytes of a Cortex-M image linked with freertos-tls come from.

    cross-image-report.py IMAGE.map [--max-rust-bytes N] [--library libfreertos_tls.a]

Reads the GNU ld map of an image linked with --gc-sections (so every input
section listed was kept) and prints a table of .text / .rodata / .data /
.bss / .ARM.exidx by origin:

  rust        this library's Rust code: the members of the library archive
              that rustc produced, without the functions of core, alloc and
              compiler_builtins. With LTO, core's code is merged into the
              library's object: functions are told apart by their demangled
              section names, unnamed constants (.rodata..Lanon.*) by the
              functions that refer to them (relocations): only constants no
              function of this library uses count as core. Merged string
              literals (.rodata.str*) cannot be split and all count here.
  roots       the built-in AWS IoT root certificates (certs/aws-iot-roots.pem,
              which the library holds as DER and uses when the caller
              passes none), found by content in the library's read-only
              data. Reported on their own row and counted in the figure:
              the library's Rust code is rust + roots
  core        core / alloc / compiler_builtins functions
  mbedtls     mbedTLS: the C members of the library archive (the cc crate
              compiles a source tree into libmbedtls.a, which rustc bundles
              into the library archive), or the members of the firmware's
              own mbedTLS archives (libmbedtls.a, libmbedx509.a,
              libmbedcrypto.a) when the library links those instead
  unwinder    libgcc's ARM EHABI unwinder (unwind-arm.o, pr-support.o, ...)
  other       the firmware, newlib, the rest of libgcc

The figure "library Rust code" is rows rust + roots, .text + .rodata: the
the definition in docs/cortex-m.md ("Size"), used by scripts/test-cross.sh and by
the firmware benchmark (benches/firmware/map_sizes.py). Both images keep
every entry point of include/iot_tls.h (cmake/FreertosTlsKeepEntryPoints.cmake).

Fails (exit 1) when any unwinder object is in the image, or when the
library's Rust code exceeds --max-rust-bytes.
"""
import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile

# The firmware's own mbedTLS libraries (mbedTLS's CMake names them so).
MBEDTLS_ARCHIVES = re.compile(r"(^|/)lib(mbedtls|mbedx509|mbedcrypto)\.a\([^)]+\)$")
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


def anon_users(archive, member, demangle):
    """For each .rodata..Lanon.* section of one archive member: the demangled
    names of the functions whose relocations point at it."""
    objdump = shutil.which("arm-none-eabi-objdump")
    ar = shutil.which("arm-none-eabi-ar")
    if not objdump or not ar:
        return {}
    obj = subprocess.run([ar, "p", archive, member], capture_output=True, check=True).stdout
    with tempfile.NamedTemporaryFile(suffix=".o") as f:
        f.write(obj)
        f.flush()
        dump = subprocess.run([objdump, "-r", f.name], capture_output=True, text=True, check=True).stdout
    refs = {}
    section = None
    for line in dump.splitlines():
        m = re.match(r"^RELOCATION RECORDS FOR \[(.+)\]:$", line)
        if m:
            section = m.group(1)
            continue
        m = re.search(r"\s(\.Lanon\.[0-9a-f]+\.\d+)", line)
        if m and section and section.startswith(".text"):
            refs.setdefault(".rodata." + m.group(1), set()).add(function_symbol(section))
        elif m and section and section.startswith(".rodata"):
            # constants referring to constants (tables of string slices)
            refs.setdefault(".rodata." + m.group(1), set()).add(section)
    names = sorted({n for users in refs.values() for n in users if not n.startswith(".rodata")})
    demangled = demangle(names)
    return {sec: {demangled.get(n, n) for n in users} for sec, users in refs.items()}


def section_bytes(archive, member, section):
    ar = shutil.which("arm-none-eabi-ar")
    objcopy = shutil.which("arm-none-eabi-objcopy")
    if not ar or not objcopy:
        return b""
    obj = subprocess.run([ar, "p", archive, member], capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "m.o"), os.path.join(tmp, "s.bin")
        with open(src, "wb") as f:
            f.write(obj)
        subprocess.run([objcopy, "-O", "binary", "--only-section=" + section, src, out], check=True)
        with open(out, "rb") as f:
            return f.read()


def pem_to_der(text):
    """The DER of every certificate in a PEM text, one after the other (as
    src/tls/aws_roots.rs decodes it)."""
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)
    return b"".join(base64.b64decode("".join(b.split())) for b in blocks)


def function_symbol(section):
    # Function sections are named .text.<mangled symbol>, cold ones
    # .text.unlikely.<mangled symbol>.
    return re.sub(r"^\.text\.(unlikely\.|hot\.|startup\.|exit\.)?", "", section)


# core's impls of its own traits for primitive types: <usize as core::fmt::Display>::fmt
PRIMITIVE_IMPL = re.compile(r"^<(&(mut )?)?(u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64|bool|char|str"
                            r"|\[u8\]) as (core|alloc)::")


def is_core_name(name):
    # v0 names carry crate disambiguators: core[1a2b...]::fmt::write.
    name = re.sub(r"\[[0-9a-f]+\]", "", name)
    if any(c in name for c in OWN_CRATES):
        return False
    return name.startswith(CORE_PREFIXES) or bool(PRIMITIVE_IMPL.match(name))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("map")
    ap.add_argument("--library", default="libfreertos_tls.a", help="file name of the library archive")
    ap.add_argument("--link-dir", default=None, help="directory the link ran in (relative archive paths); default: the map's")
    ap.add_argument("--roots", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "certs", "aws-iot-roots.pem"),
                    help="PEM file of the built-in root certificates (reported on their own row)")
    ap.add_argument("--max-rust-bytes", type=int, default=None, help="fail above this .text + .rodata of the library's Rust code")
    ap.add_argument("--target-rust-bytes", type=int, default=None, help="say whether the Rust code meets this target (never fails)")
    ap.add_argument("--symbols", type=int, default=0, metavar="N",
                    help="also list the N largest input sections of the rust row (where the bytes go)")
    args = ap.parse_args()

    link_dir = args.link_dir or os.path.dirname(os.path.abspath(args.map))
    with open(args.map, encoding="utf-8", errors="replace") as f:
        map_text = f.read()

    rows = []  # (origin, kind, size[, function symbol, section, archive, member])
    unwinder_files = set()
    lib_member = re.compile(re.escape(args.library) + r"\(([^)]+)\)$")
    for section, size, path in input_sections(map_text):
        kind = kind_of(section)
        if kind is None or size == 0:
            continue
        if UNWINDER_MEMBERS.search(path):
            unwinder_files.add(path)
            rows.append(("unwinder", kind, size))
            continue
        if MBEDTLS_ARCHIVES.search(path):
            rows.append(("mbedtls", kind, size))
            continue
        m = lib_member.search(path)
        if not m:
            rows.append(("other", kind, size))
            continue
        member = m.group(1)
        if member.startswith("compiler_builtins-"):
            rows.append(("core", kind, size))
        elif member.endswith(".rcgu.o"):
            symbol = function_symbol(section) if kind == ".text" else None
            archive = os.path.join(link_dir, path[: path.rindex("(")])
            rows.append(("rust?", kind, size, symbol, section, archive, member))
        else:
            rows.append(("mbedtls", kind, size))

    demangle = demangler()
    names = sorted({r[3] for r in rows if r[0] == "rust?" and r[3]})
    demangled = demangle(names)
    users = {}
    for archive, member in sorted({(r[5], r[6]) for r in rows if r[0] == "rust?"}):
        users.update(anon_users(archive, member, demangle))
    roots = b""
    if args.roots and os.path.exists(args.roots):
        with open(args.roots, encoding="ascii") as f:
            roots = pem_to_der(f.read())
    roots_found = False
    table = {}
    rust_sections = []
    for row in rows:
        origin, kind, size = row[:3]
        if origin == "rust?":
            symbol, section = row[3], row[4]
            if symbol:
                is_core = is_core_name(demangled.get(symbol, symbol))
            elif section.startswith(".rodata..Lanon.") and users.get(section):
                is_core = all(is_core_name(u) for u in users[section] if not u.startswith(".rodata"))
            else:
                is_core = False
            origin = "core" if is_core else "rust"
            if origin == "rust" and kind == ".rodata" and roots and size >= len(roots) and not roots_found:
                if roots in section_bytes(row[5], row[6], section):
                    roots_found = True
                    table.setdefault("roots", dict.fromkeys(KINDS, 0))[kind] += len(roots)
                    size -= len(roots)
        table.setdefault(origin, dict.fromkeys(KINDS, 0))[kind] += size
        if origin == "rust" and kind in (".text", ".rodata") and size:
            name = demangled.get(row[3], row[3]) if row[3] else row[4]
            rust_sections.append((size, kind, name))

    origins = ("rust", "roots", "core", "mbedtls", "unwinder", "other")
    print(f"{'origin':<10}" + "".join(f"{k:>12}" for k in KINDS))
    for origin in origins:
        sizes = table.get(origin, dict.fromkeys(KINDS, 0))
        print(f"{origin:<10}" + "".join(f"{sizes[k]:>12}" for k in KINDS))
    rust = table.get("rust", dict.fromkeys(KINDS, 0))
    roots_bytes = table.get("roots", {}).get(".rodata", 0)
    # The figure: this library's Rust .text + .rodata, the built-in root
    # certificates included (rodata the library's code links in).
    rust_bytes = rust[".text"] + rust[".rodata"] + roots_bytes
    print(f"library Rust code (.text + .rodata, built-in root certificates included, core/alloc functions"
          f" excluded): {rust_bytes} bytes ({roots_bytes} bytes of it the root certificates)")
    if args.symbols:
        print(f"largest {args.symbols} sections of the rust row:")
        for size, kind, name in sorted(rust_sections, reverse=True)[: args.symbols]:
            print(f"{size:>8} {kind:<8} " + re.sub(r"\[[0-9a-f]+\]", "", name))

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
    if args.target_rust_bytes is not None:
        verdict = "MET" if rust_bytes <= args.target_rust_bytes else "MISSED"
        print(f"target: library Rust code <= {args.target_rust_bytes} bytes: {verdict} ({rust_bytes} bytes)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
