#!/usr/bin/env bash
# Builds tests/cross-layout for TRIPLE with the cross environment of
# scripts/lib/cross-env.sh and compares the C compiler's layout table with the
# Rust bindings' one, entry by entry (layout.txt). Exit 1 on any difference.
# Usage: tests/cross-layout/check.sh TRIPLE [--p256-alt] [--record BYTES]
# (CARGO_TARGET_DIR respected).
#   --p256-alt: mbedTLS and the probe are compiled with the three ALT macros
#     of feature p256-cortex-m4 (TARGET_CFLAGS, as CMake's
#     FREERTOS_TLS_P256_CORTEX_M4 gives them), and the C side must have seen them.
#   --record BYTES: a record buffer profile, MBEDTLS_SSL_IN/OUT_CONTENT_LEN
#     in the C flags (as CMake's FREERTOS_TLS_RECORD_BUFFER gives them); the
#     C side must have seen BYTES. Built in its own cargo profile (`record`).
set -euo pipefail
triple=$1
shift
alt_expected="0 0 0"
record=""
profile=dev
while [ $# -gt 0 ]; do
    case $1 in
        --p256-alt)
            export TARGET_CFLAGS="${TARGET_CFLAGS:-} -DMBEDTLS_ECDH_GEN_PUBLIC_ALT -DMBEDTLS_ECDH_COMPUTE_SHARED_ALT -DMBEDTLS_ECDSA_VERIFY_ALT"
            alt_expected="1 1 1"
            ;;
        --record)
            record=$2
            shift
            export TARGET_CFLAGS="${TARGET_CFLAGS:-} -DMBEDTLS_SSL_IN_CONTENT_LEN=$record -DMBEDTLS_SSL_OUT_CONTENT_LEN=$record"
            profile=record
            ;;
        *) echo "check.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/scripts/lib/cross-env.sh"
prefix=${ARM_NONE_EABI_PREFIX:-arm-none-eabi-}
target_dir=${CARGO_TARGET_DIR:-$here/target}
# From the repository root: its .cargo/config.toml names the mbedTLS tree.
(cd "$root" && cross_cargo "$triple" build --quiet --manifest-path "$here/Cargo.toml" --target-dir "$target_dir" \
    --profile "$profile")
out_dir=$profile
[ "$profile" = dev ] && out_dir=debug
rlib=$target_dir/$triple/$out_dir/libcross_layout.rlib
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
alt_seen=$(table CROSS_LAYOUT_ALT | tr '\n' ' ' | sed 's/ $//')
if [ "$alt_seen" != "$alt_expected" ]; then
    echo "cross-layout: the C probe saw the P-256 ALT macros as '$alt_seen', expected '$alt_expected'" >&2
    exit 1
fi
table CROSS_LAYOUT_C >"$tmp/c"
table CROSS_LAYOUT_RUST >"$tmp/rust"
grep -v '^[[:space:]]*\(#\|$\)' "$here/layout.txt" >"$tmp/entries"
n=$(wc -l <"$tmp/entries")
if [ "$(wc -l <"$tmp/c")" != "$n" ] || [ "$(wc -l <"$tmp/rust")" != "$n" ]; then
    echo "cross-layout: expected $n entries, C has $(wc -l <"$tmp/c"), Rust $(wc -l <"$tmp/rust")" >&2
    exit 1
fi
if [ -n "$record" ]; then
    for name in MBEDTLS_SSL_IN_CONTENT_LEN MBEDTLS_SSL_OUT_CONTENT_LEN; do
        seen=$(paste -d' ' "$tmp/c" "$tmp/entries" | awk -v n="$name" '$2 == "value" && $3 == n { print $1 }')
        if [ "$seen" != "$record" ]; then
            echo "cross-layout: the C probe saw $name = '$seen', expected $record" >&2
            exit 1
        fi
    done
fi
mismatches=$(paste -d' ' "$tmp/c" "$tmp/rust" "$tmp/entries" | awk '$1 != $2 { printf "  %-45s C %5d  Rust %5d\n", substr($0, index($0, $3)), $1, $2 }')
if [ -n "$mismatches" ]; then
    echo "cross-layout: $triple: C and Rust disagree on:" >&2
    echo "$mismatches" >&2
    exit 1
fi
with=""
[ "$alt_expected" = "0 0 0" ] || with=" (with the P-256 ALT macros)"
[ -z "$record" ] || with+=" (record buffers $record B)"
echo "cross-layout: $triple: $n sizes/offsets/values agree between ${prefix}gcc and the Rust bindings$with"
