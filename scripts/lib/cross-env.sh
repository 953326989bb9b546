# shellcheck shell=bash
# Cortex-M cross builds with cargo, for scripts (sourced; bash).
#
#   source scripts/lib/cross-env.sh
#   cross_cargo thumbv7em-none-eabihf build --lib --no-default-features --features freertos,port-stm32
#   cross_describe thumbv7em-none-eabihf     # which rustc, which route
#
# The route is detected, not assumed:
# 1. a rustc whose sysroot has the target's prebuilt core (`rustup target
#    add <triple>`): plain stable cargo;
# 2. else a rustc that knows the target and ships the library sources
#    (Debian 12: rustc-web + rust-web-src from bookworm-security): cargo
#    builds core and alloc itself (-Zbuild-std), with RUSTC_BOOTSTRAP=1 for
#    that cargo invocation only.
# CROSS_RUSTC=<path> skips the detection. mbedTLS (the source tree
# mbedtls-sys builds: FREERTOS_TLS_MBEDTLS_DIR, by default the one
# scripts/fetch-mbedtls.sh fetches) is compiled by the cc crate with
# arm-none-eabi-gcc (ARM_NONE_EABI_PREFIX changes the tools) and the
# target's CPU flags (CC_/CFLAGS_<triple>; further -D flags, such as a
# record size, go in TARGET_CFLAGS or the caller's CFLAGS_<triple>); bindgen gets the compiler's include
# search list, where newlib's headers are (BINDGEN_EXTRA_CLANG_ARGS_<triple>).
# CMake projects do not need this file: the root CMakeLists.txt does the
# same detection (cmake/FreertosTlsRustc.cmake).

# C flags matching each Rust target's CPU and float ABI.
cross_cflags() {
    case "$1" in
        thumbv6m-none-eabi) echo "-mcpu=cortex-m0 -mthumb -mfloat-abi=soft" ;;
        thumbv7m-none-eabi) echo "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft" ;;
        thumbv7em-none-eabi) echo "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft" ;;
        thumbv7em-none-eabihf) echo "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard" ;;
        thumbv8m.main-none-eabi) echo "-mcpu=cortex-m33 -mthumb -mfloat-abi=soft" ;;
        thumbv8m.main-none-eabihf) echo "-mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard" ;;
        *) echo "cross-env: no C flags known for $1" >&2; return 1 ;;
    esac
}

# rustc candidates, in order of preference among equals.
_cross_rustc_candidates() {
    if [ -n "${CROSS_RUSTC:-}" ]; then
        echo "$CROSS_RUSTC"
        return
    fi
    local seen="" c
    for c in "$(command -v rustc 2>/dev/null)" "$HOME/.cargo/bin/rustc" /usr/bin/rustc; do
        [ -n "$c" ] && [ -x "$c" ] || continue
        case " $seen " in *" $c "*) continue ;; esac
        seen="$seen $c"
        echo "$c"
    done
}

_cross_has_core() {
    local libdir
    libdir=$("$1" --print target-libdir --target "$2" 2>/dev/null) || return 1
    compgen -G "$libdir/libcore-*.rlib" >/dev/null
}

_cross_can_build_std() {
    "$1" --print target-list 2>/dev/null | grep -qx -- "$2" || return 1
    local sysroot
    sysroot=$("$1" --print sysroot 2>/dev/null) || return 1
    [ -f "$sysroot/lib/rustlib/src/rust/library/core/Cargo.toml" ]
}

# cross_detect TRIPLE: sets CROSS_ROUTE_RUSTC and CROSS_ROUTE_BUILD_STD (0/1),
# or fails with what was tried.
cross_detect() {
    local triple=$1 c fallback=""
    CROSS_ROUTE_RUSTC=""
    CROSS_ROUTE_BUILD_STD=0
    for c in $(_cross_rustc_candidates); do
        if _cross_has_core "$c" "$triple"; then
            CROSS_ROUTE_RUSTC=$c
            return 0
        fi
        if [ -z "$fallback" ] && _cross_can_build_std "$c" "$triple"; then
            fallback=$c
        fi
    done
    if [ -n "$fallback" ]; then
        CROSS_ROUTE_RUSTC=$fallback
        CROSS_ROUTE_BUILD_STD=1
        return 0
    fi
    echo "cross-env: no rustc can build for $triple (tried: $(_cross_rustc_candidates | tr '\n' ' '))." >&2
    echo "  rustup target add $triple, or on Debian 12:" \
        "apt-get install -t bookworm-security rustc-web cargo-web rust-web-src" >&2
    return 1
}

# cross_available TRIPLE: true when some rustc can build for TRIPLE and the
# C cross compiler is installed.
cross_available() {
    command -v "${ARM_NONE_EABI_PREFIX:-arm-none-eabi-}gcc" >/dev/null 2>&1 && cross_detect "$1" 2>/dev/null
}

# The C compiler's #include <...> search list, one directory per line.
cross_cc_include_dirs() {
    local cc=$1
    shift
    "$cc" "$@" -xc -E -v - </dev/null 2>&1 >/dev/null |
        sed -n '/^#include <\.\.\.> search starts here:/,/^End of search list\./{//!p}' |
        while read -r dir; do [ -d "$dir" ] && readlink -f "$dir"; done
}

cross_describe() {
    cross_detect "$1" || return 1
    if [ "$CROSS_ROUTE_BUILD_STD" = 1 ]; then
        echo "$1: $CROSS_ROUTE_RUSTC ($("$CROSS_ROUTE_RUSTC" -V)), core/alloc built from source (-Zbuild-std)"
    else
        echo "$1: $CROSS_ROUTE_RUSTC ($("$CROSS_ROUTE_RUSTC" -V)), prebuilt core"
    fi
}

# cross_cc_enum_flag CC CFLAGS...: -fshort-enums if CC with CFLAGS gives a
# one-value enum one byte (the AAPCS bare-metal default of arm-none-eabi-gcc),
# else -fno-short-enums. bindgen's libclang does not share gcc's default, and
# bindings with 4-byte enums misplace every struct field after an enum.
cross_cc_enum_flag() {
    local cc=$1
    shift
    # shellcheck disable=SC2068 # the flags are words
    if echo 'enum probe { PROBE_A }; typedef char probe_is_one_byte[sizeof(enum probe) == 1 ? 1 : -1];' |
        "$cc" $@ -fsyntax-only -x c - 2>/dev/null; then
        echo -fshort-enums
    else
        echo -fno-short-enums
    fi
}

# cross_cargo TRIPLE SUBCOMMAND ARGS...: cargo SUBCOMMAND --target TRIPLE ARGS
# with the detected rustc and the C cross toolchain. The variables reach
# that cargo process only (RUSTC_BOOTSTRAP in particular).
cross_cargo() {
    local triple=$1 sub=$2
    shift 2
    cross_detect "$triple" || return 1
    local prefix=${ARM_NONE_EABI_PREFIX:-arm-none-eabi-}
    # The cc crate and bindgen spell the triple with '-' as '_' (a '.' stays,
    # hence env(1) rather than export).
    local var=${triple//-/_}
    local cflags own
    cflags=$(cross_cflags "$triple") || return 1
    # The caller's own CFLAGS_<triple> (mbedTLS configuration options as
    # -D: record sizes, the P-256 ALT hooks) follow the CPU flags instead
    # of being replaced by them; the cc crate and mbedtls-sys's bindgen
    # both read them.
    own=$(printenv "CFLAGS_$var" || true)
    [ -z "$own" ] || cflags+=" $own"
    local bindgen_args="" dir
    # shellcheck disable=SC2086 # the flags are words
    while read -r dir; do
        bindgen_args+=" -idirafter$(printf '%q' "$dir")"
    done < <(cross_cc_include_dirs "${prefix}gcc" $cflags)
    # The enum size, explicit for both compilers: for bindgen, and in CFLAGS
    # too because mbedtls-sys's build script reruns (regenerating the
    # bindings) when CFLAGS_<triple> changes (the cc crate reports it), not
    # when BINDGEN_EXTRA_CLANG_ARGS does. For gcc it restates its default.
    local enum_flag
    # shellcheck disable=SC2086 # the flags are words
    enum_flag=$(cross_cc_enum_flag "${prefix}gcc" $cflags)
    cflags+=" $enum_flag"
    # Extra C flags of the caller (a record size, the P-256 ALT hooks): the
    # C compile and bindgen (which reads -D flags from the C flags) see them.
    [ -z "${TARGET_CFLAGS:-}" ] || cflags+=" $TARGET_CFLAGS"
    bindgen_args+=" $enum_flag"
    local envs=("RUSTC=$CROSS_ROUTE_RUSTC" "CC_$var=${prefix}gcc" "AR_$var=${prefix}ar"
        "CFLAGS_$var=$cflags" "BINDGEN_EXTRA_CLANG_ARGS_$var=${bindgen_args# }")
    local zflags=()
    if [ "$CROSS_ROUTE_BUILD_STD" = 1 ]; then
        envs+=(RUSTC_BOOTSTRAP=1)
        # shellcheck disable=SC2054 # one argument: the crates to build
        zflags=(-Zbuild-std=core,alloc)
    fi
    env "${envs[@]}" cargo "${zflags[@]}" "$sub" --target "$triple" "$@"
}
