# shellcheck shell=bash
# Shared by scripts/demo.sh and scripts/test-demo.sh (source it, after
# scripts/lib/deps.sh, which lists the packages): a local Mosquitto broker,
# building and running the demo.

demo_require_cargo() {
    if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    command -v cargo >/dev/null 2>&1 || {
        echo "ERROR: cargo not found: install Rust (https://rustup.rs) first" >&2
        return 1
    }
}

# A TCP port on 127.0.0.1 that is free right now.
demo_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# demo_start_broker WORKDIR PORT CAFILE CERTFILE KEYFILE [REQUIRE_CERT] [TLS_VERSION]
# Starts Mosquitto on 127.0.0.1:PORT with TLS and (unless REQUIRE_CERT is
# "false", for server-auth-only checks) require_certificate true, waits
# until it accepts connections, records its pid in WORKDIR. TLS_VERSION is
# Mosquitto's tls_version: tlsv1.2 (the default) is a minimum in Mosquitto
# 2.0, which then accepts TLS 1.2 and 1.3; tlsv1.3 refuses 1.2.
demo_start_broker() {
    local work=$1 port=$2 cafile=$3 certfile=$4 keyfile=$5 require=${6:-true} tls_version=${7:-tlsv1.2}
    local anonymous=false
    [ "$require" = true ] || anonymous=true
    mkdir -p "$work"
    cat > "$work/mosquitto.conf" <<CONF
per_listener_settings false
# Stay the invoking user (Mosquitto started as root would switch to the
# "mosquitto" user, which cannot read the demo's key in WORKDIR).
user $(id -un)
persistence false
log_dest file $work/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
allow_anonymous $anonymous
# Only this listener: per-listener options written above a "listener" line
# would create Mosquitto's default listener on port 1883.
listener $port 127.0.0.1
# The device certificate is the credential: its CN becomes the user name.
use_identity_as_username true
cafile $cafile
certfile $certfile
keyfile $keyfile
require_certificate $require
tls_version $tls_version
CONF
    : > "$work/mosquitto.log"
    mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.out" 2>&1 &
    echo $! > "$work/mosquitto.pid"
    for _ in $(seq 1 50); do
        if ! kill -0 "$(cat "$work/mosquitto.pid")" 2>/dev/null; then
            echo "ERROR: mosquitto exited at start:" >&2
            cat "$work/mosquitto.out" "$work/mosquitto.log" >&2
            return 1
        fi
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2).close()" 2>/dev/null; then
            echo "mosquitto (pid $(cat "$work/mosquitto.pid")) listening on 127.0.0.1:$port"
            return 0
        fi
        sleep 0.1
    done
    echo "ERROR: mosquitto did not listen on 127.0.0.1:$port within 5 s" >&2
    demo_stop_broker "$work"
    return 1
}

# demo_stop_broker WORKDIR: stops the broker started there, if any.
demo_stop_broker() {
    local work=$1 pid
    [ -f "$work/mosquitto.pid" ] || return 0
    pid=$(cat "$work/mosquitto.pid")
    rm -f "$work/mosquitto.pid"
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

# demo_build SRC_ROOT BUILD_DIR [cmake args...]: configure and build the demo.
demo_build() {
    local root=$1 build=$2
    shift 2
    timeout 300 cmake -S "$root/freertos-demo" -B "$build" "$@" >"$build.configure.log" 2>&1 || {
        cat "$build.configure.log" >&2
        echo "ERROR: configuring the demo failed (log above)" >&2
        return 1
    }
    timeout 900 cmake --build "$build" -j "$(nproc)" >"$build.build.log" 2>&1 || {
        tail -50 "$build.build.log" >&2
        echo "ERROR: building the demo failed (log: $build.build.log)" >&2
        return 1
    }
}

# demo_run BUILD_DIR PKI_DIR PORT LOG [ROOT_CA]: runs the demo against
# 127.0.0.1:PORT with the token in PKI_DIR, output to stdout and LOG.
# Returns the demo's exit status.
demo_run() {
    local build=$1 pki=$2 port=$3 log=$4 ca=${5:-$2/root-ca.pem}
    local rc=0
    SOFTHSM2_CONF="$pki/softhsm2.conf" DEMO_BROKER_PORT="$port" DEMO_ROOT_CA="$ca" \
        timeout 120 "$build/freertos_tls_demo" > "$log" 2>&1 || rc=$?
    cat "$log"
    if [ "$rc" = 124 ]; then
        echo "ERROR: the demo did not finish within 120 s" >&2
    fi
    return "$rc"
}

# ------------------------------------------------------------ emulated board
# The QEMU mps2-an386 board (Cortex-M4F): CORTEX_M_PACKAGES of
# scripts/lib/deps.sh; the Rust side (a rustc that can build
# thumbv7em-none-eabihf) comes from ensure_cross_rust there.

# demo_board_build SRC_ROOT BUILD_DIR PKI_DIR [cmake args...]: configure and
# build the board firmware (freertos_tls_board_demo*.elf) with the demo PKI
# of PKI_DIR compiled in.
demo_board_build() {
    local root=$1 build=$2 pki=$3
    shift 3
    mkdir -p "$build"
    demo_build "$root" "$build" -DFREERTOS_DEMO_BOARD=mps2-an386 \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake" \
        -DFREERTOS_DEMO_BOARD_PKI_DIR="$pki" -DCMAKE_BUILD_TYPE=Release "$@"
}

# demo_board_run ELF UART0 LOG TIMEOUT_S "WORDS" [qemu args...]: runs the
# firmware under QEMU with UART0 on the chardev UART0 (e.g.
# tcp:127.0.0.1:PORT), the console (UART1) in LOG, WORDS as the firmware's
# command line, for at most TIMEOUT_S seconds. Prints the log; returns the
# firmware's exit status (semihosting), 124 on timeout.
demo_board_run() {
    local elf=$1 uart0=$2 log=$3 limit=$4 words=$5
    shift 5
    local rc=0
    : > "$log"
    timeout "$limit" qemu-system-arm -M mps2-an386 -display none -monitor none \
        -serial "$uart0" -serial "file:$log" \
        -semihosting-config enable=on,target=native \
        -kernel "$elf" -append "$words" "$@" > "$log.qemu" 2>&1 || rc=$?
    cat "$log"
    if [ -s "$log.qemu" ]; then
        sed 's/^/[qemu] /' "$log.qemu"
    fi
    if [ "$rc" = 124 ]; then
        echo "ERROR: the firmware did not finish within $limit s" >&2
    fi
    return "$rc"
}
