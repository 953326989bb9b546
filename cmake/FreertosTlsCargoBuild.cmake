# Build step of the freertos_tls target, run as `cmake -P` on every build:
# cargo decides what is stale.
#
# Inputs (-D): CARGO, MANIFEST, TARGET_DIR, PROFILE, RUST_TARGET (may be
# empty), FEATURES (comma-separated), BUILD_STD (TRUE: build core/alloc
# from source), LIBRARY (the expected .a path), FIRMWARE_MBEDTLS (empty, or
# the file CMakeLists.txt generates from the firmware's mbedTLS targets:
# "include_dirs", one dir a line, then "defines", one a line). Environment
# for cargo (RUSTC, CC_<triple>, FREERTOS_TLS_MBEDTLS_*...) is set by the
# caller through `cmake -E env`.
#
# `cargo rustc --crate-type staticlib` rather than `cargo build`: the
# manifest's crate-type also lists rlib (the integration tests need it), and
# with an rlib among the outputs cargo drops the release profile's LTO. Built
# as a staticlib alone, the crate gets `-C lto`: one optimised module with
# core, alloc and the allocator shim inside.

cmake_policy(VERSION 3.21)

foreach(var CARGO MANIFEST TARGET_DIR PROFILE LIBRARY)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "FreertosTlsCargoBuild.cmake: ${var} is not set")
    endif()
endforeach()

set(cargo_args rustc --package freertos-tls --lib --crate-type staticlib
    --manifest-path "${MANIFEST}"
    --target-dir "${TARGET_DIR}"
    --profile "${PROFILE}"
    --no-default-features)
if(FEATURES)
    list(APPEND cargo_args --features "${FEATURES}")
endif()
if(RUST_TARGET)
    list(APPEND cargo_args --target "${RUST_TARGET}")
endif()
if(BUILD_STD)
    list(APPEND cargo_args -Zbuild-std=core,alloc)
endif()

# The firmware's mbedTLS, for mbedtls-sys/build.rs (';'-separated lists).
if(FIRMWARE_MBEDTLS)
    file(STRINGS "${FIRMWARE_MBEDTLS}" lines)
    set(section "")
    set(include_dirs "")
    set(defines "")
    foreach(line IN LISTS lines)
        if(line STREQUAL "include_dirs" OR line STREQUAL "defines")
            set(section "${line}")
        elseif(NOT line STREQUAL "" AND section)
            list(APPEND ${section} "${line}")
        endif()
    endforeach()
    if(NOT include_dirs)
        message(FATAL_ERROR "freertos-tls: the firmware's mbedTLS targets have no include directories (${FIRMWARE_MBEDTLS})")
    endif()
    set(ENV{FREERTOS_TLS_MBEDTLS_INCLUDE_DIRS} "${include_dirs}")
    set(ENV{FREERTOS_TLS_MBEDTLS_DEFINES} "${defines}")
endif()

execute_process(COMMAND "${CARGO}" ${cargo_args} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "freertos-tls: cargo build failed (${result})")
endif()

if(NOT EXISTS "${LIBRARY}")
    message(FATAL_ERROR "freertos-tls: cargo succeeded but ${LIBRARY} does not exist")
endif()

# Cargo hard-links a cached artifact when settings switch back (profile,
# features), keeping its old modification time: the firmware would not be
# relinked. A new content gets a new time.
file(SHA256 "${LIBRARY}" library_hash)
set(hash_file "${LIBRARY}.sha256")
set(previous_hash "")
if(EXISTS "${hash_file}")
    file(READ "${hash_file}" previous_hash)
endif()
if(NOT library_hash STREQUAL previous_hash)
    file(TOUCH "${LIBRARY}")
    file(WRITE "${hash_file}" "${library_hash}")
endif()

