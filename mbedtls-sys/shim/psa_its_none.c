/*
 * PSA internal trusted storage that stores nothing.
 *
 * MBEDTLS_PSA_CRYPTO_SE_C requires MBEDTLS_PSA_CRYPTO_STORAGE_C, which calls
 * psa_its_*. The library creates only volatile keys, and its token driver
 * keeps no persistent data (size 0), so the only writes are of zero bytes.
 * Anything else is refused: a configuration that wants persistent keys
 * brings its own storage. Compiled only with the library's own mbedTLS
 * build, and only when that configuration has STORAGE_C without a file
 * system behind it.
 */
#include "mbedtls/build_info.h"

#if defined(MBEDTLS_PSA_CRYPTO_STORAGE_C) && !defined(MBEDTLS_PSA_ITS_FILE_C)

#include "psa/crypto.h"
#include "psa/internal_trusted_storage.h"

psa_status_t psa_its_set(psa_storage_uid_t uid, uint32_t data_length, const void *p_data,
                         psa_storage_create_flags_t create_flags)
{
    (void) uid; (void) p_data; (void) create_flags;
    return data_length == 0 ? PSA_SUCCESS : PSA_ERROR_INSUFFICIENT_STORAGE;
}

psa_status_t psa_its_get(psa_storage_uid_t uid, uint32_t data_offset, uint32_t data_length,
                         void *p_data, size_t *p_data_length)
{
    (void) uid; (void) data_offset; (void) data_length; (void) p_data; (void) p_data_length;
    return PSA_ERROR_DOES_NOT_EXIST;
}

psa_status_t psa_its_get_info(psa_storage_uid_t uid, struct psa_storage_info_t *p_info)
{
    (void) uid; (void) p_info;
    return PSA_ERROR_DOES_NOT_EXIST;
}

psa_status_t psa_its_remove(psa_storage_uid_t uid)
{
    (void) uid;
    return PSA_ERROR_DOES_NOT_EXIST;
}

#endif
