/*
 * What the C harnesses share: check counters whose verdict is the exit
 * status, a loopback TCP transport for the library's two callbacks, and
 * reading the trust anchor file.
 */
#ifndef TESTS_C_HARNESS_H
#define TESTS_C_HARNESS_H

#include "FreeRTOS.h"
#include "iot_tls.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int harness_passed, harness_failed;

/* Count a check; a failed one is reported on stderr with its line. */
#define CHECK(cond)                                                            \
    do {                                                                       \
        if (cond) {                                                            \
            harness_passed++;                                                  \
        } else {                                                               \
            harness_failed++;                                                  \
            fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                      \
    } while (0)

/* Print "N passed, M failed" for humans; the exit status for main: 0 only
 * when at least one check ran and none failed. */
int harness_report(void);

/* A TCP connection to 127.0.0.1:port whose receives time out after
 * 200 ms (so "nothing now" happens); exits 2 if it cannot connect. */
int harness_tcp_connect(int port);

/* NetworkRecv_t / NetworkSend_t over the socket *(int *)ctx:
 * 0 = nothing now, -1 = error or the peer closed the stream. */
BaseType_t harness_sock_recv(void *ctx, unsigned char *buf, size_t len);
BaseType_t harness_sock_send(void *ctx, const unsigned char *buf, size_t len);

/* *p = the current TLSParams_t layout for "localhost" over the socket
 * *fd, trusting the PEM text ca (ca_len bytes, its NUL counted), no ALPN. */
void harness_params(TLSParams_t *p, int *fd, const char *ca, uint32_t ca_len);

/* Read a PEM file into buf (cap bytes) and NUL-terminate it; returns the
 * length including the NUL, as TLSParams_t wants it. Exits 2 on an
 * unreadable or too large file. No heap: the allocation-failure harness
 * counts every heap block. */
uint32_t harness_read_pem(const char *path, char *buf, size_t cap);

#endif
