/*
 * The raw mbedTLS client both benchmarks compare against (benches/c on the
 * host, benches/firmware on the emulated board): one definition of "the
 * configuration TLS_Connect applies" (src/tls/connection.rs and
 * src/tls/record_size.rs), so that the two baselines cannot drift apart
 * from each other. If TLS_Connect's configuration changes, change it here.
 */
#ifndef BENCH_RAW_CLIENT_CONFIG_H
#define BENCH_RAW_CLIENT_CONFIG_H

#include <stddef.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

/* Entropy for the DRBG seed: the host's getrandom(2), the board's
 * mbedtls_hardware_poll. Same contract as mbedtls_ctr_drbg_seed's f_entropy. */
typedef int (*bench_raw_entropy_fn)(void *ctx, unsigned char *out, size_t len);

/*
 * Parses the trusted CA (PEM, NUL counted in ca_len) into ca, seeds drbg,
 * and applies TLS_Connect's client configuration to conf: TLS 1.2 minimum,
 * TLS 1.3 maximum where the configuration has it and 16 KiB records (no
 * TLS 1.3 ticket signal: the raw client never resumes),
 * verification required against ca, the same cipher suites, curves and
 * signature hashes in the same order, renegotiation off, the
 * max-fragment-length request of this build's record buffer (none with
 * the default 16 KiB), session tickets as `session_tickets` says
 * (MBEDTLS_SSL_SESSION_TICKETS_ENABLED / _DISABLED). The contexts must be
 * initialised. Returns 0, or the mbedTLS error with *failed_step naming
 * the call that returned it.
 */
int bench_raw_configure(mbedtls_ssl_config *conf, mbedtls_ctr_drbg_context *drbg, mbedtls_x509_crt *ca,
                        const char *ca_pem, size_t ca_len, bench_raw_entropy_fn entropy, void *entropy_ctx,
                        int session_tickets, const char **failed_step);

/* The host name both clients check the server certificate against and
 * send as SNI (the benchmarks' peers serve "localhost"). */
#define BENCH_RAW_SERVER_NAME "localhost"

#endif /* BENCH_RAW_CLIENT_CONFIG_H */
