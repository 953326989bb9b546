#!/usr/bin/env bash
# Feature p256-cortex-m4 on the emulated Cortex-M4F board:
#   1. tests/cross-layout with the three ALT macros: the mbedTLS struct
#      layouts Rust uses are unchanged by them (and the C side saw them);
#   2. tests/firmware/p256-vectors: fresh ECDH / ECDSA-verify / key
#      generation vectors from Python cryptography (P-256 on the assembly,
#      X25519 and P-384 on mbedTLS's generic path behind the same hooks),
#      valid and invalid, run on QEMU mps2-an386; the firmware's exit status
#      and its vector count are checked.
# Python's cryptography goes into a venv under build/test-p256 (pip).
# Builds are kept in build/test-p256 (TEST_P256_WORK_DIR) for the next run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=${TEST_P256_WORK_DIR:-$root/build/test-p256}
mkdir -p "$work"
step() { printf '==> %s\n' "$*" >&2; }
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
source scripts/lib/cross-env.sh
m4f=thumbv7em-none-eabihf

step "mbedTLS struct layouts with the P-256 ALT macros (tests/cross-layout --p256-alt)"
CARGO_TARGET_DIR=$work/layout tests/cross-layout/check.sh "$m4f" --p256-alt

step "Python cryptography for the vectors (venv)"
venv=$work/venv
if ! "$venv/bin/python" -c 'import cryptography' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check cryptography
fi

step "build the vector firmware (release, LTO; feature p256-cortex-m4)"
fw=$work/fw
cmake -S tests/firmware/p256-vectors -B "$fw" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake" \
    -DFREERTOS_TLS_CARGO_TARGET_DIR="$work/cargo" -DP256_VECTORS_PYTHON="$venv/bin/python" \
    >"$work/configure.log" 2>&1 || { tail -n 30 "$work/configure.log" >&2; exit 1; }
cmake --build "$fw" --target p256_vectors -j "$(nproc)" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; exit 1; }

step "run the vectors on QEMU mps2-an386"
console=$work/console.txt
status=0
timeout 120 qemu-system-arm -M mps2-an386 -kernel "$fw/p256_vectors.elf" -display none -monitor none \
    -serial null -serial "file:$console" -semihosting-config enable=on,target=native -icount shift=0 || status=$?
cat "$console" >&2
expected=$(grep -c '^    {"' "$fw/vectors.c")
summary=$(grep '^SUMMARY ' "$console" || true)
if [ "$status" -ne 0 ] || [ -z "$summary" ]; then
    echo "test-p256: the firmware failed (QEMU status $status)" >&2
    exit 1
fi
total=$(sed -n 's/.* total=\([0-9]*\).*/\1/p' <<<"$summary")
if [ "$total" != "$expected" ]; then
    echo "test-p256: the firmware ran $total vectors, vectors.c has $expected" >&2
    exit 1
fi
echo "test-p256: all $expected vectors (+ NULL-argument checks) passed on QEMU mps2-an386" >&2
