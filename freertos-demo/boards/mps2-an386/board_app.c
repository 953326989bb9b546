/*
 * The part of the board's MQTT demo firmwares that does not depend on the
 * network path; see board_app.h.
 *
 * While the TLS task (priority 2) works, a task of priority 1 counts as
 * fast as it can: it runs only when the TLS task blocks. The count during
 * the first handshake must not be 0: a handshake over a non-blocking
 * transport that spins would starve it. The run fails if it is.
 */
#include "board_app.h"

#include <stdio.h>
#include <stdlib.h>

#include "aws_tls.h"

#include "board.h"
#include "demo_pki.h"
#include "network_stream.h"
#include "tls_transport.h"

#define BOARD_TLS_TASK_STACK_WORDS    ( 2048U )
#define BOARD_TLS_TASK_PRIORITY       ( tskIDLE_PRIORITY + 2U )
#define BOARD_COUNTER_STACK_WORDS     ( 256U )
#define BOARD_COUNTER_PRIORITY        ( tskIDLE_PRIORITY + 1U )

uint32_t ulNetworkStreamRecvWaitMs = BOARD_DEFAULT_RECV_WAIT_MS;

static const BoardNet_t * pxBoardNet;
static TaskHandle_t xTlsTask;
static int64_t llUtcAtStart;

/* Counted by the low-priority task; read by the others. */
static volatile uint32_t ulLowPriorityLoops;

/* The first handshake, as seen from vTlsTransportHandshake*. */
typedef struct HandshakeRecord
{
    bool xDone;
    BaseType_t xResult;
    TickType_t xStartTick;
    TickType_t xEndTick;
    uint32_t ulLoopsAtStart;
    uint32_t ulLoops;
    uint32_t ulEmptyReadsAtStart;
    uint32_t ulEmptyReads;
} HandshakeRecord_t;

static HandshakeRecord_t xHandshake;
static uint32_t ulHandshakes;

/* ------------------------------------------------------------ clock */

/* The board has no RTC: UTC at start (from the command line or the build)
 * plus the ticks since. */
static int64_t prvUtcNow( void )
{
    static TickType_t xFirstTick;
    static bool xStarted = false;

    if( !xStarted )
    {
        xFirstTick = xTaskGetTickCount();
        xStarted = true;
    }

    return llUtcAtStart + ( int64_t ) ( ( xTaskGetTickCount() - xFirstTick ) / configTICK_RATE_HZ );
}

/* ------------------------------------------------------------ measurements */

static void prvLowPriorityTask( void * pvUnused )
{
    ( void ) pvUnused;

    for( ; ; )
    {
        ulLowPriorityLoops++;
    }
}

/* A firmware built with run-time statistics (board_runtime_stats.h)
 * reports the virtual time each handshake ran in the TLS task and, where
 * the network stack has tasks, in those: under QEMU -icount shift=0 as
 * many instructions. The TLS task's running slice is first closed with a
 * yield, so that the kernel accounts it. Differences of counts wrap
 * correctly; ns are made after. */
#if ( configGENERATE_RUN_TIME_STATS == 1 )
    static uint32_t ulTlsCountsAtStart;
    static uint32_t ulNetCountsAtStart;

    static uint32_t prvRunTimeCounts( void )
    {
        taskYIELD();
        return ( uint32_t ) ulTaskGetRunTimeCounter( xTaskGetCurrentTaskHandle() );
    }
#endif

void vTlsTransportHandshakeStarts( void )
{
    #if ( configGENERATE_RUN_TIME_STATS == 1 )
        ulTlsCountsAtStart = prvRunTimeCounts();

        if( pxBoardNet->pxNetRunTimeCounts != NULL )
        {
            ulNetCountsAtStart = pxBoardNet->pxNetRunTimeCounts();
        }
    #endif

    if( xHandshake.xDone )
    {
        return;
    }

    xHandshake.ulEmptyReadsAtStart = pxBoardNet->pxEmptyReads();
    xHandshake.ulLoopsAtStart = ulLowPriorityLoops;
    xHandshake.xStartTick = xTaskGetTickCount();
}

void vTlsTransportHandshakeEnded( BaseType_t xResult )
{
    ulHandshakes++;

    #if ( configGENERATE_RUN_TIME_STATS == 1 )
    {
        uint32_t ulTls = prvRunTimeCounts() - ulTlsCountsAtStart;

        /* Two whole printf calls rather than a line assembled in a buffer:
         * the TLS task's stack use stays as it was. */
        if( pxBoardNet->pxNetRunTimeCounts != NULL )
        {
            uint32_t ulNet = pxBoardNet->pxNetRunTimeCounts() - ulNetCountsAtStart;

            printf( "[board] HANDSHAKE-RUNTIME n=%lu result=%ld tls_task_ns=%lu %s=%lu\n",
                    ( unsigned long ) ulHandshakes, ( long ) xResult,
                    ( unsigned long ) ( ulTls * BOARD_RUNTIME_NS_PER_COUNT ), pxBoardNet->pcRunTimeField,
                    ( unsigned long ) ( ulNet * BOARD_RUNTIME_NS_PER_COUNT ) );
        }
        else
        {
            printf( "[board] HANDSHAKE-RUNTIME n=%lu result=%ld tls_task_ns=%lu\n", ( unsigned long ) ulHandshakes,
                    ( long ) xResult, ( unsigned long ) ( ulTls * BOARD_RUNTIME_NS_PER_COUNT ) );
        }
    }
    #endif /* if ( configGENERATE_RUN_TIME_STATS == 1 ) */

    if( xHandshake.xDone )
    {
        return;
    }

    xHandshake.xEndTick = xTaskGetTickCount();
    xHandshake.ulLoops = ulLowPriorityLoops - xHandshake.ulLoopsAtStart;
    xHandshake.ulEmptyReads = pxBoardNet->pxEmptyReads() - xHandshake.ulEmptyReadsAtStart;
    xHandshake.xResult = xResult;
    xHandshake.xDone = true;

    if( pxBoardNet->xHandshakeTicks )
    {
        printf( "[board] HANDSHAKE result=%ld ticks=%lu start_tick=0x%08lx end_tick=0x%08lx wrapped=%s "
                "empty_reads=%lu low_priority_loops=%lu\n",
                ( long ) xResult, ( unsigned long ) ( xHandshake.xEndTick - xHandshake.xStartTick ),
                ( unsigned long ) xHandshake.xStartTick, ( unsigned long ) xHandshake.xEndTick,
                ( xHandshake.xEndTick < xHandshake.xStartTick ) ? "yes" : "no",
                ( unsigned long ) xHandshake.ulEmptyReads, ( unsigned long ) xHandshake.ulLoops );
    }
    else
    {
        printf( "[board] HANDSHAKE result=%ld ticks=%lu empty_reads=%lu low_priority_loops=%lu\n", ( long ) xResult,
                ( unsigned long ) ( xHandshake.xEndTick - xHandshake.xStartTick ),
                ( unsigned long ) xHandshake.ulEmptyReads, ( unsigned long ) xHandshake.ulLoops );
    }
}

/* Runs once at the end (exit from a task or from main): prints what the
 * board measured and folds its own checks into the exit status. */
static int prvFinalReport( int iStatus )
{
    size_t xMinFree = xPortGetMinimumEverFreeHeapSize();

    pxBoardNet->pxReportStream();
    printf( "[board] heap: %u bytes, minimum ever free %u (peak use %u); %lu failed allocations\n",
            ( unsigned ) configTOTAL_HEAP_SIZE, ( unsigned ) xMinFree,
            ( unsigned ) ( configTOTAL_HEAP_SIZE - xMinFree ), ( unsigned long ) ulMallocFailures );

    if( pxBoardNet->pxReportHeap != NULL )
    {
        pxBoardNet->pxReportHeap( xMinFree );
    }

    if( xTlsTask != NULL )
    {
        printf( "[board] TLS task stack: %u bytes, high-water mark %u bytes unused (peak use %u)\n",
                ( unsigned ) ( BOARD_TLS_TASK_STACK_WORDS * sizeof( StackType_t ) ),
                ( unsigned ) ( uxTaskGetStackHighWaterMark( xTlsTask ) * sizeof( StackType_t ) ),
                ( unsigned ) ( ( BOARD_TLS_TASK_STACK_WORDS - uxTaskGetStackHighWaterMark( xTlsTask ) ) *
                               sizeof( StackType_t ) ) );
    }

    printf( "[board] main (interrupt) stack: %u bytes never used\n", ( unsigned ) xBoardMainStackUnusedBytes() );

    if( pxBoardNet->pxCheck != NULL )
    {
        iStatus = pxBoardNet->pxCheck( iStatus );
    }

    /* Only a run through tls_transport.c has a handshake record (not the
     * UART firmware's silent-peer run, which calls TLS_Connect itself). */
    if( xHandshake.xDone )
    {
        bool xStarved = ( xHandshake.ulLoops == 0U );

        if( pxBoardNet->xNoStarveHandshakes )
        {
            printf( "[board] NO-STARVE low_priority_loops_during_handshake=%lu empty_reads=%lu recv_wait_ms=%lu "
                    "handshakes=%lu result=%s\n",
                    ( unsigned long ) xHandshake.ulLoops, ( unsigned long ) xHandshake.ulEmptyReads,
                    ( unsigned long ) ulNetworkStreamRecvWaitMs, ( unsigned long ) ulHandshakes,
                    xStarved ? "FAIL" : "PASS" );
        }
        else
        {
            printf( "[board] NO-STARVE low_priority_loops_during_handshake=%lu empty_reads=%lu recv_wait_ms=%lu "
                    "result=%s\n",
                    ( unsigned long ) xHandshake.ulLoops, ( unsigned long ) xHandshake.ulEmptyReads,
                    ( unsigned long ) ulNetworkStreamRecvWaitMs, xStarved ? "FAIL" : "PASS" );
        }

        if( xStarved )
        {
            iStatus = ( iStatus != 0 ) ? iStatus : 1;
        }
    }

    printf( "[board] exit status %d\n", iStatus );
    return iStatus;
}

/* ------------------------------------------------------------ start */

void vBoardAppInit( const BoardNet_t * pxNet )
{
    pxBoardNet = pxNet;
    vBoardInit();
    vBoardSetExitHook( prvFinalReport );
}

int lBoardAppRun( MqttDemoConfig_t * pxConfig,
                  const char * pcClientIdPrefix,
                  int64_t llUtc,
                  TaskFunction_t pxTlsTask,
                  const char * pcTlsTaskName,
                  bool xCounterTask )
{
    static char acClientId[ 48 ];
    static char acTopic[ 96 ];

    printf( "[board] WARNING: emulator-only build: entropy from a virtual timer and a test PKCS#11 token "
            "with the key compiled in; neither may reach a product\n" );

    llUtcAtStart = llUtc;
    TLS_SetUtcClock( prvUtcNow );

    ( void ) snprintf( acClientId, sizeof( acClientId ), "%s-%lu", pcClientIdPrefix,
                       ( unsigned long ) ( llUtcAtStart % 100000 ) );
    ( void ) snprintf( acTopic, sizeof( acTopic ), "freertos-tls/demo/%s", acClientId );
    pxConfig->pcBrokerHostName = "localhost";
    pxConfig->pcRootCaPem = ( const char * ) aucDemoRootCaPem;
    pxConfig->pcClientId = acClientId;
    pxConfig->pcTopic = acTopic;

    if( xTaskCreate( pxTlsTask, pcTlsTaskName, BOARD_TLS_TASK_STACK_WORDS, pxConfig, BOARD_TLS_TASK_PRIORITY,
                     &xTlsTask ) != pdPASS )
    {
        printf( "[board] ERROR: cannot create the TLS task\n" );
        return 1;
    }

    if( xCounterTask &&
        ( xTaskCreate( prvLowPriorityTask, "LowPriority", BOARD_COUNTER_STACK_WORDS, NULL, BOARD_COUNTER_PRIORITY,
                       NULL ) != pdPASS ) )
    {
        printf( "[board] ERROR: cannot create the low-priority task\n" );
        return 1;
    }

    vTaskStartScheduler();

    /* Only reached when the scheduler could not start. */
    printf( "[board] ERROR: the FreeRTOS scheduler stopped\n" );
    return 1;
}
