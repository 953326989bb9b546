/* network_stream.h on the POSIX simulator: a blocking host TCP socket
 * (see network_stream_port.h). */
#include "network_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static uint64_t prvNowMs( void )
{
    struct timespec xNow;

    ( void ) clock_gettime( CLOCK_MONOTONIC, &xNow );
    return ( ( uint64_t ) xNow.tv_sec * 1000U ) + ( ( uint64_t ) xNow.tv_nsec / 1000000U );
}

static int prvSetTimeout( int iFd,
                          int iOption,
                          uint32_t ulTimeoutMs )
{
    struct timeval xTimeout;

    xTimeout.tv_sec = ( time_t ) ( ulTimeoutMs / 1000U );
    xTimeout.tv_usec = ( suseconds_t ) ( ( ulTimeoutMs % 1000U ) * 1000U );
    return setsockopt( iFd, SOL_SOCKET, iOption, &xTimeout, sizeof( xTimeout ) );
}

/* Waits until a non-blocking connect finished or the deadline passed.
 * Returns 0 when connected, otherwise an errno value. */
static int prvFinishConnect( int iFd,
                             uint64_t ullDeadlineMs )
{
    struct pollfd xPoll;
    int iSocketError = 0;
    socklen_t xLength = sizeof( iSocketError );

    for( ; ; )
    {
        uint64_t ullNow = prvNowMs();
        int iReady;

        if( ullNow >= ullDeadlineMs )
        {
            return ETIMEDOUT;
        }

        xPoll.fd = iFd;
        xPoll.events = POLLOUT;
        xPoll.revents = 0;
        iReady = poll( &xPoll, 1, ( int ) ( ullDeadlineMs - ullNow ) );

        if( iReady > 0 )
        {
            break;
        }

        if( ( iReady < 0 ) && ( errno != EINTR ) )
        {
            return errno;
        }
    }

    if( getsockopt( iFd, SOL_SOCKET, SO_ERROR, &iSocketError, &xLength ) != 0 )
    {
        return errno;
    }

    return iSocketError;
}

void vNetworkStreamInit( NetworkStream_t * pxStream )
{
    pxStream->iFd = -1;
}

int lNetworkStreamOpen( NetworkStream_t * pxSocket,
                        const char * pcAddress,
                        uint16_t usPort,
                        uint32_t ulConnectTimeoutMs,
                        uint32_t ulIoTimeoutMs )
{
    struct addrinfo xHints;
    struct addrinfo * pxResults = NULL;
    char acPort[ 8 ];
    int iResult;
    int iFd;
    int iFlags;
    int iError;
    int iNoDelay = 1;
    uint64_t ullDeadlineMs = prvNowMs() + ulConnectTimeoutMs;

    pxSocket->iFd = -1;
    pxSocket->ulRecvTimeoutMs = ulIoTimeoutMs;
    pxSocket->ulSendTimeoutMs = ulIoTimeoutMs;

    memset( &xHints, 0, sizeof( xHints ) );
    xHints.ai_family = AF_UNSPEC;
    xHints.ai_socktype = SOCK_STREAM;
    ( void ) snprintf( acPort, sizeof( acPort ), "%u", ( unsigned ) usPort );

    do
    {
        iResult = getaddrinfo( pcAddress, acPort, &xHints, &pxResults );
    } while( ( iResult == EAI_SYSTEM ) && ( errno == EINTR ) && ( prvNowMs() < ullDeadlineMs ) );

    if( ( iResult != 0 ) || ( pxResults == NULL ) )
    {
        printf( "[tcp] cannot resolve %s: %s\n", pcAddress, gai_strerror( iResult ) );
        return -1;
    }

    iFd = socket( pxResults->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0 );

    if( iFd < 0 )
    {
        printf( "[tcp] socket(): %s\n", strerror( errno ) );
        freeaddrinfo( pxResults );
        return -1;
    }

    /* Connect non-blocking so that the wait is bounded by our deadline and
     * an EINTR does not leave the connect in an unknown state. */
    iFlags = fcntl( iFd, F_GETFL, 0 );

    if( ( iFlags < 0 ) || ( fcntl( iFd, F_SETFL, iFlags | O_NONBLOCK ) != 0 ) )
    {
        printf( "[tcp] fcntl(O_NONBLOCK): %s\n", strerror( errno ) );
        freeaddrinfo( pxResults );
        ( void ) close( iFd );
        return -1;
    }

    if( connect( iFd, pxResults->ai_addr, pxResults->ai_addrlen ) == 0 )
    {
        iError = 0;
    }
    else if( ( errno == EINPROGRESS ) || ( errno == EINTR ) )
    {
        iError = prvFinishConnect( iFd, ullDeadlineMs );
    }
    else
    {
        iError = errno;
    }

    freeaddrinfo( pxResults );

    if( iError != 0 )
    {
        printf( "[tcp] cannot connect to %s:%u: %s\n", pcAddress, ( unsigned ) usPort, strerror( iError ) );
        ( void ) close( iFd );
        return -1;
    }

    /* Back to blocking I/O, bounded by the socket timeouts. */
    if( ( fcntl( iFd, F_SETFL, iFlags ) != 0 ) ||
        ( prvSetTimeout( iFd, SO_RCVTIMEO, ulIoTimeoutMs ) != 0 ) ||
        ( prvSetTimeout( iFd, SO_SNDTIMEO, ulIoTimeoutMs ) != 0 ) ||
        ( setsockopt( iFd, IPPROTO_TCP, TCP_NODELAY, &iNoDelay, sizeof( iNoDelay ) ) != 0 ) )
    {
        printf( "[tcp] configuring the socket failed: %s\n", strerror( errno ) );
        ( void ) close( iFd );
        return -1;
    }

    pxSocket->iFd = iFd;
    return 0;
}

BaseType_t xNetworkStreamRecv( void * pvSocket,
                               unsigned char * pucBuffer,
                               size_t xLength )
{
    NetworkStream_t * pxSocket = ( NetworkStream_t * ) pvSocket;
    uint64_t ullDeadlineMs;

    if( ( pxSocket == NULL ) || ( pxSocket->iFd < 0 ) || ( pucBuffer == NULL ) )
    {
        return -1;
    }

    ullDeadlineMs = prvNowMs() + pxSocket->ulRecvTimeoutMs;

    for( ; ; )
    {
        ssize_t xGot = recv( pxSocket->iFd, pucBuffer, xLength, 0 );

        if( xGot > 0 )
        {
            return ( BaseType_t ) xGot;
        }

        if( xGot == 0 )
        {
            printf( "[tcp] the peer closed the connection\n" );
            return -1;
        }

        if( ( errno == EAGAIN ) || ( errno == EWOULDBLOCK ) )
        {
            return 0;
        }

        if( errno != EINTR )
        {
            printf( "[tcp] recv(): %s\n", strerror( errno ) );
            return -1;
        }

        /* Interrupted by the tick: SO_RCVTIMEO starts afresh on every call,
         * so our own deadline decides when "nothing arrived" is the answer. */
        if( prvNowMs() >= ullDeadlineMs )
        {
            return 0;
        }
    }
}

BaseType_t xNetworkStreamSend( void * pvSocket,
                               const unsigned char * pucData,
                               size_t xLength )
{
    NetworkStream_t * pxSocket = ( NetworkStream_t * ) pvSocket;
    uint64_t ullDeadlineMs;

    if( ( pxSocket == NULL ) || ( pxSocket->iFd < 0 ) || ( pucData == NULL ) )
    {
        return -1;
    }

    ullDeadlineMs = prvNowMs() + pxSocket->ulSendTimeoutMs;

    for( ; ; )
    {
        /* MSG_NOSIGNAL: a closed peer is an error code, not a SIGPIPE. */
        ssize_t xSent = send( pxSocket->iFd, pucData, xLength, MSG_NOSIGNAL );

        if( xSent >= 0 )
        {
            return ( BaseType_t ) xSent;
        }

        if( ( errno == EAGAIN ) || ( errno == EWOULDBLOCK ) )
        {
            return 0;
        }

        if( errno != EINTR )
        {
            printf( "[tcp] send(): %s\n", strerror( errno ) );
            return -1;
        }

        if( prvNowMs() >= ullDeadlineMs )
        {
            return 0;
        }
    }
}

void vNetworkStreamClose( NetworkStream_t * pxSocket )
{
    if( ( pxSocket != NULL ) && ( pxSocket->iFd >= 0 ) )
    {
        ( void ) shutdown( pxSocket->iFd, SHUT_RDWR );
        ( void ) close( pxSocket->iFd );
        pxSocket->iFd = -1;
    }
}
