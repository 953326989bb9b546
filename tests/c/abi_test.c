/*
 * C caller of the TLS interface, built against the generated header and the
 * static library exactly as firmware would be.
 *
 *   abi_test layout                      check TLSParams_t against abi.md
 *   abi_test echo   <port> <ca.pem>      one full connection, echo checked
 *   abi_test cycles <port> <ca.pem> <n>  n x (init, connect, echo, cleanup)
 *   abi_test bad                         bad calls must fail, not crash
 * Exit status 0 on success; the last line says "N passed, N failed".
 */
#include "FreeRTOS.h"
#include "aws_tls.h" /* the original include name must keep working */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int passed, failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                  \
    } while (0)

/* The layout abi.md documents, written out independently of the header. */
struct reference_params {
    uint32_t ulSize;
    const char *pcDestination;
    const char *pcServerCertificate;
    uint32_t ulServerCertificateLength;
    const char **ppcAlpnProtocols;
    uint32_t ulAlpnProtocolsCount;
    NetworkRecv_t pxNetworkRecv;
    NetworkSend_t pxNetworkSend;
    void *pvCallerContext;
};

#define SAME_FIELD(f) CHECK(offsetof(TLSParams_t, f) == offsetof(struct reference_params, f))

static void check_layout(void)
{
    CHECK(sizeof(TLSParams_t) == sizeof(struct reference_params));
    SAME_FIELD(ulSize);
    SAME_FIELD(pcDestination);
    SAME_FIELD(pcServerCertificate);
    SAME_FIELD(ulServerCertificateLength);
    SAME_FIELD(ppcAlpnProtocols);
    SAME_FIELD(ulAlpnProtocolsCount);
    SAME_FIELD(pxNetworkRecv);
    SAME_FIELD(pxNetworkSend);
    SAME_FIELD(pvCallerContext);
    CHECK(sizeof(BaseType_t) == sizeof(long));
    CHECK(TLS_ERROR_HANDSHAKE_FAILED == -2001);
    CHECK(TLS_ERROR_RNG == -2002);
    CHECK(TLS_ERROR_SIGN == -2003);
    CHECK(TLS_ERROR_NO_PRIVATE_KEY == -2004);
    CHECK(TLS_ERROR_NO_CERTIFICATE == -2005);
}

/* Transport over a blocking socket with a receive timeout: 0 = nothing now. */
static BaseType_t sock_recv(void *ctx, unsigned char *buf, size_t len)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n > 0) return (BaseType_t)n;
        if (n == 0) return -1; /* peer closed TCP */
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
}

static BaseType_t sock_send(void *ctx, const unsigned char *buf, size_t len)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) return (BaseType_t)n;
        if (errno == EINTR) continue;
        return -1;
    }
}

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        exit(2);
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static char *read_file(const char *path, uint32_t *len_with_nul)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = calloc(1, (size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) exit(2);
    fclose(f);
    *len_with_nul = (uint32_t)n + 1;
    return buf;
}

/* One connection: init, connect, echo a message, cleanup. Returns 0 if all good. */
static int one_connection(int port, const char *ca, uint32_t ca_len)
{
    static const char msg[] = "echo through the C ABI";
    unsigned char back[sizeof msg];
    size_t got = 0;
    int tries = 0, fd = tcp_connect(port), ok;
    void *tls = NULL;
    TLSParams_t p;

    memset(&p, 0, sizeof p);
    p.ulSize = sizeof p;
    p.pcDestination = "localhost";
    p.pcServerCertificate = ca;
    p.ulServerCertificateLength = ca_len;
    p.pxNetworkRecv = sock_recv;
    p.pxNetworkSend = sock_send;
    p.pvCallerContext = &fd;

    ok = TLS_Init(&tls, &p) == 0 && tls != NULL;
    CHECK(ok);
    ok = ok && TLS_Connect(tls) == 0;
    CHECK(ok);
    ok = ok && TLS_Send(tls, (const unsigned char *)msg, sizeof msg) == (BaseType_t)sizeof msg;
    CHECK(ok);
    while (ok && got < sizeof msg && tries++ < 50) {
        BaseType_t n = TLS_Recv(tls, back + got, sizeof msg - got);
        if (n < 0) ok = 0;
        else got += (size_t)n;
    }
    ok = ok && got == sizeof msg && memcmp(back, msg, sizeof msg) == 0;
    CHECK(ok);
    TLS_Cleanup(tls);
    close(fd);
    return ok ? 0 : 1;
}

static void bad_calls(void)
{
    TLSParams_t p;
    void *tls = (void *)1;
    unsigned char b[4];
    size_t olen = 7;

    memset(&p, 0, sizeof p);
    p.ulSize = 3; /* neither layout */
    p.pcDestination = "localhost";
    CHECK(TLS_Init(&tls, &p) == TLS_ERROR_BAD_PARAMETER && tls == NULL);
    p.ulSize = sizeof p; /* callbacks missing */
    CHECK(TLS_Init(&tls, &p) == TLS_ERROR_BAD_PARAMETER && tls == NULL);
    CHECK(TLS_Init(NULL, &p) == TLS_ERROR_BAD_PARAMETER);
    CHECK(TLS_Connect(NULL) == TLS_ERROR_BAD_PARAMETER);
    CHECK(TLS_Recv(NULL, b, sizeof b) == TLS_ERROR_BAD_PARAMETER);
    CHECK(TLS_Send(NULL, b, sizeof b) == TLS_ERROR_BAD_PARAMETER);
    TLS_Cleanup(NULL);
    CHECK(mbedtls_hardware_poll(NULL, b, sizeof b, NULL) == -0x003C);
    CHECK(mbedtls_hardware_poll(NULL, b, sizeof b, &olen) == 0 && olen == sizeof b);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "layout") == 0) {
        check_layout();
    } else if (strcmp(mode, "bad") == 0) {
        bad_calls();
    } else if ((strcmp(mode, "echo") == 0 && argc == 4) || (strcmp(mode, "cycles") == 0 && argc == 5)) {
        uint32_t ca_len;
        char *ca = read_file(argv[3], &ca_len);
        int i, n = argc == 5 ? atoi(argv[4]) : 1;
        for (i = 0; i < n; i++) one_connection(atoi(argv[2]), ca, ca_len);
        free(ca);
    } else {
        fprintf(stderr, "usage: see the comment at the top of abi_test.c\n");
        return 2;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
