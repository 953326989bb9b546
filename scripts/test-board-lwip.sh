#!/usr/bin/env bash
# CI test of the emulated board's network path over lwIP (QEMU mps2-an386,
# LAN9118 Ethernet, lwIP 2.2.1 sockets), against real peers on 127.0.0.1:
#   1. builds the firmware with FREERTOS_DEMO_BOARD_NET=lwip
#      (freertos_tls_board_lwip.elf: the same demo sources as the UART
#      build and the POSIX simulator);
#   2. the demo against Mosquitto (require_certificate true) through QEMU's
#      locked-down user network (restrict=on; one guestfwd address,
#      10.0.2.100:8883, whose command, scripts/lwip-guestfwd-proxy.py,
#      connects to the broker): two connections of 3 QoS 1 messages each,
#      every message back, the second connection resuming the TLS session;
#      both in TLS 1.3 (the broker takes 1.2 and 1.3; the proxy reads the
#      version from the broker's ServerHello); and a direct connection to
#      the host (10.0.2.2:PORT) must fail;
#   2b. the same against a second broker configured for TLS 1.3 only
#      (tls_version tlsv1.3, require_certificate true; a TLS 1.2 client is
#      refused there, checked with openssl s_client): full handshake,
#      then resumption from a TLS 1.3 ticket;
#   3. the same with non-blocking receives (MSG_DONTWAIT): the transport
#      must have returned 0 ("nothing now") and a lower-priority task must
#      have run during the handshake;
#   4. faults: the broker side drops the first connection after SUBACK
#      (TLS_Recv must fail with TLS_ERROR_TRANSPORT, -2009), or stalls it
#      (TLS_Recv returns 0 until the firmware's deadline); either way the
#      FreeRTOS heap must come back to its starting figure and the
#      firmware must reconnect, resuming the session.
# Installs missing Debian packages first (needs root or sudo).
# Environment: TEST_BOARD_LWIP_WORK_DIR (default build/test-board-lwip);
# TEST_BOARD_LWIP_CARGO_TARGET_DIR (default: the one scripts/test-board.sh
# and scripts/test-cross.sh share, build/test-cross/cargo, so that
# the library is not compiled again).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/demo-helpers.sh"
source "$root/scripts/lib/test-helpers.sh"
board_test_prerequisites

work=${TEST_BOARD_LWIP_WORK_DIR:-$root/build/test-board-lwip}
rm -rf "$work"
mkdir -p "$work"
trap 'demo_stop_broker "$work/broker"; demo_stop_broker "$work/broker-tls13"' EXIT
trap 'exit 130' INT TERM

build=$work/firmware-build
board_test_build "$root" "$work" "Build of the mps2-an386 firmware over lwIP" -DFREERTOS_DEMO_BOARD_NET=lwip \
    -DFREERTOS_TLS_CARGO_TARGET_DIR="${TEST_BOARD_LWIP_CARGO_TARGET_DIR:-$root/build/test-cross/cargo}"
fw=$build/boards/mps2-an386/freertos_tls_board_lwip.elf
arm-none-eabi-size "$fw"

port=$(demo_free_port)
demo_start_broker "$work/broker" "$port" "$work/pki/client-ca.pem" "$work/pki/broker-chain.pem" "$work/pki/broker.key"

# lwip_run NAME FAULT TIMEOUT "WORDS" [BROKER_PORT]: the firmware with its
# LAN9118 on QEMU's user network, restricted to the one forwarded address;
# the proxy (to the broker on BROKER_PORT, default $port) breaks the first
# connection as FAULT says (none, drop, stall). Log in $work/NAME.log,
# proxy log in $work/NAME-proxy/proxy.log.
lwip_run() {
    local name=$1 fault=$2 limit=$3 words=$4 broker_port=${5:-$port}
    mkdir -p "$work/$name-proxy"
    demo_board_run "$fw" null "$work/$name.log" "$limit" "$words" \
        -nic "user,model=lan9118,restrict=on,guestfwd=tcp:10.0.2.100:8883-cmd:python3 $root/scripts/lwip-guestfwd-proxy.py --port $broker_port --state $work/$name-proxy --fault $fault"
}

# check_tls13 NAME: both connections of run NAME were TLS 1.3, as the
# proxy read the broker's ServerHello and as the firmware says
# (TLS_GetProtocolVersion, "[tls] version:" lines).
check_tls13() {
    local name=$1 seen said
    seen=$(grep -c 'server hello: TLS 1.3$' "$work/$name-proxy/proxy.log" || true)
    said=$(grep -c '^\[tls\] version: TLS 1.3$' "$work/$name.log" || true)
    if [ "$seen" = 2 ] && [ "$said" = 2 ]; then
        pass "$name: both connections in TLS 1.3 (the broker's ServerHello read by the proxy; the firmware's TLS_GetProtocolVersion)"
    else
        fail "$name: expected 2 TLS 1.3 connections: proxy: $(grep 'server hello' "$work/$name-proxy/proxy.log" | tr '\n' ' '); firmware: $(grep '^\[tls\] version:' "$work/$name.log" | tr '\n' ' ')"
    fi
}

# demo_check NAME LOG RC: exit 0, 2 x 3 messages published and received
# back, the second handshake resumed, the board's checks passed.
demo_check() {
    local name=$1 log=$2 rc=$3 problem
    problem=$(board_demo_problem "$log" "$rc" 6)
    if [ -n "$problem" ]; then
        fail "$name: $problem"
    elif [ "$(grep '^\[tls\] handshake: ' "$log" | tr '\n' '|')" != "[tls] handshake: full|[tls] handshake: resumed session|" ]; then
        fail "$name: expected a full handshake, then a resumed one: $(grep '^\[tls\] handshake: ' "$log" | tr '\n' ' ')"
    else
        pass "$name"
    fi
}

step "Demo over lwIP: mutual TLS to Mosquitto through QEMU user networking (restrict=on), publish and receive, reconnect with session resumption"
rc=0
lwip_run demo none 60 "port=$port utc=$(date +%s) probe=$port" || rc=$?
demo_check "lwIP demo" "$work/demo.log" "$rc"
# Before the demo the firmware tried the broker's port on the host itself
# (10.0.2.2, QEMU's gateway): restrict=on must not let it through.
if grep -q "^\[board\] RESTRICT probe of 10.0.2.2:$port (the host): blocked" "$work/demo.log"; then
    pass "restricted network: the firmware could not reach the host's broker port except through the forwarded address"
else
    fail "restricted network: $(grep '^\[board\] RESTRICT' "$work/demo.log" || echo 'no probe result')"
fi
check_broker_identity "$work/broker"
if [ "$(ls "$work/demo-proxy" | grep -c '^conn-')" = 2 ]; then
    pass "the broker saw exactly the firmware's 2 connections through the one forwarded address"
else
    fail "expected 2 forwarded connections: $(ls "$work/demo-proxy")"
fi
check_tls13 demo

step "Demo over lwIP against a broker configured for TLS 1.3 only (tls_version tlsv1.3, require_certificate true)"
port13=$(demo_free_port)
demo_start_broker "$work/broker-tls13" "$port13" "$work/pki/client-ca.pem" "$work/pki/broker-chain.pem" \
    "$work/pki/broker.key" true tlsv1.3
# The broker must refuse TLS 1.2 for its version (a protocol_version
# alert, not the missing client certificate), or this run proves nothing.
openssl s_client -connect "127.0.0.1:$port13" -tls1_2 </dev/null >"$work/tls13-only-tls12-probe.log" 2>&1 || true
if grep -q 'alert protocol version' "$work/tls13-only-tls12-probe.log"; then
    pass "the TLS 1.3-only broker refuses TLS 1.2 (openssl s_client -tls1_2: protocol_version alert)"
else
    fail "the TLS 1.3-only broker did not refuse TLS 1.2 for its version: $(head -3 "$work/tls13-only-tls12-probe.log")"
fi
rc=0
lwip_run tls13-only none 60 "port=$port13 utc=$(date +%s)" "$port13" || rc=$?
demo_check "lwIP demo, TLS 1.3-only broker" "$work/tls13-only.log" "$rc"
check_tls13 tls13-only
check_broker_identity "$work/broker-tls13"
demo_stop_broker "$work/broker-tls13"

step "Demo over lwIP, non-blocking receives (MSG_DONTWAIT): 0 = nothing now; no starvation"
rc=0
lwip_run nonblocking none 60 "port=$port utc=$(date +%s) recv-wait=0" || rc=$?
demo_check "lwIP demo, non-blocking" "$work/nonblocking.log" "$rc"
line=$(grep '^\[board\] HANDSHAKE ' "$work/nonblocking.log" || true)
if [ "$(field empty_reads "$line")" != "" ] && [ "$(field empty_reads "$line")" != 0 ]; then
    pass "non-blocking: the socket returned 0 $(field empty_reads "$line") times during the handshake, low-priority task ran $(field low_priority_loops "$line") loops"
else
    fail "non-blocking: the transport never returned 0 during the handshake: $line"
fi

# fault_case FAULT EXPECT PROXY_LINE PASS_TEXT FAIL_TEXT: the firmware with
# fault=FAULT while the proxy breaks its first connection that way. Its
# summary line must pass and match EXPECT (a regular expression), and the
# proxy's log must say PROXY_LINE (a grep pattern); the last check's texts.
fault_case() {
    local fault=$1 expect=$2 proxy_line=$3 pass_text=$4 fail_text=$5 rc=0 line
    lwip_run "$fault" "$fault" 60 "port=$port utc=$(date +%s) fault=$fault" || rc=$?
    line=$(grep '^\[fault\] SUMMARY ' "$work/$fault.log" || true)
    if [ "$rc" = 0 ] && grep -q 'result=PASS' <<<"$line" && grep -Eq "$expect" <<<"$line"; then
        pass "$fault: $(sed 's/^\[fault\] SUMMARY //' <<<"$line")"
    else
        fail "$fault (exit $rc): ${line:-no summary}"
    fi
    if grep -q "$proxy_line" "$work/$fault-proxy/proxy.log"; then
        pass "$fault: $pass_text"
    else
        fail "$fault: $fail_text: $(cat "$work/$fault-proxy/proxy.log")"
    fi
}

step "Fault: the broker side drops the TCP connection mid-session"
fault_case drop 'fault=drop mqtt=MQTT(Recv|Send)Failed tls_code=-2009 .*reconnect_resumed=1 reconnect_published=1' \
    'drop: .* not forwarded, connection closed' "the proxy closed the first connection mid-session" \
    "the proxy never dropped the connection"

step "Fault: the broker side stalls mid-session"
fault_case stall 'fault=stall mqtt=deadline tls_code=0 empty_reads=[1-9][0-9]* reconnect_resumed=1 reconnect_published=1' \
    'guest closed during the stall' "the firmware gave up on the stalled connection and closed it" \
    "the firmware did not close the stalled connection"

finish_checks test-board-lwip
