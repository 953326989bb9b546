/*
 * mbedTLS 3.6 configuration "client-tls13-only": the "client" profile
 * without TLS 1.2, for the firmware benchmark's flash figure of a TLS
 * 1.3-only client (scripts/bench-firmware.sh). Not a profile the
 * library builds with: it needs MBEDTLS_SSL_PROTO_TLS1_2 (mbedtls-sys's
 * REQUIRED list), so nothing selects this file but that benchmark.
 *
 * Removed from "client": TLS 1.2 and what only TLS 1.2 uses (its ECDHE
 * key exchanges, extended master secret, encrypt-then-MAC). Kept: all the
 * crypto (ECDSA, RSA PKCS#1 v1.5 and PSS for certificate chains, the
 * three groups, AES-GCM, SHA-2), X.509, PSA with the token's
 * secure-element driver, the library's mutexes; max fragment length stays
 * defined only so that the benchmark's shared client configuration
 * (benches/common/raw_client_config.c) compiles unchanged: TLS 1.3 never
 * sends it.
 */
#ifndef FREERTOS_TLS_MBEDTLS_CLIENT_TLS13_ONLY_H
#define FREERTOS_TLS_MBEDTLS_CLIENT_TLS13_ONLY_H

#include "client.h"

#undef MBEDTLS_SSL_PROTO_TLS1_2
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#undef MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#undef MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#undef MBEDTLS_SSL_ENCRYPT_THEN_MAC

#endif /* FREERTOS_TLS_MBEDTLS_CLIENT_TLS13_ONLY_H */
