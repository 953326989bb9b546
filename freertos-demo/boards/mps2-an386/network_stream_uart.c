/*
 * network_stream.h on the mps2-an386 board: UART0. QEMU made the TCP
 * connection to the broker before the firmware started, so the address
 * and port are the emulator's business, not the firmware's.
 */
#include <stdio.h>

#include "network_stream.h"

void vNetworkStreamInit( NetworkStream_t * pxStream )
{
    pxStream->xOpen = pdFALSE;
}

int lNetworkStreamOpen( NetworkStream_t * pxStream,
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

BaseType_t xNetworkStreamRecv( void * pvStream,
                               unsigned char * pucBuffer,
                               size_t xLength )
{
    return xUartStreamRecv( pvStream, pucBuffer, xLength );
}

BaseType_t xNetworkStreamSend( void * pvStream,
                               const unsigned char * pucData,
                               size_t xLength )
{
    return xUartStreamSend( pvStream, pucData, xLength );
}

void vNetworkStreamClose( NetworkStream_t * pxStream )
{
    vUartStreamClose( pxStream );
}
