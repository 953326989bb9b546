/* coreMQTT transport over aws_tls.h; see tls_transport.h. */
#include "tls_transport.h"

#include <stdio.h>
#include <string.h>

#include "aws_tls.h"

#include "mbedtls/error.h"
#include "mbedtls/x509_crt.h"

/* Prints what is known about a failed TLS_Connect. The TLS layer's
 * TLS_GetLastError is an extension of aws_tls.h: use it where the header
 * declares it (its extension error codes tell), so that these sources still
 * build against the original aws_tls.c. */
static void prvReportTlsFailure( void * pvTlsContext,
                                 BaseType_t xResult )
{
    const char * pcWhat = "unknown error";

    switch( xResult )
    {
        case TLS_ERROR_HANDSHAKE_FAILED: pcWhat = "TLS handshake failed"; break;
        case TLS_ERROR_RNG: pcWhat = "random number generator failed"; break;
        case TLS_ERROR_SIGN: pcWhat = "PKCS#11 signing failed"; break;
        case TLS_ERROR_NO_PRIVATE_KEY: pcWhat = "no client private key in the PKCS#11 token"; break;
        case TLS_ERROR_NO_CERTIFICATE: pcWhat = "no client certificate in the PKCS#11 token"; break;
        default: break;
    }

    printf( "[tls] ERROR: TLS_Connect returned %ld: %s\n", ( long ) xResult, pcWhat );

    #if defined( TLS_ERROR_BAD_PARAMETER )
    {
        TLSLastError_t xDetail;

        if( TLS_GetLastError( pvTlsContext, &xDetail ) == 0 )
        {
            if( xDetail.lMbedtlsCode != 0 )
            {
                /* The error texts cost flash: only when the mbedTLS
                 * configuration has them (the client profile has not). */
                #if defined( MBEDTLS_ERROR_C )
                    char acText[ 160 ];

                    mbedtls_strerror( ( int ) xDetail.lMbedtlsCode, acText, sizeof( acText ) );
                    printf( "[tls]   mbedTLS error -0x%04x: %s\n", ( unsigned ) -xDetail.lMbedtlsCode, acText );
                #else
                    printf( "[tls]   mbedTLS error -0x%04x\n", ( unsigned ) -xDetail.lMbedtlsCode );
                #endif
            }

            if( xDetail.ulVerifyFlags != 0U )
            {
                char acText[ 512 ];

                ( void ) mbedtls_x509_crt_verify_info( acText, sizeof( acText ), "[tls]   server certificate: ",
                                                       xDetail.ulVerifyFlags );
                printf( "%s", acText );
            }

            if( xDetail.ulPkcs11ReturnValue != 0U )
            {
                printf( "[tls]   PKCS#11 CK_RV 0x%lx\n", xDetail.ulPkcs11ReturnValue );
            }
        }
    }
    #else
        ( void ) pvTlsContext;
    #endif
}

int32_t lTlsTransportConnect( NetworkContext_t * pxNetwork,
                              const TlsServerInfo_t * pxServer )
{
    TLSParams_t xParams;
    BaseType_t xResult;

    pxNetwork->pvTlsContext = NULL;
    vNetworkStreamInit( &pxNetwork->xStream );

    if( lNetworkStreamOpen( &pxNetwork->xStream, pxServer->pcAddress, pxServer->usPort,
                            pxServer->ulConnectTimeoutMs, pxServer->ulSocketTimeoutMs ) != 0 )
    {
        return -1;
    }

    memset( &xParams, 0, sizeof( xParams ) );
    xParams.ulSize = sizeof( xParams );
    xParams.pcDestination = pxServer->pcHostName;
    xParams.pcServerCertificate = pxServer->pcRootCaPem;
    xParams.ulServerCertificateLength = ( uint32_t ) strlen( pxServer->pcRootCaPem ) + 1U;
    xParams.ppcAlpnProtocols = NULL;
    xParams.ulAlpnProtocolsCount = 0;
    xParams.pxNetworkRecv = xNetworkStreamRecv;
    xParams.pxNetworkSend = xNetworkStreamSend;
    xParams.pvCallerContext = &pxNetwork->xStream;

    xResult = TLS_Init( &pxNetwork->pvTlsContext, &xParams );

    if( xResult != 0 )
    {
        printf( "[tls] ERROR: TLS_Init returned %ld\n", ( long ) xResult );
        vTlsTransportDisconnect( pxNetwork );
        return -1;
    }

    #if defined( TLS_TRANSPORT_HANDSHAKE_HOOKS )
        vTlsTransportHandshakeStarts();
    #endif

    xResult = TLS_Connect( pxNetwork->pvTlsContext );

    #if defined( TLS_TRANSPORT_HANDSHAKE_HOOKS )
        vTlsTransportHandshakeEnded( xResult );
    #endif

    if( xResult != 0 )
    {
        prvReportTlsFailure( pxNetwork->pvTlsContext, xResult );
        vTlsTransportDisconnect( pxNetwork );
        return -1;
    }

    /* Whether the handshake resumed a cached session: an extension of
     * aws_tls.h too (see prvReportTlsFailure). */
    #if defined( TLS_ERROR_BAD_PARAMETER )
        printf( "[tls] handshake: %s\n",
                ( TLS_IsSessionResumed( pxNetwork->pvTlsContext ) == 1 ) ? "resumed session" : "full" );
    #endif
    #if defined( TLS_PROTOCOL_VERSION_1_3 )
        printf( "[tls] version: %s\n",
                ( TLS_GetProtocolVersion( pxNetwork->pvTlsContext ) == TLS_PROTOCOL_VERSION_1_3 ) ? "TLS 1.3" :
                ( TLS_GetProtocolVersion( pxNetwork->pvTlsContext ) == TLS_PROTOCOL_VERSION_1_2 ) ? "TLS 1.2" : "?" );
    #endif

    return 0;
}

void vTlsTransportDisconnect( NetworkContext_t * pxNetwork )
{
    if( pxNetwork->pvTlsContext != NULL )
    {
        TLS_Cleanup( pxNetwork->pvTlsContext );
        pxNetwork->pvTlsContext = NULL;
    }

    vNetworkStreamClose( &pxNetwork->xStream );
}

int32_t lTlsTransportRecv( NetworkContext_t * pxNetwork,
                           void * pvBuffer,
                           size_t xBytesToRecv )
{
    BaseType_t xResult = TLS_Recv( pxNetwork->pvTlsContext, ( unsigned char * ) pvBuffer, xBytesToRecv );

    if( xResult < 0 )
    {
        printf( "[tls] TLS_Recv returned %ld\n", ( long ) xResult );
    }

    return ( int32_t ) xResult;
}

int32_t lTlsTransportSend( NetworkContext_t * pxNetwork,
                           const void * pvBuffer,
                           size_t xBytesToSend )
{
    BaseType_t xResult = TLS_Send( pxNetwork->pvTlsContext, ( const unsigned char * ) pvBuffer, xBytesToSend );

    if( xResult < 0 )
    {
        printf( "[tls] TLS_Send returned %ld\n", ( long ) xResult );
    }

    return ( int32_t ) xResult;
}
