/* Links the library through the exported CMake target and checks that
 * firmware C code compiles against the mbedTLS the library contains (its
 * headers and configuration, from the target) and links with it. */
#include <stdio.h>
#include <string.h>

#include "FreeRTOS.h"
#include "aws_tls.h"

#include "mbedtls/build_info.h"
#include "mbedtls/sha256.h"

/* The headers the target exports are the library's mbedTLS 3.6. */
#if MBEDTLS_VERSION_NUMBER < 0x03060700 || MBEDTLS_VERSION_NUMBER >= 0x03070000
    #error "the freertos_tls target exports headers of another mbedTLS than 3.6.7+"
#endif

int main( void )
{
    unsigned char aucRandom[ 32 ];
    size_t xGot = 0;
    unsigned char aucDigest[ 32 ];
    void * pvContext = NULL;
    TLSParams_t xParams;
    BaseType_t xResult;

    /* sha256 is compiled into the library only; calling it proves the link. */
    if( mbedtls_sha256( ( const unsigned char * ) "abc", 3, aucDigest, 0 ) != 0 || aucDigest[ 0 ] != 0xba )
    {
        fprintf( stderr, "FAIL: mbedtls_sha256\n" );
        return 1;
    }

    if( mbedtls_hardware_poll( NULL, aucRandom, sizeof( aucRandom ), &xGot ) != 0 || xGot != sizeof( aucRandom ) )
    {
        fprintf( stderr, "FAIL: mbedtls_hardware_poll\n" );
        return 1;
    }

    /* A NULL destination is a parameter error, not a crash. */
    memset( &xParams, 0, sizeof( xParams ) );
    xParams.ulSize = sizeof( xParams );
    xResult = TLS_Init( &pvContext, &xParams );
    TLS_Cleanup( pvContext );
    if( xResult >= 0 )
    {
        fprintf( stderr, "FAIL: TLS_Init accepted empty parameters\n" );
        return 1;
    }

    printf( "consumer OK: mbedTLS %s, TLS_Init(empty) = %ld\n", MBEDTLS_VERSION_STRING, ( long ) xResult );
    return 0;
}
