#!/usr/bin/env bash
# Benchmarks of freertos-tls against raw mbedTLS (see benches/README.md):
# handshake latency, bulk throughput, heap per connection, entropy speed and
# code size, measured in one run with ours and the baseline alternating
# against the same local peer. Writes benches/results/report.md (also
# printed) and benches/results/handshake.svg. Raw samples go to
# build/bench/raw/ (not committed).
#
# Knobs (environment): BENCH_HANDSHAKES (per implementation and key type,
# default 1000), BENCH_BULK_MIB (per direction and run, default 64),
# BENCH_BULK_RUNS (default 21), BENCH_ENTROPY_RUNS (default 5), BENCH_FREERTOS
# (default 1; 0 skips the FreeRTOS demo build and its heap/size figures),
# BENCH_RECONNECTS (rounds of full + resumed, Nagle and TCP_NODELAY,
# default 100), BENCH_PROFILES (record buffer profiles for the RAM rows,
# default "16384 4096 2048"; each other than 16384 costs a release build).
# BENCH_ONLY=entropy: build, run only the entropy step (BENCH_ENTROPY_RUNS
# rounds) and print its table; benches/results is left alone.
# --build-only: build the library and the C drivers, then stop (no peers,
# no measurements).
# Installs missing Debian packages first (needs root or sudo).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/demo-helpers.sh"
source "$root/scripts/lib/bench-helpers.sh"
bench_build_only_option "$@"
ensure_packages "${DEMO_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
demo_require_cargo

handshakes=${BENCH_HANDSHAKES:-1000}
bulk_bytes=$(( ${BENCH_BULK_MIB:-64} * 1024 * 1024 ))
bulk_runs=${BENCH_BULK_RUNS:-21}
entropy_runs=${BENCH_ENTROPY_RUNS:-5}
reconnects=${BENCH_RECONNECTS:-100}
profiles=${BENCH_PROFILES:-16384 4096 2048}
only=${BENCH_ONLY:-}
case $only in "" | entropy) ;; *) echo "BENCH_ONLY must be empty or entropy" >&2; exit 2 ;; esac
rounds=10 # handshakes are split into this many batches per build
[ $((handshakes % rounds)) -eq 0 ] || { echo "BENCH_HANDSHAKES must be a multiple of $rounds" >&2; exit 2; }

bench_start "$root/build/bench" pki hsm
mbedtls_tree=$FREERTOS_TLS_MBEDTLS_DIR

step "cargo build --release --lib (opt-level s, LTO)"
json=$(cd "$root" && cargo build --release --lib --message-format=json)
lib=$(python3 "$root/scripts/cargo-messages.py" staticlib freertos_tls <<<"$json")
[ -f "$lib" ] || { echo "ERROR: no library from cargo" >&2; exit 1; }
# The raw baseline is the same mbedTLS objects (bundled in $lib), compiled
# from the same tree with the same profile.
mbedtls_config=$root/mbedtls-sys/config/${FREERTOS_TLS_MBEDTLS_CONFIG:-client}.h
mbedtls_include=("-I$mbedtls_tree/include" "-I$(dirname "$mbedtls_config")" "-DMBEDTLS_CONFIG_FILE=\"$mbedtls_config\"")

step "C drivers (cc, against $lib)"
# The same include dirs and MBEDTLS_CONFIG_FILE as CMakeLists.txt exports.
cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -I"$root/include" -I"$root/tests/c/host_freertos"
        -I"$root/benches/common" "${mbedtls_include[@]}")
# The driver and the raw mbedTLS client's configuration (shared with the
# firmware benchmark).
bench_sources=("$root/benches/c/bench_client.c" "$root/benches/common/raw_client_config.c")
wrap=-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=posix_memalign,--wrap=aligned_alloc
syslibs=(-lpthread -ldl -lm -lrt -lutil)
softhsm=$PKCS11_MODULE
# As shipped on a host: the PKCS#11 module linked is SoftHSM2.
cc "${cflags[@]}" "${bench_sources[@]}" "$lib" "$softhsm" -Wl,-rpath,"$(dirname "$softhsm")" "$wrap" \
    -Wl,--gc-sections -Wl,-Map="$work/bench_client.map" "${syslibs[@]}" -o "$work/bench_client"
# Same, with a stub module whose C_GetFunctionList fails at once.
cc "${cflags[@]}" -DBENCH_PKCS11_STUB "${bench_sources[@]}" "$lib" "$wrap" "${syslibs[@]}" \
    -o "$work/bench_client_stub"
cp "$work/bench_client.map" "$raw/"
if [ "$build_only" = 1 ]; then
    echo "bench: built $work/bench_client and $work/bench_client_stub (--build-only: nothing measured)" >&2
    exit 0
fi

# Rotate the order each round so that neither side always runs first.
order() {
    local r=$1
    shift
    local items=("$@") n=$# i
    for ((i = 0; i < n; i++)); do printf '%s\n' "${items[$(((i + r) % n))]}"; done
}

entropy_step() {
    step "Entropy: mbedtls_hardware_poll (posix port) vs getrandom, $entropy_runs runs"
    local r impl
    for ((r = 0; r < entropy_runs; r++)); do
        for impl in $(order "$r" ours raw); do
            "$work/bench_client" entropy "$impl" 1024 8192 >>"$raw/entropy.txt"     # 8 MiB in 1 KiB requests
            "$work/bench_client" entropy "$impl" 1048576 16 >>"$raw/entropy.txt"    # 16 MiB in 1 MiB requests
        done
    done
}
if [ "$only" = entropy ]; then
    entropy_step
    python3 "$root/benches/report.py" --entropy-only "$raw"
    exit 0
fi

step "PKI: P-256 and RSA-2048 CAs, server certificates for localhost"
pki=$work/pki
for kind in ecdsa rsa; do
    if [ "$kind" = ecdsa ]; then key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); else key=(-newkey rsa:2048); fi
    openssl req -x509 "${key[@]}" -nodes -keyout "$pki/$kind-ca.key" -out "$pki/$kind-ca.pem" -days 30 \
        -subj "/CN=bench $kind CA" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign 2>/dev/null
    openssl req "${key[@]}" -nodes -keyout "$pki/$kind-srv.key" -out "$pki/$kind-srv.csr" -subj /CN=localhost 2>/dev/null
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$pki/ext.cnf"
    openssl x509 -req -in "$pki/$kind-srv.csr" -CA "$pki/$kind-ca.pem" -CAkey "$pki/$kind-ca.key" \
        -CAcreateserial -days 30 -extfile "$pki/ext.cnf" -out "$pki/$kind-srv.pem" 2>/dev/null
done

# SoftHSM2 with an empty token directory: the library's credential lookup
# runs (C_Initialize, slot scan) and finds nothing, as on a device that only
# does server authentication.
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/hsm" >"$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf

declare -A port
for kind in ecdsa rsa; do
    if [ "$kind" = ecdsa ]; then suite=ECDHE-ECDSA-AES128-GCM-SHA256; else suite=ECDHE-RSA-AES128-GCM-SHA256; fi
    python3 "$root/benches/peer/bench_peer.py" --cert "$pki/$kind-srv.pem" --key "$pki/$kind-srv.key" \
        --cipher "$suite" >"$work/peer-$kind.out" 2>&1 &
    bench_peers+=($!)
    for _ in $(seq 100); do grep -q '^PORT ' "$work/peer-$kind.out" && break; sleep 0.1; done
    port[$kind]=$(sed -n 's/^PORT //p' "$work/peer-$kind.out")
    [ -n "${port[$kind]}" ] || { echo "ERROR: $kind peer did not start" >&2; exit 1; }
done

# The group each peer actually negotiates with this client's offer (the
# curve list of src/tls/connection.rs, in its order): OpenSSL's s_client
# makes the same offer and prints the server's choice.
for kind in ecdsa rsa; do
    temp=$(openssl s_client -connect "127.0.0.1:${port[$kind]}" -tls1_2 -groups P-256:X25519:P-384:P-521 \
        -CAfile "$pki/$kind-ca.pem" </dev/null 2>/dev/null | sed -n 's/^Server Temp Key: //p')
    echo "GROUP $kind ${temp:-unknown}" >>"$raw/groups.txt"
done

# run_impl IMPL MODE ARGS...: one driver process. Handshakes use IMPL
# "both" (ours and baseline alternate handshake by handshake, inside one
# process) with the SoftHSM2 build ("main") or the PKCS#11-stub build
# ("stub", whose lines are renamed ours_stub / baseline_stub).
run_impl() {
    local impl=$1 mode=$2
    shift 2
    case $impl in
        stub) "$work/bench_client_stub" "$mode" both "$@" | sed 's/ ours / ours_stub /; s/ baseline / baseline_stub /' ;;
        main) "$work/bench_client" "$mode" both "$@" ;;
        *) "$work/bench_client" "$mode" "$impl" "$@" ;;
    esac
}

per=$((handshakes / rounds))
step "Handshakes: $handshakes per implementation and key type, interleaved, in $rounds rounds"
for ((r = 0; r < rounds; r++)); do
    for kind in ecdsa rsa; do
        for build in $(order "$r" main stub); do
            run_impl "$build" handshake "${port[$kind]}" "$pki/$kind-ca.pem" "$per" "$kind" >>"$raw/handshake.txt"
        done
    done
done

step "Reconnects: $reconnects rounds of connect + first echo, full and resumed, Nagle on and TCP_NODELAY"
for kind in ecdsa rsa; do
    "$work/bench_client_stub" reconnect "${port[$kind]}" "$pki/$kind-ca.pem" "$reconnects" "$kind" >>"$raw/reconnect.txt"
done

step "Mutual TLS: P-256 device key in SoftHSM2 (ours) vs the same key in RAM (baseline)"
mpki=$work/mtls-pki
"$root/scripts/demo-pki.sh" "$mpki" >/dev/null
python3 "$root/benches/peer/bench_peer.py" --cert "$mpki/broker-chain.pem" --key "$mpki/broker.key" \
    --client-ca "$mpki/client-ca.pem" --cipher ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256 \
    >"$work/peer-mtls.out" 2>&1 &
bench_peers+=($!)
for _ in $(seq 100); do grep -q '^PORT ' "$work/peer-mtls.out" && break; sleep 0.1; done
mport=$(sed -n 's/^PORT //p' "$work/peer-mtls.out")
[ -n "$mport" ] || { echo "ERROR: mutual-TLS peer did not start" >&2; exit 1; }
temp=$(openssl s_client -connect "127.0.0.1:$mport" -tls1_2 -groups P-256:X25519:P-384:P-521 \
    -CAfile "$mpki/root-ca.pem" -cert "$mpki/device.pem" -key "$mpki/device.key" </dev/null 2>/dev/null \
    | sed -n 's/^Server Temp Key: //p')
echo "GROUP mtls ${temp:-unknown}" >>"$raw/groups.txt"
for ((r = 0; r < rounds; r++)); do
    SOFTHSM2_CONF=$mpki/softhsm2.conf BENCH_CLIENT_CERT=$mpki/device.pem BENCH_CLIENT_KEY=$mpki/device.key \
        "$work/bench_client" handshake both "$mport" "$mpki/root-ca.pem" "$((per / 2))" mtls >>"$raw/handshake.txt"
done

step "RAM per open connection, record buffer profiles: $profiles"
for prof in $profiles; do
    if [ "$prof" = 16384 ]; then
        client=$work/bench_client_stub
    else
        # The record sizes are a property of the mbedTLS configuration:
        # here they come in through the C flags, seen by mbedTLS's build
        # and the bindings alike.
        ptarget=$root/build/bench-profile-$prof
        pjson=$(cd "$root" && CARGO_TARGET_DIR=$ptarget \
            CFLAGS="-DMBEDTLS_SSL_IN_CONTENT_LEN=$prof -DMBEDTLS_SSL_OUT_CONTENT_LEN=$prof" \
            cargo build --release --lib --message-format=json)
        plib=$(python3 "$root/scripts/cargo-messages.py" staticlib freertos_tls <<<"$pjson")
        client=$work/bench_client_stub_$prof
        # The headers exactly as this profile's mbedTLS was compiled.
        pcflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -I"$root/include" -I"$root/tests/c/host_freertos"
                 -I"$root/benches/common" "${mbedtls_include[@]}"
                 "-DMBEDTLS_SSL_IN_CONTENT_LEN=$prof" "-DMBEDTLS_SSL_OUT_CONTENT_LEN=$prof")
        [ -f "$plib" ] || { echo "ERROR: profile $prof build failed" >&2; exit 1; }
        cc "${pcflags[@]}" -DBENCH_PKCS11_STUB "${bench_sources[@]}" "$plib" "$wrap" "${syslibs[@]}" -o "$client"
    fi
    for kind in ecdsa rsa; do
        "$client" ram "${port[$kind]}" "$pki/$kind-ca.pem" 4 "$kind" >>"$raw/ram.txt"
    done
done

step "Bulk: $((bulk_bytes >> 20)) MiB each way, $bulk_runs runs, AES-128-GCM (ECDHE-ECDSA)"
for ((r = 0; r < bulk_runs; r++)); do
    for dir in up down; do
        for impl in $(order "$r" ours baseline); do
            run_impl "$impl" bulk "${port[ecdsa]}" "$pki/ecdsa-ca.pem" "$dir" "$bulk_bytes" >>"$raw/bulk.txt"
        done
    done
done
step "Peer ceiling: OpenSSL client against the same peer"
python3 "$root/benches/peer/bench_peer.py" --client "${port[ecdsa]}" --ca "$pki/ecdsa-ca.pem" \
    --up "$bulk_bytes" --down "$bulk_bytes" >>"$raw/bulk.txt"

entropy_step

# FreeRTOS build (freertos feature: no std, every allocation on the
# FreeRTOS heap_4): one worker task, mutual TLS with the demo's PKI and a
# P-256 device key in SoftHSM2. Ours only (the baseline has no FreeRTOS
# build). Kept in build/bench-demo between runs so that later runs are
# incremental. Not fatal: a failure leaves these rows out of the report.
if [ "${BENCH_FREERTOS:-1}" = 1 ]; then
    step "FreeRTOS demo build (release) and single-task stress run"
    demo=$root/build/bench-demo
    fpki=$work/demo-pki
    if mkdir -p "$demo" && demo_build "$root" "$demo" -DCMAKE_BUILD_TYPE=Release \
        && "$root/scripts/demo-pki.sh" "$fpki" >/dev/null; then
        python3 "$root/tests/peers/tls_echo_server.py" --cert "$fpki/broker-chain.pem" --key "$fpki/broker.key" \
            --client-ca "$fpki/client-ca.pem" >"$work/stress-peer.log" 2>&1 &
        bench_peers+=($!)
        for _ in $(seq 100); do grep -q '^PORT ' "$work/stress-peer.log" && break; sleep 0.1; done
        SOFTHSM2_CONF=$fpki/softhsm2.conf STRESS_PORT=$(sed -n 's/^PORT //p' "$work/stress-peer.log") \
            STRESS_ROOT_CA=$fpki/root-ca.pem STRESS_TASKS=1 STRESS_CONNECTIONS=20 \
            timeout 300 "$demo/freertos_tls_stress" >"$raw/freertos-stress.txt" 2>&1 \
            || echo "WARNING: freertos_tls_stress failed (see $raw/freertos-stress.txt)" >&2
        # Code size: the demo's own link line again, plus --gc-sections (as a
        # firmware link would) and a map, into a separate file.
        (cd "$demo" && eval "$(sed 's/ -o freertos_tls_stress / -o "$work\/freertos_tls_stress_gc" /' \
            CMakeFiles/freertos_tls_stress.dir/link.txt)" -Wl,--gc-sections -Wl,-Map="$raw/freertos_stress_gc.map") \
            || echo "WARNING: relinking freertos_tls_stress with --gc-sections failed" >&2
    else
        echo "WARNING: FreeRTOS demo build or PKI failed; FreeRTOS rows left out" >&2
    fi
fi

step "Code size"
size -A "$work/bench_client" >"$raw/size-binary.txt"
(cd "$work" && rm -rf ar && mkdir ar && cd ar && ar x "$lib" && size -t ./* >"$raw/size-archive.txt" 2>/dev/null || true)

step "Machine"
{
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "cores=$(nproc)"
    echo "kernel=$(uname -sr)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "rustc=$(rustc --version)"
    echo "cc=$(cc --version | head -1)"
    echo "peer=$(python3 -c 'import ssl, sys; print("Python", sys.version.split()[0], ssl.OPENSSL_VERSION)')"
    echo "aesni=$(grep -qw aes /proc/cpuinfo && echo yes || echo no)"
    echo "mbedtls_aesni=$(grep -q '^#define MBEDTLS_AESNI_C' "$mbedtls_config" && echo yes || echo no)"
    echo "mbedtls=$(sed -n 's/^#define MBEDTLS_VERSION_STRING[[:space:]]*"\(.*\)"/\1/p' "$mbedtls_tree/include/mbedtls/build_info.h") ($(basename "$mbedtls_config" .h) profile)"
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    # The library is built from the working tree: say if it differs from HEAD.
    dirty=$(cd "$root" && git status --porcelain -- src ports Cargo.toml Cargo.lock build.rs | wc -l)
    echo "commit=$(cd "$root" && git rev-parse --short HEAD)$([ "$dirty" = 0 ] || echo " + uncommitted changes in $dirty library files")"
} >"$raw/machine.txt"

step "Report"
python3 "$root/benches/report.py" "$raw" "$results"
cat "$results/report.md"
