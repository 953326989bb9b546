#!/usr/bin/env bash
# The README's first command: the FreeRTOS coreMQTT mutual-TLS demo on the
# POSIX simulator against a local Mosquitto broker.
#
#   ./scripts/demo.sh                      the POSIX simulator (steps below)
#   ./scripts/demo.sh --board mps2-an386   the same demo code as Cortex-M4F
#                                          firmware on QEMU's mps2-an386 board,
#                                          TLS bytes over UART0
#                                          (run_board_demo below)
#   ./scripts/demo.sh --board mps2-an386 --net lwip
#                                          the same firmware with lwIP sockets
#                                          on the board's LAN9118 Ethernet
#                                          under TLS instead of UART0
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
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/demo-helpers.sh"

board=posix
net=uart
while [ $# -gt 0 ]; do
    case "$1" in
        --board) board=${2:?--board needs a name}; shift 2 ;;
        --board=*) board=${1#--board=}; shift ;;
        --net) net=${2:?--net needs uart or lwip}; shift 2 ;;
        --net=*) net=${1#--net=}; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [--board posix|mps2-an386 [--net uart|lwip]]" >&2; exit 2 ;;
    esac
done
case "$net" in
    uart | lwip) ;;
    *) echo "ERROR: unknown network path '$net' (uart or lwip)" >&2; exit 2 ;;
esac
if [ "$net" != uart ] && [ "$board" != mps2-an386 ]; then
    echo "ERROR: --net $net is for --board mps2-an386" >&2
    exit 2
fi

# demo_summary WORK RC STARTED WHAT EXTRA: the messages the demo (log
# WORK/demo.log) published and received, the log lines matching the
# extended regex EXTRA, the wall time since STARTED, then the verdict
# ("DEMO OK (WHAT)"); exits with RC.
demo_summary() {
    local work=$1 rc=$2 started=$3 what=$4 extra=$5
    echo
    echo "==> Summary"
    echo "published $(grep -c '^\[demo\] PUBLISHED ' "$work/demo.log" || true) message(s):"
    sed -n 's/^\[demo\] PUBLISHED /  /p' "$work/demo.log"
    echo "received $(grep -c '^\[demo\] RECEIVED ' "$work/demo.log" || true) message(s):"
    sed -n 's/^\[demo\] RECEIVED /  /p' "$work/demo.log"
    grep -E "$extra" "$work/demo.log" || true
    echo "wall time: $(( $(date +%s) - started )) s"
    if [ "$rc" != 0 ]; then
        echo "DEMO FAILED (exit $rc): see the errors above; broker log: $work/broker/mosquitto.log" >&2
        exit "$rc"
    fi
    echo "DEMO OK${what:+ ($what)}"
    exit 0
}

# The emulated board: the same steps, with the firmware under QEMU. QEMU
# connects the board's UART0 to the broker's TLS port (-serial tcp:...), so
# the broker sees a plain TCP client; the firmware's console (UART1) is the
# log. Certificates are dated: the board has no RTC, so the firmware's
# clock starts at the host's time passed on its command line (utc=...).
# With --net lwip the TLS bytes go through lwIP's sockets and the board's
# LAN9118 instead: QEMU's user network, locked down (restrict=on), lets the
# firmware reach exactly one address, 10.0.2.100:8883, whose guestfwd
# command (scripts/lwip-guestfwd-proxy.py, one per connection) connects to
# the broker; the firmware connects twice, the second time resuming the
# TLS session.
# Environment: DEMO_WORK_DIR (default build/demo-mps2-an386, with --net
# lwip build/demo-mps2-an386-lwip), DEMO_MESSAGES (default 3),
# DEMO_RECV_WAIT_MS (transport receive wait, default 50; 0 = non-blocking).
run_board_demo() {
    local work=${DEMO_WORK_DIR:-$root/build/demo-mps2-an386}
    local started rc=0 port fw net_args
    [ "$net" = uart ] || work=${DEMO_WORK_DIR:-$root/build/demo-mps2-an386-$net}
    started=$(date +%s)
    ensure_packages "${DEMO_PACKAGES[@]}" "${CORTEX_M_PACKAGES[@]}"
    ensure_cross_rust
    demo_require_cargo
    mkdir -p "$work"
    trap 'demo_stop_broker "$work/broker"' EXIT

    echo "==> PKI (the firmware embeds the device credential in its test token)"
    # The emulator's test token signs with P-256 keys only.
    KEY_TYPE=ec "$root/scripts/demo-pki.sh" "$work/pki" >/dev/null
    echo "PKI in $work/pki"

    echo "==> Building the mps2-an386 firmware, network path $net (CMake + cargo; the first build takes a few minutes)"
    demo_board_build "$root" "$work/cmake-build" "$work/pki" -DFREERTOS_DEMO_BOARD_NET="$net"
    fw=$work/cmake-build/boards/mps2-an386/freertos_tls_board_demo.elf
    [ "$net" = uart ] || fw=$work/cmake-build/boards/mps2-an386/freertos_tls_board_lwip.elf
    arm-none-eabi-size "$fw"

    echo "==> Starting Mosquitto"
    port=$(demo_free_port)
    demo_start_broker "$work/broker" "$port" "$work/pki/client-ca.pem" \
        "$work/pki/broker-chain.pem" "$work/pki/broker.key"

    if [ "$net" = uart ]; then
        echo "==> Running the firmware under QEMU (UART0 <-> 127.0.0.1:$port)"
        demo_board_run "$fw" "tcp:127.0.0.1:$port" "$work/demo.log" 120 \
            "port=$port utc=$(date +%s) messages=${DEMO_MESSAGES:-3} recv-wait=${DEMO_RECV_WAIT_MS:-50}" || rc=$?
    else
        echo "==> Running the firmware under QEMU (LAN9118, lwIP; 10.0.2.100:8883 -> 127.0.0.1:$port, nothing else reachable)"
        rm -rf "$work/proxy"
        mkdir -p "$work/proxy"
        net_args="user,model=lan9118,restrict=on,guestfwd=tcp:10.0.2.100:8883-cmd:python3 $root/scripts/lwip-guestfwd-proxy.py --port $port --state $work/proxy"
        demo_board_run "$fw" null "$work/demo.log" 120 \
            "port=$port utc=$(date +%s) messages=${DEMO_MESSAGES:-3} recv-wait=${DEMO_RECV_WAIT_MS:-50}" \
            -nic "$net_args" || rc=$?
    fi
    demo_stop_broker "$work/broker"

    demo_summary "$work" "$rc" "$started" "mps2-an386, network path $net" \
        '^\[demo\] SUMMARY|^\[tls\] handshake:|^\[board\] (HANDSHAKE |NO-STARVE|heap|HEAP-LWIP|TLS task)|^\[lwip\] LWIP-MEM'
}

case "$board" in
    posix) ;;
    mps2-an386) run_board_demo ;;
    *) echo "ERROR: unknown board '$board' (posix or mps2-an386)" >&2; exit 2 ;;
esac

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

demo_summary "$work" "$rc" "$started" "" '^\[demo\] (FreeRTOS heap|SUMMARY)'
