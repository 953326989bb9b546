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

# Everything the tests, the demo and the benchmarks use.
PROJECT_PACKAGES=(
    build-essential cmake pkg-config libclang-dev clang
    openssl ca-certificates valgrind
    softhsm2 opensc
    mosquitto mosquitto-clients
    ent rng-tools5
    python3 python3-venv
    gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
)

# The Cortex-M triples the tests build for (scripts/test.sh, cross step).
CROSS_TRIPLES=(thumbv7em-none-eabihf thumbv6m-none-eabi)

# ensure_cross_rust: make sure some rustc can build for every CROSS_TRIPLES
# entry. A rustup toolchain with the targets added needs nothing; otherwise
# Debian's rustc-web (a rustc that knows the thumbv* targets) and its
# library sources (for -Zbuild-std) come from bookworm-security, which
# Debian 12 images carry in their APT sources.
ensure_cross_rust() {
    # shellcheck source=scripts/cross-env.sh
    source "$(dirname "${BASH_SOURCE[0]}")/cross-env.sh"
    local triple missing=0
    for triple in "${CROSS_TRIPLES[@]}"; do
        cross_detect "$triple" 2>/dev/null || missing=1
    done
    [ "$missing" = 0 ] && return 0
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
