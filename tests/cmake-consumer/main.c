/* Links the library through the exported CMake target and checks, at run
 * time, that firmware C code sees the same mbedTLS the library contains. */
#include <stdio.h>
#include <string.h>

#include "FreeRTOS.h"
#include "aws_tls.h"

#include "mbedtls/version.h"
#include "mbedtls/sha256.h"

int main( void )
{
    unsigned char aucRandom[ 32 ];
    size_t xGot = 0;
    unsigned char aucDigest[ 32 ];
    char acVersion[ 18 ] = { 0 };
    void * pvContext = NULL;
    TLSParams_t xParams;
    BaseType_t xResult;

    /* The version string comes from the mbedTLS inside the static library;
     * the macro from the header this file was compiled against. */
    mbedtls_version_get_string( acVersion );
    if( strcmp( acVersion, MBEDTLS_VERSION_STRING ) != 0 )
    {
        fprintf( stderr, "FAIL: header mbedTLS %s, library mbedTLS %s\n", MBEDTLS_VERSION_STRING, acVersion );
        return 1;
    }

    /* sha256 is compiled into the library only; calling it proves the link. */
    if( mbedtls_sha256_ret( ( const unsigned char * ) "abc", 3, aucDigest, 0 ) != 0 || aucDigest[ 0 ] != 0xba )
    {
        fprintf( stderr, "FAIL: mbedtls_sha256_ret\n" );
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

    printf( "consumer OK: mbedTLS %s, TLS_Init(empty) = %ld\n", acVersion, ( long ) xResult );
    return 0;
}
