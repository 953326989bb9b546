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

# The cross route scripts/lib/cross-env.sh detects: a rustup toolchain with the
# target added, or Debian's rustc-web building core from source.
source scripts/lib/cross-env.sh
(cd "$fw" && cross_cargo "$target" build --locked --release)

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
