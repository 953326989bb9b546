/*
 * TLS_Connect's client configuration restated for a raw mbedTLS client:
 * see raw_client_config.h. Compiled into both benchmarks.
 */
#include "raw_client_config.h"

#include "mbedtls/ecp.h"
#include "mbedtls/md.h"
#include "mbedtls/ssl_ciphersuites.h"

/* src/tls/connection.rs: CIPHERSUITES, GROUPS, SIG_ALGS,
 * DRBG_PERSONALISATION, in the same order. */
static const int raw_suites[] = {
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
#endif
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    0,
};
static const uint16_t raw_groups[] = {
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_SSL_IANA_TLS_GROUP_X25519, MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1, MBEDTLS_SSL_IANA_TLS_GROUP_NONE,
};
static const uint16_t raw_sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256, MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP521R1_SHA512, MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384, MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512, MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384, MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512, MBEDTLS_TLS1_3_SIG_NONE,
};
static const unsigned char raw_personalisation[] = "freertos-tls ctr_drbg";

/* src/tls/record_size.rs: the largest max-fragment-length request that
 * fits this build's input buffer; none with the default 16 KiB. */
#if MBEDTLS_SSL_IN_CONTENT_LEN >= 16384
#define RAW_MAX_FRAGMENT_LENGTH MBEDTLS_SSL_MAX_FRAG_LEN_NONE
#elif MBEDTLS_SSL_IN_CONTENT_LEN >= 4096
#define RAW_MAX_FRAGMENT_LENGTH MBEDTLS_SSL_MAX_FRAG_LEN_4096
#elif MBEDTLS_SSL_IN_CONTENT_LEN >= 2048
#define RAW_MAX_FRAGMENT_LENGTH MBEDTLS_SSL_MAX_FRAG_LEN_2048
#elif MBEDTLS_SSL_IN_CONTENT_LEN >= 1024
#define RAW_MAX_FRAGMENT_LENGTH MBEDTLS_SSL_MAX_FRAG_LEN_1024
#else
#define RAW_MAX_FRAGMENT_LENGTH MBEDTLS_SSL_MAX_FRAG_LEN_512
#endif

int bench_raw_configure(mbedtls_ssl_config *conf, mbedtls_ctr_drbg_context *drbg, mbedtls_x509_crt *ca,
                        const char *ca_pem, size_t ca_len, bench_raw_entropy_fn entropy, void *entropy_ctx,
                        int session_tickets, const char **failed_step)
{
    int rc;
    *failed_step = "x509_crt_parse";
    if ((rc = mbedtls_x509_crt_parse(ca, (const unsigned char *)ca_pem, ca_len)) != 0) return rc;
    *failed_step = "ctr_drbg_seed";
    rc = mbedtls_ctr_drbg_seed(drbg, entropy, entropy_ctx, raw_personalisation, sizeof raw_personalisation - 1);
    if (rc != 0) return rc;
    *failed_step = "ssl_config_defaults";
    rc = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                     MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) return rc;
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(conf, ca, NULL);
    mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, drbg);
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    /* src/tls/connection.rs (versions): TLS 1.2 to 1.3, 1.2 only with a
     * record buffer under 16 KiB. */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3) && MBEDTLS_SSL_IN_CONTENT_LEN >= 16384
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_3);
#else
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
#endif
    mbedtls_ssl_conf_ciphersuites(conf, raw_suites);
    mbedtls_ssl_conf_groups(conf, raw_groups);
    mbedtls_ssl_conf_sig_algs(conf, raw_sig_algs);
    *failed_step = "ssl_conf_max_frag_len";
    if ((rc = mbedtls_ssl_conf_max_frag_len(conf, RAW_MAX_FRAGMENT_LENGTH)) != 0) return rc;
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    mbedtls_ssl_conf_session_tickets(conf, session_tickets);
    /* Not restated: the library's signal of TLS 1.3 tickets (its recv
     * keeps them for resumption); a raw client that never resumes lets
     * mbedTLS drop them, and its reads never return
     * MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET. */
#else
    (void)session_tickets;
#endif
    *failed_step = NULL;
    return 0;
}
