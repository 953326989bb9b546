# freertos_tls_add_upstream_mbedtls(TREE CONFIG): an upstream mbedTLS 3.6
# source tree built by the firmware's own CMake project (targets mbedcrypto,
# mbedx509, mbedtls) with one of this library's configuration profiles
# (mbedtls-sys/config/*.h), as the library needs it:
# - mbedTLS's options are cache entries of its project, set before it reads
#   them: the libraries only (no programs, no tests, no generated files);
# - the profiles include each other and threading_alt.h by name, and the
#   mutex type of MBEDTLS_THREADING_ALT is the library's: mbedtls-sys/config
#   is a public include directory of the three targets, for mbedTLS's own
#   sources and every user of its headers;
# - PSA's storage (PSA_CRYPTO_STORAGE_C, required by the token driver's
#   SE_C) is the firmware's to bring; a firmware with none gets the
#   library's empty one (mbedtls-sys/shim/psa_its_none.c, with the storage
#   headers it needs from mbedtls-sys/shim) in mbedcrypto.
# Used by tests/cmake-cross-consumer and benches/firmware/flash-profiles;
# docs/building.md ("The firmware's own mbedTLS").
set(_freertos_tls_upstream_root "${CMAKE_CURRENT_LIST_DIR}/..")

function(freertos_tls_add_upstream_mbedtls tree config)
    set(MBEDTLS_CONFIG_FILE "${config}" CACHE FILEPATH "" FORCE)
    set(ENABLE_PROGRAMS OFF CACHE BOOL "" FORCE)
    set(ENABLE_TESTING OFF CACHE BOOL "" FORCE)
    set(GEN_FILES OFF CACHE BOOL "" FORCE)
    add_subdirectory("${tree}" mbedtls)
    foreach(t mbedcrypto mbedx509 mbedtls)
        target_include_directories(${t} PUBLIC "${_freertos_tls_upstream_root}/mbedtls-sys/config")
    endforeach()
    target_sources(mbedcrypto PRIVATE "${_freertos_tls_upstream_root}/mbedtls-sys/shim/psa_its_none.c")
    target_include_directories(mbedcrypto PRIVATE "${_freertos_tls_upstream_root}/mbedtls-sys/shim")
endfunction()
