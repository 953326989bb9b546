# shellcheck shell=bash disable=SC2034 # the package lists are read by the scripts that source this
# Shared by the project's scripts: install Debian packages that are missing.
# Usage: ensure_packages pkg...   (runs apt-get update at most once)
ensure_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing missing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ -z "${APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        export APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The project's one list of Debian packages, by what needs them. Every
# script installs the groups it uses from here; no script names a package.
# Building the library, the C drivers and the demo; python3 runs the
# project's helper scripts and test peers.
BUILD_PACKAGES=(build-essential cmake pkg-config libclang-dev clang python3)
# The real peers: OpenSSL, SoftHSM2 (with OpenSC's pkcs11-tool), Mosquitto.
PEER_PACKAGES=(openssl ca-certificates softhsm2 opensc mosquitto mosquitto-clients)
# Test-only tools: valgrind, the entropy checkers, venv for tlslite-ng;
# mbedTLS 2.28's static libraries, which the private copy is linked beside.
TEST_TOOL_PACKAGES=(valgrind ent rng-tools5 python3-venv libmbedtls-dev)
# Cortex-M: cross compiler, newlib, binutils (size, map), QEMU.
CORTEX_M_PACKAGES=(gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm)
# Benchmarks only (not CI): the handshake plot, size(1) for the host.
BENCH_PACKAGES=(gnuplot-nox binutils)

# The POSIX demo and its test (scripts/demo.sh, scripts/test-demo.sh).
DEMO_PACKAGES=("${BUILD_PACKAGES[@]}" "${PEER_PACKAGES[@]}")
# Everything the tests use: what CI (.ci/run) and scripts/test.sh install.
PROJECT_PACKAGES=("${BUILD_PACKAGES[@]}" "${PEER_PACKAGES[@]}" "${TEST_TOOL_PACKAGES[@]}" "${CORTEX_M_PACKAGES[@]}")

# The Cortex-M triples the tests build for (scripts/test.sh, cross step).
CROSS_TRIPLES=(thumbv7em-none-eabihf thumbv6m-none-eabi)

# ensure_cross_rust: make sure some rustc can build for every CROSS_TRIPLES
# entry. A rustup toolchain with the targets added needs nothing; otherwise
# Debian's rustc-web (a rustc that knows the thumbv* targets) and its
# library sources (for -Zbuild-std) come from bookworm-security, which
# Debian 12 images carry in their APT sources.
ensure_cross_rust() {
    # shellcheck source=scripts/lib/cross-env.sh
    source "$(dirname "${BASH_SOURCE[0]}")/cross-env.sh"
    local triple unsupported=0
    for triple in "${CROSS_TRIPLES[@]}"; do
        cross_detect "$triple" 2>/dev/null || unsupported=1
    done
    [ "$unsupported" = 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if ! grep -rqs "bookworm-security" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "APT has no bookworm-security suite: add a rustup toolchain with the thumbv* targets instead" >&2
        return 1
    fi
    if [ -z "${APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        export APT_UPDATED=1
    fi
    echo "Installing rustc-web cargo-web rust-web-src from bookworm-security (Cortex-M targets, build-std)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        -t bookworm-security rustc-web cargo-web rust-web-src >/dev/null
    for triple in "${CROSS_TRIPLES[@]}"; do
        cross_detect "$triple" || return 1
    done
}

# The PKCS#11 module host programs link and tokens are made with: the
# scripts' one default (Debian's SoftHSM2). Exported, so every cargo
# (build.rs) and CMake (cmake/FreertosTlsPkcs11Module.cmake) run a script
# starts gets this value; their own fallbacks, the same path, serve only
# builds started by hand, where no shell library is sourced.
export FREERTOS_TLS_PKCS11_MODULE=${FREERTOS_TLS_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
PKCS11_MODULE=$FREERTOS_TLS_PKCS11_MODULE
