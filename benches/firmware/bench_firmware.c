/*
 * Firmware benchmark on QEMU mps2-an386 (Cortex-M4F, FreeRTOS): the same
 * TLS client work done two ways in one image, so both use the same mbedTLS
 * objects, configuration, heap, transport and entropy source:
 *
 *   ours  freertos-tls through iot_tls.h (TLS_Init / TLS_Connect /
 *         TLS_Cleanup), as a FreeRTOS application calls it;
 *   raw   mbedTLS called directly, with the configuration TLS_Connect
 *         applies (benches/common/raw_client_config.c, shared with the
 *         host benchmark): the same cipher suites, curves, signature
 *         hashes, TLS 1.2 minimum, renegotiation off, the max-fragment-
 *         length request of the record buffer profile, CTR_DRBG with the
 *         same personalisation seeded from mbedtls_hardware_poll, CA
 *         parse, verification required, host name check and SNI.
 *
 * The peer (uart_peer.py) is on the other end of UART0. One full handshake
 * per connection, server authentication only: the PKCS#11 module's
 * C_GetFunctionList below fails at once, so TLS_Connect's client-credential
 * lookup finds nothing (the cost of a real token is the token's).
 *
 * Each connection runs in a fresh TLS task (same stack size for both), and
 * the bench task reads that task's figures at three checkpoints where it
 * waits: before TLS_Init / the raw client's first allocation, after the
 * handshake, after cleanup. Printed on the console (UART1), one line each:
 *
 *   HS <E|R> <ours|raw> <instructions> <heap_peak> <heap_steady> <stack_bytes>
 *
 *   instructions  the TLS task's run-time counter between the first two
 *                 checkpoints (FreeRTOS run-time statistics; under QEMU
 *                 -icount shift=0 virtual nanoseconds are instructions)
 *   heap_peak     FreeRTOS heap (heap_4, block headers included) in use
 *                 at the deepest point between the first two checkpoints
 *   heap_steady   heap held by the connected connection (second checkpoint)
 *   stack_bytes   the TLS task's stack high-water mark, in bytes used
 *
 * Command line (QEMU -append): "pairs=N utc=SECONDS". Pairs alternate
 * which implementation goes first; E (ECDHE-ECDSA, P-256 chain) and
 * R (ECDHE-RSA, RSA-2048 chain) alternate pair by pair. Each round ends
 * with a version pair, ours only, the order flipping every round: 3 (the
 * peer speaks TLS 1.3 only, P-256 chain, key share on P-256) and 2 (the
 * same chain, the peer speaks TLS 1.2 only: what E measures), ours and raw
 * each, so that the TLS 1.3 figures have a TLS 1.2 reference taken next
 * to them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"

#include "board.h"
#include "iot_tls.h"
#include "uart_stream.h"

#include "raw_client_config.h"

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/net_sockets.h" /* error codes only: the BIO is the UART */
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

/* Large enough that the high-water mark, not an overflow, says how much
 * a client needs; the same for both. */
#define BENCH_TLS_STACK_WORDS     ( 4096U )
#define BENCH_TLS_PRIORITY        ( tskIDLE_PRIORITY + 1 )
#define BENCH_MAIN_PRIORITY       ( tskIDLE_PRIORITY + 2 )
#define BENCH_MAIN_STACK_WORDS    ( 1024U )
/* Bounds on every wait (virtual time; the peer answers in milliseconds). */
#define BENCH_STEP_TIMEOUT_MS     ( 60000U )
#define BENCH_UART_WAIT_MS        ( 10000U )
/* Instructions per run-time counter tick: 1e9 ns / 25 MHz. */
#define BENCH_NS_PER_TICK         ( 40U )

/* ------------------------------------------------------------ run-time counter */

/* CMSDK APB timer 1: a 32-bit down counter at 25 MHz. */
#define TIMER1_CTRL      ( *( volatile uint32_t * ) 0x40001000UL )
#define TIMER1_VALUE     ( *( volatile uint32_t * ) 0x40001004UL )
#define TIMER1_RELOAD    ( *( volatile uint32_t * ) 0x40001008UL )
#define TIMER_CTRL_EN    ( 1UL << 0 )

static uint32_t ulCounterLast;
static uint64_t ullCounterHigh;

void vBenchRunTimeCounterStart( void )
{
    TIMER1_RELOAD = UINT32_MAX;
    TIMER1_VALUE = UINT32_MAX;
    TIMER1_CTRL = TIMER_CTRL_EN;
    ulCounterLast = 0;
    ullCounterHigh = 0;
}

/* Called by the kernel at every context switch (so at least once per
 * 172 s wrap period of the 32-bit hardware count) and by the calibration,
 * both with interrupts masked. */
uint64_t ullBenchRunTimeCounter( void )
{
    uint32_t ulNow = UINT32_MAX - TIMER1_VALUE;

    if( ulNow < ulCounterLast )
    {
        ullCounterHigh += ( uint64_t ) 1 << 32;
    }

    ulCounterLast = ulNow;
    return ullCounterHigh | ulNow;
}

/* Check that one counter tick is BENCH_NS_PER_TICK instructions: run a
 * loop of a known instruction count (subs + bne per iteration) with
 * interrupts masked and count it. */
static void prvCalibrate( void )
{
    const uint32_t ulIterations = 5000000U;
    uint32_t ulLeft = ulIterations;
    uint64_t ullStart, ullEnd;

    taskENTER_CRITICAL();
    ullStart = ullBenchRunTimeCounter();
    __asm volatile ( "1: subs %0, %0, #1 \n bne 1b" : "+r" ( ulLeft ) : : "cc" );
    ullEnd = ullBenchRunTimeCounter();
    taskEXIT_CRITICAL();
    printf( "CAL %lu %lu\n", ( unsigned long ) ( 2U * ulIterations ),
            ( unsigned long ) ( ( ullEnd - ullStart ) * BENCH_NS_PER_TICK ) );
}

/* ------------------------------------------------------------ heap high water */

/* Linked with --wrap=pvPortMalloc,--wrap=pvPortCalloc: every allocation
 * (the Rust library's, and mbedTLS's through the board's calloc) passes
 * here. heap_4's calloc calls its malloc inside heap_4.c, unwrapped. */
void * __real_pvPortMalloc( size_t xSize );
void * __wrap_pvPortMalloc( size_t xSize );
void * __real_pvPortCalloc( size_t xCount,
                            size_t xSize );
void * __wrap_pvPortCalloc( size_t xCount,
                            size_t xSize );

static size_t xLowestFree;

static void prvNoteFreeHeap( void )
{
    size_t xFree = xPortGetFreeHeapSize();

    if( xFree < xLowestFree )
    {
        xLowestFree = xFree;
    }
}

void * __wrap_pvPortMalloc( size_t xSize )
{
    void * pv = __real_pvPortMalloc( xSize );

    prvNoteFreeHeap();
    return pv;
}

void * __wrap_pvPortCalloc( size_t xCount,
                            size_t xSize )
{
    void * pv = __real_pvPortCalloc( xCount, xSize );

    prvNoteFreeHeap();
    return pv;
}

/* ------------------------------------------------------------ PKCS#11 */

/* No token: the library's credential lookup fails at its first call. */
unsigned long C_GetFunctionList( void ** ppList );
unsigned long C_GetFunctionList( void ** ppList )
{
    if( ppList != NULL )
    {
        *ppList = NULL;
    }

    return 0x6UL; /* CKR_FUNCTION_FAILED */
}

/* ------------------------------------------------------------ transport */

static UartStream_t xUart;

static void prvFail( const char * pcWhat,
                     long lCode ) __attribute__( ( noreturn ) );
static void prvFail( const char * pcWhat,
                     long lCode )
{
    printf( "FAIL %s (%ld / -0x%04lX)\n", pcWhat, lCode, ( unsigned long ) ( lCode < 0 ? -lCode : lCode ) );
    vBoardExit( 1 );
}

static void prvSendAll( const void * pvData,
                        size_t xLength )
{
    const unsigned char * puc = pvData;

    while( xLength > 0 )
    {
        BaseType_t xSent = xUartStreamSend( &xUart, puc, xLength );

        if( xSent <= 0 )
        {
            prvFail( "UART send", ( long ) xSent );
        }

        puc += xSent;
        xLength -= ( size_t ) xSent;
    }
}

static void prvRecvAll( void * pvBuffer,
                        size_t xLength )
{
    unsigned char * puc = pvBuffer;

    while( xLength > 0 )
    {
        BaseType_t xGot = xUartStreamRecv( &xUart, puc, xLength );

        if( xGot <= 0 )
        {
            prvFail( "UART receive", ( long ) xGot );
        }

        puc += xGot;
        xLength -= ( size_t ) xGot;
    }
}

/* The CA of one server chain, from the peer ("CA E" / "CA R"), with the
 * NUL that mbedTLS's PEM parser needs, counted in the length. */
typedef struct
{
    char * pcPem;
    size_t xLength;
} Ca_t;

static Ca_t prvFetchCa( char cKind )
{
    char acRequest[] = "CA ?\n";
    unsigned char aucLength[ 4 ];
    uint32_t ulLength;
    Ca_t xCa;

    acRequest[ 3 ] = cKind;
    prvSendAll( acRequest, sizeof( acRequest ) - 1 );
    prvRecvAll( aucLength, sizeof( aucLength ) );
    ulLength = ( ( uint32_t ) aucLength[ 0 ] << 24 ) | ( ( uint32_t ) aucLength[ 1 ] << 16 ) |
               ( ( uint32_t ) aucLength[ 2 ] << 8 ) | aucLength[ 3 ];

    if( ( ulLength == 0 ) || ( ulLength > 16384 ) )
    {
        prvFail( "CA length", ( long ) ulLength );
    }

    xCa.pcPem = pvPortMalloc( ulLength + 1 );

    if( xCa.pcPem == NULL )
    {
        prvFail( "CA buffer", 0 );
    }

    prvRecvAll( xCa.pcPem, ulLength );
    xCa.pcPem[ ulLength ] = '\0';
    xCa.xLength = ulLength + 1;
    return xCa;
}

/* ------------------------------------------------------------ raw mbedTLS */

/* The configuration TLS_Connect applies: benches/common/raw_client_config.c,
 * shared with the host benchmark. */

/* All contexts in one heap block, as the library keeps them. */
typedef struct
{
    mbedtls_ssl_context xSsl;
    mbedtls_ssl_config xConf;
    mbedtls_ctr_drbg_context xDrbg;
    mbedtls_x509_crt xCa;
} RawConnection_t;

/* A firmware's raw mbedTLS seeds its DRBG from the board's
 * mbedtls_hardware_poll, the function mbedTLS's entropy module would call. */
static int prvRawEntropy( void * pvUnused,
                          unsigned char * pucOut,
                          size_t xLength )
{
    size_t xGot = 0;

    ( void ) pvUnused;

    if( ( mbedtls_hardware_poll( NULL, pucOut, xLength, &xGot ) != 0 ) || ( xGot != xLength ) )
    {
        return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    }

    return 0;
}

static int prvRawRecv( void * pvCtx,
                       unsigned char * pucBuf,
                       size_t xLength )
{
    BaseType_t xGot = xUartStreamRecv( pvCtx, pucBuf, xLength );

    if( xGot == 0 )
    {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }

    return xGot < 0 ? MBEDTLS_ERR_NET_RECV_FAILED : ( int ) xGot;
}

static int prvRawSend( void * pvCtx,
                       const unsigned char * pucBuf,
                       size_t xLength )
{
    BaseType_t xSent = xUartStreamSend( pvCtx, pucBuf, xLength );

    if( xSent == 0 )
    {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }

    return xSent < 0 ? MBEDTLS_ERR_NET_SEND_FAILED : ( int ) xSent;
}

static RawConnection_t * prvRawConnect( const Ca_t * pxCa )
{
    RawConnection_t * pxC = calloc( 1, sizeof( *pxC ) );
    const char * pcStep;
    int rc;

    if( pxC == NULL )
    {
        prvFail( "raw calloc", 0 );
    }

    mbedtls_ssl_init( &pxC->xSsl );
    mbedtls_ssl_config_init( &pxC->xConf );
    mbedtls_ctr_drbg_init( &pxC->xDrbg );
    mbedtls_x509_crt_init( &pxC->xCa );

    rc = bench_raw_configure( &pxC->xConf, &pxC->xDrbg, &pxC->xCa, pxCa->pcPem, pxCa->xLength,
                              prvRawEntropy, NULL, MBEDTLS_SSL_SESSION_TICKETS_ENABLED, &pcStep );

    if( rc != 0 )
    {
        prvFail( pcStep, rc );
    }

    if( ( rc = mbedtls_ssl_setup( &pxC->xSsl, &pxC->xConf ) ) != 0 )
    {
        prvFail( "ssl_setup", rc );
    }

    if( ( rc = mbedtls_ssl_set_hostname( &pxC->xSsl, BENCH_RAW_SERVER_NAME ) ) != 0 )
    {
        prvFail( "ssl_set_hostname", rc );
    }

    mbedtls_ssl_set_bio( &pxC->xSsl, &xUart, prvRawSend, prvRawRecv, NULL );

    while( ( rc = mbedtls_ssl_handshake( &pxC->xSsl ) ) != 0 )
    {
        if( ( rc != MBEDTLS_ERR_SSL_WANT_READ ) && ( rc != MBEDTLS_ERR_SSL_WANT_WRITE ) )
        {
            prvFail( "ssl_handshake", rc );
        }
    }

    return pxC;
}

static void prvRawFree( RawConnection_t * pxC )
{
    mbedtls_ssl_free( &pxC->xSsl );
    mbedtls_ssl_config_free( &pxC->xConf );
    mbedtls_ctr_drbg_free( &pxC->xDrbg );
    mbedtls_x509_crt_free( &pxC->xCa );
    free( pxC );
}

/* ------------------------------------------------------------ one connection */

typedef struct
{
    char cKind;          /* 'E', 'R', '3' (TLS 1.3 peer) or '2' (TLS 1.2 reference) */
    BaseType_t xOurs;
    const Ca_t * pxCa;
    TaskHandle_t xBench; /* notified at each checkpoint */
} Job_t;

static TaskHandle_t xBenchTask;

/* The TLS task stops here until the bench task has taken its readings. */
static void prvCheckpoint( const Job_t * pxJob )
{
    xTaskNotifyGive( pxJob->xBench );

    if( ulTaskNotifyTake( pdTRUE, pdMS_TO_TICKS( BENCH_STEP_TIMEOUT_MS ) ) == 0 )
    {
        prvFail( "checkpoint release", 0 );
    }
}

static void prvTlsTask( void * pvJob )
{
    const Job_t * pxJob = pvJob;
    char acRequest[ 16 ];
    int iLength = snprintf( acRequest, sizeof( acRequest ), "HS %c %s\n", pxJob->cKind,
                            pxJob->xOurs ? "ours" : "raw" );

    prvSendAll( acRequest, ( size_t ) iLength );
    prvCheckpoint( pxJob );

    if( pxJob->xOurs )
    {
        void * pvTls = NULL;
        TLSParams_t xParams;
        BaseType_t rc;

        memset( &xParams, 0, sizeof( xParams ) );
        xParams.ulSize = sizeof( xParams );
        xParams.pcDestination = BENCH_RAW_SERVER_NAME;
        xParams.pcServerCertificate = pxJob->pxCa->pcPem;
        xParams.ulServerCertificateLength = ( uint32_t ) pxJob->pxCa->xLength;
        xParams.pxNetworkRecv = xUartStreamRecv;
        xParams.pxNetworkSend = xUartStreamSend;
        xParams.pvCallerContext = &xUart;

        if( ( rc = TLS_Init( &pvTls, &xParams ) ) != 0 )
        {
            prvFail( "TLS_Init", ( long ) rc );
        }

        if( ( rc = TLS_Connect( pvTls ) ) != 0 )
        {
            prvFail( "TLS_Connect", ( long ) rc );
        }

        prvCheckpoint( pxJob );
        TLS_Cleanup( pvTls );
        /* A full handshake every time, as the raw client does: forget the
         * session TLS_Connect stored (the cache holds it on purpose), so
         * the next connection has nothing to resume and the heap is back
         * where it started. */
        TLS_ClearSessionCache();
    }
    else
    {
        RawConnection_t * pxRaw = prvRawConnect( pxJob->pxCa );

        prvCheckpoint( pxJob );
        prvRawFree( pxRaw );
    }

    prvCheckpoint( pxJob );

    /* The bench task deletes this task after the last checkpoint. */
    for( ; ; )
    {
        ( void ) ulTaskNotifyTake( pdTRUE, portMAX_DELAY );
    }
}

/* Waits for the TLS task to reach its next checkpoint. */
static void prvAwaitCheckpoint( void )
{
    if( ulTaskNotifyTake( pdTRUE, pdMS_TO_TICKS( BENCH_STEP_TIMEOUT_MS ) ) == 0 )
    {
        prvFail( "checkpoint (TLS task stuck)", 0 );
    }
}

static void prvOneConnection( char cKind,
                              BaseType_t xOurs,
                              const Ca_t * pxCa,
                              BaseType_t xPrint )
{
    Job_t xJob = { cKind, xOurs, pxCa, xBenchTask };
    TaskHandle_t xTls;
    uint64_t ullStart, ullConnected;
    size_t xFreeAtStart, xFreeConnected, xFreeAfter, xStackUsed;

    if( xTaskCreate( prvTlsTask, "TLS", BENCH_TLS_STACK_WORDS, &xJob, BENCH_TLS_PRIORITY, &xTls ) != pdPASS )
    {
        prvFail( "TLS task", 0 );
    }

    /* The TLS task is blocked at each reading: its counter is complete. */
    prvAwaitCheckpoint();
    ullStart = ulTaskGetRunTimeCounter( xTls );
    xFreeAtStart = xPortGetFreeHeapSize();
    xLowestFree = xFreeAtStart;
    xTaskNotifyGive( xTls );

    prvAwaitCheckpoint();
    ullConnected = ulTaskGetRunTimeCounter( xTls );
    xFreeConnected = xPortGetFreeHeapSize();
    xTaskNotifyGive( xTls );

    prvAwaitCheckpoint();
    xFreeAfter = xPortGetFreeHeapSize();
    xStackUsed = ( BENCH_TLS_STACK_WORDS - ( size_t ) uxTaskGetStackHighWaterMark( xTls ) ) * sizeof( StackType_t );
    vTaskDelete( xTls );

    if( xPrint )
    {
        printf( "HS %c %s %lu %lu %lu %lu\n", cKind, xOurs ? "ours" : "raw",
                ( unsigned long ) ( ( ullConnected - ullStart ) * BENCH_NS_PER_TICK ),
                ( unsigned long ) ( xFreeAtStart - xLowestFree ),
                ( unsigned long ) ( xFreeAtStart - xFreeConnected ), ( unsigned long ) xStackUsed );

        if( xFreeAfter != xFreeAtStart )
        {
            printf( "LEAK %c %s %ld\n", cKind, xOurs ? "ours" : "raw",
                    ( long ) xFreeAtStart - ( long ) xFreeAfter );
        }
    }
}

/* ------------------------------------------------------------ main */

static unsigned long ulPairs = 10;
static int64_t llUtc;

static int64_t prvUtcNow( void )
{
    return llUtc + ( int64_t ) ( xTaskGetTickCount() / configTICK_RATE_HZ );
}

/* "name=value" from the command line, or ulDefault. */
static unsigned long long prvArgument( const char * pcName,
                                       unsigned long long ullDefault )
{
    const char * pc = pcBoardCommandLine();
    size_t xName = strlen( pcName );

    while( ( pc = strstr( pc, pcName ) ) != NULL )
    {
        if( pc[ xName ] == '=' )
        {
            return strtoull( pc + xName + 1, NULL, 10 );
        }

        pc += xName;
    }

    return ullDefault;
}

static void prvBenchTask( void * pvUnused )
{
    Ca_t axCa[ 2 ];
    const char acKinds[ 2 ] = { 'E', 'R' };
    unsigned long ulPair;
    int i;

    ( void ) pvUnused;

    if( lUartStreamOpen( &xUart, BENCH_UART_WAIT_MS, BENCH_UART_WAIT_MS ) != 0 )
    {
        prvFail( "UART open", 0 );
    }

    prvCalibrate();
    axCa[ 0 ] = prvFetchCa( 'E' );
    axCa[ 1 ] = prvFetchCa( 'R' );

    /* Warm-up, not reported: one-off work of the first connection (the
     * entropy source's start-up health test, first allocations, PSA's
     * start at the library's first TLS_Connect). */
    for( i = 0; i < 2; i++ )
    {
        prvOneConnection( acKinds[ i ], pdTRUE, &axCa[ i ], pdFALSE );
        prvOneConnection( acKinds[ i ], pdFALSE, &axCa[ i ], pdFALSE );
    }

    prvOneConnection( '3', pdTRUE, &axCa[ 0 ], pdFALSE );
    prvOneConnection( '3', pdFALSE, &axCa[ 0 ], pdFALSE );

    for( ulPair = 0; ulPair < ulPairs; ulPair++ )
    {
        for( i = 0; i < 2; i++ )
        {
            BaseType_t xOursFirst = ( ulPair % 2 ) == 0;

            prvOneConnection( acKinds[ i ], xOursFirst, &axCa[ i ], pdTRUE );
            prvOneConnection( acKinds[ i ], !xOursFirst, &axCa[ i ], pdTRUE );
        }

        /* The version pair: TLS 1.3 and its TLS 1.2 reference, ours and
         * raw each. */
        {
            char cFirst = ( ulPair % 2 ) == 0 ? '3' : '2';
            char cSecond = ( ulPair % 2 ) == 0 ? '2' : '3';

            prvOneConnection( cFirst, pdTRUE, &axCa[ 0 ], pdTRUE );
            prvOneConnection( cFirst, pdFALSE, &axCa[ 0 ], pdTRUE );
            prvOneConnection( cSecond, pdFALSE, &axCa[ 0 ], pdTRUE );
            prvOneConnection( cSecond, pdTRUE, &axCa[ 0 ], pdTRUE );
        }
    }

    prvSendAll( "BYE\n", 4 );
    printf( "DONE malloc_failures=%lu\n", ( unsigned long ) ulMallocFailures );
    vBoardExit( 0 );
}

int main( void )
{
    vBoardInit();
    ulPairs = ( unsigned long ) prvArgument( "pairs", 10 );
    llUtc = ( int64_t ) prvArgument( "utc", 0 );

    if( ( ulPairs == 0 ) || ( llUtc == 0 ) )
    {
        printf( "FAIL command line: pairs=N (N >= 1) utc=SECONDS are required\n" );
        vBoardExit( 2 );
    }

    printf( "BENCH pairs=%lu stack_words=%u\n", ulPairs, ( unsigned ) BENCH_TLS_STACK_WORDS );
    TLS_SetUtcClock( prvUtcNow );

    if( xTaskCreate( prvBenchTask, "Bench", BENCH_MAIN_STACK_WORDS, NULL, BENCH_MAIN_PRIORITY, &xBenchTask ) !=
        pdPASS )
    {
        printf( "FAIL bench task\n" );
        vBoardExit( 1 );
    }

    vTaskStartScheduler();
    printf( "FAIL scheduler stopped\n" );
    return 1;
}
