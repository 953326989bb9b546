# The PKCS#11 module a host program links (the library calls its
# C_GetFunctionList). One default for every CMake project of this repository:
# the FREERTOS_TLS_PKCS11_MODULE environment variable when set (as for the
# Rust tests, see build.rs), else Debian's SoftHSM2.
if(DEFINED ENV{FREERTOS_TLS_PKCS11_MODULE})
    set(_ft_default_pkcs11_module "$ENV{FREERTOS_TLS_PKCS11_MODULE}")
else()
    set(_ft_default_pkcs11_module "/usr/lib/softhsm/libsofthsm2.so")
endif()
set(FREERTOS_TLS_PKCS11_MODULE "${_ft_default_pkcs11_module}" CACHE FILEPATH
    "PKCS#11 module linked into host programs")
