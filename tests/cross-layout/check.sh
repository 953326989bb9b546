#!/usr/bin/env bash
# Builds tests/cross-layout for TRIPLE with the cross environment of
# scripts/cross-env.sh and compares the C compiler's layout table with the
# Rust bindings' one, entry by entry (layout.txt). Exit 1 on any difference.
# Usage: tests/cross-layout/check.sh TRIPLE (CARGO_TARGET_DIR respected).
set -euo pipefail
triple=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/scripts/cross-env.sh"
prefix=${ARM_NONE_EABI_PREFIX:-arm-none-eabi-}
target_dir=${CARGO_TARGET_DIR:-$here/target}
cross_cargo "$triple" build --quiet --manifest-path "$here/Cargo.toml" --target-dir "$target_dir"
rlib=$target_dir/$triple/debug/libcross_layout.rlib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && "${prefix}ar" x "$rlib")
# table SYMBOL: the u32 words of SYMBOL's data section, one a line.
table() {
    local obj
    for obj in "$tmp"/*.o; do
        "${prefix}objcopy" -O binary --only-section=".rodata.$1" "$obj" "$tmp/$1.bin" 2>/dev/null || continue
        if [ -s "$tmp/$1.bin" ]; then
            od -An -v -tu4 --endian=little "$tmp/$1.bin" | tr -s ' ' '\n' | sed '/^$/d'
            return
        fi
    done
    echo "cross-layout: no section .rodata.$1 in $rlib" >&2
    return 1
}
table CROSS_LAYOUT_C >"$tmp/c"
table CROSS_LAYOUT_RUST >"$tmp/rust"
grep -v '^[[:space:]]*\(#\|$\)' "$here/layout.txt" >"$tmp/entries"
n=$(wc -l <"$tmp/entries")
if [ "$(wc -l <"$tmp/c")" != "$n" ] || [ "$(wc -l <"$tmp/rust")" != "$n" ]; then
    echo "cross-layout: expected $n entries, C has $(wc -l <"$tmp/c"), Rust $(wc -l <"$tmp/rust")" >&2
    exit 1
fi
mismatches=$(paste -d' ' "$tmp/c" "$tmp/rust" "$tmp/entries" | awk '$1 != $2 { printf "  %-45s C %5d  Rust %5d\n", substr($0, index($0, $3)), $1, $2 }')
if [ -n "$mismatches" ]; then
    echo "cross-layout: $triple: C and Rust disagree on:" >&2
    echo "$mismatches" >&2
    exit 1
fi
echo "cross-layout: $triple: $n sizes/offsets agree between ${prefix}gcc and the Rust bindings"
