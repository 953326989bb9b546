#!/usr/bin/env bash
# Fuzzing of the C ABI with cargo-fuzz (libFuzzer, AddressSanitizer):
# targets server_stream, server_records, trust_anchor_pem, tls_params
# (fuzz/README.md).
#
#   ./scripts/fuzz.sh --ci               every target briefly (CI): seeds must
#                                        still connect, then FUZZ_CI_SECONDS (10) each
#   ./scripts/fuzz.sh [SECONDS] [TARGET...]
#                                        long run, SECONDS each (default 1800),
#                                        then a coverage summary per target
#   ./scripts/fuzz.sh --record-seeds     (re)record the committed seed corpora
#   ./scripts/fuzz.sh --check-seeds      re-record and compare with the committed seeds
#
# Installs cargo-fuzz when missing. The stable toolchain builds the
# instrumented targets with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z flags),
# set for the cargo-fuzz commands only. mbedTLS (C) is compiled with clang
# and the same instrumentation, so its edges count as coverage.
# New corpus entries go to fuzz/work/<target>, crashes to fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi

# The fuzz build's mbedTLS configuration: the client-cbc profile plus the
# server side the recorder and server_records run (fuzz/mbedtls-config.h).
# Every cargo command below, instrumented or not, builds with it.
export FREERTOS_TLS_MBEDTLS_CONFIG="$PWD/fuzz/mbedtls-config.h"

TARGETS=(server_stream server_records trust_anchor_pem tls_params)
CARGO_FUZZ_VERSION=0.13.2
HOST_TRIPLE=x86_64-unknown-linux-gnu

ensure_cargo_fuzz() {
    if cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
        return 0
    fi
    echo "Installing cargo-fuzz $CARGO_FUZZ_VERSION"
    local t0=$SECONDS
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
    echo "cargo-fuzz installed in $((SECONDS - t0)) s"
}

# cargo-fuzz with the instrumented C build of mbedTLS.
fuzz_cargo() {
    env RUSTC_BOOTSTRAP=1 \
        CC=clang \
        "CFLAGS_${HOST_TRIPLE//-/_}=-g -fsanitize=address,fuzzer-no-link -fsanitize-coverage-ignorelist=$PWD/fuzz/sancov-ignorelist.txt" \
        cargo fuzz "$@"
}

build_targets() {
    local t0=$SECONDS
    fuzz_cargo build
    echo "fuzz targets built in $((SECONDS - t0)) s"
}

# The fuzz-only PKI (fuzz/pki/README.md), made once: an EC CA whose key is
# thrown away, an ECDSA and an RSA server certificate for fuzz.server.test.
make_pki() {
    local dir=fuzz/pki
    [ -f "$dir/fuzz-test-ca.crt" ] && return 0
    local tmp
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca.key"
    openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 7300 -subj "/CN=freertos-tls FUZZ TEST CA (not trusted)" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$dir/fuzz-test-ca.crt"
    openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ecdsa.key"
    openssl pkcs8 -topk8 -nocrypt -in "$tmp/ecdsa.key" -out "$dir/fuzz-server-ecdsa.key"
    openssl genrsa -out "$dir/fuzz-server-rsa.key" 2048 2>/dev/null
    for kind in ecdsa rsa; do
        openssl req -new -key "$dir/fuzz-server-$kind.key" -subj "/CN=fuzz.server.test" -out "$tmp/$kind.csr"
        printf '%s\n' "subjectAltName=DNS:fuzz.server.test" "keyUsage=critical,digitalSignature,keyEncipherment" \
            "extendedKeyUsage=serverAuth" "basicConstraints=CA:FALSE" >"$tmp/ext"
        openssl x509 -req -in "$tmp/$kind.csr" -CA "$dir/fuzz-test-ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
            -CAserial "$tmp/serial" -days 7000 -sha256 -extfile "$tmp/ext" -out "$dir/fuzz-server-$kind.crt" 2>/dev/null
    done
}

record_seeds() {
    make_pki
    mkdir -p fuzz/corpus/server_stream fuzz/corpus/server_records fuzz/corpus/trust_anchor_pem fuzz/corpus/tls_params
    # A plain (uninstrumented) build: the recorder is not a fuzz target.
    cargo run --quiet --release --manifest-path fuzz/Cargo.toml --example record_seeds -- "$PWD/fuzz" "$@"
}

# libFuzzer options shared by every run.
LIBFUZZER_OPTS=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)

# run_target TARGET SECONDS WORK_CORPUS [libFuzzer options]: new inputs go to
# WORK_CORPUS, the committed seeds are read only.
run_target() {
    local target=$1 seconds=$2 work=$3
    shift 3
    mkdir -p "$work"
    nice -n "${FUZZ_NICE:-0}" "$0" --cargo-fuzz run "$target" "$work" "fuzz/corpus/$target" \
        -- "${LIBFUZZER_OPTS[@]}" -max_total_time="$seconds" "$@"
}

# The committed seeds must still get through the handshake: a changed
# ClientHello makes every recorded server_stream flight stale, and a client
# configuration no fuzz server can meet breaks server_records.
check_seeds_connect() {
    local t log
    mkdir -p fuzz/work
    for t in server_stream server_records; do
        log=fuzz/work/$t.seed-check.log
        if ! FUZZ_SEEDS_MUST_CONNECT=1 fuzz_cargo run "$t" fuzz/corpus/"$t"/* >"$log" 2>&1; then
            grep -E "stale seed|failed|panicked|ERROR" "$log" | head -n 5
            echo "a committed $t seed fails (log: $log); if the ClientHello changed: $0 --record-seeds"
            exit 1
        fi
        echo "all $(grep -c '^Executed' "$log") $t seeds complete the handshake"
    done
}

# Edges covered per function, from libFuzzer's own table after running the
# corpus once (needs llvm-symbolizer).
coverage_summary() {
    local target=$1
    shift
    local out="fuzz/work/$target.coverage.txt"
    fuzz_cargo run "$target" "fuzz/work/$target" "fuzz/corpus/$target" \
        -- -runs=0 -print_coverage=1 "$@" >"$out" 2>&1 || true
    echo "coverage of $target ($out):"
    grep -E "(INITED|DONE) +cov|COVERED_FUNC: .*(mbedtls_ssl_decrypt_buf|mbedtls_ssl_read_record|mbedtls_ssl_read|ssl_parse_record_header|mbedtls_ssl_handle_message_type|x509_crt_parse_der_core|mbedtls_pem_read_buffer|params::read)\b" \
        "$out" | sed 's/^/  /' || true
}

case "${1:-}" in
--cargo-fuzz) # internal: cargo fuzz with this script's environment (for nice)
    shift
    fuzz_cargo "$@"
    ;;
--ci)
    cargo fmt --manifest-path fuzz/Cargo.toml -- --check
    ensure_cargo_fuzz
    build_targets
    check_seeds_connect
    for t in "${TARGETS[@]}"; do
        echo "--- $t: ${FUZZ_CI_SECONDS:-10} s"
        rm -rf "fuzz/work/ci/$t"
        if ! run_target "$t" "${FUZZ_CI_SECONDS:-10}" "fuzz/work/ci/$t" >"fuzz/work/$t.ci.log" 2>&1; then
            tail -n 60 "fuzz/work/$t.ci.log"
            echo "fuzz target $t failed: input in fuzz/artifacts/$t/"
            exit 1
        fi
        grep -E "^#[0-9]+\s+(INITED|DONE)|^stat::(number_of_executed_units|peak_rss_mb)" "fuzz/work/$t.ci.log" || true
    done
    ;;
--record-seeds)
    record_seeds
    ;;
--check-seeds)
    record_seeds --check
    ;;
*)
    seconds=${1:-1800}
    shift || true
    [ $# -gt 0 ] && TARGETS=("$@")
    ensure_cargo_fuzz
    build_targets
    mkdir -p fuzz/work
    for t in "${TARGETS[@]}"; do
        echo "--- $t: $seconds s (log: fuzz/work/$t.log)"
        rc=0
        FUZZ_NICE=10 run_target "$t" "$seconds" "fuzz/work/$t" >"fuzz/work/$t.log" 2>&1 || rc=$?
        grep -E "^#[0-9]+\s+(INITED|DONE)|^stat::|^==[0-9]+==|^SUMMARY" "fuzz/work/$t.log" || true
        [ "$rc" -eq 0 ] || echo "fuzz target $t stopped with $rc: input in fuzz/artifacts/$t/"
        coverage_summary "$t"
    done
    ;;
esac
