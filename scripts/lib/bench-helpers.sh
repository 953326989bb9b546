# shellcheck shell=bash
# Shared by the benchmark scripts (scripts/bench*.sh; source it): the
# --build-only option, the checked numeric knobs, a heading per step, and
# the background peers, which are stopped when the script ends.

# step TEXT: a heading, on stderr (stdout carries the tables).
step() { printf '==> %s\n' "$*" >&2; }

# bench_build_only_option [ARG]: build_only=1 for --build-only, 0 for no
# argument; anything else is a usage error.
bench_build_only_option() {
    build_only=0
    case "${1:-}" in
        --build-only) build_only=1 ;;
        "") ;;
        *) echo "usage: $0 [--build-only]" >&2; exit 2 ;;
    esac
}

# bench_positive KNOB VALUE: prints VALUE if it is a positive whole number;
# otherwise names KNOB and fails (`x=$(bench_positive ...)` then stops a
# `set -e` script).
bench_positive() {
    [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$1 must be a positive number" >&2; return 2; }
    echo "$2"
}

# bench_start WORK SUBDIR...: the host benches' start: a fresh WORK with
# WORK/raw (raw samples), the SUBDIRs and benches/results; sets work, raw and
# results; peers are stopped on exit (bench_stop_peers_on_exit); the
# mbedTLS tree (FREERTOS_TLS_MBEDTLS_DIR, or the pinned release fetched by
# scripts/fetch-mbedtls.sh) is exported for cargo. Needs $root.
bench_start() {
    work=$1
    shift
    raw=$work/raw
    results=$root/benches/results
    rm -rf "$work"
    mkdir -p "$raw" "$results"
    local dir
    for dir in "$@"; do mkdir -p "$work/$dir"; done
    bench_stop_peers_on_exit
    FREERTOS_TLS_MBEDTLS_DIR=${FREERTOS_TLS_MBEDTLS_DIR:-$("$root/scripts/fetch-mbedtls.sh")}
    export FREERTOS_TLS_MBEDTLS_DIR
}

# bench_peers+=($!) after starting a background peer; bench_stop_peers_on_exit
# (once) stops them all when the script ends or is interrupted.
bench_peers=()
bench_stop_peers_on_exit() {
    trap 'for pid in "${bench_peers[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
    trap 'exit 130' INT TERM
}
