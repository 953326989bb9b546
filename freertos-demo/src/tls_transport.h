/*
 * coreMQTT transport interface over the TLS layer of aws_tls.h, on top of a
 * host TCP socket.
 */
#ifndef TLS_TRANSPORT_H
#define TLS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "FreeRTOS.h"
#include "transport_interface.h"
#include "tcp_socket.h"

struct NetworkContext
{
    TcpSocket_t xSocket;
    void * pvTlsContext; /* From TLS_Init; NULL when not connected. */
};

typedef struct TlsServerInfo
{
    const char * pcAddress;        /* Where to connect (e.g. "127.0.0.1"). */
    uint16_t usPort;
    const char * pcHostName;       /* SNI and the name the certificate must carry. */
    const char * pcRootCaPem;      /* NUL-terminated PEM trust anchor(s). */
    uint32_t ulConnectTimeoutMs;   /* TCP connect. */
    uint32_t ulSocketTimeoutMs;    /* One receive/send call. */
} TlsServerInfo_t;

/* TCP connect, then TLS_Init + TLS_Connect. Returns 0, or a negative value
 * after printing which step failed and why. */
int32_t lTlsTransportConnect( NetworkContext_t * pxNetwork,
                              const TlsServerInfo_t * pxServer );

/* TLS_Cleanup and close the socket; safe on a half-connected context. */
void vTlsTransportDisconnect( NetworkContext_t * pxNetwork );

/* TransportRecv_t / TransportSend_t for coreMQTT. */
int32_t lTlsTransportRecv( NetworkContext_t * pxNetwork,
                           void * pvBuffer,
                           size_t xBytesToRecv );
int32_t lTlsTransportSend( NetworkContext_t * pxNetwork,
                           const void * pvBuffer,
                           size_t xBytesToSend );

#endif /* TLS_TRANSPORT_H */
