/*
 * Allocation-failure harness for the `freertos` build of the library.
 *
 * Provides the FreeRTOS symbols the library needs (pvPortMalloc/vPortFree,
 * critical sections, tick count, vAssertCalled) over a counting heap, and
 * routes mbedTLS's calloc/free there too (linked with --wrap=calloc,
 * --wrap=free, as firmware maps them to the FreeRTOS heap). Then:
 *
 *   alloc_failure_test <port> <ca.pem>
 *
 * runs one full connection to count its allocations N, then for k = 1, 2,
 * ... repeats it with the k-th allocation failing, until a run no longer
 * reaches its k-th allocation. Every run must end with
 * an error code or a working connection, no crash, and nothing left
 * allocated, and the runs must have failed (nearly) every allocation of a
 * connection. Exit status 0 only then (see harness.h).
 */
#include "FreeRTOS.h"
#include "iot_tls.h"
#include "harness.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- counting heap with one injected failure ---- */
void *__real_calloc(size_t n, size_t size);
void __real_free(void *p);

static long outstanding;   /* blocks currently allocated */
static long allocations;   /* allocations attempted in this run */
static long fail_at;       /* 1-based index to fail, 0 = never */
static int failure_injected;

/* The allocation just before the injected failure, and the failed request's
 * size: enough to recognise mbedTLS 3.6.7's one known leak (below). */
static void *before_failure;
static size_t before_failure_size, failed_size;

static void *counted(size_t bytes)
{
    void *p;
    allocations++;
    if (fail_at != 0 && allocations == fail_at) {
        failure_injected = 1;
        failed_size = bytes;
        return NULL;
    }
    p = __real_calloc(1, bytes ? bytes : 1);
    if (p) outstanding++;
    if (fail_at != 0 && allocations == fail_at - 1) {
        before_failure = p;
        before_failure_size = bytes;
    }
    return p;
}

static void uncounted(void *p)
{
    if (p) {
        if (p == before_failure) before_failure = NULL;
        outstanding--;
        __real_free(p);
    }
}

/* mbedTLS 3.6.7 (library/ssl_tls13_keys.c, the TLS 1.3 handshake and
 * application transforms) imports a record key's two directions into PSA
 * one after the other; when the second import fails, it frees the
 * transform with mbedtls_free, not mbedtls_ssl_transform_free, so the first
 * key (its 16- or 32-byte PSA key buffer) stays in PSA's key store. The
 * library cannot reach it (upstream: Mbed-TLS/mbedtls issue 10917, fix
 * proposed in PR 10926). Recognised exactly: one block left, the
 * allocation made right before the failed one, of the same size, a key
 * size. */
static int upstream_transform_key_leak(void)
{
    return outstanding == 1 && before_failure != NULL && before_failure_size == failed_size &&
           (failed_size == 16 || failed_size == 32);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) return NULL; /* overflow-checked */
    return counted(n * size);
}
void __wrap_free(void *p) { uncounted(p); }
void *pvPortMalloc(size_t size) { return counted(size); }
void vPortFree(void *p) { uncounted(p); }

/* ---- the rest of the kernel surface the library uses: the FreeRTOS
 * glue's functions (src/platform/freertos_glue.c), a 32-bit tick at 1000 Hz ---- */
void freertos_tls_enter_critical(void) {}
void freertos_tls_exit_critical(void) {}
uint32_t freertos_tls_tick_count(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint32_t)(t.tv_sec * 1000 + t.tv_nsec / 1000000);
}
uint32_t freertos_tls_tick_max(void) { return UINT32_MAX; }
uint32_t freertos_tls_tick_rate_hz(void) { return 1000; }
void freertos_tls_delay_ticks(uint32_t ticks) { usleep(ticks * 1000u); }
void vAssertCalled(const char *file, unsigned long line)
{
    fprintf(stderr, "vAssertCalled %s:%lu\n", file, line);
    abort();
}

static char ca_pem[16384];
static uint32_t ca_len;

/* One connection. Returns 0 if it worked end to end, else the failing code. */
static long one_connection(int port)
{
    static const char msg[] = "allocation failure harness";
    unsigned char back[sizeof msg];
    size_t got = 0;
    int tries = 0, fd = harness_tcp_connect(port);
    void *tls = NULL;
    TLSParams_t p;
    long rc;

    harness_params(&p, &fd, ca_pem, ca_len);

    rc = TLS_Init(&tls, &p);
    if (rc == 0) rc = TLS_Connect(tls);
    if (rc == 0) {
        BaseType_t n = TLS_Send(tls, (const unsigned char *)msg, sizeof msg);
        rc = n == (BaseType_t)sizeof msg ? 0 : (n < 0 ? n : -1);
    }
    while (rc == 0 && got < sizeof msg && tries++ < 50) {
        BaseType_t n = TLS_Recv(tls, back + got, sizeof msg - got);
        if (n < 0) rc = n;
        else got += (size_t)n;
    }
    if (rc == 0 && (got != sizeof msg || memcmp(back, msg, sizeof msg) != 0)) rc = -1;
    TLS_Cleanup(tls);
    /* The session a successful handshake left in the resumption cache is
     * the library's until wiped: wipe it, so that everything the connection
     * allocated must be back, and the next run is a full handshake again. */
    TLS_ClearSessionCache();
    close(fd);
    return rc;
}

int main(int argc, char **argv)
{
    int port;
    long k, baseline, total, permanent, clean = 0, errors = 0, tolerated = 0, misbehaved = 0;
    long known_upstream_leaks = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: alloc_failure_test <port> <ca.pem>\n");
        return 2;
    }
    port = atoi(argv[1]);
    ca_len = harness_read_pem(argv[2], ca_pem, sizeof ca_pem);

    /* The first connection starts PSA crypto, whose state (its random
     * generator, the key-slot table) stays allocated for the life of the
     * image (its random generator, the key store): it is counted here and
     * stays out of the runs below. */
    if (one_connection(port) != 0) {
        fprintf(stderr, "first connection failed\n");
        CHECK(0);
        return harness_report();
    }
    permanent = outstanding;
    printf("PSA keeps %ld blocks for the life of the image\n", permanent);
    CHECK(permanent <= 4);
    outstanding = 0;

    /* Baseline: count the allocations of one complete connection. */
    allocations = 0;
    if (one_connection(port) != 0 || outstanding != 0) {
        fprintf(stderr, "baseline connection failed (outstanding %ld)\n", outstanding);
        CHECK(0);
        return harness_report();
    }
    baseline = allocations;
    printf("one connection makes %ld allocations\n", baseline);
    CHECK(baseline > 10);

    /* The count varies a little between handshakes (bignum sizes depend on
     * the random values), so k goes on until a run completes without
     * reaching its k-th allocation: then every allocation of a full
     * connection has been made to fail once. */
    for (k = 1;; k++) {
        long rc;
        allocations = 0;
        failure_injected = 0;
        fail_at = k;
        rc = one_connection(port);
        if (!failure_injected && rc == 0 && outstanding == 0) break;
        if (failure_injected && rc < 0 && upstream_transform_key_leak()) {
            printf("k=%ld: mbedTLS's known transform key leak (%zu bytes), not the library's\n", k, failed_size);
            known_upstream_leaks++;
            outstanding = 0;
            clean++;
            errors++;
            continue;
        }
        if (!failure_injected || outstanding != 0) {
            fprintf(stderr, "k=%ld: injected=%d rc=%ld outstanding=%ld\n", k, failure_injected, rc, outstanding);
            CHECK(0);
            outstanding = 0;
            if (++misbehaved > 20) break;
            continue;
        }
        if (rc < 0) errors++;
        else tolerated++; /* e.g. no client credential: handshake went on */
        clean++;
    }
    total = k - 1;
    printf("%ld runs: %ld ended cleanly (%ld returned an error, %ld recovered), %ld misbehaved; "
           "%ld met mbedTLS's known transform key leak\n",
           total, clean, errors, tolerated, misbehaved, known_upstream_leaks);
    /* One such point per transform a TLS 1.3 handshake builds (three seen:
     * handshake keys, then two at the application keys). */
    CHECK(known_upstream_leaks <= 4);
    /* The clean runs covered a whole connection (the count varies a little
     * between handshakes: 1% slack against the baseline). */
    if (clean + clean / 100 < baseline) fprintf(stderr, "only %ld of ~%ld allocations were failed\n", clean, baseline);
    CHECK(clean + clean / 100 >= baseline);
    return harness_report();
}
