/*
 * Run-time support of the mps2-an386 board: the console on UART1, the C
 * library's system calls (newlib), the C heap on the FreeRTOS heap, the end
 * of a run through semihosting, and the FreeRTOS hooks.
 *
 * Heap: there is exactly one, FreeRTOS's heap_4. malloc/calloc/free (what
 * mbedTLS and newlib's stdio call) are defined here on top of it, so
 * newlib's own allocator and its _sbrk are never linked: a program that
 * needs realloc fails to link instead of growing a second heap.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "FreeRTOS.h"
#include "task.h"

#include "board.h"
#include "board_console.h"

/* CMSDK APB UART registers (DATA, STATE, CTRL, BAUDDIV). */
#define UART_DATA( base )       ( *( volatile uint32_t * ) ( ( base ) + 0x00U ) )
#define UART_STATE( base )      ( *( volatile uint32_t * ) ( ( base ) + 0x04U ) )
#define UART_CTRL( base )       ( *( volatile uint32_t * ) ( ( base ) + 0x08U ) )
#define UART_BAUDDIV( base )    ( *( volatile uint32_t * ) ( ( base ) + 0x10U ) )
#define UART_STATE_TX_FULL      ( 1UL << 0 )
#define UART_CTRL_TX_EN         ( 1UL << 0 )

/* Semihosting operations (Arm "Semihosting for AArch32 and AArch64"). */
#define SEMIHOSTING_SYS_GET_CMDLINE      ( 0x15U )
#define SEMIHOSTING_SYS_EXIT_EXTENDED    ( 0x20U )
#define SEMIHOSTING_APPLICATION_EXIT     ( 0x20026U )

static uint32_t prvSemihostingCall( uint32_t ulOperation,
                                    void * pvArgument )
{
    register uint32_t r0 __asm__( "r0" ) = ulOperation;
    register void * r1 __asm__( "r1" ) = pvArgument;

    __asm volatile ( "bkpt 0xAB" : "+r" ( r0 ) : "r" ( r1 ) : "memory" );
    return r0;
}

/* ------------------------------------------------------------ console */

void vBoardInit( void )
{
    /* 25 MHz / 16: the smallest divider the UART accepts. */
    UART_BAUDDIV( BOARD_UART1_BASE ) = 16U;
    UART_CTRL( BOARD_UART1_BASE ) = UART_CTRL_TX_EN;
    /* Unbuffered stdout: every printf reaches the UART at once, and stdio
     * never allocates a buffer. */
    ( void ) setvbuf( stdout, NULL, _IONBF, 0 );
}

void vBoardConsoleWrite( const char * pcText,
                         size_t xLength )
{
    size_t i;

    for( i = 0; i < xLength; i++ )
    {
        while( ( UART_STATE( BOARD_UART1_BASE ) & UART_STATE_TX_FULL ) != 0U )
        {
            /* QEMU drains the one-byte buffer as soon as its file or pipe
             * takes the byte: a short, bounded wait. */
        }

        UART_DATA( BOARD_UART1_BASE ) = ( uint8_t ) pcText[ i ];
    }
}

void vBoardConsolePanic( const char * pcFormat,
                         ... )
{
    static char acLine[ 256 ];
    va_list xArgs;
    int iLength;

    va_start( xArgs, pcFormat );
    iLength = vsnprintf( acLine, sizeof( acLine ) - 1U, pcFormat, xArgs );
    va_end( xArgs );

    if( iLength < 0 )
    {
        iLength = 0;
    }
    else if( ( size_t ) iLength > sizeof( acLine ) - 2U )
    {
        iLength = ( int ) ( sizeof( acLine ) - 2U );
    }

    acLine[ iLength++ ] = '\n';
    vBoardConsoleWrite( "\n[board] ", 9 );
    vBoardConsoleWrite( acLine, ( size_t ) iLength );
}

/* ------------------------------------------------------------ end of run */

static int ( * pxExitHook )( int iStatus ) = NULL;

void vBoardSetExitHook( int ( * pxHook )( int iStatus ) )
{
    pxExitHook = pxHook;
}

void vBoardExit( int iStatus )
{
    uint32_t aulBlock[ 2 ];
    int ( * pxHook )( int ) = pxExitHook;

    /* Once: a hook that fails and exits again must not loop. */
    pxExitHook = NULL;

    if( pxHook != NULL )
    {
        iStatus = pxHook( iStatus );
    }

    aulBlock[ 0 ] = SEMIHOSTING_APPLICATION_EXIT;
    aulBlock[ 1 ] = ( uint32_t ) iStatus;
    ( void ) prvSemihostingCall( SEMIHOSTING_SYS_EXIT_EXTENDED, aulBlock );

    /* Not under QEMU with semihosting: stop here. */
    for( ; ; )
    {
        __asm volatile ( "bkpt 0" );
    }
}

const char * pcBoardCommandLine( void )
{
    static char acCommandLine[ 256 ];
    static int iFetched = 0;

    if( iFetched == 0 )
    {
        struct
        {
            char * pcBuffer;
            uint32_t ulLength;
        } xArgument = { acCommandLine, sizeof( acCommandLine ) - 1U };
        const char * pcSpace;

        iFetched = 1;

        if( ( prvSemihostingCall( SEMIHOSTING_SYS_GET_CMDLINE, &xArgument ) != 0U ) ||
            ( xArgument.ulLength >= sizeof( acCommandLine ) ) )
        {
            acCommandLine[ 0 ] = '\0';
        }
        else
        {
            acCommandLine[ xArgument.ulLength ] = '\0';
        }

        /* QEMU puts the program's file name first: drop it. */
        pcSpace = strchr( acCommandLine, ' ' );
        memmove( acCommandLine, ( pcSpace != NULL ) ? pcSpace + 1 : "",
                 strlen( ( pcSpace != NULL ) ? pcSpace + 1 : "" ) + 1U );
    }

    return acCommandLine;
}

/* ------------------------------------------------------------ newlib */

int _write( int iFile,
            const char * pcData,
            int iLength );
int _read( int iFile,
           char * pcData,
           int iLength );
int _close( int iFile );
int _lseek( int iFile,
            int iOffset,
            int iWhence );
int _fstat( int iFile,
            struct stat * pxStat );
int _isatty( int iFile );
int _kill( int iPid,
           int iSignal );
int _getpid( void );
void _exit( int iStatus ) __attribute__( ( noreturn ) );

int _write( int iFile,
            const char * pcData,
            int iLength )
{
    if( ( ( iFile != 1 ) && ( iFile != 2 ) ) || ( iLength < 0 ) )
    {
        errno = EBADF;
        return -1;
    }

    vBoardConsoleWrite( pcData, ( size_t ) iLength );
    return iLength;
}

int _read( int iFile,
           char * pcData,
           int iLength )
{
    ( void ) iFile;
    ( void ) pcData;
    ( void ) iLength;
    errno = ENOSYS;
    return -1;
}

int _close( int iFile )
{
    ( void ) iFile;
    errno = EBADF;
    return -1;
}

int _lseek( int iFile,
            int iOffset,
            int iWhence )
{
    ( void ) iFile;
    ( void ) iOffset;
    ( void ) iWhence;
    errno = ESPIPE;
    return -1;
}

int _fstat( int iFile,
            struct stat * pxStat )
{
    ( void ) iFile;
    memset( pxStat, 0, sizeof( *pxStat ) );
    pxStat->st_mode = S_IFCHR;
    return 0;
}

int _isatty( int iFile )
{
    return ( iFile >= 0 ) && ( iFile <= 2 );
}

int _kill( int iPid,
           int iSignal )
{
    ( void ) iPid;
    ( void ) iSignal;
    errno = EINVAL;
    return -1;
}

int _getpid( void )
{
    return 1;
}

void _exit( int iStatus )
{
    vBoardExit( iStatus );
}

/* ------------------------------------------------------------ heap */

struct _reent;
void * _malloc_r( struct _reent * pxReent,
                  size_t xSize );
void * _calloc_r( struct _reent * pxReent,
                  size_t xCount,
                  size_t xSize );
void _free_r( struct _reent * pxReent,
              void * pv );

void * malloc( size_t xSize )
{
    return pvPortMalloc( xSize );
}

void * calloc( size_t xCount,
               size_t xSize )
{
    /* heap_4's calloc checks xCount * xSize for overflow and zero-fills. */
    return pvPortCalloc( xCount, xSize );
}

void free( void * pv )
{
    vPortFree( pv ); /* NULL included: vPortFree(NULL) does nothing. */
}

void * _malloc_r( struct _reent * pxReent,
                  size_t xSize )
{
    ( void ) pxReent;
    return pvPortMalloc( xSize );
}

void * _calloc_r( struct _reent * pxReent,
                  size_t xCount,
                  size_t xSize )
{
    ( void ) pxReent;
    return pvPortCalloc( xCount, xSize );
}

void _free_r( struct _reent * pxReent,
              void * pv )
{
    ( void ) pxReent;
    vPortFree( pv );
}

/* ------------------------------------------------------------ FreeRTOS hooks */

void vAssertCalled( const char * pcFile,
                    unsigned long ulLine )
{
    vBoardConsolePanic( "FATAL: assertion failed at %s:%lu", pcFile, ulLine );
    vBoardExit( 2 );
}

/* Not fatal: the TLS layer turns a failed allocation into an error code.
 * Counted so that programs can report it. */
volatile uint32_t ulMallocFailures = 0;

void vApplicationMallocFailedHook( void )
{
    ulMallocFailures++;
}

void vApplicationStackOverflowHook( TaskHandle_t xTask,
                                    char * pcTaskName )
{
    ( void ) xTask;
    vBoardConsolePanic( "FATAL: stack overflow in task %s", pcTaskName );
    vBoardExit( 2 );
}

/* Nothing to run: sleep the core until the next interrupt (the tick at the
 * latest), so that the emulator idles rather than spins. */
void vApplicationIdleHook( void )
{
    __asm volatile ( "wfi" );
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
