/* Run-time settings of the simulator programs; see settings.h. */
#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long ulSettingsNumber( const char * pcName,
                                unsigned long ulDefault,
                                unsigned long ulMax )
{
    const char * pcValue = getenv( pcName );
    char * pcEnd = NULL;
    unsigned long ulValue;

    if( ( pcValue == NULL ) || ( pcValue[ 0 ] == '\0' ) )
    {
        return ulDefault;
    }

    errno = 0;
    ulValue = strtoul( pcValue, &pcEnd, 10 );

    if( ( errno != 0 ) || ( *pcEnd != '\0' ) || ( ulValue == 0U ) || ( ulValue > ulMax ) )
    {
        printf( "ERROR: %s=%s is not a number in 1..%lu\n", pcName, pcValue, ulMax );
        return 0;
    }

    return ulValue;
}

const char * pcSettingsText( const char * pcName,
                             const char * pcDefault )
{
    const char * pcValue = getenv( pcName );

    return ( ( pcValue != NULL ) && ( pcValue[ 0 ] != '\0' ) ) ? pcValue : pcDefault;
}

char * pcSettingsReadTextFile( const char * pcPath,
                               size_t xMaxBytes )
{
    FILE * pxFile = fopen( pcPath, "rb" );
    char * pcText;
    size_t xLength;

    if( pxFile == NULL )
    {
        printf( "ERROR: cannot open %s: %s\n", pcPath, strerror( errno ) );
        return NULL;
    }

    /* One byte more than allowed tells a too-long file from a full one. */
    pcText = malloc( xMaxBytes + 1U );

    if( pcText == NULL )
    {
        ( void ) fclose( pxFile );
        printf( "ERROR: out of memory reading %s\n", pcPath );
        return NULL;
    }

    xLength = fread( pcText, 1, xMaxBytes + 1U, pxFile );

    if( ferror( pxFile ) || ( xLength == 0U ) || ( xLength > xMaxBytes ) )
    {
        printf( "ERROR: %s is unreadable, empty or larger than %lu bytes\n", pcPath, ( unsigned long ) xMaxBytes );
        ( void ) fclose( pxFile );
        free( pcText );
        return NULL;
    }

    ( void ) fclose( pxFile );
    pcText[ xLength ] = '\0';
    return pcText;
}
