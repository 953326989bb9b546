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
    python3
    # Cortex-M firmware: cross binutils/newlib, QEMU, and a rustc that knows
    # thumbv* targets with the library sources for build-std (bookworm-security).
    gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
    rustc-web cargo-web rust-web-src
)
