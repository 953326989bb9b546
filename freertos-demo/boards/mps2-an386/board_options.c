/* Settings from the firmware's command line (QEMU -append "word ..."); see board_options.h. */
#include "board_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"

const char * pcBoardOption( const char * pcName )
{
    const char * pcWord = pcBoardCommandLine();
    size_t xNameLength = strlen( pcName );

    while( *pcWord != '\0' )
    {
        size_t xWordLength = strcspn( pcWord, " " );

        if( ( xWordLength > xNameLength ) && ( strncmp( pcWord, pcName, xNameLength ) == 0 ) &&
            ( pcWord[ xNameLength ] == '=' ) )
        {
            return pcWord + xNameLength + 1;
        }

        pcWord += xWordLength;
        pcWord += strspn( pcWord, " " );
    }

    return NULL;
}

bool xBoardFlag( const char * pcName )
{
    const char * pcWord = pcBoardCommandLine();
    size_t xNameLength = strlen( pcName );

    while( *pcWord != '\0' )
    {
        size_t xWordLength = strcspn( pcWord, " " );

        if( ( xWordLength == xNameLength ) && ( strncmp( pcWord, pcName, xNameLength ) == 0 ) )
        {
            return true;
        }

        pcWord += xWordLength;
        pcWord += strspn( pcWord, " " );
    }

    return false;
}

unsigned long long ullBoardNumber( const char * pcName,
                                   unsigned long long ullDefault,
                                   unsigned long long ullMin,
                                   unsigned long long ullMax )
{
    const char * pcValue = pcBoardOption( pcName );
    char * pcEnd = NULL;
    unsigned long long ullValue;

    if( pcValue == NULL )
    {
        return ullDefault;
    }

    ullValue = strtoull( pcValue, &pcEnd, 10 );

    if( ( pcEnd == pcValue ) || ( ( *pcEnd != '\0' ) && ( *pcEnd != ' ' ) ) || ( ullValue < ullMin ) ||
        ( ullValue > ullMax ) )
    {
        /* (newlib-nano's printf has no %llu.) */
        printf( "[board] ERROR: %s=%s is not a decimal number in range\n", pcName, pcValue );
        exit( 2 );
    }

    return ullValue;
}
