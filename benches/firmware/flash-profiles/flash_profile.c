/*
 * The mbedTLS calls of a TLS client, linked (never run) to measure the
 * flash of an mbedTLS configuration profile (CMakeLists.txt here). What
 * the platform would supply (entropy, time, mutexes) is a stub: their
 * size is not mbedTLS's.
 */
#include <string.h>
#include <time.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/ssl.h"
#include "mbedtls/threading.h"
#include "mbedtls/x509_crt.h"
#include "psa/crypto.h"

#include "raw_client_config.h"

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void) data;
    memset(output, 0, len);
    *olen = len;
    return 0;
}

long long mbedtls_time(long long *now)
{
    if (now != NULL) {
        *now = 0;
    }
    return 0;
}

mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return 0;
}

struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
    (void) tt;
    memset(tm_buf, 0, sizeof(*tm_buf));
    return tm_buf;
}

static void mutex_init(mbedtls_threading_mutex_t *m) { m->valid = 1; }
static void mutex_free(mbedtls_threading_mutex_t *m) { m->valid = 0; }
static int mutex_lock(mbedtls_threading_mutex_t *m) { m->locked = 1; return 0; }
static int mutex_unlock(mbedtls_threading_mutex_t *m) { m->locked = 0; return 0; }

static int entropy(void *ctx, unsigned char *out, size_t len)
{
    size_t got;
    return mbedtls_hardware_poll(ctx, out, len, &got);
}

/* The transport: volatile so that nothing is folded away. */
static volatile int io_result;
static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    (void) ctx; (void) buf;
    return io_result < 0 ? io_result : (int) len;
}
static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    (void) ctx;
    memset(buf, 0, len);
    return io_result < 0 ? io_result : (int) len;
}

extern const char ca_pem[];
const char ca_pem[] = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";

int main(void)
{
    static mbedtls_ssl_context ssl;
    static mbedtls_ssl_config conf;
    static mbedtls_ctr_drbg_context drbg;
    static mbedtls_x509_crt ca;
    static mbedtls_ssl_session session;
    unsigned char buf[64];
    const char *step;
    int rc;

    mbedtls_threading_set_alt(mutex_init, mutex_free, mutex_lock, mutex_unlock);
    if (psa_crypto_init() != PSA_SUCCESS) {
        return 1;
    }
    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&ca);
    mbedtls_ssl_session_init(&session);
    rc = bench_raw_configure(&conf, &drbg, &ca, ca_pem, sizeof(ca_pem), entropy, NULL,
                             MBEDTLS_SSL_SESSION_TICKETS_ENABLED, &step);
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    mbedtls_ssl_conf_max_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_3);
    mbedtls_ssl_conf_tls13_key_exchange_modes(&conf, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_ALL);
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(&conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
#endif
#if !defined(MBEDTLS_SSL_PROTO_TLS1_2)
    mbedtls_ssl_conf_min_tls_version(&conf, MBEDTLS_SSL_VERSION_TLS1_3);
#endif
    rc = rc != 0 ? rc : mbedtls_ssl_setup(&ssl, &conf);
    rc = rc != 0 ? rc : mbedtls_ssl_set_hostname(&ssl, BENCH_RAW_SERVER_NAME);
    mbedtls_ssl_set_bio(&ssl, NULL, bio_send, bio_recv, NULL);
    rc = rc != 0 ? rc : mbedtls_ssl_set_session(&ssl, &session);
    rc = rc != 0 ? rc : mbedtls_ssl_handshake(&ssl);
    rc = rc != 0 ? rc : mbedtls_ssl_write(&ssl, buf, sizeof(buf));
    rc = rc != 0 ? rc : mbedtls_ssl_read(&ssl, buf, sizeof(buf));
    rc = rc != 0 ? rc : mbedtls_ssl_get_session(&ssl, &session);
    rc = rc != 0 ? rc : (int) mbedtls_ssl_get_verify_result(&ssl);
    (void) mbedtls_ssl_close_notify(&ssl);
    mbedtls_ssl_session_free(&session);
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_x509_crt_free(&ca);
    mbedtls_psa_crypto_free();
    return rc;
}
