#!/usr/bin/env bash
# TLS 1.3 against TLS 1.2 on the host (issue 21, "Targets"; items 4 and 5),
# ours only (iot_tls.h), server authentication, P-256 ECDSA server
# certificate. See benches/README.md, "TLS 1.3 (host)". Writes
# benches/results/tls13.md (also printed); raw lines go to
# build/bench-tls13/raw/ (not committed).
#
# The TLS version and the key-exchange group are pinned on the server
# (benches/peer/tls13_peer.py: Python's ssl; OpenSSL s_server; Mosquitto),
# so the client keeps the library's defaults and needs no new C API.
#
#  1. Round trips: every connection goes through benches/peer/rtt_proxy.py,
#     which reads the record headers and counts the server flights before
#     the client's first application record; the client logs what each
#     transport send carried. Full and resumed, TLS 1.2 and 1.3, once with
#     no added delay and once with BENCH_TLS13_DELAY_MS (default 50) each
#     way (wall time connect -> first echo).
#  2. Peak heap and CPU of a full handshake, TLS 1.3 vs TLS 1.2, paired.
#  3. Key share: ours against a server with P-256 only and one with X25519
#     only (the client's key share is P-256: X25519 costs a
#     HelloRetryRequest); raw mbedTLS (same archive) TLS 1.3 offering
#     P-256 first vs X25519 first against a server that takes either.
#  4. RAM per open connection, per record-buffer profile, 1.2 and 1.3.
#  5. Record sizes: each profile (16 KiB, 4 KiB, 2 KiB, and 4 KiB with
#     MBEDTLS_SSL_RECORD_SIZE_LIMIT) against Python ssl, s_server and
#     Mosquitto asking for 32 KiB; the proxy reports the largest record
#     the server sent.
#
# Knobs: BENCH_TLS13_ROUNDS (round-trip rounds without delay, default 50),
# BENCH_TLS13_DELAY_ROUNDS (default 20), BENCH_TLS13_DELAY_MS (default 50),
# BENCH_TLS13_HANDSHAKES (pairs, default 500), BENCH_TLS13_PROFILES
# (default "16384x2048 4096 2048 4096-rsl": N, N-rsl with
# MBEDTLS_SSL_RECORD_SIZE_LIMIT, INxOUT; each is a release build of its own, kept
# in build/bench-profile-<name> as scripts/bench.sh keeps its profiles).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/demo-helpers.sh"
source "$root/scripts/lib/bench-helpers.sh"
ensure_packages "${DEMO_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
demo_require_cargo

rounds=${BENCH_TLS13_ROUNDS:-50}
drounds=${BENCH_TLS13_DELAY_ROUNDS:-20}
delay=${BENCH_TLS13_DELAY_MS:-50}
pairs=${BENCH_TLS13_HANDSHAKES:-500}
profiles=${BENCH_TLS13_PROFILES:-16384x2048 4096 2048 4096-rsl}

bench_start "$root/build/bench-tls13" pki www
mbedtls_tree=$FREERTOS_TLS_MBEDTLS_DIR
mbedtls_config=$root/mbedtls-sys/config/${FREERTOS_TLS_MBEDTLS_CONFIG:-client}.h
bench_sources=("$root/benches/c/bench_client.c" "$root/benches/common/raw_client_config.c")
wrap=-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=posix_memalign,--wrap=aligned_alloc

# build_client NAME CFLAGS...: the library (release, this profile's C
# flags) and the PKCS#11-stub driver against it, as $work/client-NAME.
build_client() {
    local name=$1 target json lib
    shift
    if [ "$name" = 16384 ]; then
        target=${CARGO_TARGET_DIR:-$root/target}
    else
        target=$root/build/bench-profile-$name
    fi
    step "cargo build --release --lib (profile $name${*:+: $*})"
    # No CFLAGS at all for the default profile (as scripts/bench.sh builds
    # it: an empty CFLAGS would count as a change and rebuild mbedTLS).
    if [ $# = 0 ]; then
        json=$(cd "$root" && env -u CFLAGS CARGO_TARGET_DIR="$target" cargo build --release --lib --message-format=json)
    else
        json=$(cd "$root" && CARGO_TARGET_DIR=$target CFLAGS="$*" cargo build --release --lib --message-format=json)
    fi
    lib=$(python3 "$root/scripts/cargo-messages.py" staticlib freertos_tls <<<"$json")
    [ -f "$lib" ] || { echo "ERROR: no library for profile $name" >&2; exit 1; }
    # The headers exactly as this profile's mbedTLS was compiled.
    # shellcheck disable=SC2068
    cc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$root/include" -I"$root/tests/c/host_freertos" \
        -I"$root/benches/common" "-I$mbedtls_tree/include" "-I$(dirname "$mbedtls_config")" \
        "-DMBEDTLS_CONFIG_FILE=\"$mbedtls_config\"" $@ -DBENCH_PKCS11_STUB "${bench_sources[@]}" "$lib" \
        "$wrap" -lpthread -ldl -lm -lrt -lutil -o "$work/client-$name"
}
# Profile names: N (N-byte input and output buffers), N-rsl (the same
# plus MBEDTLS_SSL_RECORD_SIZE_LIMIT), INxOUT (different sizes).
profile_flags() {
    local n=${1%-rsl} in out
    in=${n%x*}
    out=${n#*x}
    printf -- '-DMBEDTLS_SSL_IN_CONTENT_LEN=%s -DMBEDTLS_SSL_OUT_CONTENT_LEN=%s' "$in" "$out"
    [ "$1" = "$n" ] || printf -- ' -DMBEDTLS_SSL_RECORD_SIZE_LIMIT'
}
build_client 16384
for prof in $profiles; do
    # shellcheck disable=SC2046
    build_client "$prof" $(profile_flags "$prof")
done
client=$work/client-16384

step "PKI: P-256 CA and server certificate for localhost"
pki=$work/pki
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" \
    -days 30 -subj "/CN=bench tls13 CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/srv.key" -out "$pki/srv.csr" \
    -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$pki/ext.cnf"
openssl x509 -req -in "$pki/srv.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
    -extfile "$pki/ext.cnf" -out "$pki/srv.pem" 2>/dev/null
ca=$pki/ca.pem

# start NAME CMD...: a background process printing "PORT <n>"; sets
# port[NAME].
declare -A port
start() {
    local name=$1
    shift
    "$@" >"$work/$name.out" 2>&1 &
    bench_peers+=($!)
    for _ in $(seq 200); do grep -q '^PORT ' "$work/$name.out" && break; sleep 0.1; done
    port[$name]=$(sed -n 's/^PORT //p' "$work/$name.out")
    [ -n "${port[$name]}" ] || { echo "ERROR: $name did not start" >&2; cat "$work/$name.out" >&2; exit 1; }
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
peer=(python3 "$root/benches/peer/tls13_peer.py" --cert "$pki/srv.pem" --key "$pki/srv.key")
proxy=(python3 "$root/benches/peer/rtt_proxy.py")

# ECDHE on P-256 for both versions (left alone, OpenSSL picks X25519 in
# TLS 1.2 by server preference but takes the client's P-256 key share in
# TLS 1.3: the comparison would be of two groups).
start py12 "${peer[@]}" --version 1.2 --group P-256
start py13 "${peer[@]}" --version 1.3 --group P-256
start p256 "${peer[@]}" --version 1.3 --group P-256
start x25519 "${peer[@]}" --version 1.3 --group X25519
start any13 "${peer[@]}" --version 1.3
start both "${peer[@]}" --version both
for s in py12 py13 p256 x25519 any13 both; do start "px-$s" "${proxy[@]}" --upstream "${port[$s]}"; done
for s in py12 py13; do start "dx-$s" "${proxy[@]}" --upstream "${port[$s]}" --delay-ms "$delay"; done

step "Round trips: $rounds rounds, full + resumed, TLS 1.2 and 1.3 (order flipped every round)"
order() { if (($1 % 2)); then echo "$3 $2"; else echo "$2 $3"; fi; }
for ((r = 0; r < rounds; r++)); do
    for v in $(order "$r" 12 13); do "$client" rtt "${port[px-py$v]}" "$ca" 1 "tls$v" >>"$raw/rtt.txt"; done
done
step "Connect to first echo with $delay ms each way: $drounds rounds"
for ((r = 0; r < drounds; r++)); do
    for v in $(order "$r" 12 13); do "$client" rtt "${port[dx-py$v]}" "$ca" 1 "tls$v-d$delay" >>"$raw/rtt.txt"; done
done

step "Handshake heap and CPU: $pairs pairs, TLS 1.3 vs TLS 1.2"
"$client" handshake2 "${port[py12]}" "${port[py13]}" "$ca" "$pairs" tls12 tls13 >>"$raw/handshake.txt"

step "Key share: ours vs P-256-only and X25519-only servers; raw mbedTLS P-256 first vs X25519 first"
"$client" handshake2 "${port[px-p256]}" "${port[px-x25519]}" "$ca" "$pairs" ours-P-256 ours-X25519 \
    >>"$raw/groups.txt"
"$client" groups13 "${port[px-any13]}" "$ca" "$pairs" >>"$raw/groups.txt"
sleep 1
for s in p256 x25519 any13 py13 py12; do sed -n "s/^PX /PX $s /p" "$work/px-$s.out" >>"$raw/proxy.txt"; done
for s in py12 py13; do sed -n "s/^PX /PX d$s /p" "$work/dx-$s.out" >>"$raw/proxy.txt"; done

step "RAM per open connection: 16384 ${profiles}"
for prof in 16384 $profiles; do
    "$work/client-$prof" ram-ours "${port[py12]}" "$ca" 4 "$prof-tls12" >>"$raw/ram.txt"
    # A build whose input buffer is under 16 KiB offers TLS 1.2 only:
    # against a 1.3-only server the handshake fails (the probes below say
    # how).
    if [ "${prof%%x*}" = 16384 ]; then
        "$work/client-$prof" ram-ours "${port[py13]}" "$ca" 4 "$prof-tls13" >>"$raw/ram.txt"
    fi
done

step "Record sizes: Python ssl, OpenSSL s_server, Mosquitto asking for 32 KiB"
head -c 32768 /dev/zero >"$work/www/big.bin"
printf 'GET /big.bin HTTP/1.0\r\n\r\n' >"$work/req-http"
printf 'D\0\0\0\0\0\0\x80\0' >"$work/req-d32k"
# MQTT 3.1.1 CONNECT (client id "probe", clean session) + SUBSCRIBE
# "bench" QoS 0; the retained 32 KiB message comes back.
printf '\x10\x11\0\x04MQTT\x04\x02\0\x3c\0\x05probe\x82\x0a\0\x01\0\x05bench\0' >"$work/req-mqtt"
ss_port=$(free_port)
(cd "$work/www" && exec openssl s_server -accept "$ss_port" -cert "$pki/srv.pem" -key "$pki/srv.key" -tls1_3 \
    -WWW -quiet >"$work/s_server.log" 2>&1) &
bench_peers+=($!)
mq_port=$(free_port)
cat >"$work/mosquitto.conf" <<EOF
listener $mq_port 127.0.0.1
cafile $ca
certfile $pki/srv.pem
keyfile $pki/srv.key
tls_version tlsv1.3
allow_anonymous true
persistence false
EOF
# Run as root, Mosquitto would drop to the "mosquitto" user, which cannot
# read this key.
[ "$(id -u)" != 0 ] || echo "user root" >>"$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
bench_peers+=($!)
sleep 1
mosquitto_pub -h localhost -p "$mq_port" --cafile "$ca" --tls-version tlsv1.3 -t bench -r -f "$work/www/big.bin"
start px-ss "${proxy[@]}" --upstream "$ss_port"
start px-mq "${proxy[@]}" --upstream "$mq_port"
# probe PROFILE IMPL SERVER: one connection through SERVER's proxy; the
# PROBE line and the proxy's PX line for it, on one line.
probe() {
    local prof=$1 impl=$2 srv=$3 req n before
    case $srv in px-ss) req=$work/req-http ;; px-mq) req=$work/req-mqtt ;; *) req=$work/req-d32k ;; esac
    before=$(grep -c '^PX' "$work/$srv.out" || true)
    line=$(timeout 30 "$work/client-$prof" probe "$impl" "${port[$srv]}" "$ca" "$req" 32768 x || echo "PROBE $impl timeout")
    for n in $(seq 50); do [ "$(grep -c '^PX' "$work/$srv.out" || true)" -gt "$before" ] && break; sleep 0.1; done
    echo "$line $prof ${srv#px-} | $(grep '^PX' "$work/$srv.out" | tail -1)" >>"$raw/probe.txt"
}
for prof in 16384 $profiles; do
    for srv in px-py12 px-both px-py13 px-ss px-mq; do
        for impl in ours raw12-13 raw13; do
            [ "$srv" = px-py12 ] && [ "$impl" != ours ] && continue
            probe "$prof" "$impl" "$srv"
        done
    done
done

# Whether the servers honour max_fragment_length in TLS 1.3 at all, seen
# with a client that accepts their answer: OpenSSL's s_client, TLS 1.3
# only, with and without -maxfraglen 4096 (the largest record comes from
# the proxy).
for srv in px-py13 px-ss px-mq; do
    case $srv in px-ss) req=$work/req-http ;; px-mq) req=$work/req-mqtt ;; *) req=$work/req-d32k ;; esac
    for mfl in 0 4096 2048; do
        before=$(grep -c '^PX' "$work/$srv.out" || true)
        opt=()
        [ "$mfl" = 0 ] || opt=(-maxfraglen "$mfl")
        got=$( (cat "$req"; sleep 2) | timeout 10 openssl s_client -connect "127.0.0.1:${port[$srv]}" -tls1_3 \
            -servername localhost -CAfile "$ca" -quiet "${opt[@]}" 2>/dev/null | wc -c || true)
        for _ in $(seq 50); do [ "$(grep -c '^PX' "$work/$srv.out" || true)" -gt "$before" ] && break; sleep 0.1; done
        echo "SCLIENT $mfl $got ${srv#px-} | $(grep '^PX' "$work/$srv.out" | tail -1)" >>"$raw/probe.txt"
    done
done

step "Machine"
{
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "cores=$(nproc)"
    echo "kernel=$(uname -sr)"
    echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "peer=$(python3 -c 'import ssl, sys; print("Python", sys.version.split()[0], ssl.OPENSSL_VERSION)')"
    echo "openssl=$(openssl version)"
    echo "mosquitto=$(mosquitto -h 2>&1 | sed -n '1s/^mosquitto version //p') ($(ldd "$(command -v mosquitto)" | sed -n 's/.*\(libssl[^ ]*\).*/\1/p' | head -1))"
    echo "mbedtls=$(sed -n 's/^#define MBEDTLS_VERSION_STRING[[:space:]]*"\(.*\)"/\1/p' "$mbedtls_tree/include/mbedtls/build_info.h")"
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    dirty=$(cd "$root" && git status --porcelain -- src ports mbedtls-sys Cargo.toml Cargo.lock build.rs | wc -l)
    echo "commit=$(cd "$root" && git rev-parse --short HEAD)$([ "$dirty" = 0 ] || echo " + uncommitted changes in $dirty library files")"
    echo "delay_ms=$delay"
    echo "mbedtls_tree=$mbedtls_tree"
    echo "profiles=16384 $profiles"
} >"$raw/machine.txt"

step "Report"
python3 "$root/benches/report_tls13.py" "$raw" "$results/tls13.md"
cat "$results/tls13.md"
