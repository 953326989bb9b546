/*
 * coreMQTT transport interface over the TLS layer of aws_tls.h, on top of
 * the platform's byte stream (network_stream.h: a host TCP socket on the
 * POSIX simulator, UART0 on the emulated board).
 */
#ifndef TLS_TRANSPORT_H
#define TLS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "FreeRTOS.h"
#include "transport_interface.h"
#include "network_stream.h"

struct NetworkContext
{
    NetworkStream_t xStream;
    void * pvTlsContext; /* From TLS_Init; NULL when not connected. */
};

typedef struct TlsServerInfo
{
    const char * pcAddress;        /* Where to connect (e.g. "127.0.0.1"). */
    uint16_t usPort;
    const char * pcHostName;       /* SNI and the name the certificate must carry. */
    const char * pcRootCaPem;      /* NUL-terminated PEM trust anchor(s). */
    uint32_t ulConnectTimeoutMs;   /* Opening the stream (TCP connect). */
    uint32_t ulSocketTimeoutMs;    /* One receive/send call. */
} TlsServerInfo_t;

/* Open the byte stream, then TLS_Init + TLS_Connect. Returns 0, or a negative value
 * after printing which step failed and why. */
int32_t lTlsTransportConnect( NetworkContext_t * pxNetwork,
                              const TlsServerInfo_t * pxServer );

/* TLS_Cleanup and close the stream; safe on a half-connected context. */
void vTlsTransportDisconnect( NetworkContext_t * pxNetwork );

/* TransportRecv_t / TransportSend_t for coreMQTT. */
int32_t lTlsTransportRecv( NetworkContext_t * pxNetwork,
                           void * pvBuffer,
                           size_t xBytesToRecv );
int32_t lTlsTransportSend( NetworkContext_t * pxNetwork,
                           const void * pvBuffer,
                           size_t xBytesToSend );

/* A platform that defines TLS_TRANSPORT_HANDSHAKE_HOOKS is told when
 * TLS_Connect starts and how it ended (the emulated board measures what
 * lower-priority tasks got meanwhile). */
#if defined( TLS_TRANSPORT_HANDSHAKE_HOOKS )
    void vTlsTransportHandshakeStarts( void );
    void vTlsTransportHandshakeEnded( BaseType_t xResult );
#endif

#endif /* TLS_TRANSPORT_H */
