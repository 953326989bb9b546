#!/usr/bin/env bash
# Firmware benchmark of feature p256-cortex-m4 (docs/cortex-m.md): the
# firmware benchmark image (benches/firmware) built twice, the same build
# configuration except FREERTOS_TLS_P256_CORTEX_M4, each run on QEMU
# mps2-an386 under -icount shift=0 against the same peer script
# (uart_peer.py: ECDHE pinned to P-256 on the server side, ECDSA P-256 and
# RSA-2048 server certificates). Writes benches/results/firmware-p256.md
# (report_p256.py): instructions per full handshake, stock vs feature, next
# to raw mbedTLS, the negotiated group, the flash the feature adds. A
# benchmark, not a test: not run by CI.
#
# Each image also runs the TLS 1.3 / 1.2 version pairs of bench_firmware.c:
# the report gives the TLS 1.3 handshake with and without the feature.
#
# Knobs (environment): BENCH_FW_PAIRS (pairs per key type and image, default 5);
# BENCH_FW_P256_WORK_DIR (work files, default build/bench-firmware-p256);
# BENCH_FW_CARGO_TARGET_DIR (the stock image's cargo directory, default one
# in the work directory; the stock image builds the library as
# scripts/bench-firmware.sh and scripts/test-board.sh do).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/bench-firmware-helpers.sh"
source "$root/scripts/lib/bench-helpers.sh"
ensure_packages "${BUILD_PACKAGES[@]}" "${PEER_PACKAGES[@]}" "${CORTEX_M_PACKAGES[@]}"
if declare -F ensure_cross_rust >/dev/null; then
    ensure_cross_rust
fi
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
pairs=$(bench_positive BENCH_FW_PAIRS "${BENCH_FW_PAIRS:-5}")
work=${BENCH_FW_P256_WORK_DIR:-$root/build/bench-firmware-p256}
results=$root/benches/results
mkdir -p "$work" "$results"
peer_pid=""
cleanup() { [ -z "$peer_pid" ] || kill "$peer_pid" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# build IMAGE ON|OFF: the benchmark image with the feature on or off, each
# in its own build and cargo directory (so neither rebuilds the other's).
build() {
    local image=$1 feature=$2 cargo_dir=$work/cargo-$1
    [ "$1" != stock ] || cargo_dir=${BENCH_FW_CARGO_TARGET_DIR:-$cargo_dir}
    step "build the $image image (release, LTO; FREERTOS_TLS_P256_CORTEX_M4=$feature)"
    cmake -S "$root/benches/firmware" -B "$work/$image" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake" \
        -DFREERTOS_TLS_P256_CORTEX_M4="$feature" -DFREERTOS_TLS_CARGO_TARGET_DIR="$cargo_dir" \
        >"$work/$image-configure.log" 2>&1 || { tail -n 30 "$work/$image-configure.log" >&2; exit 1; }
    cmake --build "$work/$image" --target freertos_tls_firmware_bench -j "$(nproc)" >"$work/$image-build.log" 2>&1 ||
        { tail -n 30 "$work/$image-build.log" >&2; exit 1; }
}

# measure IMAGE: one run of the image against a fresh peer.
measure() {
    local image=$1
    local run=$work/run-$image
    rm -rf "$run"
    mkdir -p "$run"
    bench_fw_run "$work/$image/freertos_tls_firmware_bench.elf" "$run" "$pairs"
}

build stock OFF
build p256 ON
measure stock
measure p256

commit=$(git -C "$root" rev-parse --short HEAD)
git -C "$root" diff --quiet HEAD -- || commit="$commit (with uncommitted changes)"
qemu=$(qemu-system-arm --version | head -1 | sed 's/^QEMU emulator version /, QEMU /')
python3 "$root/benches/firmware/report_p256.py" \
    --stock-console "$work/run-stock/console.txt" --stock-peer "$work/run-stock/peer.log" \
    --stock-map "$work/stock/freertos_tls_firmware_bench.map" \
    --p256-console "$work/run-p256/console.txt" --p256-peer "$work/run-p256/peer.log" \
    --p256-map "$work/p256/freertos_tls_firmware_bench.map" \
    --commit "$commit" --qemu "$qemu" --out "$results/firmware-p256.md"
echo "(written to benches/results/firmware-p256.md; logs in ${work#"$root"/})" >&2
