/*
 * Multi-task stress test of the TLS layer inside FreeRTOS (POSIX simulator).
 *
 * N worker tasks share the connections to be made: each connection is TCP
 * connect, TLS_Init + TLS_Connect (mutual TLS when the PKCS#11 token holds
 * a device credential), a payload sent and echoed back by the peer and
 * compared, then TLS_Cleanup. The workers make all the connections twice,
 * in two rounds. A controller task measures the FreeRTOS heap before, between
 * and after the rounds, and reads each worker's stack use. Everything the TLS
 * layer allocates comes from the FreeRTOS heap in this build (see
 * app_hooks.c). The first round may leave PSA crypto's state behind (its
 * random generator, and its key store, which grows to the most keys the
 * concurrent connections held at once and keeps that size): bounded, and
 * reported. The second round must leave the heap exactly as the first did.
 * Settings from the environment:
 *
 *   STRESS_PORT         TLS echo peer port on 127.0.0.1 (required)
 *   STRESS_ROOT_CA      PEM file with the CA of the peer's certificate (required)
 *   STRESS_HOST_NAME    name the peer certificate carries, default localhost
 *   STRESS_TASKS        worker tasks, default 4
 *   STRESS_CONNECTIONS  connections in total, default 100
 *
 * Stack: the POSIX port runs each task on a host pthread stack, not on the
 * stack FreeRTOS allocated for it, so uxTaskGetStackHighWaterMark() cannot
 * see what the TLS layer uses here. Each worker therefore paints the host
 * stack below its entry frame and, after its connections, finds the deepest
 * byte that was overwritten: the real peak stack depth of its work (signal
 * frames of the simulator's tick included, so an upper bound). The test
 * requires it to stay below the FreeRTOS stack the task was given.
 *
 * Output ends with "STRESS RESULT PASS" (exit 0) or "STRESS RESULT FAIL".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"

#include "app_hooks.h"
#include "settings.h"
#include "tls_transport.h"

#define STRESS_MAX_TASKS            16U
#define STRESS_WORKER_STACK_WORDS   ( 4096U )
#define STRESS_PAYLOAD_BYTES        ( 3000U )
#define STRESS_ECHO_TIMEOUT_MS      ( 10000U )
#define STRESS_MAX_PEM_BYTES        ( 64U * 1024U )
#define STRESS_STACK_BUDGET_BYTES   ( STRESS_WORKER_STACK_WORDS * sizeof( StackType_t ) )
#define STRESS_PAINT_BYTES          ( 4U * STRESS_STACK_BUDGET_BYTES )
#define STRESS_PAINT_VALUE          ( 0xA5U )
#define STRESS_ROUNDS               ( 2U )
/* Most heap the first round may keep (PSA's state); a leak of a few bytes a
 * connection shows in the second round instead. */
#define STRESS_FIRST_ROUND_KEEPS    ( 16U * 1024U )

typedef struct Worker
{
    TaskHandle_t xHandle;
    uint32_t ulConnections; /* To make. */
    uint32_t ulSucceeded;
    uint32_t ulFailed;
    size_t xStackUsed; /* Peak bytes below the entry frame. */
    char acName[ configMAX_TASK_NAME_LEN ];
} Worker_t;

static Worker_t axWorkers[ STRESS_MAX_TASKS ];
static uint32_t ulTaskCount = 4;
static uint32_t ulConnectionCount = 100;
static TaskHandle_t xController;
static TlsServerInfo_t xServer;

/* Fills the STRESS_PAINT_BYTES below the caller's frame with the paint
 * value; returns the lowest painted address. */
static __attribute__( ( noinline ) ) uintptr_t prvPaintStack( void )
{
    volatile uint8_t aucPaint[ STRESS_PAINT_BYTES ];
    size_t i;

    for( i = 0; i < STRESS_PAINT_BYTES; i++ )
    {
        aucPaint[ i ] = STRESS_PAINT_VALUE;
    }

    return ( uintptr_t ) &aucPaint[ 0 ];
}

/* Bytes between xTop and the deepest overwritten byte of the painted area. */
static size_t prvStackUsed( uintptr_t xLowest,
                            uintptr_t xTop )
{
    const volatile uint8_t * pucByte = ( const volatile uint8_t * ) xLowest;

    while( ( ( uintptr_t ) pucByte < xTop ) && ( *pucByte == STRESS_PAINT_VALUE ) )
    {
        pucByte++;
    }

    return ( size_t ) ( xTop - ( uintptr_t ) pucByte );
}

/* One connection, echo and cleanup. Returns true when the echo matched. */
static bool prvOneConnection( uint32_t ulWorker,
                              uint32_t ulRound )
{
    static uint8_t aucSent[ STRESS_MAX_TASKS ][ STRESS_PAYLOAD_BYTES ];
    static uint8_t aucBack[ STRESS_MAX_TASKS ][ STRESS_PAYLOAD_BYTES ];
    uint8_t * pucSent = aucSent[ ulWorker ];
    uint8_t * pucBack = aucBack[ ulWorker ];
    NetworkContext_t xNetwork;
    size_t xDone = 0;
    TickType_t xStart;
    bool xOk = true;
    uint32_t i;

    for( i = 0; i < STRESS_PAYLOAD_BYTES; i++ )
    {
        pucSent[ i ] = ( uint8_t ) ( ( i * 31U ) ^ ( ulWorker * 7U ) ^ ulRound );
    }

    if( lTlsTransportConnect( &xNetwork, &xServer ) != 0 )
    {
        return false;
    }

    while( xOk && ( xDone < STRESS_PAYLOAD_BYTES ) )
    {
        int32_t lSent = lTlsTransportSend( &xNetwork, pucSent + xDone, STRESS_PAYLOAD_BYTES - xDone );

        xOk = lSent > 0;
        xDone += xOk ? ( size_t ) lSent : 0U;
    }

    xDone = 0;
    xStart = xTaskGetTickCount();

    while( xOk && ( xDone < STRESS_PAYLOAD_BYTES ) )
    {
        int32_t lGot = lTlsTransportRecv( &xNetwork, pucBack + xDone, STRESS_PAYLOAD_BYTES - xDone );

        if( lGot < 0 )
        {
            xOk = false;
        }
        else if( ( xTaskGetTickCount() - xStart ) > pdMS_TO_TICKS( STRESS_ECHO_TIMEOUT_MS ) )
        {
            printf( "[stress] %s: echo timed out after %u of %u bytes\n", axWorkers[ ulWorker ].acName,
                    ( unsigned ) xDone, ( unsigned ) STRESS_PAYLOAD_BYTES );
            xOk = false;
        }
        else
        {
            xDone += ( size_t ) lGot;
        }
    }

    if( xOk && ( memcmp( pucSent, pucBack, STRESS_PAYLOAD_BYTES ) != 0 ) )
    {
        printf( "[stress] %s: echoed bytes differ\n", axWorkers[ ulWorker ].acName );
        xOk = false;
    }

    vTlsTransportDisconnect( &xNetwork );
    return xOk;
}

static void prvWorkerTask( void * pvIndex )
{
    uint32_t ulWorker = ( uint32_t ) ( uintptr_t ) pvIndex;
    Worker_t * pxWorker = &axWorkers[ ulWorker ];
    uint32_t ulRound;
    volatile uint8_t ucTopMarker = 0;
    uintptr_t xTop = ( uintptr_t ) &ucTopMarker;
    uintptr_t xLowest = prvPaintStack();

    uint32_t ulPass;

    for( ulPass = 0; ulPass < STRESS_ROUNDS; ulPass++ )
    {
        /* Start together, once the controller has read the heap. */
        ( void ) ulTaskNotifyTake( pdTRUE, portMAX_DELAY );

        for( ulRound = 0; ulRound < pxWorker->ulConnections; ulRound++ )
        {
            if( prvOneConnection( ulWorker, ulRound ) )
            {
                pxWorker->ulSucceeded++;
            }
            else
            {
                pxWorker->ulFailed++;
            }
        }

        pxWorker->xStackUsed = prvStackUsed( xLowest, xTop );
        xTaskNotifyGive( xController );
    }

    /* Stay alive (suspended) so that the controller can read the stack
     * high-water mark and no task deletion moves the heap figures. */
    vTaskSuspend( NULL );
}

static void prvControllerTask( void * pvUnused )
{
    size_t xHeapBefore, xHeapBetween = 0, xHeapAfter;
    uint32_t ulDone, ulPass, ulSucceeded = 0, ulFailed = 0, i;
    size_t xMaxStackUsed = 0;
    TickType_t xStart;
    bool xPass;

    ( void ) pvUnused;

    for( i = 0; i < ulTaskCount; i++ )
    {
        axWorkers[ i ].ulConnections = ulConnectionCount / ulTaskCount + ( i < ulConnectionCount % ulTaskCount ? 1U : 0U );
        ( void ) snprintf( axWorkers[ i ].acName, sizeof( axWorkers[ i ].acName ), "tls-worker-%u", ( unsigned ) i );

        if( xTaskCreate( prvWorkerTask, axWorkers[ i ].acName, STRESS_WORKER_STACK_WORDS, ( void * ) ( uintptr_t ) i,
                         tskIDLE_PRIORITY + 1U, &axWorkers[ i ].xHandle ) != pdPASS )
        {
            printf( "[stress] ERROR: cannot create %s\n", axWorkers[ i ].acName );
            printf( "STRESS RESULT FAIL\n" );
            exit( EXIT_FAILURE );
        }
    }

    xHeapBefore = xPortGetFreeHeapSize();
    printf( "[stress] %u tasks, %u connections, FreeRTOS heap %u bytes, free before %u bytes\n",
            ( unsigned ) ulTaskCount, ( unsigned ) ulConnectionCount, ( unsigned ) configTOTAL_HEAP_SIZE,
            ( unsigned ) xHeapBefore );
    xStart = xTaskGetTickCount();

    for( ulPass = 0; ulPass < STRESS_ROUNDS; ulPass++ )
    {
        for( i = 0; i < ulTaskCount; i++ )
        {
            xTaskNotifyGive( axWorkers[ i ].xHandle );
        }

        for( ulDone = 0; ulDone < ulTaskCount; )
        {
            ulDone += ulTaskNotifyTake( pdTRUE, portMAX_DELAY );
        }

        /* Cached sessions are heap the library keeps on purpose: wipe them,
         * so that any other block still out is PSA's state or a leak. */
        vAppForgetTlsSessions();

        if( ulPass == 0U )
        {
            xHeapBetween = xPortGetFreeHeapSize();
        }
    }

    xHeapAfter = xPortGetFreeHeapSize();

    for( i = 0; i < ulTaskCount; i++ )
    {
        size_t xUsed = axWorkers[ i ].xStackUsed;

        printf( "[stress] %s: %u connections ok, %u failed, peak stack %u bytes, minimum free stack %ld of %u bytes\n",
                axWorkers[ i ].acName, ( unsigned ) axWorkers[ i ].ulSucceeded, ( unsigned ) axWorkers[ i ].ulFailed,
                ( unsigned ) xUsed, ( long ) STRESS_STACK_BUDGET_BYTES - ( long ) xUsed,
                ( unsigned ) STRESS_STACK_BUDGET_BYTES );
        ulSucceeded += axWorkers[ i ].ulSucceeded;
        ulFailed += axWorkers[ i ].ulFailed;
        xMaxStackUsed = ( xUsed > xMaxStackUsed ) ? xUsed : xMaxStackUsed;
    }

    printf( "[stress] connections: %u ok, %u failed in %u ms (two rounds)\n", ( unsigned ) ulSucceeded,
            ( unsigned ) ulFailed,
            ( unsigned ) ( ( xTaskGetTickCount() - xStart ) * portTICK_PERIOD_MS ) );
    printf( "[stress] FreeRTOS heap: free before %u, after the first round %u (PSA's state keeps %ld bytes), "
            "after the second %u, minimum ever free %u (peak use %u bytes), allocation failures %u\n",
            ( unsigned ) xHeapBefore, ( unsigned ) xHeapBetween, ( long ) xHeapBefore - ( long ) xHeapBetween,
            ( unsigned ) xHeapAfter, ( unsigned ) xPortGetMinimumEverFreeHeapSize(),
            ( unsigned ) ( configTOTAL_HEAP_SIZE - xPortGetMinimumEverFreeHeapSize() ),
            ( unsigned ) ulMallocFailures );

    xPass = ( ulSucceeded == STRESS_ROUNDS * ulConnectionCount ) && ( ulFailed == 0U ) &&
            ( xHeapAfter == xHeapBetween ) && ( xHeapBetween <= xHeapBefore ) &&
            ( xHeapBefore - xHeapBetween <= STRESS_FIRST_ROUND_KEEPS ) &&
            ( xMaxStackUsed < STRESS_STACK_BUDGET_BYTES ) && ( ulMallocFailures == 0U );

    if( xHeapAfter != xHeapBetween )
    {
        printf( "[stress] ERROR: %ld bytes of FreeRTOS heap not returned by the second round\n",
                ( long ) xHeapBetween - ( long ) xHeapAfter );
    }

    if( ( xHeapBetween > xHeapBefore ) || ( xHeapBefore - xHeapBetween > STRESS_FIRST_ROUND_KEEPS ) )
    {
        printf( "[stress] ERROR: the first round kept %ld bytes (at most %u expected)\n",
                ( long ) xHeapBefore - ( long ) xHeapBetween, ( unsigned ) STRESS_FIRST_ROUND_KEEPS );
    }

    printf( "STRESS RESULT %s\n", xPass ? "PASS" : "FAIL" );
    ( void ) fflush( stdout );
    exit( xPass ? EXIT_SUCCESS : EXIT_FAILURE );
}

int main( void )
{
    const char * pcRootCa = getenv( "STRESS_ROOT_CA" );
    uint32_t ulPort = ulSettingsNumber( "STRESS_PORT", 0, 65535 );

    ( void ) setvbuf( stdout, NULL, _IOLBF, 0 );
    ulTaskCount = ulSettingsNumber( "STRESS_TASKS", 4, STRESS_MAX_TASKS );
    ulConnectionCount = ulSettingsNumber( "STRESS_CONNECTIONS", 100, 100000 );

    if( ( ulPort == 0U ) || ( pcRootCa == NULL ) || ( ulTaskCount == 0U ) || ( ulConnectionCount == 0U ) )
    {
        printf( "[stress] ERROR: set STRESS_PORT and STRESS_ROOT_CA; STRESS_TASKS in 1..%u, STRESS_CONNECTIONS >= 1\n",
                ( unsigned ) STRESS_MAX_TASKS );
        return EXIT_FAILURE;
    }

    xServer.pcAddress = "127.0.0.1";
    xServer.usPort = ( uint16_t ) ulPort;
    xServer.pcHostName = pcSettingsText( "STRESS_HOST_NAME", "localhost" );
    xServer.pcRootCaPem = pcSettingsReadTextFile( pcRootCa, STRESS_MAX_PEM_BYTES );
    xServer.ulConnectTimeoutMs = 5000;
    xServer.ulSocketTimeoutMs = 100;

    if( xServer.pcRootCaPem == NULL )
    {
        return EXIT_FAILURE;
    }

    /* Above the workers, so that it reads the heap before they run. */
    if( xTaskCreate( prvControllerTask, "stress-ctl", 2048, NULL, tskIDLE_PRIORITY + 2U, &xController ) != pdPASS )
    {
        printf( "[stress] ERROR: cannot create the controller task\n" );
        return EXIT_FAILURE;
    }

    vAppRegisterTlsHooks();
    vTaskStartScheduler();
    printf( "[stress] ERROR: the FreeRTOS scheduler stopped\n" );
    return EXIT_FAILURE;
}
