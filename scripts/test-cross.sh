#!/usr/bin/env bash
# Cortex-M cross builds, so that they cannot regress (run by scripts/test.sh;
# runs alone too). The cargo route comes from scripts/lib/cross-env.sh: the
# rustup target when installed, else Debian's rustc-web with -Zbuild-std.
#   1. the library for thumbv7em-none-eabihf (Cortex-M4F/M7) with the
#      firmware features, once per Cortex-M RNG port (CORTEX_M_PORTS below:
#      read from Cargo.toml), warnings as errors.
#      One target directory: mbedTLS and core are built once, each port
#      rebuilds only the two crates of this workspace.
#   2. the ports crate for thumbv6m-none-eabi (Cortex-M0/M0+: no atomic
#      read-modify-write), once per Cortex-M port, warnings as errors (the
#      port code's own warnings: step 1's -D warnings reaches only the
#      library crate); and two ports at once must be a compile error. Then
#      the library for thumbv6m once (mbedTLS's Thumb-1 bignum assembly
#      included, which needs r7: no frame pointers in mbedTLS's C build).
#   3. tests/cross-layout: sizes and field offsets of the mbedTLS types the
#      library uses (and of the internal pk_info_t vs the library's mirror),
#      as arm-none-eabi-gcc compiles them vs as the Rust bindings
#      (bindgen/libclang) declare them; any difference fails. Twice: the
#      configuration as it is, and a 4 KiB record profile (C flags).
#   4. clippy -D warnings on the firmware feature set for thumbv7em, where
#      the route has a matching clippy (a rustup target; Debian's rustc-web
#      has none, then the step says so and is skipped).
#   5. the CMake route as a firmware project uses it: tests/cmake-cross-consumer
#      configured with cmake/toolchains/arm-none-eabi-cortex-m4f.cmake and
#      nothing else in the environment, MinSizeRel (release profile, LTO),
#      links an ARM ELF; the linker map must show no unwinder; this
#      library's Rust code (.text + .rodata with the built-in root
#      certificates, core/alloc functions excluded) is reported against the
#      16 KiB target and must stay under the regression ceiling. A configure without a port must fail and list
#      the ports.
#   6. the firmware's own mbedTLS: the same consumer with the fetched
#      mbedTLS tree added as the firmware's CMake project (client profile)
#      before the library; the map must show exactly one definition of
#      mbedtls_ssl_handshake, from the firmware's libmbedtls.a, none from
#      libfreertos_tls.a, and the size report must still hold.
# mbedTLS: the tree scripts/fetch-mbedtls.sh fetches and verifies (or
# FREERTOS_TLS_MBEDTLS_DIR).
# Environment: TEST_CROSS_WORK_DIR (default build/test-cross).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/deps.sh
ensure_packages "${BUILD_PACKAGES[@]}" "${CORTEX_M_PACKAGES[@]}"
ensure_cross_rust
if [ -x "$HOME/.cargo/bin/cargo" ] && [ "$(command -v cargo)" != "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
source scripts/lib/cross-env.sh
source scripts/lib/test-helpers.sh
mbedtls_tree=${FREERTOS_TLS_MBEDTLS_DIR:-$(scripts/fetch-mbedtls.sh | tail -1)}
export FREERTOS_TLS_MBEDTLS_DIR=$mbedtls_tree

work=${TEST_CROSS_WORK_DIR:-$root/build/test-cross}
mkdir -p "$work"
export CARGO_TARGET_DIR=$work/cargo
M4F=thumbv7em-none-eabihf
M0=thumbv6m-none-eabi
# The Cortex-M ports: every `port-` feature of the root crate (the one list
# of ports, which the ports crate's README describes) but those that are not
# for a Cortex-M core: posix (getrandom(2) needs an OS), esp32 (Xtensa or
# RISC-V cores) and insecure-emulator-only (bound to the emulated board;
# scripts/test-board.sh builds it). A new Cortex-M port is built here
# without editing this script.
NOT_CORTEX_M_PORTS=(posix esp32 insecure-emulator-only)
mapfile -t CORTEX_M_PORTS < <(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
skip = set(sys.argv[1:])
root = next(p for p in json.load(sys.stdin)["packages"] if p["name"] == "freertos-tls")
for feature in sorted(root["features"]):
    if feature.startswith("port-") and feature[len("port-"):] not in skip:
        print(feature[len("port-"):])
' "${NOT_CORTEX_M_PORTS[@]}")
[ "${#CORTEX_M_PORTS[@]}" -gt 0 ] || { echo "test-cross: no Cortex-M ports found in Cargo.toml" >&2; exit 1; }
# texts: CMake's default (FREERTOS_TLS_TEXTS), which the consumer's figure has.
FIRMWARE_FEATURES=freertos,log-vloggingprintf,session-resumption,texts
# The library's Rust flash in this consumer (root certificates and every
# iot_tls.h entry point included: docs/cortex-m.md, "Size"). The ceiling is
# the budget, enforced: 20 KiB with texts (CMake's default). Issue 22
# named 17 KiB, set before TLS 1.3 grew the library; it is reported, met or
# missed, not enforced. Figures and what each change cost:
# benches/results/size.md. A change that needs more states why.
RUST_TARGET_BYTES=17408
RUST_CEILING_BYTES=20480

t_start=$(date +%s)

cross_describe "$M4F"
cross_describe "$M0"

step "library for $M4F, firmware features, each Cortex-M port"
for port in "${CORTEX_M_PORTS[@]}"; do
    t0=$(date +%s)
    if cross_cargo "$M4F" rustc --lib --no-default-features --features "$FIRMWARE_FEATURES,port-$port" \
            -- -D warnings >"$work/lib-$port.log" 2>&1; then
        pass "$M4F port-$port ($(( $(date +%s) - t0 )) s)"
    else
        tail -30 "$work/lib-$port.log" >&2
        fail "$M4F port-$port"
    fi
done

step "ports crate for $M0, each Cortex-M port; two ports at once refused"
t0=$(date +%s)
for port in "${CORTEX_M_PORTS[@]}"; do
    check_run "freertos-rng-ports for $M0, $port" "$work/ports-m0-$port.log" \
        cross_cargo "$M0" rustc -p freertos-rng-ports --lib --features "$port" -- -D warnings
done
two="${CORTEX_M_PORTS[0]},${CORTEX_M_PORTS[1]}"
if cross_cargo "$M0" rustc -p freertos-rng-ports --lib --features "$two" >"$work/ports-m0-two.log" 2>&1; then
    fail "freertos-rng-ports with two ports ($two) compiled"
elif grep -q "entropy ports .* are both selected" "$work/ports-m0-two.log"; then
    pass "two ports ($two): compile error naming both"
else
    tail -30 "$work/ports-m0-two.log" >&2
    fail "two ports ($two): failed, but not with the two-ports error"
fi
echo "ports crate for $M0: $(( $(date +%s) - t0 )) s"
t0=$(date +%s)
check_run "$M0 library, port-stm32" "$work/lib-m0.log" \
    cross_cargo "$M0" rustc --lib --no-default-features --features "$FIRMWARE_FEATURES,port-stm32" -- -D warnings
echo "$M0 library: $(( $(date +%s) - t0 )) s"

step "mbedTLS struct layout for $M4F: arm-none-eabi-gcc vs the Rust bindings"
# The default profile, then the 4 KiB record profile.
for record in "" 4096; do
    t0=$(date +%s)
    log=$work/layout-m4f${record:+-$record}.log
    check_run "mbedTLS layout for $M4F${record:+, $record-byte records}" "$log" \
        tests/cross-layout/check.sh "$M4F" ${record:+--record "$record"}
    echo "  $(tail -1 "$log") ($(( $(date +%s) - t0 )) s)"
done

step "clippy -D warnings, firmware feature set, $M4F"
cross_detect "$M4F"
if [ "$CROSS_ROUTE_BUILD_STD" = 1 ]; then
    # clippy-driver is rustup's and would need core built by the same
    # compiler version; Debian's rustc-web ships no clippy.
    echo "skipped: $CROSS_ROUTE_RUSTC has no prebuilt core for $M4F, and clippy cannot use build-std's"
else
    check_run "clippy $M4F" "$work/clippy.log" \
        cross_cargo "$M4F" clippy --lib --no-default-features --features "$FIRMWARE_FEATURES,port-stm32" -- -D warnings
fi

step "CMake: a cross build without FREERTOS_TLS_RNG_PORT fails at configure time, listing the ports"
toolchain=$root/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake
rm -rf "$work/no-port"
if cmake -S tests/cmake-cross-consumer -B "$work/no-port" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
        >"$work/no-port.log" 2>&1; then
    fail "configure without a port succeeded"
else
    # CMake wraps long messages: compare on one line.
    message=$(tr -s ' \n' '  ' <"$work/no-port.log")
    offered=${message#*must name its entropy port: -DFREERTOS_TLS_RNG_PORT=<port>, one of: }
    offered=${offered%%(*}
    not_offered=""
    for port in "${CORTEX_M_PORTS[@]}"; do
        grep -Eq "(^|, )$port(,|$| )" <<<"$offered" || not_offered+=" $port"
    done
    if [ "$offered" = "$message" ] || [ -n "$not_offered" ] || grep -q posix <<<"$offered"; then
        cat "$work/no-port.log" >&2
        fail "configure without a port: the message does not offer exactly the bare-metal ports (missing:${not_offered:- none})"
    else
        pass "configure without a port fails, offering: $offered"
    fi
fi

# build_consumer DIR [CMAKE_ARG...]: configure and build
# tests/cmake-cross-consumer into DIR (log DIR.log) with nothing from this
# script's environment (env -i: PATH and HOME only). Same cargo target
# directory as above (one place to cache in CI); the release profile's
# units, build-time tools included, are its own.
build_consumer() {
    local dir=$1
    shift
    rm -rf "$dir"
    env -i PATH="$PATH" HOME="$HOME" cmake -S tests/cmake-cross-consumer -B "$dir" \
        -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=MinSizeRel -DFREERTOS_TLS_RNG_PORT=stm32 \
        -DFREERTOS_TLS_CARGO_TARGET_DIR="$CARGO_TARGET_DIR" "$@" >"$dir.log" 2>&1 &&
        env -i PATH="$PATH" HOME="$HOME" cmake --build "$dir" -j "$(nproc)" >>"$dir.log" 2>&1
}

# image_report DIR: the size report of DIR's image, against the target and
# the regression ceiling.
image_report() {
    python3 scripts/cross-image-report.py "$1/cross_consumer.map" --max-rust-bytes "$RUST_CEILING_BYTES" \
        --target-rust-bytes "$RUST_TARGET_BYTES"
}

step "CMake cross consumer: toolchain file + add_subdirectory + target_link_libraries, no extra environment"
consumer=$work/consumer
t0=$(date +%s)
# The mbedTLS tree is named: a CMake project must not depend on where
# scripts/fetch-mbedtls.sh keeps it.
if build_consumer "$consumer" -DFREERTOS_TLS_MBEDTLS_DIR="$mbedtls_tree"; then
    pass "cross consumer built ($(( $(date +%s) - t0 )) s)"
    arm-none-eabi-readelf -h "$consumer/cross_consumer.elf" | grep -Eq "Type: +EXEC" &&
        arm-none-eabi-readelf -A "$consumer/cross_consumer.elf" | grep -q "Tag_ABI_VFP_args: VFP registers" ||
        fail "cross_consumer.elf is not a hard-float ARM executable"
    arm-none-eabi-size "$consumer/cross_consumer.elf"
    if image_report "$consumer"; then
        pass "image: no unwinder, library Rust code under the $RUST_CEILING_BYTES-byte regression ceiling"
    else
        fail "image report"
    fi
else
    tail -40 "$consumer.log" >&2
    fail "cross consumer build"
fi

step "CMake cross consumer with the firmware's own mbedTLS targets (one mbedTLS in the image)"
# Same cargo directory: on a fresh machine, cheaper than building core,
# alloc and the build tools again; mbedtls-sys's build script reruns (no
# mbedTLS compile on this route) and the next source-tree build reruns it.
consumer=$work/consumer-firmware-mbedtls
t0=$(date +%s)
if build_consumer "$consumer" -DCROSS_CONSUMER_FIRMWARE_MBEDTLS="$mbedtls_tree"; then
    pass "cross consumer with the firmware's mbedTLS built ($(( $(date +%s) - t0 )) s)"
    grep -q "freertos-tls: mbedTLS: the firmware's own (" "$consumer.log" ||
        fail "the library's CMake did not take the firmware's mbedTLS targets"
    # Input sections named after the function (-ffunction-sections), in the
    # map's memory map (discarded sections are listed before it); a long
    # name stands alone on its line, the file on the next.
    defs=$(python3 - "$consumer/cross_consumer.map" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
body = text.split("Linker script and memory map", 1)[-1]
for m in re.finditer(r"^ \.text\.mbedtls_ssl_handshake\s+(?:0x\S+\s+0x\S+\s+)?(\S+)$", body, re.M):
    print(m.group(1))
PY
)
    lib_defs=$(arm-none-eabi-nm -g --defined-only "$CARGO_TARGET_DIR/$M4F/release/libfreertos_tls.a" 2>/dev/null |
        grep -c ' T mbedtls_ssl_handshake$' || true)
    if [ "$(grep -c . <<<"$defs")" = 1 ] && grep -Eq '(^|/)libmbedtls\.a\(' <<<"$defs" && [ "$lib_defs" = 0 ]; then
        pass "one mbedtls_ssl_handshake in the image, from the firmware's library: $defs; none in libfreertos_tls.a"
    else
        echo "definitions in the map: ${defs:-none}; in libfreertos_tls.a: $lib_defs" >&2
        fail "the image does not hold exactly one mbedtls_ssl_handshake, the firmware's"
    fi
    if image_report "$consumer"; then
        pass "image with the firmware's mbedTLS: no unwinder, library Rust code under the ceiling"
    else
        fail "image report, firmware's mbedTLS"
    fi
else
    tail -40 "$consumer.log" >&2
    fail "cross consumer with the firmware's mbedTLS"
fi

echo
echo "test-cross: $(( $(date +%s) - t_start )) s"
finish_checks test-cross
