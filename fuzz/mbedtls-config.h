/*
 * mbedTLS configuration of the fuzz build (scripts/fuzz.sh sets
 * FREERTOS_TLS_MBEDTLS_CONFIG to this file for every fuzz build).
 *
 * The client is the shipped "client-cbc" profile (the "client" profile
 * plus the CBC suites), so the record protections the library negotiates
 * with any server are all fuzzed: AES-GCM and CBC, with and without
 * encrypt-then-MAC, SHA-1 and SHA-256 MACs. Added, and not in either
 * profile:
 * - ChaCha20-Poly1305 and P-521, which the library offers (src/tls/
 *   connection.rs) whenever a firmware's own mbedTLS configuration has them;
 * - the server side: the seed recorder (examples/record_seeds.rs) and the
 *   server_records target run a deterministic in-process mbedTLS server
 *   (src/server.rs) with session tickets and client-certificate requests,
 *   in TLS 1.2 and TLS 1.3 (the client profile's 1.3 key exchange modes
 *   serve the server too);
 * - PSA's random generator from the harness (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG,
 *   src/determinism.rs): PSA makes the ECDHE keys (TLS 1.3, and 1.2 under
 *   MBEDTLS_USE_PSA_CRYPTO) and the server's ECDSA signatures. Its own DRBG
 *   is seeded once per process and never restarts, so a recorded flight
 *   would not replay; the harness restarts a client stream and a server
 *   stream every run.
 */
#ifndef FREERTOS_TLS_FUZZ_MBEDTLS_CONFIG_H
#define FREERTOS_TLS_FUZZ_MBEDTLS_CONFIG_H

#include "../mbedtls-sys/config/client-cbc.h"

#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED

#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_TICKET_C

#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG

#endif /* FREERTOS_TLS_FUZZ_MBEDTLS_CONFIG_H */
