#!/usr/bin/env bash
# Firmware benchmark (see benches/README.md, "Firmware"): freertos-tls and a
# raw mbedTLS C client in one FreeRTOS image on QEMU mps2-an386
# (Cortex-M4F), alternating full handshakes against a local TLS peer over
# UART0, under -icount shift=0 so that the firmware counts instructions.
# Prints a markdown table with each target MET or MISSED and writes it to
# benches/results/firmware.md. A benchmark, not a test: not run by CI.
#
# Each round also holds a TLS 1.3 / TLS 1.2 pair of our client (the peer
# pinned to one version each time). Then mbedTLS's flash per configuration
# profile: the same small client program (benches/firmware/flash-profiles)
# linked against mbedTLS built with mbedtls-sys/config/client.h (TLS 1.2 +
# 1.3) and with client-tls13-only.h (TLS 1.3 only; a profile the library
# itself cannot use, it needs TLS 1.2).
#
# Knobs (environment): BENCH_FW_PAIRS (pairs per key type, default 10);
# BENCH_FW_WORK_DIR (work files, default build/bench-firmware);
# BENCH_FW_CARGO_TARGET_DIR (the library's cargo directory, default one in
# the build directory; scripts/test-board.sh's builds the same library).
# --build-only: build the image, then stop (no peer, no QEMU run).
# Work files (build, console and peer logs) stay in the work directory.
# Installs missing Debian packages first (needs root or sudo).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/demo-helpers.sh"
source "$root/scripts/lib/bench-firmware-helpers.sh"
source "$root/scripts/lib/bench-helpers.sh"
bench_build_only_option "$@"
ensure_packages "${BUILD_PACKAGES[@]}" "${PEER_PACKAGES[@]}" "${CORTEX_M_PACKAGES[@]}"
ensure_cross_rust
demo_require_cargo

pairs=$(bench_positive BENCH_FW_PAIRS "${BENCH_FW_PAIRS:-10}")
work=${BENCH_FW_WORK_DIR:-$root/build/bench-firmware}
build=$work/build
run=$work/run
results=$root/benches/results
mkdir -p "$work"

peer_pid=""
cleanup() { [ -z "$peer_pid" ] || kill "$peer_pid" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

step "configure and build the benchmark image (release profile, LTO; first build takes minutes)"
cargo_dir=()
[ -z "${BENCH_FW_CARGO_TARGET_DIR:-}" ] || cargo_dir=(-DFREERTOS_TLS_CARGO_TARGET_DIR="$BENCH_FW_CARGO_TARGET_DIR")
cmake -S "$root/benches/firmware" -B "$build" -DCMAKE_BUILD_TYPE=Release "${cargo_dir[@]}" \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake" >"$work/configure.log" 2>&1 ||
    { tail -n 30 "$work/configure.log" >&2; exit 1; }
cmake --build "$build" --target freertos_tls_firmware_bench -j "$(nproc)" >"$work/build.log" 2>&1 ||
    { tail -n 30 "$work/build.log" >&2; exit 1; }
elf=$build/freertos_tls_firmware_bench.elf
map=$build/freertos_tls_firmware_bench.map
if [ "$build_only" = 1 ]; then
    echo "bench-firmware: built ${elf#"$root"/} (--build-only: nothing measured)" >&2
    exit 0
fi

rm -rf "$run"
mkdir -p "$run" "$results"
step "peer (Python ssl / OpenSSL) on 127.0.0.1"
bench_fw_run "$elf" "$run" "$pairs"

# mbedTLS's flash per profile: the tree the library's build used.
mbedtls_tree=${FREERTOS_TLS_MBEDTLS_DIR:-$(grep -m1 '^FREERTOS_TLS_MBEDTLS_DIR:' "$build/CMakeCache.txt" | cut -d= -f2-)}
[ -d "$mbedtls_tree/library" ] || mbedtls_tree=$("$root/scripts/fetch-mbedtls.sh" | tail -1)
profile_maps=()
for profile in client client-tls13-only; do
    step "mbedTLS flash, profile $profile (benches/firmware/flash-profiles)"
    pbuild=$work/flash-$profile
    rm -rf "$pbuild"
    cmake -S "$root/benches/firmware/flash-profiles" -B "$pbuild" -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake" \
        -DFLASH_PROFILE_MBEDTLS="$mbedtls_tree" -DFLASH_PROFILE_CONFIG="$root/mbedtls-sys/config/$profile.h" \
        >"$pbuild.log" 2>&1 && cmake --build "$pbuild" -j "$(nproc)" >>"$pbuild.log" 2>&1 ||
        { tail -n 30 "$pbuild.log" >&2; exit 1; }
    profile_maps+=(--profile-map "$profile=$pbuild/flash_profile.map")
done

commit=$(git -C "$root" rev-parse --short HEAD)
git -C "$root" diff --quiet HEAD -- || commit="$commit (with uncommitted changes)"
qemu=$(qemu-system-arm --version | head -1 | sed 's/^QEMU emulator version /, QEMU /')
python3 "$root/benches/firmware/report.py" --console "$run/console.txt" --peer "$run/peer.log" \
    --map "$map" "${profile_maps[@]}" --commit "$commit" --qemu "$qemu" --out "$results/firmware.md"
echo "(written to benches/results/firmware.md; logs in ${run#"$root"/})" >&2
