/* A firmware's use of the TLS layer, reduced to one function that calls
 * every entry point of aws_tls.h and an mbedTLS function, so that the
 * linker keeps the whole library in the image (the map then shows what it
 * costs). Built, linked and measured; not run (tests under QEMU do that). */
#include <stddef.h>
#include <string.h>

#include "FreeRTOS.h"
#include "aws_tls.h"

#include "mbedtls/sha256.h"

/* The firmware's socket layer: nothing to read, everything written. */
static BaseType_t prvRecv( void * pvCtx, unsigned char * pucBuf, size_t xLen )
{
    ( void ) pvCtx;
    ( void ) pucBuf;
    ( void ) xLen;
    return 0;
}

static BaseType_t prvSend( void * pvCtx, const unsigned char * pucData, size_t xLen )
{
    ( void ) pvCtx;
    ( void ) pucData;
    return ( BaseType_t ) xLen;
}

static int64_t prvUtcNow( void )
{
    return 1767225600; /* 2026-01-01 */
}

static void prvLog( BaseType_t xLevel, const char * pcMessage )
{
    ( void ) xLevel;
    ( void ) pcMessage;
}

int main( void )
{
    static const char pcRootCa[] = "-----BEGIN CERTIFICATE-----\n";
    unsigned char aucBuf[ 64 ];
    size_t xGot = 0;
    void * pvCtx = NULL;
    TLSParams_t xParams;
    TLSLastError_t xLast;
    BaseType_t xResult;

    TLS_SetLogHook( prvLog );
    TLS_SetUtcClock( prvUtcNow );
    ( void ) TLS_SetClientCredentialLabels( "0000", "Device Priv TLS Key", "Device Cert" );

    if( mbedtls_hardware_poll( NULL, aucBuf, sizeof( aucBuf ), &xGot ) != 0 )
    {
        return 1;
    }
    if( mbedtls_sha256( aucBuf, xGot, aucBuf, 0 ) != 0 )
    {
        return 2;
    }

    memset( &xParams, 0, sizeof( xParams ) );
    xParams.ulSize = sizeof( xParams );
    xParams.pcDestination = "broker.example";
    xParams.pcServerCertificate = pcRootCa;
    xParams.ulServerCertificateLength = sizeof( pcRootCa );
    xParams.pxNetworkRecv = prvRecv;
    xParams.pxNetworkSend = prvSend;

    xResult = TLS_Init( &pvCtx, &xParams );
    if( xResult == 0 )
    {
        ( void ) TLS_SetHandshakeTimeout( pvCtx, 5000 );
        xResult = TLS_Connect( pvCtx );
        if( xResult == 0 )
        {
            ( void ) TLS_Send( pvCtx, ( const unsigned char * ) "ping", 4 );
            ( void ) TLS_Recv( pvCtx, aucBuf, sizeof( aucBuf ) );
        }
        else
        {
            ( void ) TLS_GetLastError( pvCtx, &xLast );
        }
    }
    TLS_Cleanup( pvCtx );
    return xResult == 0 ? 0 : 3;
}
