/*
 * C caller of the TLS interface, built against the generated header and the
 * static library exactly as firmware would be.
 *
 *   abi_test layout                      TLSParams_t and codes against docs/abi.md
 *   abi_test echo   <port> <ca.pem>      one full connection, echo checked
 *   abi_test cycles <port> <ca.pem> <n>  n x (init, connect, echo, cleanup)
 *   abi_test bad                         bad calls must fail, not crash
 * Exit status 0 when every check passed (see harness.h); each failed check
 * is reported on stderr.
 */
#include "FreeRTOS.h"
#include "aws_tls.h" /* the original include name must keep working */
#include "harness.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The layout docs/abi.md documents, written out independently of the header. */
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

/* One connection: init, connect, echo a message, cleanup. Returns 0 if all good. */
static int one_connection(int port, const char *ca, uint32_t ca_len)
{
    static const char msg[] = "echo through the C ABI";
    unsigned char back[sizeof msg];
    size_t got = 0;
    int tries = 0, fd = harness_tcp_connect(port), ok;
    void *tls = NULL;
    TLSParams_t p;

    harness_params(&p, &fd, ca, ca_len);

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
        static char ca[16384];
        uint32_t ca_len = harness_read_pem(argv[3], ca, sizeof ca);
        int i, n = argc == 5 ? atoi(argv[4]) : 1;
        CHECK(n > 0);
        for (i = 0; i < n; i++) one_connection(atoi(argv[2]), ca, ca_len);
    } else {
        fprintf(stderr, "usage: see the comment at the top of abi_test.c\n");
        return 2;
    }
    return harness_report();
}
