/*
 * The PSA side of client keys that stay in a PKCS#11 token.
 *
 * mbedTLS 3.6 signs TLS 1.3's RSA-PSS CertificateVerify only with a key it
 * holds in memory or with a PSA opaque key; PSA reaches a key that is not
 * in memory through a secure-element driver (MBEDTLS_PSA_CRYPTO_SE_C). This
 * file is that driver and the two calls the library makes around it, in C
 * because PSA's key attributes are set through inline functions.
 *
 * The driver holds no keys. A key's slot number is the library's handle of
 * one token key (src/pkcs11/psa_key.rs), chosen by the library and checked
 * here only for being the one the key was created with; signing hands the
 * handle, the algorithm and the hash back to the library, which asks the
 * token. Keys are volatile: created for one connection, destroyed with it.
 *
 * Compiled with the mbedTLS it binds (and renamed with it for the private
 * copy); empty unless the configuration has MBEDTLS_USE_PSA_CRYPTO and
 * MBEDTLS_PSA_CRYPTO_SE_C.
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include "mbedtls/build_info.h"

#if defined(MBEDTLS_USE_PSA_CRYPTO) && defined(MBEDTLS_PSA_CRYPTO_SE_C)

#include <string.h>
#include "psa/crypto.h"
#include "psa/crypto_se_driver.h"
#include "mbedtls/threading.h"

#include "freertos_tls_psa.h"

/* The signing function the library registered (set once, before PSA starts). */
static freertos_tls_token_sign_t token_sign;

static psa_status_t allocate_slot(psa_drv_se_context_t *context, void *persistent,
                                  const psa_key_attributes_t *attributes,
                                  psa_key_creation_method_t method, psa_key_slot_number_t *slot)
{
    (void) context; (void) persistent; (void) attributes; (void) method; (void) slot;
    /* The library always names the slot; PSA asks only when it did not. */
    return PSA_ERROR_NOT_SUPPORTED;
}

static psa_status_t validate_slot(psa_drv_se_context_t *context, void *persistent,
                                  const psa_key_attributes_t *attributes,
                                  psa_key_creation_method_t method, psa_key_slot_number_t slot)
{
    (void) context; (void) persistent; (void) attributes;
    return (method == PSA_KEY_CREATION_IMPORT && slot != 0) ? PSA_SUCCESS : PSA_ERROR_NOT_SUPPORTED;
}

/* "Import" is how a key reference enters PSA: the data is the slot number
 * itself, so that a stray import with other data cannot create a key. */
static psa_status_t import_reference(psa_drv_se_context_t *context, psa_key_slot_number_t slot,
                                     const psa_key_attributes_t *attributes,
                                     const uint8_t *data, size_t data_length, size_t *bits)
{
    (void) context;
    if (data_length != sizeof(slot) || memcmp(data, &slot, sizeof(slot)) != 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    *bits = psa_get_key_bits(attributes);
    return PSA_SUCCESS;
}

static psa_status_t forget(psa_drv_se_context_t *context, void *persistent, psa_key_slot_number_t slot)
{
    (void) context; (void) persistent; (void) slot;
    return PSA_SUCCESS;
}

static psa_status_t sign(psa_drv_se_context_t *context, psa_key_slot_number_t slot,
                         psa_algorithm_t alg, const uint8_t *hash, size_t hash_length,
                         uint8_t *signature, size_t signature_size, size_t *signature_length)
{
    (void) context;
    int scheme;
    if (PSA_ALG_IS_ECDSA(alg)) {
        scheme = FREERTOS_TLS_SIGN_ECDSA;
    } else if (PSA_ALG_IS_RSA_PKCS1V15_SIGN(alg)) {
        scheme = FREERTOS_TLS_SIGN_RSA_PKCS1V15;
    } else if (PSA_ALG_IS_RSA_PSS(alg)) {
        scheme = FREERTOS_TLS_SIGN_RSA_PSS;
    } else {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (token_sign == NULL) {
        return PSA_ERROR_BAD_STATE;
    }
    /* mbedtls_md_type_t is the low byte of the PSA hash algorithm (3.6
     * aligned the two). */
    mbedtls_md_type_t md = (mbedtls_md_type_t) (PSA_ALG_SIGN_GET_HASH(alg) & 0xff);
    return token_sign(slot, scheme, md, hash, hash_length, signature, signature_size,
                      signature_length);
}

static const psa_drv_se_key_management_t key_management = {
    .p_allocate = allocate_slot,
    .p_validate_slot_number = validate_slot,
    .p_import = import_reference,
    .p_destroy = forget,
};

static const psa_drv_se_asymmetric_t asymmetric = {
    .p_sign = sign,
};

static const psa_drv_se_t driver = {
    .hal_version = PSA_DRV_SE_HAL_VERSION,
    .persistent_data_size = 0,
    .key_management = &key_management,
    .asymmetric = &asymmetric,
};

int freertos_tls_psa_start(freertos_tls_token_sign_t sign_function)
{
    token_sign = sign_function;
    /* Refused when PSA's driver table is full (PSA_MAX_SE_DRIVERS, 4 in
     * 3.6) or another driver holds the location: PSA still starts, and
     * token keys sign without it (TLS 1.2 only). */
    psa_status_t status = psa_register_se_driver(FREERTOS_TLS_PSA_TOKEN_LOCATION, &driver);
    int driver_ready = status == PSA_SUCCESS;
    status = psa_crypto_init();
    if (status != PSA_SUCCESS) {
        return (int) status;
    }
    return driver_ready ? 0 : FREERTOS_TLS_PSA_NO_DRIVER;
}

int freertos_tls_psa_token_key(int rsa, size_t bits, uint64_t slot, mbedtls_svc_key_id_t *key)
{
    psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
    psa_key_slot_number_t number = (psa_key_slot_number_t) slot;
    if (rsa) {
        /* The primary algorithm is what mbedTLS's opaque RSA signs with
         * (TLS 1.2); PSS (TLS 1.3) is the second one PSA permits. */
        psa_set_key_type(&attributes, PSA_KEY_TYPE_RSA_KEY_PAIR);
        psa_set_key_algorithm(&attributes, PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH));
        psa_set_key_enrollment_algorithm(&attributes, PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH));
    } else {
        psa_set_key_type(&attributes, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
        psa_set_key_algorithm(&attributes, PSA_ALG_ECDSA(PSA_ALG_ANY_HASH));
    }
    psa_set_key_bits(&attributes, bits);
    psa_set_key_usage_flags(&attributes, PSA_KEY_USAGE_SIGN_HASH);
    psa_set_key_lifetime(&attributes, PSA_KEY_LIFETIME_FROM_PERSISTENCE_AND_LOCATION(
                             PSA_KEY_PERSISTENCE_VOLATILE, FREERTOS_TLS_PSA_TOKEN_LOCATION));
    psa_set_key_slot_number(&attributes, number);
    psa_status_t status = psa_import_key(&attributes, (const uint8_t *) &number, sizeof(number), key);
    psa_reset_key_attributes(&attributes);
    return (int) status;
}

#endif /* MBEDTLS_USE_PSA_CRYPTO && MBEDTLS_PSA_CRYPTO_SE_C */
