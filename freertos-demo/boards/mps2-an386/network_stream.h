/*
 * The byte stream under the demo's TLS transport (tls_transport.c), on the
 * mps2-an386 board: UART0 (uart_stream.h). QEMU made the TCP connection to
 * the broker before the firmware started, so the address and port are the
 * emulator's business, not the firmware's.
 */
#ifndef NETWORK_STREAM_H
#define NETWORK_STREAM_H

#include <stdint.h>
#include <stdio.h>

#include "uart_stream.h"

typedef UartStream_t NetworkStream_t;

/* How long one receive waits for a first byte; 0 makes the transport
 * non-blocking ("0 = nothing now" returned at once). The board program
 * sets it before connecting (board_main.c). */
extern uint32_t ulNetworkStreamRecvWaitMs;

static inline void vNetworkStreamInit( NetworkStream_t * pxStream )
{
    pxStream->xOpen = pdFALSE;
}

static inline int lNetworkStreamOpen( NetworkStream_t * pxStream,
                                      const char * pcAddress,
                                      uint16_t usPort,
                                      uint32_t ulConnectTimeoutMs,
                                      uint32_t ulIoTimeoutMs )
{
    ( void ) ulConnectTimeoutMs;
    printf( "[board] network: UART0 (QEMU connects it to %s:%u), receive wait %lu ms\n",
            pcAddress, ( unsigned ) usPort, ( unsigned long ) ulNetworkStreamRecvWaitMs );
    return lUartStreamOpen( pxStream, ulNetworkStreamRecvWaitMs, ulIoTimeoutMs );
}

static inline BaseType_t xNetworkStreamRecv( void * pvStream,
                                             unsigned char * pucBuffer,
                                             size_t xLength )
{
    return xUartStreamRecv( pvStream, pucBuffer, xLength );
}

static inline BaseType_t xNetworkStreamSend( void * pvStream,
                                             const unsigned char * pucData,
                                             size_t xLength )
{
    return xUartStreamSend( pvStream, pucData, xLength );
}

static inline void vNetworkStreamClose( NetworkStream_t * pxStream )
{
    vUartStreamClose( pxStream );
}

#endif /* NETWORK_STREAM_H */
