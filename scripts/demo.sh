#!/usr/bin/env bash
# The README's first command: the FreeRTOS coreMQTT mutual-TLS demo on the
# POSIX simulator against a local Mosquitto broker.
#
#  1. installs missing Debian packages (needs root or sudo),
#  2. makes a PKI (root CA -> intermediate CA -> broker / device) and a
#     SoftHSM2 token holding the device key and certificate,
#  3. starts Mosquitto on a free 127.0.0.1 port (TLS, require_certificate),
#  4. builds the demo with CMake (FreeRTOS-Kernel and coreMQTT via cargo),
#  5. runs it, stops the broker, prints what was published and received.
#
# Exits non-zero with a message when anything fails. Environment:
#   DEMO_WORK_DIR   where PKI, token, broker files and the build go
#                   (default: build/demo in the repository, git-ignored)
#   DEMO_BUILD_TYPE CMake build type (default Debug)
#   KEY_TYPE        ec (default) or rsa keys
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/deps.sh"
source "$root/scripts/demo-lib.sh"

work=${DEMO_WORK_DIR:-$root/build/demo}
build=$work/cmake-build
started=$(date +%s)

ensure_packages "${DEMO_PACKAGES[@]}"
demo_require_cargo
mkdir -p "$work"

cleanup() { demo_stop_broker "$work/broker"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> PKI and SoftHSM2 token"
"$root/scripts/demo-pki.sh" "$work/pki"

echo "==> Building the demo (CMake + cargo; the first build takes a few minutes)"
demo_build "$root" "$build" -DCMAKE_BUILD_TYPE="${DEMO_BUILD_TYPE:-Debug}"

echo "==> Starting Mosquitto"
port=$(demo_free_port)
demo_start_broker "$work/broker" "$port" "$work/pki/client-ca.pem" \
    "$work/pki/broker-chain.pem" "$work/pki/broker.key"

echo "==> Running the demo"
rc=0
demo_run "$build" "$work/pki" "$port" "$work/demo.log" || rc=$?
demo_stop_broker "$work/broker"

echo
echo "==> Summary"
published=$(grep -c '^\[demo\] PUBLISHED ' "$work/demo.log" || true)
received=$(grep -c '^\[demo\] RECEIVED ' "$work/demo.log" || true)
echo "published $published message(s):"
sed -n 's/^\[demo\] PUBLISHED /  /p' "$work/demo.log"
echo "received $received message(s):"
sed -n 's/^\[demo\] RECEIVED /  /p' "$work/demo.log"
grep -E '^\[demo\] (FreeRTOS heap|SUMMARY)' "$work/demo.log" || true
echo "wall time: $(( $(date +%s) - started )) s"
if [ "$rc" != 0 ]; then
    echo "DEMO FAILED (exit $rc): see the errors above; broker log: $work/broker/mosquitto.log" >&2
    exit "$rc"
fi
echo "DEMO OK"
