/*
 * Entry point of the coreMQTT mutual-TLS demo on the QEMU mps2-an386 board
 * over lwIP (FREERTOS_DEMO_BOARD_NET=lwip): the same demo task
 * (src/mqtt_demo.c) and TLS transport (src/tls_transport.c) as the UART
 * build and the POSIX simulator, with a TCP socket of lwIP's BSD-style API
 * (network_stream_lwip.c) on the board's LAN9118 Ethernet controller
 * (lan9118_netif.c) as the byte stream below TLS.
 *
 * QEMU's user network, locked down (restrict=on), forwards exactly one
 * guest address to the broker on the host:
 *
 *   -nic user,model=lan9118,restrict=on,guestfwd=tcp:10.0.2.100:8883-cmd:<connects to 127.0.0.1:PORT>
 *
 * Each guest connection to 10.0.2.100:8883 starts the command afresh, so
 * the firmware can reconnect. Settings (-append "word ..."):
 *
 *   iterations=N           connect ... disconnect cycles of the demo
 *                          (default 2: the second resumes the TLS session)
 *   messages=N             QoS 1 messages per cycle (default 3)
 *   recv-wait=MS           SO_RCVTIMEO of the socket (default 50; 0 =
 *                          non-blocking receives: MSG_DONTWAIT)
 *   fault=drop|stall       instead of the demo, the fault scenario
 *                          (lwip_fault.c): the broker side drops or stalls
 *                          the first connection mid-session
 *   probe=N                before the demo, try a TCP connection to the
 *                          host itself (QEMU's gateway, 10.0.2.2:N, e.g.
 *                          the broker's port): with restrict=on it must
 *                          fail, which the run reports ("RESTRICT")
 *   port=N                 the broker's port on the host (shown only)
 *   utc=SECONDS            UTC at start, for certificate dates
 *
 * As in the UART build, a task of priority 1 counts while the TLS task
 * (priority 2) is blocked; the run fails if it never ran during the first
 * handshake. Each handshake also reports the virtual time the TLS task and
 * lwIP's tasks ran ("HANDSHAKE-RUNTIME", run-time statistics: instructions
 * under -icount shift=0), and the end of the run what the connection took
 * from the FreeRTOS heap, split into the socket's share and TLS's
 * ("HEAP-LWIP"), and lwIP's own memory ("LWIP-MEM").
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
#include "lwip_board.h"
#include "lwip_fault.h"
#include "mqtt_demo.h"
#include "network_stream.h"
#include "tls_transport.h"

#define BOARD_TLS_TASK_STACK_WORDS      ( 2048U )
#define BOARD_TLS_TASK_PRIORITY         ( tskIDLE_PRIORITY + 2U )
#define BOARD_COUNTER_STACK_WORDS       ( 256U )
#define BOARD_COUNTER_PRIORITY          ( tskIDLE_PRIORITY + 1U )
#define BOARD_DEFAULT_RECV_WAIT_MS      ( 50U )
#define BOARD_NET_START_TIMEOUT_MS      ( 5000U )
#define BOARD_PROBE_TIMEOUT_MS          ( 2000U )
/* The one address QEMU's guestfwd forwards to the broker. */
#define BOARD_BROKER_ADDRESS            "10.0.2.100"
#define BOARD_BROKER_PORT               ( 8883U )

uint32_t ulNetworkStreamRecvWaitMs = BOARD_DEFAULT_RECV_WAIT_MS;

static MqttDemoConfig_t xDemoConfig;
static TaskHandle_t xTlsTask;
static const char * pcFault;
static uint32_t ulProbePort;
static int64_t llUtcAtStart;
static volatile uint32_t ulLowPriorityLoops;
/* Free FreeRTOS heap once every task exists and lwIP is up: what a TLS
 * connection's peak is measured from. */
static size_t xHeapFreeBeforeTls;

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

/* The board has no RTC: UTC at start plus the ticks since. */
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
    LwipStreamStats_t xStats;

    vNetworkStreamGetStats( &xStats );
    return xStats.ulEmptyReads;
}

/* Run-time counts a task has run so far (kernel run-time statistics:
 * board_runtime_stats.h; BOARD_RUNTIME_NS_PER_COUNT ns each, which under
 * QEMU -icount shift=0 are as many instructions). The current task's
 * running slice is first closed with a yield, so that the kernel accounts
 * it. Differences of counts wrap correctly; ns are made after. */
static uint32_t prvRunTimeCounts( const char * pcTask )
{
    TaskHandle_t xTask = ( pcTask == NULL ) ? xTaskGetCurrentTaskHandle() : xTaskGetHandle( pcTask );

    if( pcTask == NULL )
    {
        taskYIELD();
    }

    return ( xTask == NULL ) ? 0U : ( uint32_t ) ulTaskGetRunTimeCounter( xTask );
}

static uint32_t ulTlsCountsAtStart;
static uint32_t ulNetCountsAtStart;

void vTlsTransportHandshakeStarts( void )
{
    ulTlsCountsAtStart = prvRunTimeCounts( NULL );
    ulNetCountsAtStart = prvRunTimeCounts( "tcpip" ) + prvRunTimeCounts( "EthRx" );

    if( !xHandshake.xDone )
    {
        xHandshake.ulEmptyReadsAtStart = prvEmptyReads();
        xHandshake.ulLoopsAtStart = ulLowPriorityLoops;
        xHandshake.xStartTick = xTaskGetTickCount();
    }
}

void vTlsTransportHandshakeEnded( BaseType_t xResult )
{
    uint32_t ulTls = prvRunTimeCounts( NULL ) - ulTlsCountsAtStart;
    uint32_t ulNet = prvRunTimeCounts( "tcpip" ) + prvRunTimeCounts( "EthRx" ) - ulNetCountsAtStart;

    ulHandshakes++;
    /* Virtual ns each ran; instructions under QEMU -icount shift=0. */
    printf( "[board] HANDSHAKE-RUNTIME n=%lu result=%ld tls_task_ns=%lu lwip_tasks_ns=%lu\n",
            ( unsigned long ) ulHandshakes, ( long ) xResult, ( unsigned long ) ( ulTls * BOARD_RUNTIME_NS_PER_COUNT ),
            ( unsigned long ) ( ulNet * BOARD_RUNTIME_NS_PER_COUNT ) );

    if( xHandshake.xDone )
    {
        return;
    }

    xHandshake.xEndTick = xTaskGetTickCount();
    xHandshake.ulLoops = ulLowPriorityLoops - xHandshake.ulLoopsAtStart;
    xHandshake.ulEmptyReads = prvEmptyReads() - xHandshake.ulEmptyReadsAtStart;
    xHandshake.xResult = xResult;
    xHandshake.xDone = true;

    printf( "[board] HANDSHAKE result=%ld ticks=%lu empty_reads=%lu low_priority_loops=%lu\n", ( long ) xResult,
            ( unsigned long ) ( xHandshake.xEndTick - xHandshake.xStartTick ),
            ( unsigned long ) xHandshake.ulEmptyReads, ( unsigned long ) xHandshake.ulLoops );
}

/* Runs once at the end: what the board measured, its checks folded into
 * the exit status. */
static int prvFinalReport( int iStatus )
{
    LwipStreamStats_t xStream;
    size_t xMinFree = xPortGetMinimumEverFreeHeapSize();

    vNetworkStreamGetStats( &xStream );
    printf( "[board] lwIP socket: %lu connections, received %lu bytes, sent %lu, %lu empty reads, "
            "%lu full sends, %lu peer closes, %lu errors\n",
            ( unsigned long ) xStream.ulConnects, ( unsigned long ) xStream.ulBytesReceived,
            ( unsigned long ) xStream.ulBytesSent, ( unsigned long ) xStream.ulEmptyReads,
            ( unsigned long ) xStream.ulFullSends, ( unsigned long ) xStream.ulPeerCloses,
            ( unsigned long ) xStream.ulErrors );
    vLwipBoardReport();
    printf( "[board] heap: %u bytes, minimum ever free %u (peak use %u); %lu failed allocations\n",
            ( unsigned ) configTOTAL_HEAP_SIZE, ( unsigned ) xMinFree,
            ( unsigned ) ( configTOTAL_HEAP_SIZE - xMinFree ), ( unsigned long ) ulMallocFailures );

    if( xHeapFreeBeforeTls != 0U )
    {
        /* A connection's peak: the socket's share (lwIP), the rest TLS. */
        printf( "[board] HEAP-LWIP free_before_tls=%u min_ever_free=%u connection_peak=%u socket=%lu tls=%lu "
                "now_free=%u\n",
                ( unsigned ) xHeapFreeBeforeTls, ( unsigned ) xMinFree, ( unsigned ) ( xHeapFreeBeforeTls - xMinFree ),
                ( unsigned long ) xStream.ulSocketHeapBytes,
                ( unsigned long ) ( xHeapFreeBeforeTls - xMinFree - xStream.ulSocketHeapBytes ),
                ( unsigned ) xPortGetFreeHeapSize() );
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

    if( xHandshake.xDone )
    {
        bool xStarved = ( xHandshake.ulLoops == 0U );

        printf( "[board] NO-STARVE low_priority_loops_during_handshake=%lu empty_reads=%lu recv_wait_ms=%lu "
                "handshakes=%lu result=%s\n",
                ( unsigned long ) xHandshake.ulLoops, ( unsigned long ) xHandshake.ulEmptyReads,
                ( unsigned long ) ulNetworkStreamRecvWaitMs, ( unsigned long ) ulHandshakes,
                xStarved ? "FAIL" : "PASS" );

        if( xStarved )
        {
            iStatus = ( iStatus != 0 ) ? iStatus : 1;
        }
    }

    printf( "[board] exit status %d\n", iStatus );
    return iStatus;
}

/* Tries the host through QEMU's gateway, which a restricted user network
 * must not let through; prints the verdict ("RESTRICT ... blocked"). */
static void prvProbeHost( uint16_t usPort )
{
    NetworkStream_t xStream;
    int lResult;

    vNetworkStreamInit( &xStream );
    lResult = lNetworkStreamOpen( &xStream, "10.0.2.2", usPort, BOARD_PROBE_TIMEOUT_MS, 50U );
    printf( "[board] RESTRICT probe of 10.0.2.2:%u (the host): %s\n", ( unsigned ) usPort,
            ( lResult == 0 ) ? "REACHED" : "blocked" );
    vNetworkStreamClose( &xStream );
}

/* The TLS task: network up, then the demo (which ends the run with its
 * result) or the fault scenario. */
static void prvTlsTask( void * pvConfig )
{
    if( lLwipBoardStart( BOARD_NET_START_TIMEOUT_MS ) != 0 )
    {
        exit( 1 );
    }

    if( ulProbePort != 0U )
    {
        prvProbeHost( ( uint16_t ) ulProbePort );
    }

    xHeapFreeBeforeTls = xPortGetFreeHeapSize();

    if( pcFault != NULL )
    {
        vLwipFaultScenario( ( const MqttDemoConfig_t * ) pvConfig, pcFault );
    }
    else
    {
        vMqttDemoTask( pvConfig );
    }

    exit( 1 ); /* Neither returns. */
}

int main( void )
{
    static char acClientId[ 48 ];
    static char acTopic[ 96 ];
    const char * pcFaultOption;

    vBoardInit();
    vBoardSetExitHook( prvFinalReport );

    ulNetworkStreamRecvWaitMs = ( uint32_t ) ullBoardNumber( "recv-wait", BOARD_DEFAULT_RECV_WAIT_MS, 0, 60000 );
    llUtcAtStart = ( int64_t ) ullBoardNumber( "utc", DEMO_PKI_GENERATED_UTC, 1, 32503680000ULL );
    pcFaultOption = pcBoardOption( "fault" );
    ulProbePort = ( uint32_t ) ullBoardNumber( "probe", 0, 0, 65535 );

    if( pcFaultOption != NULL )
    {
        pcFault = ( strncmp( pcFaultOption, "drop", 4 ) == 0 ) ? "drop" :
                  ( strncmp( pcFaultOption, "stall", 5 ) == 0 ) ? "stall" : NULL;

        if( pcFault == NULL )
        {
            printf( "[board] ERROR: fault= takes drop or stall\n" );
            return 2;
        }
    }

    printf( "[board] FreeRTOS %s on QEMU mps2-an386 (Cortex-M4F), network over lwIP + LAN9118; command line \"%s\"\n",
            tskKERNEL_VERSION_NUMBER, pcBoardCommandLine() );
    printf( "[board] WARNING: emulator-only build: entropy from a virtual timer and a test PKCS#11 token "
            "with the key compiled in; neither may reach a product\n" );

    TLS_SetUtcClock( prvUtcNow );

    ( void ) snprintf( acClientId, sizeof( acClientId ), "freertos-tls-mps2-lwip-%lu",
                       ( unsigned long ) ( llUtcAtStart % 100000 ) );
    ( void ) snprintf( acTopic, sizeof( acTopic ), "freertos-tls/demo/%s", acClientId );
    xDemoConfig.pcBrokerAddress = BOARD_BROKER_ADDRESS;
    xDemoConfig.usBrokerPort = BOARD_BROKER_PORT;
    xDemoConfig.pcBrokerHostName = "localhost";
    xDemoConfig.pcRootCaPem = ( const char * ) aucDemoRootCaPem;
    xDemoConfig.pcClientId = acClientId;
    xDemoConfig.pcTopic = acTopic;
    xDemoConfig.ulIterations = ( uint32_t ) ullBoardNumber( "iterations", 2, 1, 20 );
    xDemoConfig.ulMessagesPerIteration = ( uint32_t ) ullBoardNumber( "messages", 3, 1, 100 );

    if( ( xTaskCreate( prvTlsTask, "MQTTDemo", BOARD_TLS_TASK_STACK_WORDS, &xDemoConfig, BOARD_TLS_TASK_PRIORITY,
                       &xTlsTask ) != pdPASS ) ||
        ( xTaskCreate( prvLowPriorityTask, "LowPriority", BOARD_COUNTER_STACK_WORDS, NULL, BOARD_COUNTER_PRIORITY,
                       NULL ) != pdPASS ) )
    {
        printf( "[board] ERROR: cannot create the tasks\n" );
        return 1;
    }

    vTaskStartScheduler();

    printf( "[board] ERROR: the FreeRTOS scheduler stopped\n" );
    return 1;
}
