/*
 * mbedTLS 3.6 configuration profile "client-cbc": the "client" profile
 * plus the CBC suites AWS Greengrass cores list,
 * TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA and TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
 * (also their ECDSA forms). Not recommended (CBC with HMAC-SHA1): only for
 * servers that offer nothing better. Encrypt-then-MAC is negotiated when
 * the server supports it.
 *
 * Selected with FREERTOS_TLS_MBEDTLS_CONFIG=client-cbc.
 */
#ifndef FREERTOS_TLS_MBEDTLS_CLIENT_CBC_H
#define FREERTOS_TLS_MBEDTLS_CLIENT_CBC_H

#include "client.h"

#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_CIPHER_PADDING_PKCS7
#define MBEDTLS_SHA1_C

#endif /* FREERTOS_TLS_MBEDTLS_CLIENT_CBC_H */
