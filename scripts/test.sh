#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the committed header,
# Rust unit and integration tests against real peers (OpenSSL, SoftHSM2),
# the C ABI and allocation-failure harnesses, the firmware (no std) builds,
# the nrf52 RNG port on QEMU's micro:bit (scripts/test-microbit-rng.sh),
# the Cortex-M cross builds and CMake cross consumer (scripts/test-cross.sh),
# the FreeRTOS demo / stress / CMake tests (scripts/test-demo.sh), and the
# emulated board's demos over UART0 and over lwIP (scripts/test-board.sh,
# scripts/test-board-lwip.sh).
# Installs missing Debian packages first (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_packages "${PROJECT_PACKAGES[@]}"
ensure_cross_rust
# Upstream mbedTLS 3.6.7, fetched and verified once (build/mbedtls).
./scripts/fetch-mbedtls.sh >/dev/null
# rustup's cargo (with rustfmt and clippy) before Debian's cargo-web, which
# the cross step may have installed.
if [ -x "$HOME/.cargo/bin/cargo" ] && [ "$(command -v cargo)" != "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi

# Each step prints how long the previous one took (CI keeps a time budget).
step_started=$(date +%s)
step_name=""
step_done() {
    [ -n "$step_name" ] && printf '<== %s: %ss\n' "$step_name" "$(( $(date +%s) - step_started ))"
    step_started=$(date +%s)
}
step() { step_done; step_name=$*; printf '\n==> %s\n' "$*"; }
trap 'step_done' EXIT

step "toolchain: the pinned lint rustc, the MSRV of what the libraries build with (scripts/check-toolchain.py)"
python3 scripts/check-toolchain.py

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings (host and firmware feature sets)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --lib --no-default-features --features freertos,log-vloggingprintf,port-posix,session-resumption -- -D warnings
# The renamed private mbedTLS copy (its test compiles only with the feature).
cargo clippy --features mbedtls-private --lib --test private_copy -- -D warnings

step "no_std builds (core + alloc only): bare, and as firmware links it"
cargo build --lib --no-default-features
cargo build --lib --no-default-features --features freertos,log-vloggingprintf,port-posix,session-resumption

step "Cortex-M cross builds (scripts/lib/cross-env.sh; scripts/test-cross.sh)"
./scripts/test-cross.sh

step "cargo test (unit + integration, real OpenSSL peers, SoftHSM2 token)"
cargo test --workspace

step "hostile peers again under valgrind: no memory error, nothing definitely lost"
# somalloc=NONE lets valgrind take the test binary's own calloc/free (its
# heap watcher) too, so mbedTLS's blocks are checked; the watcher's
# self-test, which counts those blocks itself, is skipped here.
CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="valgrind -q --soname-synonyms=somalloc=NONE --error-exitcode=99 \
--leak-check=full --errors-for-leak-kinds=definite" cargo test --test hostile_peers -- --skip heap_watch

step "cargo test: a stuck HAL RNG through the rand_core adapter"
cargo test --no-default-features --features std,port-rand-core --test entropy_stuck_rng

step "nrf52 RNG port on QEMU micro:bit (thumbv6m): health-tested bytes checked on the host"
./scripts/test-microbit-rng.sh

step "fuzz targets: seeds replay past the handshake, then each runs briefly (scripts/fuzz.sh --ci)"
./scripts/fuzz.sh --ci

step "cargo test: built without session resumption (no session-resumption feature)"
cargo test --no-default-features --features std,port-posix --test tls_resumption_off

step "mbedTLS private copy (mbedtls-private) linked beside Debian's mbedTLS 2.28, TLS on both"
cargo test --features mbedtls-private --test private_copy

step "4 KiB record buffers (a property of the mbedTLS configuration): linked sizes, layouts vs the C build, 1 MiB each way"
# mbedTLS and the bindings are rebuilt with these C flags (both see them);
# the default-profile run of these tests is part of cargo test above.
CFLAGS="-DMBEDTLS_SSL_IN_CONTENT_LEN=4096 -DMBEDTLS_SSL_OUT_CONTENT_LEN=4096" \
    cargo test --lib --test layout --test tls_record_profiles

step "FreeRTOS demo, stress test and CMake integration (scripts/test-demo.sh)"
./scripts/test-demo.sh

step "Feature p256-cortex-m4 on QEMU mps2-an386: layouts with the ALT macros, ECDH/ECDSA vectors (scripts/test-p256.sh)"
./scripts/test-p256.sh

step "p256-cortex-m4 on the emulated board: the mutual-TLS demo against Mosquitto, handshakes with OpenSSL (ECDSA and RSA certificates)"
TEST_BOARD_DEMO_ONLY=1 TEST_BOARD_WORK_DIR="$PWD/build/test-board-p256" \
    TEST_BOARD_CARGO_TARGET_DIR="$PWD/build/test-p256/cargo" \
    TEST_BOARD_CMAKE_ARGS=-DFREERTOS_TLS_P256_CORTEX_M4=ON ./scripts/test-board.sh
./scripts/demo-p256-sserver.sh "$PWD/build/test-board-p256"

step "The demo on the emulated Cortex-M4F board: QEMU mps2-an386, Mosquitto, no starvation, tick wrap (scripts/test-board.sh)"
./scripts/test-board.sh

step "The demo over lwIP on the emulated board: LAN9118 Ethernet, QEMU user network (restrict=on), Mosquitto; drop and stall faults (scripts/test-board-lwip.sh)"
./scripts/test-board-lwip.sh
