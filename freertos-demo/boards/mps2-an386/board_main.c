/*
 * Entry point of the coreMQTT mutual-TLS demo on the QEMU mps2-an386 board.
 * It runs the same demo task as the POSIX simulator (src/mqtt_demo.c) over
 * the same TLS transport (src/tls_transport.c), with UART0 as the byte
 * stream, and measures what the rest of the system gets meanwhile.
 *
 * Settings come from QEMU's command line (-append "word ..."), set by
 * scripts/demo.sh and scripts/test-board.sh:
 *
 *   silent-peer            instead of the demo: connect to a peer that
 *                          never answers; TLS_Connect must give up after
 *                          the handshake timeout (exit 0 if it does)
 *   recv-wait=MS           how long one transport receive waits for a byte
 *                          (default 50; 0 = non-blocking: "0 = nothing now"
 *                          returned at once)
 *   handshake-timeout=MS   TLS_SetHandshakeTimeout for silent-peer (3000)
 *   messages=N             QoS 1 messages to publish (default 3)
 *   ring-limit=N           bytes UART0's receive ring may hold (1..4096,
 *                          default 4096): small values make reception
 *                          pause often (back-pressure test)
 *   port=N                 the broker port QEMU connected UART0 to (shown)
 *   utc=SECONDS            UTC at start, for certificate dates (default:
 *                          when the firmware's PKI header was generated)
 *
 * While the demo task (priority 2) works, a task of priority 1 counts as
 * fast as it can: it runs only when the TLS task blocks. The count during
 * the handshake must not be 0: a handshake over a non-blocking transport
 * that spins would starve it. The run fails if it is.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"

#include "aws_tls.h"

#include "board.h"
#include "board_options.h"
#include "demo_pki.h"
#include "mqtt_demo.h"
#include "network_stream.h"
#include "tls_transport.h"
#include "uart_stream.h"

#define BOARD_TLS_TASK_STACK_WORDS      ( 2048U )
#define BOARD_TLS_TASK_PRIORITY         ( tskIDLE_PRIORITY + 2U )
#define BOARD_COUNTER_STACK_WORDS       ( 256U )
#define BOARD_COUNTER_PRIORITY          ( tskIDLE_PRIORITY + 1U )
#define BOARD_DEFAULT_RECV_WAIT_MS      ( 50U )
#define BOARD_DEFAULT_HANDSHAKE_MS      ( 3000U )
/* How much later than its timeout a timed-out handshake may return: one
 * tick of pause, one transport call and the error path. */
#define BOARD_TIMEOUT_SLACK_MS          ( 250U )

uint32_t ulNetworkStreamRecvWaitMs = BOARD_DEFAULT_RECV_WAIT_MS;

static MqttDemoConfig_t xDemoConfig;
static TaskHandle_t xTlsTask;
static bool xSilentPeerMode;
static uint32_t ulHandshakeTimeoutMs = BOARD_DEFAULT_HANDSHAKE_MS;
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

static uint32_t prvEmptyReads( void )
{
    UartStreamStats_t xStats;

    vUartStreamGetStats( &xStats );
    return xStats.ulEmptyReads;
}

/* The variant built with run-time statistics (board_runtime_stats.h)
 * reports the virtual time each handshake ran in this task (its running
 * slice closed by a yield): instructions, under -icount shift=0. */
#if ( configGENERATE_RUN_TIME_STATS == 1 )
    static uint32_t ulTlsCountsAtStart;
    static uint32_t ulHandshakes;

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
    #endif

    if( xHandshake.xDone )
    {
        return;
    }

    xHandshake.ulEmptyReadsAtStart = prvEmptyReads();
    xHandshake.ulLoopsAtStart = ulLowPriorityLoops;
    xHandshake.xStartTick = xTaskGetTickCount();
}

void vTlsTransportHandshakeEnded( BaseType_t xResult )
{
    #if ( configGENERATE_RUN_TIME_STATS == 1 )
        ulHandshakes++;
        printf( "[board] HANDSHAKE-RUNTIME n=%lu result=%ld tls_task_ns=%lu\n", ( unsigned long ) ulHandshakes,
                ( long ) xResult, ( unsigned long ) ( ( prvRunTimeCounts() - ulTlsCountsAtStart ) * BOARD_RUNTIME_NS_PER_COUNT ) );
    #endif

    if( xHandshake.xDone )
    {
        return;
    }

    xHandshake.xEndTick = xTaskGetTickCount();
    xHandshake.ulLoops = ulLowPriorityLoops - xHandshake.ulLoopsAtStart;
    xHandshake.ulEmptyReads = prvEmptyReads() - xHandshake.ulEmptyReadsAtStart;
    xHandshake.xResult = xResult;
    xHandshake.xDone = true;

    printf( "[board] HANDSHAKE result=%ld ticks=%lu start_tick=0x%08lx end_tick=0x%08lx wrapped=%s "
            "empty_reads=%lu low_priority_loops=%lu\n",
            ( long ) xResult, ( unsigned long ) ( xHandshake.xEndTick - xHandshake.xStartTick ),
            ( unsigned long ) xHandshake.xStartTick, ( unsigned long ) xHandshake.xEndTick,
            ( xHandshake.xEndTick < xHandshake.xStartTick ) ? "yes" : "no",
            ( unsigned long ) xHandshake.ulEmptyReads, ( unsigned long ) xHandshake.ulLoops );
}

/* Runs once at the end (exit from the demo task or from here): prints what
 * the board measured and folds its own checks into the exit status. */
static int prvFinalReport( int iStatus )
{
    UartStreamStats_t xStats;
    bool xStarved = false;

    vUartStreamGetStats( &xStats );
    printf( "[board] UART0: received %lu bytes, sent %lu, ring high-water %lu of %lu, %lu reception pauses, "
            "%lu overruns\n",
            ( unsigned long ) xStats.ulBytesReceived, ( unsigned long ) xStats.ulBytesSent,
            ( unsigned long ) xStats.ulRingHighWater, ( unsigned long ) xStats.ulRingLimit,
            ( unsigned long ) xStats.ulRxPauses,
            ( unsigned long ) xStats.ulOverruns );
    printf( "[board] heap: %u bytes, minimum ever free %u (peak use %u); %lu failed allocations\n",
            ( unsigned ) configTOTAL_HEAP_SIZE, ( unsigned ) xPortGetMinimumEverFreeHeapSize(),
            ( unsigned ) ( configTOTAL_HEAP_SIZE - xPortGetMinimumEverFreeHeapSize() ),
            ( unsigned long ) ulMallocFailures );

    if( xTlsTask != NULL )
    {
        printf( "[board] TLS task stack: %u bytes, high-water mark %u bytes unused (peak use %u)\n",
                ( unsigned ) ( BOARD_TLS_TASK_STACK_WORDS * sizeof( StackType_t ) ),
                ( unsigned ) ( uxTaskGetStackHighWaterMark( xTlsTask ) * sizeof( StackType_t ) ),
                ( unsigned ) ( ( BOARD_TLS_TASK_STACK_WORDS - uxTaskGetStackHighWaterMark( xTlsTask ) ) *
                               sizeof( StackType_t ) ) );
    }

    printf( "[board] main (interrupt) stack: %u bytes never used\n", ( unsigned ) xBoardMainStackUnusedBytes() );

    if( xStats.ulOverruns != 0U )
    {
        printf( "[board] ERROR: UART0 lost %lu bytes\n", ( unsigned long ) xStats.ulOverruns );
        iStatus = ( iStatus != 0 ) ? iStatus : 1;
    }

    if( !xSilentPeerMode && xHandshake.xDone )
    {
        xStarved = ( xHandshake.ulLoops == 0U );
        printf( "[board] NO-STARVE low_priority_loops_during_handshake=%lu empty_reads=%lu recv_wait_ms=%lu "
                "result=%s\n",
                ( unsigned long ) xHandshake.ulLoops, ( unsigned long ) xHandshake.ulEmptyReads,
                ( unsigned long ) ulNetworkStreamRecvWaitMs, xStarved ? "FAIL" : "PASS" );

        if( xStarved )
        {
            iStatus = ( iStatus != 0 ) ? iStatus : 1;
        }
    }

    printf( "[board] exit status %d\n", iStatus );
    return iStatus;
}

/* ------------------------------------------------------------ silent peer */

static void prvSilentPeerTask( void * pvUnused )
{
    NetworkStream_t xStream;
    TLSParams_t xParams;
    void * pvTls = NULL;
    BaseType_t xResult;
    TickType_t xStart, xEnd, xElapsed;
    bool xPass;

    ( void ) pvUnused;
    vNetworkStreamInit( &xStream );
    ( void ) lNetworkStreamOpen( &xStream, "the silent peer", ( uint16_t ) ullBoardNumber( "port", 0, 0, 65535 ), 0,
                                 1000U );

    memset( &xParams, 0, sizeof( xParams ) );
    xParams.ulSize = sizeof( xParams );
    xParams.pcDestination = "localhost";
    xParams.pcServerCertificate = ( const char * ) aucDemoRootCaPem;
    xParams.ulServerCertificateLength = sizeof( aucDemoRootCaPem );
    xParams.pxNetworkRecv = xNetworkStreamRecv;
    xParams.pxNetworkSend = xNetworkStreamSend;
    xParams.pvCallerContext = &xStream;

    xResult = TLS_Init( &pvTls, &xParams );

    if( xResult == 0 )
    {
        xResult = TLS_SetHandshakeTimeout( pvTls, ulHandshakeTimeoutMs );
    }

    if( xResult != 0 )
    {
        printf( "[board] ERROR: TLS_Init / TLS_SetHandshakeTimeout returned %ld\n", ( long ) xResult );
        exit( 1 );
    }

    xStart = xTaskGetTickCount();
    xResult = TLS_Connect( pvTls );
    xEnd = xTaskGetTickCount();
    xElapsed = xEnd - xStart;
    TLS_Cleanup( pvTls );

    xPass = ( xResult != 0 ) && ( xElapsed >= pdMS_TO_TICKS( ulHandshakeTimeoutMs ) ) &&
            ( xElapsed <= pdMS_TO_TICKS( ulHandshakeTimeoutMs + BOARD_TIMEOUT_SLACK_MS ) );
    printf( "[board] SILENT-PEER result=%ld timeout_ms=%lu elapsed_ticks=%lu start_tick=0x%08lx end_tick=0x%08lx "
            "wrapped=%s -> %s\n",
            ( long ) xResult, ( unsigned long ) ulHandshakeTimeoutMs, ( unsigned long ) xElapsed,
            ( unsigned long ) xStart, ( unsigned long ) xEnd, ( xEnd < xStart ) ? "yes" : "no",
            xPass ? "PASS" : "FAIL" );
    exit( xPass ? 0 : 1 );
}

/* ------------------------------------------------------------ main */

int main( void )
{
    static char acClientId[ 48 ];
    static char acTopic[ 96 ];
    unsigned long ulMessages;
    unsigned short usPort;

    vBoardInit();
    vBoardSetExitHook( prvFinalReport );

    xSilentPeerMode = xBoardFlag( "silent-peer" );
    ulNetworkStreamRecvWaitMs = ( uint32_t ) ullBoardNumber( "recv-wait", BOARD_DEFAULT_RECV_WAIT_MS, 0, 60000 );
    ulHandshakeTimeoutMs = ( uint32_t ) ullBoardNumber( "handshake-timeout", BOARD_DEFAULT_HANDSHAKE_MS, 1, 600000 );
    ulMessages = ( unsigned long ) ullBoardNumber( "messages", 3, 1, 100 );
    usPort = ( unsigned short ) ullBoardNumber( "port", 0, 0, 65535 );
    vUartStreamSetRingLimit( ( uint32_t ) ullBoardNumber( "ring-limit", 4096, 1, 4096 ) );
    llUtcAtStart = ( int64_t ) ullBoardNumber( "utc", DEMO_PKI_GENERATED_UTC, 1, 32503680000ULL );

    printf( "[board] FreeRTOS %s on QEMU mps2-an386 (Cortex-M4F), tick 0x%08lx at start; command line \"%s\"\n",
            tskKERNEL_VERSION_NUMBER, ( unsigned long ) xTaskGetTickCount(), pcBoardCommandLine() );
    printf( "[board] WARNING: emulator-only build: entropy from a virtual timer and a test PKCS#11 token "
            "with the key compiled in; neither may reach a product\n" );

    TLS_SetUtcClock( prvUtcNow );

    /* One connection: QEMU's UART0 is a single TCP connection, which the
     * broker closes after MQTT DISCONNECT. */
    ( void ) snprintf( acClientId, sizeof( acClientId ), "freertos-tls-mps2-an386-%lu",
                       ( unsigned long ) ( llUtcAtStart % 100000 ) );
    ( void ) snprintf( acTopic, sizeof( acTopic ), "freertos-tls/demo/%s", acClientId );
    xDemoConfig.pcBrokerAddress = "127.0.0.1";
    xDemoConfig.usBrokerPort = usPort;
    xDemoConfig.pcBrokerHostName = "localhost";
    xDemoConfig.pcRootCaPem = ( const char * ) aucDemoRootCaPem;
    xDemoConfig.pcClientId = acClientId;
    xDemoConfig.pcTopic = acTopic;
    xDemoConfig.ulIterations = 1;
    xDemoConfig.ulMessagesPerIteration = ( uint32_t ) ulMessages;

    if( xTaskCreate( xSilentPeerMode ? prvSilentPeerTask : vMqttDemoTask, xSilentPeerMode ? "SilentPeer" : "MQTTDemo",
                     BOARD_TLS_TASK_STACK_WORDS, &xDemoConfig, BOARD_TLS_TASK_PRIORITY, &xTlsTask ) != pdPASS )
    {
        printf( "[board] ERROR: cannot create the TLS task\n" );
        return 1;
    }

    /* The silent-peer run measures time, not starvation: without the
     * counter the core idles, and -icount can skip idle time. */
    if( !xSilentPeerMode &&
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
