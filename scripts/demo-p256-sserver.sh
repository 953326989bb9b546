#!/usr/bin/env bash
# Feature p256-cortex-m4 against OpenSSL s_server: the board's mutual-TLS
# demo firmware (built with -DFREERTOS_TLS_P256_CORTEX_M4=ON by
# scripts/test-board.sh, TEST_BOARD_WORK_DIR=WORK) connects on QEMU
# mps2-an386 to `openssl s_server -Verify 1` (client certificate required)
# with an ECDSA P-256 and then an RSA-2048 server certificate, ECDHE pinned
# to P-256. Passes when the firmware reports a completed handshake
# ([board] HANDSHAKE result=0) and s_server saw the client certificate.
# The MQTT exchange after it fails (s_server is no broker): not checked.
# Usage: scripts/demo-p256-sserver.sh WORK   (run by scripts/test.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/demo-helpers.sh"
work=$(cd "${1:?usage: $0 TEST_BOARD_WORK_DIR}" && pwd)
pki=$work/pki
fw=$work/firmware-build/boards/mps2-an386/freertos_tls_board_demo.elf
out=$work/sserver
mkdir -p "$out"
# An RSA-2048 server certificate under the demo's intermediate CA.
openssl req -newkey rsa:2048 -nodes -keyout "$out/rsa.key" -out "$out/rsa.csr" \
    -subj "/O=freertos-tls demo/CN=localhost" 2>/dev/null
openssl x509 -req -in "$out/rsa.csr" -CA "$pki/intermediate-ca.pem" -CAkey "$pki/intermediate-ca.key" \
    -CAcreateserial -days 2 -extfile "$pki/extensions.cnf" -extensions broker -out "$out/rsa.pem" 2>/dev/null
cat "$out/rsa.pem" "$pki/intermediate-ca.pem" >"$out/rsa-chain.pem"
failures=0
for kind in ecdsa rsa; do
    if [ "$kind" = ecdsa ]; then
        cert=$pki/broker-chain.pem key=$pki/broker.key
    else
        cert=$out/rsa-chain.pem key=$out/rsa.key
    fi
    port=$(demo_free_port)
    openssl s_server -accept "127.0.0.1:$port" -cert "$cert" -key "$key" -CAfile "$pki/client-ca.pem" \
        -Verify 1 -tls1_2 -groups P-256 -naccept 1 -quiet >"$out/$kind-server.log" 2>&1 </dev/null &
    server=$!
    sleep 0.5
    demo_board_run "$fw" "tcp:127.0.0.1:$port" "$out/$kind-board.log" 30 "port=$port utc=$(date +%s) recv-wait=0" \
        >/dev/null 2>&1 || true
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    line=$(grep '^\[board\] HANDSHAKE ' "$out/$kind-board.log" | head -1 || true)
    if grep -q 'result=0 ' <<<"$line" && grep -q 'CN = freertos-tls-demo-device' "$out/$kind-server.log" &&
        ! grep -qi 'verify error' "$out/$kind-server.log"; then
        echo "PASS: $kind server certificate: $line"
    else
        echo "FAIL: $kind server certificate: ${line:-no handshake line}; s_server:" >&2
        tail -5 "$out/$kind-server.log" >&2
        failures=$((failures + 1))
    fi
done
exit "$failures"
