#!/usr/bin/env bash
# CI test of the CMake integration and the FreeRTOS coreMQTT mutual-TLS demo,
# against real peers on 127.0.0.1 (Mosquitto, SoftHSM2):
#   1. builds the demo from a clean build directory (cold, cargo included);
#   2. positive run: every published QoS 1 message must come back, exit 0;
#   3. negative runs, each must exit non-zero with a clear message:
#      broker whose certificate comes from a different CA (handshake error),
#      no broker listening, an empty (unprovisioned) token;
#   4. CMake consumer: tests/cmake-consumer add_subdirectory()s the root,
#      links freertos_tls::freertos_tls, includes aws_tls.h and an mbedTLS
#      header, builds and runs; plus the toolchain -> Rust triple mapping.
# Installs missing Debian packages first (needs root or sudo).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/demo-helpers.sh"
source "$root/scripts/lib/test-helpers.sh"
ensure_packages "${DEMO_PACKAGES[@]}"
demo_require_cargo

work=${TEST_DEMO_WORK_DIR:-$root/build/test-demo}
rm -rf "$work"
mkdir -p "$work"
cleanup() {
    demo_stop_broker "$work/broker"
    demo_stop_broker "$work/broker-foreign"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "PKI and tokens"
"$root/scripts/demo-pki.sh" "$work/pki"
"$root/scripts/demo-pki.sh" "$work/foreign-pki" --no-token
"$root/scripts/demo-pki.sh" "$work/empty-token-pki" >/dev/null
# Same token directory layout, but nothing provisioned in it.
rm -rf "$work/empty-token-pki/tokens" && mkdir -p "$work/empty-token-pki/tokens"
SOFTHSM2_CONF=$work/empty-token-pki/softhsm2.conf softhsm2-util --init-token --free \
    --label empty --pin 0000 --so-pin 12345678 >/dev/null

step "Cold build of the demo from a clean build directory"
build=$work/demo-build
t0=$(date +%s)
demo_build "$root" "$build"
echo "cold build: $(( $(date +%s) - t0 )) s"

step "Positive run: mutual TLS against Mosquitto (require_certificate true)"
port=$(demo_free_port)
demo_start_broker "$work/broker" "$port" "$work/pki/client-ca.pem" "$work/pki/broker-chain.pem" "$work/pki/broker.key"
rc=0
DEMO_ITERATIONS=3 DEMO_MESSAGES=3 demo_run "$build" "$work/pki" "$port" "$work/positive.log" || rc=$?
published=$(sed -n 's/^\[demo\] PUBLISHED //p' "$work/positive.log" | sort)
received=$(sed -n 's/^\[demo\] RECEIVED //p' "$work/positive.log" | sort)
if [ "$rc" != 0 ]; then
    fail "positive run exited $rc"
elif [ "$(printf '%s\n' "$published" | grep -c .)" != 9 ]; then
    fail "positive run: expected 9 published messages"
elif [ "$published" != "$received" ]; then
    fail "positive run: received messages differ from published ones"
elif ! grep -q 'SUMMARY published=9 received=9 expected=9 unexpected=0 result=PASS' "$work/positive.log"; then
    fail "positive run: no PASS summary"
# The broker must have seen the device certificate's identity as user name.
elif ! grep -q 'u.freertos-tls-demo-device' "$work/broker/mosquitto.log"; then
    fail "positive run: the broker did not log the device certificate identity"
else
    pass "positive run: 9 published, 9 received, exit 0"
fi

step "Negative run: no broker listening"
rc=0
closed_port=$(demo_free_port)
demo_run "$build" "$work/pki" "$closed_port" "$work/no-broker.log" || rc=$?
expect_failure "no broker" "$work/no-broker.log" "$rc" "cannot connect to 127.0.0.1:$closed_port" \
    "could not establish a TLS session"

step "Negative run: unprovisioned token (broker requires a client certificate)"
rc=0
demo_run "$build" "$work/empty-token-pki" "$port" "$work/empty-token.log" "$work/pki/root-ca.pem" || rc=$?
# TLS 1.2 fails TLS_Connect; in TLS 1.3 the broker's verdict on the
# (empty) client Certificate comes after the client's handshake, with the
# first read, and the library reports it as the same credential error.
expect_failure "unprovisioned token" "$work/empty-token.log" "$rc" \
    "TLS_Connect returned -200[345]: no client|PKCS#11|failed: no (private key|certificate) in token" \
    "could not establish a TLS session|MQTT CONNECT failed"
demo_stop_broker "$work/broker"

step "Negative run: broker certificate from a different CA"
port=$(demo_free_port)
demo_start_broker "$work/broker-foreign" "$port" "$work/pki/client-ca.pem" \
    "$work/foreign-pki/broker-chain.pem" "$work/foreign-pki/broker.key"
rc=0
demo_run "$build" "$work/pki" "$port" "$work/wrong-ca.log" || rc=$?
expect_failure "wrong CA" "$work/wrong-ca.log" "$rc" "TLS_Connect returned -2001: TLS handshake failed" \
    "not trusted|CA" "could not establish a TLS session"
demo_stop_broker "$work/broker-foreign"

step "FreeRTOS stress: 4 tasks, 2 x 100 mutual-TLS connections, heap and stack accounting"
# A real OpenSSL peer (Python ssl) that requires the device certificate;
# the library under test is the demo build's (freertos feature: FreeRTOS heap).
peer_log=$work/stress-peer.log
python3 "$root/tests/peers/tls_echo_server.py" --cert "$work/pki/broker-chain.pem" --key "$work/pki/broker.key" \
    --client-ca "$work/pki/client-ca.pem" > "$peer_log" 2>&1 &
peer_pid=$!
for _ in $(seq 1 50); do grep -q '^PORT ' "$peer_log" && break; sleep 0.1; done
rc=0
SOFTHSM2_CONF="$work/pki/softhsm2.conf" STRESS_PORT=$(sed -n 's/^PORT //p' "$peer_log") \
    STRESS_ROOT_CA="$work/pki/root-ca.pem" STRESS_TASKS=4 STRESS_CONNECTIONS=100 \
    timeout 300 "$build/freertos_tls_stress" > "$work/stress.log" 2>&1 || rc=$?
kill "$peer_pid" 2>/dev/null || true
grep '^\[stress\]' "$work/stress.log" || true
if [ "$rc" != 0 ] || ! grep -q '^STRESS RESULT PASS' "$work/stress.log"; then
    tail -20 "$work/stress.log" >&2
    fail "FreeRTOS stress (exit $rc)"
elif [ "$(grep -c '^CONN ' "$peer_log")" != 200 ]; then
    fail "FreeRTOS stress: the peer did not see 2 x 100 mutual-TLS connections"
else
    pass "FreeRTOS stress: 2 x 100 connections from 4 tasks, heap returned, stacks within budget"
fi

step "CMake consumer project (add_subdirectory + exported target)"
consumer=$work/consumer-build
if timeout 300 cmake -S "$root/tests/cmake-consumer" -B "$consumer" \
        -DFREERTOS_TLS_CARGO_TARGET_DIR="$build/freertos-tls/cargo" >"$consumer.log" 2>&1 &&
   timeout 600 cmake --build "$consumer" -j "$(nproc)" >>"$consumer.log" 2>&1 &&
   "$consumer/consumer"; then
    pass "cmake consumer"
else
    tail -30 "$consumer.log" >&2
    fail "cmake consumer"
fi

step "CMake toolchain -> Rust target mapping"
if cmake -P "$root/tests/cmake-consumer/rust_target_mapping.cmake"; then
    pass "rust target mapping"
else
    fail "rust target mapping"
fi

finish_checks test-demo
