/*
 * PSA transparent-driver entry points for secp256r1 on the P256-Cortex-M4
 * assembly (feature p256-cortex-m4), under the names mbedTLS 3.6's
 * generated driver wrappers call when MBEDTLS_PSA_P256M_DRIVER_ENABLED is
 * defined (declared in 3rdparty/p256-m/p256-m_driver_entrypoints.h, which
 * this file implements instead of compiling p256-m).
 *
 * Why: with MBEDTLS_USE_PSA_CRYPTO, TLS's ECDHE key pair comes from
 * psa_generate_key and psa_export_public_key, which reach
 * mbedtls_ecp_gen_key / mbedtls_ecp_mul, not the MBEDTLS_ECDH_GEN_PUBLIC_ALT
 * hook the feature supplies. Those two entry points are implemented here;
 * the others answer PSA_ERROR_NOT_SUPPORTED, so PSA's built-in code runs,
 * where the feature's ECDH_COMPUTE_SHARED / ECDSA_VERIFY hooks already take
 * the shared secret and the verifications. Key representation: PSA's own
 * (a key pair is its 32-byte big-endian private scalar; a public key the
 * 65-byte uncompressed point), so keys move freely between this driver and
 * the built-in code.
 */
#include "mbedtls/build_info.h"

#if defined(MBEDTLS_PSA_P256M_DRIVER_ENABLED) && defined(MBEDTLS_ECDH_GEN_PUBLIC_ALT)

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "p256-m_driver_entrypoints.h"
#include "psa/crypto.h"

/* The assembly's C interface (crate p256-cortex-m4-sys): numbers are eight
 * 32-bit words, least significant first. */
bool P256_check_range_n(const uint32_t a[8]);
bool p256_scalarmult_base(uint32_t result_x[8], uint32_t result_y[8], const uint32_t scalar[8]);
void p256_point_to_octet_string_uncompressed(uint8_t out[65], const uint32_t x[8], const uint32_t y[8]);
void p256_convert_endianness(void *output, const void *input, size_t byte_len);

/* Key generation draws 256 bits until they are in [1, n-1] (each draw
 * fails with probability about 2^-32); a broken generator ends the loop. */
#define P256_KEY_DRAWS 30

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n-- > 0) {
        *v++ = 0;
    }
}

static bool is_p256_key_pair(const psa_key_attributes_t *attributes)
{
    return psa_get_key_type(attributes) == PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1) &&
           psa_get_key_bits(attributes) == 256;
}

psa_status_t p256_transparent_import_key(const psa_key_attributes_t *attributes, const uint8_t *data,
                                         size_t data_length, uint8_t *key_buffer, size_t key_buffer_size,
                                         size_t *key_buffer_length, size_t *bits)
{
    (void) attributes; (void) data; (void) data_length; (void) key_buffer; (void) key_buffer_size;
    (void) key_buffer_length; (void) bits;
    return PSA_ERROR_NOT_SUPPORTED;
}

psa_status_t p256_transparent_generate_key(const psa_key_attributes_t *attributes, uint8_t *key_buffer,
                                           size_t key_buffer_size, size_t *key_buffer_length)
{
    uint32_t d[8];
    int draw;

    if (!is_p256_key_pair(attributes)) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (key_buffer_size < 32) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    for (draw = 0; draw < P256_KEY_DRAWS; draw++) {
        psa_status_t status = psa_generate_random(key_buffer, 32);
        if (status != PSA_SUCCESS) {
            wipe(key_buffer, 32);
            return status;
        }
        p256_convert_endianness(d, key_buffer, 32);
        if (P256_check_range_n(d)) {
            wipe(d, sizeof(d));
            *key_buffer_length = 32;
            return PSA_SUCCESS;
        }
    }
    wipe(d, sizeof(d));
    wipe(key_buffer, 32);
    return PSA_ERROR_INSUFFICIENT_ENTROPY;
}

psa_status_t p256_transparent_export_public_key(const psa_key_attributes_t *attributes,
                                                const uint8_t *key_buffer, size_t key_buffer_size, uint8_t *data,
                                                size_t data_size, size_t *data_length)
{
    uint32_t d[8], x[8], y[8];
    bool ok;

    /* A key pair only (a public key is its own export: the built-in code). */
    if (!is_p256_key_pair(attributes) || key_buffer_size != 32) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    if (data_size < 65) {
        return PSA_ERROR_BUFFER_TOO_SMALL;
    }
    p256_convert_endianness(d, key_buffer, 32);
    ok = p256_scalarmult_base(x, y, d);
    wipe(d, sizeof(d));
    if (!ok) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    p256_point_to_octet_string_uncompressed(data, x, y);
    *data_length = 65;
    return PSA_SUCCESS;
}

psa_status_t p256_transparent_key_agreement(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                            size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *peer_key,
                                            size_t peer_key_length, uint8_t *shared_secret,
                                            size_t shared_secret_size, size_t *shared_secret_length)
{
    (void) attributes; (void) key_buffer; (void) key_buffer_size; (void) alg; (void) peer_key;
    (void) peer_key_length; (void) shared_secret; (void) shared_secret_size; (void) shared_secret_length;
    return PSA_ERROR_NOT_SUPPORTED;
}

psa_status_t p256_transparent_sign_hash(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                        size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *hash,
                                        size_t hash_length, uint8_t *signature, size_t signature_size,
                                        size_t *signature_length)
{
    (void) attributes; (void) key_buffer; (void) key_buffer_size; (void) alg; (void) hash; (void) hash_length;
    (void) signature; (void) signature_size; (void) signature_length;
    return PSA_ERROR_NOT_SUPPORTED;
}

psa_status_t p256_transparent_verify_hash(const psa_key_attributes_t *attributes, const uint8_t *key_buffer,
                                          size_t key_buffer_size, psa_algorithm_t alg, const uint8_t *hash,
                                          size_t hash_length, const uint8_t *signature, size_t signature_length)
{
    (void) attributes; (void) key_buffer; (void) key_buffer_size; (void) alg; (void) hash; (void) hash_length;
    (void) signature; (void) signature_length;
    return PSA_ERROR_NOT_SUPPORTED;
}

#endif
