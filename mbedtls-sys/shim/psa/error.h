/*
 * The PSA status type and codes, where mbedTLS looks for them when the
 * platform supplies its internal trusted storage (no MBEDTLS_PSA_ITS_FILE_C):
 * mbedTLS's own headers define both.
 */
#ifndef FREERTOS_TLS_PSA_ERROR_H
#define FREERTOS_TLS_PSA_ERROR_H

#include "psa/crypto_types.h"
#include "psa/crypto_values.h"

#endif /* FREERTOS_TLS_PSA_ERROR_H */
