/*
 * The byte stream under the demo's TLS transport (tls_transport.c), on the
 * POSIX simulator: a host TCP socket (tcp_socket.h). Each platform has its
 * own network_stream.h with these names; the emulated board's is UART0
 * (boards/mps2-an386/network_stream.h).
 */
#ifndef NETWORK_STREAM_H
#define NETWORK_STREAM_H

#include "tcp_socket.h"

typedef TcpSocket_t NetworkStream_t;

/* Marks the stream closed, so that closing it again is harmless. */
static inline void vNetworkStreamInit( NetworkStream_t * pxStream )
{
    pxStream->iFd = -1;
}

/* Connects to pcAddress:usPort; 0, or -1 after printing why. */
static inline int lNetworkStreamOpen( NetworkStream_t * pxStream,
                                      const char * pcAddress,
                                      uint16_t usPort,
                                      uint32_t ulConnectTimeoutMs,
                                      uint32_t ulIoTimeoutMs )
{
    return lTcpSocketConnect( pxStream, pcAddress, usPort, ulConnectTimeoutMs, ulIoTimeoutMs );
}

/* NetworkRecv_t / NetworkSend_t of aws_tls.h. */
static inline BaseType_t xNetworkStreamRecv( void * pvStream,
                                             unsigned char * pucBuffer,
                                             size_t xLength )
{
    return xTcpSocketRecv( pvStream, pucBuffer, xLength );
}

static inline BaseType_t xNetworkStreamSend( void * pvStream,
                                             const unsigned char * pucData,
                                             size_t xLength )
{
    return xTcpSocketSend( pvStream, pucData, xLength );
}

static inline void vNetworkStreamClose( NetworkStream_t * pxStream )
{
    vTcpSocketClose( pxStream );
}

#endif /* NETWORK_STREAM_H */
