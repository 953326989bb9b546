# The PKCS#11 module a host program links (the library calls its
# C_GetFunctionList). One default for every CMake project of this repository:
# the FREERTOS_TLS_PKCS11_MODULE environment variable, which the scripts
# always export (scripts/lib/deps.sh, the one default they use), else, for a
# project configured by hand, the same path, Debian's SoftHSM2 (build.rs
# keeps the same fallback for cargo run by hand).
if(DEFINED ENV{FREERTOS_TLS_PKCS11_MODULE})
    set(_ft_default_pkcs11_module "$ENV{FREERTOS_TLS_PKCS11_MODULE}")
else()
    set(_ft_default_pkcs11_module "/usr/lib/softhsm/libsofthsm2.so")
endif()
set(FREERTOS_TLS_PKCS11_MODULE "${_ft_default_pkcs11_module}" CACHE FILEPATH
    "PKCS#11 module linked into host programs")
