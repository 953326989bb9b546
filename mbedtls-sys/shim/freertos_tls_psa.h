/*
 * What the library's PSA shim (psa_token_driver.c) offers the library.
 */
#ifndef FREERTOS_TLS_PSA_H
#define FREERTOS_TLS_PSA_H

#include <stddef.h>
#include <stdint.h>
#include "psa/crypto.h"
#include "mbedtls/md.h"

/* The PSA key location of token keys. mbedTLS 3.6 takes secure-element
 * drivers at locations 1..255 only (no vendor range): this one is the
 * library's, and a firmware that registers its own driver picks another. */
#define FREERTOS_TLS_PSA_TOKEN_LOCATION ((psa_key_location_t) 0x4b)

/* freertos_tls_psa_start: PSA runs, but its token driver could not be
 * registered (PSA's driver table is full, or the location is taken). */
#define FREERTOS_TLS_PSA_NO_DRIVER 1

/* The PSA statuses the library uses, as enum values the Rust bindings can
 * read (the PSA macros are casts). */
enum freertos_tls_psa_status {
    FREERTOS_TLS_PSA_SUCCESS = PSA_SUCCESS,
    FREERTOS_TLS_PSA_ERROR_BAD_STATE = PSA_ERROR_BAD_STATE,
    FREERTOS_TLS_PSA_ERROR_NOT_SUPPORTED = PSA_ERROR_NOT_SUPPORTED,
    FREERTOS_TLS_PSA_ERROR_INVALID_ARGUMENT = PSA_ERROR_INVALID_ARGUMENT,
    FREERTOS_TLS_PSA_ERROR_INVALID_HANDLE = PSA_ERROR_INVALID_HANDLE,
    FREERTOS_TLS_PSA_ERROR_INSUFFICIENT_MEMORY = PSA_ERROR_INSUFFICIENT_MEMORY,
    FREERTOS_TLS_PSA_ERROR_HARDWARE_FAILURE = PSA_ERROR_HARDWARE_FAILURE,
    /* Makes the enum an int whatever the ABI's enum size: with
     * -fshort-enums (arm-none-eabi's default) it would be 16 bits, and
     * the bindings' constants would not have psa_status_t's type. */
    FREERTOS_TLS_PSA_STATUS_INT = 0x7fffffff,
};

/* Signature schemes the token driver is asked for. */
enum freertos_tls_sign_scheme {
    FREERTOS_TLS_SIGN_ECDSA = 1,
    FREERTOS_TLS_SIGN_RSA_PKCS1V15 = 2,
    /* RSASSA-PSS, MGF1 with the same hash, salt as long as the hash. */
    FREERTOS_TLS_SIGN_RSA_PSS = 3,
    /* 32 bits whatever the ABI's enum size (see freertos_tls_psa_status). */
    FREERTOS_TLS_SIGN_SCHEME_UINT = 0x7fffffff,
};

/* Sign `hash` (made with `md`) with token key `slot` in `scheme` (one of
 * enum freertos_tls_sign_scheme). ECDSA: raw r||s; RSA: the
 * modulus-sized signature. A PSA status. */
typedef psa_status_t (*freertos_tls_token_sign_t)(uint64_t slot, int scheme, mbedtls_md_type_t md,
                                                  const uint8_t *hash, size_t hash_length,
                                                  uint8_t *signature, size_t signature_size,
                                                  size_t *signature_length);

/* Register the token driver with `sign` and start PSA (psa_crypto_init).
 * 0, FREERTOS_TLS_PSA_NO_DRIVER, or psa_crypto_init's status. Call once,
 * before any other PSA call of the library. */
int freertos_tls_psa_start(freertos_tls_token_sign_t sign);

/* Create the volatile PSA key that stands for token key `slot` (nonzero):
 * an RSA key pair (`rsa` nonzero; PKCS#1 v1.5 and PSS signatures) or a
 * NIST P-curve key pair (ECDSA), of `bits`. A PSA status. */
int freertos_tls_psa_token_key(int rsa, size_t bits, uint64_t slot, mbedtls_svc_key_id_t *key);

#endif /* FREERTOS_TLS_PSA_H */
