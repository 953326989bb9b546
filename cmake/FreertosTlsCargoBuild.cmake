# Build step of the freertos_tls target, run as `cmake -P` on every build:
# cargo decides what is stale. Afterwards it copies the include dir and
# config.h of the mbedTLS that cargo built to a fixed place in the CMake
# build tree, so that C code of the firmware compiles against the same
# mbedTLS the static library contains (one mbedTLS per binary).
#
# Inputs (-D): CARGO, MANIFEST, TARGET_DIR, PROFILE, RUST_TARGET (may be
# empty), FEATURES (comma-separated), BUILD_STD (TRUE: build core/alloc
# from source), LIBRARY (the expected .a path), MBEDTLS_DEST. Environment
# for cargo (RUSTC, CC_<triple>, ...) is set by the caller through
# `cmake -E env`.
#
# `cargo rustc --crate-type staticlib` rather than `cargo build`: the
# manifest's crate-type also lists rlib (the integration tests need it), and
# with an rlib among the outputs cargo drops the release profile's LTO. Built
# as a staticlib alone, the crate gets `-C lto`: one optimised module with
# core, alloc and the allocator shim inside.

foreach(var CARGO MANIFEST TARGET_DIR PROFILE LIBRARY MBEDTLS_DEST)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "FreertosTlsCargoBuild.cmake: ${var} is not set")
    endif()
endforeach()

set(cargo_args rustc --package freertos-tls --lib --crate-type staticlib
    --manifest-path "${MANIFEST}"
    --target-dir "${TARGET_DIR}"
    --profile "${PROFILE}"
    --no-default-features
    --message-format=json-render-diagnostics)
if(FEATURES)
    list(APPEND cargo_args --features "${FEATURES}")
endif()
if(RUST_TARGET)
    list(APPEND cargo_args --target "${RUST_TARGET}")
endif()
if(BUILD_STD)
    list(APPEND cargo_args -Zbuild-std=core,alloc)
endif()

# stdout carries the JSON messages; stderr (progress, diagnostics) goes
# straight to the build log.
execute_process(
    COMMAND "${CARGO}" ${cargo_args}
    OUTPUT_VARIABLE messages
    RESULT_VARIABLE result)
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

# Cargo reports every build script's out_dir, also when it was fresh: one
# JSON message per line on stdout, read with string(JSON). A line is only
# parsed when it can be a build-script message (cheap substring test).
set(mbedtls_out "")
set(rest "${messages}")
while(NOT rest STREQUAL "")
    string(FIND "${rest}" "\n" eol)
    if(eol EQUAL -1)
        set(line "${rest}")
        set(rest "")
    else()
        string(SUBSTRING "${rest}" 0 ${eol} line)
        math(EXPR next "${eol} + 1")
        string(SUBSTRING "${rest}" ${next} -1 rest)
    endif()
    string(FIND "${line}" "build-script-executed" hit)
    if(hit EQUAL -1)
        continue()
    endif()
    string(JSON reason ERROR_VARIABLE json_error GET "${line}" reason)
    if(json_error OR NOT reason STREQUAL "build-script-executed")
        continue()
    endif()
    # package_id: "registry+https://...#mbedtls-sys-auto@2.28.x" (older
    # cargo: "mbedtls-sys-auto 2.28.x (registry+...)").
    string(JSON package_id GET "${line}" package_id)
    if(package_id MATCHES "(^|[#/])mbedtls-sys-auto([@ ]|$)")
        string(JSON mbedtls_out GET "${line}" out_dir)
    endif()
endwhile()
if(mbedtls_out STREQUAL "")
    message(FATAL_ERROR "freertos-tls: cargo did not report the mbedtls-sys-auto build output")
endif()
if(NOT EXISTS "${mbedtls_out}/config.h" OR NOT IS_DIRECTORY "${mbedtls_out}/include/mbedtls")
    message(FATAL_ERROR "freertos-tls: ${mbedtls_out} lacks config.h or include/mbedtls")
endif()

# file(COPY) keeps timestamps and skips unchanged files, so dependent C
# objects rebuild only when mbedTLS really changed.
file(COPY "${mbedtls_out}/include/" DESTINATION "${MBEDTLS_DEST}/include")
file(COPY_FILE "${mbedtls_out}/config.h" "${MBEDTLS_DEST}/config.h" ONLY_IF_DIFFERENT)
