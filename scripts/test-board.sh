#!/usr/bin/env bash
# CI test of the coreMQTT mutual-TLS demo on the emulated Cortex-M4F board
# (QEMU mps2-an386), against real peers on 127.0.0.1:
#   1. builds the firmware (the same demo sources as the POSIX simulator)
#      with the demo PKI compiled into its test PKCS#11 token;
#   2. the demo against Mosquitto (require_certificate true), TLS over
#      UART0, with a non-blocking transport (every receive returns at once,
#      0 when no byte is there): every message must come back, and a
#      lower-priority task must have run during the handshake;
#   3. the same with the default blocking transport (50 ms receive wait)
#      and a receive ring of only 64 bytes, so that reception pauses (QEMU
#      stops reading the socket) many times: no byte may be lost;
#   4. tick wrap: firmware whose tick counter starts 400 ticks before the
#      32-bit wrap; under -icount (virtual time = instructions) the wrap
#      falls inside the first handshake, which must still succeed;
#   5. tick wrap, peer that never answers: TLS_Connect with a 3 s handshake
#      timeout must give up after 3 s, counted across the wrap.
# Installs missing Debian packages first (needs root or sudo).
# Environment: TEST_BOARD_WORK_DIR (default build/test-board);
# TEST_BOARD_CARGO_TARGET_DIR (default: the one of scripts/test-cross.sh's
# CMake consumer, build/test-cross/cargo, which runs before this in
# scripts/test.sh: mbedTLS, core and alloc for thumbv7em-none-eabihf are
# then compiled once, and only the library's own crates again);
# TEST_BOARD_CMAKE_ARGS: further configure arguments of the firmware (e.g.
# -DFREERTOS_TLS_P256_CORTEX_M4=ON; use a separate work and cargo directory);
# TEST_BOARD_DEMO_ONLY=1: only the build and the first demo run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/demo-helpers.sh"
source "$root/scripts/lib/test-helpers.sh"
board_test_prerequisites

work=${TEST_BOARD_WORK_DIR:-$root/build/test-board}
rm -rf "$work"
mkdir -p "$work"
silent_pid=""
cleanup() {
    demo_stop_broker "$work/broker"
    if [ -n "$silent_pid" ]; then kill "$silent_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build=$work/firmware-build
board_test_build "$root" "$work" "Build of the mps2-an386 firmware" \
    -DFREERTOS_TLS_CARGO_TARGET_DIR="${TEST_BOARD_CARGO_TARGET_DIR:-$root/build/test-cross/cargo}" \
    ${TEST_BOARD_CMAKE_ARGS:-}
fw=$build/boards/mps2-an386/freertos_tls_board_demo.elf
fw_wrap=$build/boards/mps2-an386/freertos_tls_board_demo_tickwrap.elf
arm-none-eabi-size "$fw" "$fw_wrap"

port=$(demo_free_port)
demo_start_broker "$work/broker" "$port" "$work/pki/client-ca.pem" "$work/pki/broker-chain.pem" "$work/pki/broker.key"

# demo_check NAME LOG RC: a successful demo run: exit 0, three messages
# published and received back, the board's checks passed.
demo_check() {
    local name=$1 log=$2 rc=$3 problem
    problem=$(board_demo_problem "$log" "$rc" 3)
    if [ -n "$problem" ]; then
        fail "$name: $problem"
    elif ! grep -q '^\[board\] UART0: .* 0 overruns' "$log"; then
        fail "$name: UART0 lost bytes"
    else
        pass "$name"
    fi
}

step "Demo, non-blocking transport: mutual TLS over UART0, publish and receive; no starvation"
rc=0
demo_board_run "$fw" "tcp:127.0.0.1:$port" "$work/nonblocking.log" 60 \
    "port=$port utc=$(date +%s) recv-wait=0" || rc=$?
demo_check "non-blocking demo" "$work/nonblocking.log" "$rc"
line=$(grep '^\[board\] HANDSHAKE ' "$work/nonblocking.log" || true)
if [ "$(field empty_reads "$line")" = "" ] || [ "$(field empty_reads "$line")" = 0 ]; then
    fail "non-blocking demo: the transport never returned 0 during the handshake (not a non-blocking test)"
else
    pass "non-blocking demo: transport returned 0 $(field empty_reads "$line") times, low-priority task ran $(field low_priority_loops "$line") loops during the handshake"
fi
# The broker must have taken the token's certificate as the client identity.
check_broker_identity "$work/broker"
# Mosquitto 2.0's tls_version tlsv1.2 is a minimum: it and the library
# (TLS 1.2 to 1.3 by default) agree on TLS 1.3.
if grep -q '^\[tls\] version: TLS 1.3$' "$work/nonblocking.log"; then
    pass "non-blocking demo: TLS 1.3 negotiated with Mosquitto (TLS_GetProtocolVersion)"
else
    fail "non-blocking demo: not TLS 1.3: $(grep '^\[tls\] version:' "$work/nonblocking.log" || echo 'no version line')"
fi

# TEST_BOARD_DEMO_ONLY=1: stop after the first demo run (a second firmware
# variant, e.g. with the P-256 feature, needs only the end-to-end proof).
if [ -n "${TEST_BOARD_DEMO_ONLY:-}" ]; then
    finish_checks test-board
    exit
fi

step "Demo, blocking transport (50 ms receive wait, the demo.sh default), 64-byte receive ring"
rc=0
demo_board_run "$fw" "tcp:127.0.0.1:$port" "$work/blocking.log" 60 \
    "port=$port utc=$(date +%s) recv-wait=50 ring-limit=64" || rc=$?
demo_check "blocking demo" "$work/blocking.log" "$rc"
pauses=$(sed -n 's/^\[board\] UART0: .*, \([0-9]*\) reception pauses.*/\1/p' "$work/blocking.log")
if [ "${pauses:-0}" -gt 0 ]; then
    pass "back-pressure: reception paused $pauses times (ring full), no byte lost"
else
    fail "blocking demo: reception never paused with a 64-byte ring (back-pressure untested)"
fi

step "Tick wrap during the handshake (counter starts 400 ticks before 2^32; -icount)"
rc=0
demo_board_run "$fw_wrap" "tcp:127.0.0.1:$port" "$work/tickwrap.log" 90 \
    "port=$port utc=$(date +%s) recv-wait=0" -icount shift=3 || rc=$?
demo_check "tick-wrap demo" "$work/tickwrap.log" "$rc"
line=$(grep '^\[board\] HANDSHAKE ' "$work/tickwrap.log" || true)
if [ "$(field wrapped "$line")" = yes ] && [ "$(field result "$line")" = 0 ]; then
    pass "the tick counter wrapped during a successful handshake ($(field start_tick "$line") -> $(field end_tick "$line"))"
else
    fail "tick-wrap demo: the wrap did not fall inside a successful handshake: $line"
fi

step "Tick wrap, peer that never answers: the 3 s handshake timeout must fire across the wrap"
silent_port=$(demo_free_port)
python3 - "$silent_port" > "$work/silent-peer.out" 2>&1 <<'PY' &
# Accepts one TCP connection and reads everything, never answering.
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
n = 0
while True:
    b = c.recv(4096)
    if not b:
        break
    n += len(b)
print(f"peer closed after sending {n} bytes", flush=True)
PY
silent_pid=$!
for _ in $(seq 1 50); do grep -q listening "$work/silent-peer.out" 2>/dev/null && break; sleep 0.1; done
rc=0
# sleep=off: while the core idles, QEMU skips virtual time ahead, so the
# 3 s of firmware time take a fraction of that on the host.
demo_board_run "$fw_wrap" "tcp:127.0.0.1:$silent_port" "$work/silent-peer.log" 60 \
    "silent-peer port=$silent_port utc=$(date +%s) recv-wait=0 handshake-timeout=3000" \
    -icount shift=0,sleep=off || rc=$?
line=$(grep '^\[board\] SILENT-PEER ' "$work/silent-peer.log" || true)
if [ "$rc" = 0 ] && [ "$(field wrapped "$line")" = yes ] && grep -q 'TLS handshake timed out' "$work/silent-peer.log"; then
    pass "silent peer: TLS_Connect timed out after $(field elapsed_ticks "$line") ticks ($(field start_tick "$line") -> $(field end_tick "$line"))"
else
    fail "silent peer (exit $rc): $line"
fi
wait "$silent_pid" 2>/dev/null || true
silent_pid=""
if grep -q 'peer closed after sending [1-9]' "$work/silent-peer.out"; then
    pass "silent peer received the ClientHello and never answered"
else
    fail "silent peer saw no ClientHello: $(cat "$work/silent-peer.out")"
fi

finish_checks test-board
