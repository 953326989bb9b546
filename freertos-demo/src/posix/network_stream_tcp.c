/*
 * network_stream.h on the POSIX simulator: a host TCP socket.
 */
#include "network_stream.h"

void vNetworkStreamInit( NetworkStream_t * pxStream )
{
    pxStream->iFd = -1;
}

int lNetworkStreamOpen( NetworkStream_t * pxStream,
                        const char * pcAddress,
                        uint16_t usPort,
                        uint32_t ulConnectTimeoutMs,
                        uint32_t ulIoTimeoutMs )
{
    return lTcpSocketConnect( pxStream, pcAddress, usPort, ulConnectTimeoutMs, ulIoTimeoutMs );
}

BaseType_t xNetworkStreamRecv( void * pvStream,
                               unsigned char * pucBuffer,
                               size_t xLength )
{
    return xTcpSocketRecv( pvStream, pucBuffer, xLength );
}

BaseType_t xNetworkStreamSend( void * pvStream,
                               const unsigned char * pucData,
                               size_t xLength )
{
    return xTcpSocketSend( pvStream, pucData, xLength );
}

void vNetworkStreamClose( NetworkStream_t * pxStream )
{
    vTcpSocketClose( pxStream );
}
