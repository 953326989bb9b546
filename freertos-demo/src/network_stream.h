/*
 * The byte stream under the demo's TLS transport (tls_transport.c): one
 * interface, one implementation per platform. The platform's
 * network_stream_port.h, found on its include path, defines
 * NetworkStream_t:
 *
 *   POSIX simulator  src/posix/: a host TCP socket (network_stream_tcp.c)
 *   mps2-an386       boards/mps2-an386/: UART0 (network_stream_uart.c);
 *                    QEMU made the TCP connection to the broker before the
 *                    firmware started.
 */
#ifndef NETWORK_STREAM_H
#define NETWORK_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "FreeRTOS.h"
#include "network_stream_port.h"

/* Marks the stream closed, so that closing it again is harmless. */
void vNetworkStreamInit( NetworkStream_t * pxStream );

/* Connects to pcAddress:usPort (connect within ulConnectTimeoutMs, each
 * send and receive within ulIoTimeoutMs); 0, or -1 after printing why. */
int lNetworkStreamOpen( NetworkStream_t * pxStream,
                        const char * pcAddress,
                        uint16_t usPort,
                        uint32_t ulConnectTimeoutMs,
                        uint32_t ulIoTimeoutMs );

/* NetworkRecv_t / NetworkSend_t of aws_tls.h: bytes moved, 0 when none
 * could be moved now, negative on a failed stream. */
BaseType_t xNetworkStreamRecv( void * pvStream,
                               unsigned char * pucBuffer,
                               size_t xLength );
BaseType_t xNetworkStreamSend( void * pvStream,
                               const unsigned char * pucData,
                               size_t xLength );

void vNetworkStreamClose( NetworkStream_t * pxStream );

#endif /* NETWORK_STREAM_H */
