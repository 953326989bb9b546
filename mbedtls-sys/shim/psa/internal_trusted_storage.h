/*
 * The PSA internal trusted storage interface (PSA Storage API), which
 * mbedTLS includes when the platform supplies the storage (no
 * MBEDTLS_PSA_ITS_FILE_C). The library's implementation stores nothing:
 * ../psa_its_none.c.
 */
#ifndef FREERTOS_TLS_PSA_INTERNAL_TRUSTED_STORAGE_H
#define FREERTOS_TLS_PSA_INTERNAL_TRUSTED_STORAGE_H

#include <stddef.h>
#include <stdint.h>
#include "psa/error.h"

typedef uint64_t psa_storage_uid_t;
typedef uint32_t psa_storage_create_flags_t;

struct psa_storage_info_t {
    uint32_t size;
    psa_storage_create_flags_t flags;
};

#define PSA_STORAGE_FLAG_NONE 0u

psa_status_t psa_its_set(psa_storage_uid_t uid, uint32_t data_length, const void *p_data,
                         psa_storage_create_flags_t create_flags);
psa_status_t psa_its_get(psa_storage_uid_t uid, uint32_t data_offset, uint32_t data_length,
                         void *p_data, size_t *p_data_length);
psa_status_t psa_its_get_info(psa_storage_uid_t uid, struct psa_storage_info_t *p_info);
psa_status_t psa_its_remove(psa_storage_uid_t uid);

#endif /* FREERTOS_TLS_PSA_INTERNAL_TRUSTED_STORAGE_H */
