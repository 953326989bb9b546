/*
 * FreeRTOS application hooks shared by the simulator programs, and the
 * mapping of the C heap functions mbedTLS uses onto the FreeRTOS heap.
 *
 * Heap: mbedTLS (inside the TLS library) calls plain calloc()/free(). The
 * programs link with -Wl,--wrap=calloc -Wl,--wrap=free, so those calls from
 * every object of the program land here: calloc takes memory from
 * pvPortMalloc (overflow-checked, zero-filled), and free gives a block back
 * to the heap it came from, told apart by address, because host code in the
 * same link (the POSIX port's event objects, fopen's buffers) still uses
 * the C library's malloc. On a device with no C heap, free() would only ever
 * see FreeRTOS blocks. The Rust half of the library reaches pvPortMalloc
 * directly (cargo feature `freertos`).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "FreeRTOS.h"
#include "task.h"

#include "app_hooks.h"
#include "aws_tls.h"

/* configAPPLICATION_ALLOCATED_HEAP: the heap is ours, so its bounds are known. */
uint8_t ucHeap[ configTOTAL_HEAP_SIZE ] __attribute__( ( aligned( 16 ) ) );

void * __real_calloc( size_t xCount, size_t xSize );
void __real_free( void * pv );
void * __wrap_calloc( size_t xCount, size_t xSize );
void __wrap_free( void * pv );

void * __wrap_calloc( size_t xCount, size_t xSize )
{
    size_t xBytes;
    void * pv;

    if( __builtin_mul_overflow( xCount, xSize, &xBytes ) )
    {
        return NULL;
    }

    pv = pvPortMalloc( xBytes );

    if( pv != NULL )
    {
        memset( pv, 0, xBytes );
    }

    return pv;
}

void __wrap_free( void * pv )
{
    const uint8_t * pucBlock = ( const uint8_t * ) pv;

    if( ( pucBlock >= &ucHeap[ 0 ] ) && ( pucBlock < &ucHeap[ configTOTAL_HEAP_SIZE ] ) )
    {
        vPortFree( pv );
    }
    else
    {
        __real_free( pv ); /* NULL included: free(NULL) does nothing. */
    }
}

/* configASSERT's target; the TLS library reports Rust panics through it too. */
void vAssertCalled( const char * pcFile,
                    unsigned long ulLine )
{
    printf( "[freertos] FATAL: assertion failed at %s:%lu\n", pcFile, ulLine );
    ( void ) fflush( stdout );
    _exit( 2 );
}

/* Not fatal: the TLS layer turns a failed allocation into an error code.
 * Counted so that programs can report it (app_hooks.h). */
volatile uint32_t ulMallocFailures = 0;

void vApplicationMallocFailedHook( void )
{
    ulMallocFailures++;
}

void vApplicationStackOverflowHook( TaskHandle_t xTask,
                                    char * pcTaskName )
{
    ( void ) xTask;
    printf( "[freertos] FATAL: stack overflow in task %s\n", pcTaskName );
    ( void ) fflush( stdout );
    _exit( 2 );
}

/* configPRINTF-style sink; the TLS library logs here (cargo feature
 * log-vloggingprintf) when the application registered no log hook. */
void vLoggingPrintf( const char * pcFormat,
                     ... )
{
    va_list xArgs;

    fputs( "[tls-log] ", stdout );
    va_start( xArgs, pcFormat );
    ( void ) vprintf( pcFormat, xArgs );
    va_end( xArgs );
}

/* TLS_SetUtcClock is an extension of aws_tls.h (its extension error codes
 * tell); the C original checks no dates and has nothing to set. */
#if defined( TLS_ERROR_BAD_PARAMETER )

/* The simulator's "RTC": the host's clock. A device would answer from SNTP
 * or its RTC, and return -1 until it has the time. */
    static int64_t prvUtcNow( void )
    {
        return ( int64_t ) time( NULL );
    }

    void vAppRegisterTlsHooks( void )
    {
        TLS_SetUtcClock( prvUtcNow );
    }

/* The library keeps the last sessions for resumption (heap it owns until
 * wiped); a heap balance check wipes them first. */
    void vAppForgetTlsSessions( void )
    {
        TLS_ClearSessionCache();
    }

#else

    void vAppRegisterTlsHooks( void )
    {
    }

    void vAppForgetTlsSessions( void )
    {
    }

#endif
