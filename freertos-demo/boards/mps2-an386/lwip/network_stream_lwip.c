/*
 * network_stream.h on the mps2-an386 board's lwIP build: a TCP socket of
 * lwIP's BSD-style API, shaped for the NetworkRecv_t / NetworkSend_t
 * callbacks of aws_tls.h. What the TLS layer expects, and how the socket
 * calls map onto it:
 *
 *   receive  > 0  bytes read
 *            0    nothing now: lwip_recv timed out (SO_RCVTIMEO) or, with
 *                 a receive wait of 0, would block (MSG_DONTWAIT)
 *            < 0  the connection is gone: the peer's FIN (lwip_recv
 *                 returned 0, which aws_tls.h would read as "nothing
 *                 now", so it must not be passed up) or an error
 *                 (reset, aborted)
 *   send     > 0  bytes taken (possibly fewer than asked)
 *            0    no room now: lwip_send timed out (SO_SNDTIMEO)
 *            < 0  the connection is gone
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include "network_stream.h"

#include "lwip/inet.h"
#include "lwip/sockets.h"

static LwipStreamStats_t xStats;

void vNetworkStreamInit( NetworkStream_t * pxStream )
{
    pxStream->lSocket = -1;
    pxStream->ulRecvWaitMs = 0;
}

/* lwip_connect bounded by ulTimeoutMs: a non-blocking connect, then
 * lwip_select for writability (lwIP's own SYN retries would otherwise
 * decide how long a connect to a silent address takes). */
static int prvConnect( int lSocket,
                       const struct sockaddr_in * pxAddress,
                       uint32_t ulTimeoutMs )
{
    int lFlags = lwip_fcntl( lSocket, F_GETFL, 0 );
    int lError = 0;
    socklen_t xLength = sizeof( lError );
    fd_set xWritable;
    struct timeval xTimeout;

    if( ( lFlags < 0 ) || ( lwip_fcntl( lSocket, F_SETFL, lFlags | O_NONBLOCK ) < 0 ) )
    {
        return -1;
    }

    if( lwip_connect( lSocket, ( const struct sockaddr * ) pxAddress, sizeof( *pxAddress ) ) < 0 )
    {
        if( errno != EINPROGRESS )
        {
            return -1;
        }

        FD_ZERO( &xWritable );
        FD_SET( lSocket, &xWritable );
        xTimeout.tv_sec = ( time_t ) ( ulTimeoutMs / 1000U );
        xTimeout.tv_usec = ( suseconds_t ) ( ( ulTimeoutMs % 1000U ) * 1000U );

        if( lwip_select( lSocket + 1, NULL, &xWritable, NULL, &xTimeout ) <= 0 )
        {
            errno = ETIMEDOUT;
            return -1;
        }

        if( ( lwip_getsockopt( lSocket, SOL_SOCKET, SO_ERROR, &lError, &xLength ) < 0 ) || ( lError != 0 ) )
        {
            errno = ( lError != 0 ) ? lError : errno;
            return -1;
        }
    }

    /* Blocking again: from here on the timeouts bound every call. */
    return lwip_fcntl( lSocket, F_SETFL, lFlags );
}

int lNetworkStreamOpen( NetworkStream_t * pxStream,
                        const char * pcAddress,
                        uint16_t usPort,
                        uint32_t ulConnectTimeoutMs,
                        uint32_t ulIoTimeoutMs )
{
    struct sockaddr_in xAddress;
    struct timeval xTimeout;
    int lSocket;
    /* What lwIP takes from the FreeRTOS heap for one socket (its netconn's
     * mailbox and semaphore; the PCB and buffers are in lwIP's own
     * pools): the stack's share of a connection's heap. */
    size_t xHeapBefore = xPortGetFreeHeapSize();

    memset( &xAddress, 0, sizeof( xAddress ) );
    xAddress.sin_len = sizeof( xAddress );
    xAddress.sin_family = AF_INET;
    xAddress.sin_port = lwip_htons( usPort );

    if( inet_aton( pcAddress, &xAddress.sin_addr ) == 0 )
    {
        printf( "[net] ERROR: %s is not an IPv4 address (this build has no DNS)\n", pcAddress );
        return -1;
    }

    lSocket = lwip_socket( AF_INET, SOCK_STREAM, IPPROTO_TCP );

    if( lSocket < 0 )
    {
        printf( "[net] ERROR: lwip_socket failed, errno %d\n", errno );
        return -1;
    }

    if( prvConnect( lSocket, &xAddress, ulConnectTimeoutMs ) != 0 )
    {
        printf( "[net] ERROR: TCP connect to %s:%u failed, errno %d\n", pcAddress, ( unsigned ) usPort, errno );
        ( void ) lwip_close( lSocket );
        xStats.ulErrors++;
        return -1;
    }

    /* SO_RCVTIMEO 0 would mean "block forever" to lwIP: a receive wait of
     * 0 is MSG_DONTWAIT on each call instead (xNetworkStreamRecv). */
    pxStream->ulRecvWaitMs = ulNetworkStreamRecvWaitMs;

    if( pxStream->ulRecvWaitMs != 0U )
    {
        xTimeout.tv_sec = ( time_t ) ( pxStream->ulRecvWaitMs / 1000U );
        xTimeout.tv_usec = ( suseconds_t ) ( ( pxStream->ulRecvWaitMs % 1000U ) * 1000U );
        ( void ) lwip_setsockopt( lSocket, SOL_SOCKET, SO_RCVTIMEO, &xTimeout, sizeof( xTimeout ) );
    }

    xTimeout.tv_sec = ( time_t ) ( ulIoTimeoutMs / 1000U );
    xTimeout.tv_usec = ( suseconds_t ) ( ( ulIoTimeoutMs % 1000U ) * 1000U );
    ( void ) lwip_setsockopt( lSocket, SOL_SOCKET, SO_SNDTIMEO, &xTimeout, sizeof( xTimeout ) );

    pxStream->lSocket = lSocket;
    xStats.ulConnects++;
    xStats.ulSocketHeapBytes = ( uint32_t ) ( xHeapBefore - xPortGetFreeHeapSize() );
    printf( "[net] TCP connected to %s:%u over lwIP (socket %d), receive wait %lu ms\n", pcAddress,
            ( unsigned ) usPort, lSocket, ( unsigned long ) pxStream->ulRecvWaitMs );
    return 0;
}

BaseType_t xNetworkStreamRecv( void * pvStream,
                               unsigned char * pucBuffer,
                               size_t xLength )
{
    NetworkStream_t * pxStream = ( NetworkStream_t * ) pvStream;
    ssize_t xResult;

    if( ( pxStream == NULL ) || ( pxStream->lSocket < 0 ) || ( pucBuffer == NULL ) )
    {
        return -1;
    }

    if( xLength == 0U )
    {
        return 0;
    }

    xResult = lwip_recv( pxStream->lSocket, pucBuffer, xLength, ( pxStream->ulRecvWaitMs == 0U ) ? MSG_DONTWAIT : 0 );

    if( xResult > 0 )
    {
        xStats.ulBytesReceived += ( uint32_t ) xResult;
        return ( BaseType_t ) xResult;
    }

    if( xResult == 0 )
    {
        /* The peer's FIN: for aws_tls.h 0 would mean "try again". */
        xStats.ulPeerCloses++;
        return -1;
    }

    if( ( errno == EWOULDBLOCK ) || ( errno == EAGAIN ) )
    {
        xStats.ulEmptyReads++;
        return 0;
    }

    xStats.ulErrors++;
    return -1;
}

BaseType_t xNetworkStreamSend( void * pvStream,
                               const unsigned char * pucData,
                               size_t xLength )
{
    NetworkStream_t * pxStream = ( NetworkStream_t * ) pvStream;
    ssize_t xResult;

    if( ( pxStream == NULL ) || ( pxStream->lSocket < 0 ) || ( pucData == NULL ) )
    {
        return -1;
    }

    xResult = lwip_send( pxStream->lSocket, pucData, xLength, 0 );

    if( xResult >= 0 )
    {
        xStats.ulBytesSent += ( uint32_t ) xResult;
        return ( BaseType_t ) xResult;
    }

    if( ( errno == EWOULDBLOCK ) || ( errno == EAGAIN ) )
    {
        xStats.ulFullSends++;
        return 0;
    }

    xStats.ulErrors++;
    return -1;
}

void vNetworkStreamClose( NetworkStream_t * pxStream )
{
    if( pxStream->lSocket >= 0 )
    {
        ( void ) lwip_close( pxStream->lSocket );
        pxStream->lSocket = -1;
    }
}

void vNetworkStreamGetStats( LwipStreamStats_t * pxStats )
{
    *pxStats = xStats;
}
