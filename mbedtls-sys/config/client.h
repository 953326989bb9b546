/*
 * mbedTLS 3.6 configuration profile "client": the TLS 1.2 and 1.3 client
 * that freertos-tls needs, and nothing else.
 *
 * ECDHE-ECDSA and ECDHE-RSA with AES-GCM; SHA-256/384; P-256, P-384 and
 * X25519 (the built-in roots and common brokers); RSA PKCS#1 v1.5 and PSS
 * verification; X.509 and PEM; SNI, ALPN, session tickets, max fragment
 * length, extended master secret; TLS 1.3 with ephemeral and
 * PSK-ephemeral key exchange (resumption keeps forward secrecy), no early
 * data. PSA crypto carries TLS 1.3 and the token-held client keys (an
 * opaque key per connection, signed through the library's secure-element
 * driver). No server, DTLS, file system, sockets, debug or self tests.
 *
 * Selected with FREERTOS_TLS_MBEDTLS_CONFIG=client (the default) or the
 * CMake cache variable of the same name. Record buffers: 16 KiB each way
 * unless MBEDTLS_SSL_IN_CONTENT_LEN / MBEDTLS_SSL_OUT_CONTENT_LEN come in
 * through the C flags (the library reads the sizes from this
 * configuration and requests a matching max fragment length).
 */
#ifndef FREERTOS_TLS_MBEDTLS_CLIENT_H
#define FREERTOS_TLS_MBEDTLS_CLIENT_H

/* Platform: time and entropy come from the library (src/platform,
 * the entropy port); memory from calloc/free, which a firmware maps onto
 * its heap. */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_TIME_TYPE_MACRO long long
#define MBEDTLS_PLATFORM_TIME_MACRO mbedtls_time
long long mbedtls_time(long long *now);
#define MBEDTLS_PLATFORM_MS_TIME_ALT
#define MBEDTLS_PLATFORM_GMTIME_R_ALT
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* Flash within issue 21's budget (mbedTLS with TLS 1.2 and 1.3 within
 * 112 KB, and with the library's Rust within 128 KB, on a Cortex-M4F;
 * measured with benches/firmware/flash-profiles):
 * - the smaller SHA-256/512 code: less flash, a little more work per
 *   handshake;
 * - no precomputed tables for multiplying the curves' generator: every key
 *   share and the generator half of every ECDSA verification runs the
 *   plain comb, so a software-ECC handshake on the M4 costs markedly more
 *   instructions; with `p256-cortex-m4` P-256 never uses it. A firmware
 *   that can spare the flash gets the speed back with
 *   -DMBEDTLS_ECP_FIXED_POINT_OPTIM=1 in its C flags.
 * What each saves and costs, with its commit:
 * benches/results/earlier-runs.md. */
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_SMALLER
#if !defined(MBEDTLS_ECP_FIXED_POINT_OPTIM)
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#endif

/* Symmetric crypto and hashes. */
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C

/* Public-key crypto. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
/* Client keys that stay in the PKCS#11 token: PSA opaque keys (below);
 * RSA_ALT is the route of configurations without MBEDTLS_USE_PSA_CRYPTO. */
#define MBEDTLS_PK_RSA_ALT_SUPPORT

/* Certificates. */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* PSA crypto: the 3.6 way to TLS 1.3 and opaque (token) keys. Its random
 * generator is seeded from the same entropy as the library's DRBG. The
 * library owns its buffers, so PSA need not copy them (saves a record-size
 * transient).
 *
 * Token keys: PSA reaches a key that is not in memory only through a
 * secure-element driver (MBEDTLS_PSA_CRYPTO_SE_C; deprecated in 3.6, gone
 * in 4.x, where the same driver becomes an opaque driver). SE_C requires
 * STORAGE_C; the library's keys are volatile and its driver keeps no
 * state, so the internal trusted storage behind it is the library's empty
 * one (mbedtls-sys/shim/psa_its_none.c). */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS
/* PSA's key table grows on the heap with the most keys in use at once (a
 * TLS 1.3 connection holds about five while it handshakes, two after),
 * instead of a fixed 32-slot table in .bss that a few concurrent
 * handshakes exhaust. What it grew to stays allocated. */
#define MBEDTLS_PSA_KEY_STORE_DYNAMIC
#define MBEDTLS_USE_PSA_CRYPTO
#define MBEDTLS_PSA_CRYPTO_SE_C
#define MBEDTLS_PSA_CRYPTO_STORAGE_C
#define MBEDTLS_HKDF_C

/* PSA keeps global state (key slots, its random generator): connections in
 * several tasks need its locks. The library supplies them
 * (src/platform/mutex.rs, registered with mbedtls_threading_set_alt
 * before PSA starts). */
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_ALT

/* TLS 1.2 and 1.3 client. TLS 1.3 in 3.6 keeps the peer's certificate
 * (KEEP_PEER_CERTIFICATE). No middlebox-compatibility records, no early
 * data (an MQTT CONNECT must not be replayable). */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALPN
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
/* Tell the peer why a connection ends (e.g. bad_record_mac), as TLS
 * requires; without it mbedTLS drops some fatal alerts silently. */
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES

#endif /* FREERTOS_TLS_MBEDTLS_CLIENT_H */
