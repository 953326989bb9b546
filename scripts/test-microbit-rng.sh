#!/usr/bin/env bash
# The nrf52 RNG port on emulated silicon: builds tests/firmware/microbit-rng
# for thumbv6m-none-eabi (Cortex-M0), runs it twice on QEMU's micro:bit
# (nRF51, whose RNG block has nRF52's layout), and checks the bytes it read
# through the port's health tests (check_output.py: firmware verdict, byte
# statistics, the two runs differ).
set -euo pipefail
cd "$(dirname "$0")/.."
fw=tests/firmware/microbit-rng
target=thumbv6m-none-eabi
elf=$fw/target/$target/release/microbit-rng
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# A rustup toolchain with the target installed builds it on stable; else
# Debian's rustc-web builds core from rust-web-src (build-std is unstable,
# so RUSTC_BOOTSTRAP is set for this one build only).
if rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    (cd "$fw" && cargo build --locked --release --target "$target")
elif /usr/bin/rustc --print target-list 2>/dev/null | grep -qx "$target" \
    && [ -d /usr/lib/rustlib/src/rust/library ]; then
    (cd "$fw" && RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build --locked --release \
        --target "$target" -Zbuild-std=core -Zbuild-std-features=compiler-builtins-mem)
else
    echo "no Rust toolchain for $target: rustup target add $target, or install rustc-web rust-web-src" >&2
    exit 1
fi

python3 "$fw/check_output.py" --self-test

# -icount: virtual time follows the instruction count, so the number of
# polls per RNG byte (one byte per 660 µs of virtual time) is the same on a
# loaded CI machine; the values still come from the host's randomness.
run() {
    timeout 60 qemu-system-arm -M microbit -kernel "$elf" -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native -icount shift=8 2>"$out/run$1.txt" >/dev/null
}
status=0
run 1 & first=$!
run 2 || status=$?
wait "$first" || status=$?
if [ "$status" -ne 0 ]; then
    echo "firmware failed (QEMU status $status):" >&2
    tail -n 3 "$out"/run*.txt >&2
fi
python3 "$fw/check_output.py" "$out/run1.txt" "$out/run2.txt"
exit "$status"
