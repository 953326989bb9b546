/*
 * Blocking TCP client socket over the host's BSD sockets, shaped for the
 * NetworkRecv_t / NetworkSend_t callbacks of aws_tls.h.
 *
 * The POSIX port drives the FreeRTOS tick with SIGALRM without SA_RESTART,
 * so any system call made from a task can fail with EINTR about once per
 * millisecond. Every call here retries on EINTR against a deadline taken
 * from the host's monotonic clock, so a timeout can never be stretched
 * forever by the tick.
 */
#ifndef TCP_SOCKET_H
#define TCP_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "FreeRTOS.h"

typedef struct TcpSocket
{
    int iFd;                  /* -1 when closed. */
    uint32_t ulRecvTimeoutMs; /* How long one receive call may wait. */
    uint32_t ulSendTimeoutMs; /* How long one send call may wait. */
} TcpSocket_t;

/* Connects to pcAddress:usPort (numeric or resolvable), waiting at most
 * ulConnectTimeoutMs. Returns 0, or -1 after printing why. */
int lTcpSocketConnect( TcpSocket_t * pxSocket,
                       const char * pcAddress,
                       uint16_t usPort,
                       uint32_t ulConnectTimeoutMs,
                       uint32_t ulIoTimeoutMs );

/* NetworkRecv_t: bytes read, 0 when nothing arrived within the receive
 * timeout, negative on error or when the peer closed the connection. */
BaseType_t xTcpSocketRecv( void * pvSocket,
                           unsigned char * pucBuffer,
                           size_t xLength );

/* NetworkSend_t: bytes sent (possibly fewer than asked), 0 when the socket
 * could take nothing within the send timeout, negative on error. */
BaseType_t xTcpSocketSend( void * pvSocket,
                           const unsigned char * pucData,
                           size_t xLength );

void vTcpSocketClose( TcpSocket_t * pxSocket );

#endif /* TCP_SOCKET_H */
