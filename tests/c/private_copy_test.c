/*
 * The library built with its private copy of mbedTLS 3.6 (feature
 * mbedtls-private: every mbedTLS symbol renamed freertos_tls_...) in one
 * program with that program's own mbedTLS 2.28 (Debian 12's static
 * libraries), as a firmware that keeps its 2.x would link it:
 * - the program's 2.28 calls must reach 2.28: its version, a SHA-256 test
 *   vector through a 2.x-only function, a CTR-DRBG seeded from an entropy
 *   context whose strong source is the one mbedtls_hardware_poll (the
 *   library's, the single name both copies share);
 * - a TLS connection through the C ABI (the library's renamed 3.6) and one
 *   of the program's own over 2.28, open side by side, each echoing its
 *   own message through the peer.
 *
 *   private_copy_test <port> <ca.pem>   both connections to the echo peer
 * Exit status 0 when every check passed (see harness.h).
 */
#include "FreeRTOS.h"
#include "harness.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if MBEDTLS_VERSION_MAJOR != 2 || MBEDTLS_VERSION_MINOR != 28
#error "the program's own mbedTLS must be 2.28 (Debian 12's libmbedtls-dev)"
#endif

static int hardware_polls;

/* The library's mbedtls_hardware_poll, counted, as a 2.28 entropy source. */
static int counted_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
    hardware_polls++;
    return mbedtls_hardware_poll(data, out, len, olen);
}

/* 2.28's version, SHA-256 and CTR-DRBG (seeded once, drawn from each call). */
static void own_crypto(mbedtls_ctr_drbg_context *drbg)
{
    /* SHA-256("abc"), FIPS 180-2 appendix B.1. */
    static const unsigned char abc_digest[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
    };
    static const unsigned char zero[32];
    char version[18] = "";
    unsigned char digest[32], random[32];

    mbedtls_version_get_string(version);
    CHECK(strncmp(version, "2.28.", 5) == 0);
    CHECK(strcmp(version, MBEDTLS_VERSION_STRING) == 0);
    CHECK(mbedtls_version_get_number() == MBEDTLS_VERSION_NUMBER);
    /* The _ret names exist in 2.x only. */
    CHECK(mbedtls_sha256_ret((const unsigned char *)"abc", 3, digest, 0) == 0);
    CHECK(memcmp(digest, abc_digest, sizeof digest) == 0);
    CHECK(mbedtls_ctr_drbg_random(drbg, random, sizeof random) == 0);
    CHECK(memcmp(random, zero, sizeof random) != 0);
}

/* The program's own TLS 1.2 client on 2.28. */
struct own_tls {
    mbedtls_net_context net;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
};

static int own_connect(struct own_tls *t, const char *port, const char *ca, uint32_t ca_len,
                       mbedtls_ctr_drbg_context *drbg)
{
    int rc;
    mbedtls_net_init(&t->net);
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_x509_crt_init(&t->ca);
    if (mbedtls_x509_crt_parse(&t->ca, (const unsigned char *)ca, ca_len) != 0 ||
        mbedtls_net_connect(&t->net, "127.0.0.1", port, MBEDTLS_NET_PROTO_TCP) != 0 ||
        mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return -1;
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, drbg);
    /* A dead peer fails the test instead of hanging it. */
    mbedtls_ssl_conf_read_timeout(&t->conf, 10000);
    if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0 || mbedtls_ssl_set_hostname(&t->ssl, "localhost") != 0)
        return -1;
    mbedtls_ssl_set_bio(&t->ssl, &t->net, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
    while ((rc = mbedtls_ssl_handshake(&t->ssl)) != 0) {
        if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE) {
            fprintf(stderr, "2.28 handshake: -0x%04x\n", (unsigned)-rc);
            return -1;
        }
    }
    return 0;
}

static void own_close(struct own_tls *t)
{
    mbedtls_ssl_close_notify(&t->ssl);
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_net_free(&t->net);
}

/* Read exactly len bytes from the 2.28 connection. */
static int own_read(struct own_tls *t, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        int n = mbedtls_ssl_read(&t->ssl, buf + got, len - got);
        if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

/* Read exactly len bytes through the C ABI (the transport gives up on
 * each receive after 200 ms; 50 of those are enough for an echo). */
static int abi_read(void *tls, unsigned char *buf, size_t len)
{
    size_t got = 0;
    int tries = 0;
    while (got < len && tries++ < 50) {
        BaseType_t n = TLS_Recv(tls, buf + got, len - got);
        if (n < 0) return -1;
        got += (size_t)n;
    }
    return got == len ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const char abi_msg[] = "through the C ABI, on the private mbedTLS 3.6";
    static const char own_msg[] = "the program's own connection, on mbedTLS 2.28";
    static const unsigned char pers[] = "private_copy_test";
    static char ca[16384];
    unsigned char abi_back[sizeof abi_msg], own_back[sizeof own_msg];
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    struct own_tls own;
    uint32_t ca_len;
    TLSParams_t p;
    void *tls = NULL;
    int fd, abi_up, own_up;

    if (argc != 3) {
        fprintf(stderr, "usage: see the comment at the top of private_copy_test.c\n");
        return 2;
    }
    ca_len = harness_read_pem(argv[2], ca, sizeof ca);

    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    CHECK(mbedtls_entropy_add_source(&entropy, counted_hardware_poll, NULL, 32, MBEDTLS_ENTROPY_SOURCE_STRONG) == 0);
    CHECK(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, pers, sizeof pers) == 0);
    CHECK(hardware_polls > 0);
    own_crypto(&drbg);

    fd = harness_tcp_connect(atoi(argv[1]));
    harness_params(&p, &fd, ca, ca_len);
    abi_up = TLS_Init(&tls, &p) == 0 && TLS_Connect(tls) == 0;
    CHECK(abi_up);
    /* The second connection opens while the first is live. */
    own_up = own_connect(&own, argv[1], ca, ca_len, &drbg) == 0;
    CHECK(own_up);
    CHECK(!own_up || strcmp(mbedtls_ssl_get_version(&own.ssl), "TLSv1.2") == 0);

    if (abi_up && own_up) {
        CHECK(TLS_Send(tls, (const unsigned char *)abi_msg, sizeof abi_msg) == (BaseType_t)sizeof abi_msg);
        CHECK(mbedtls_ssl_write(&own.ssl, (const unsigned char *)own_msg, sizeof own_msg) == (int)sizeof own_msg);
        CHECK(own_read(&own, own_back, sizeof own_back) == 0 && memcmp(own_back, own_msg, sizeof own_msg) == 0);
        CHECK(abi_read(tls, abi_back, sizeof abi_back) == 0 && memcmp(abi_back, abi_msg, sizeof abi_msg) == 0);
    }
    own_crypto(&drbg);

    own_close(&own);
    TLS_Cleanup(tls);
    close(fd);
    own_crypto(&drbg);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return harness_report();
}
