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
 * What it shares with the lwIP firmware (clock, measurements, the no-
 * starvation check, final report, tasks) is board_app.c; here is what is
 * UART0's.
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
#include "board_app.h"
#include "board_options.h"
#include "demo_pki.h"
#include "mqtt_demo.h"
#include "network_stream.h"
#include "uart_stream.h"

#define BOARD_DEFAULT_HANDSHAKE_MS      ( 3000U )
/* How much later than its timeout a timed-out handshake may return: one
 * tick of pause, one transport call and the error path. */
#define BOARD_TIMEOUT_SLACK_MS          ( 250U )

static MqttDemoConfig_t xDemoConfig;
static uint32_t ulHandshakeTimeoutMs = BOARD_DEFAULT_HANDSHAKE_MS;

/* ------------------------------------------------------------ UART0's part */

/* The UART0 counters the final report printed, for its check. */
static UartStreamStats_t xFinalStats;

static uint32_t prvEmptyReads( void )
{
    UartStreamStats_t xStats;

    vUartStreamGetStats( &xStats );
    return xStats.ulEmptyReads;
}

static void prvReportStream( void )
{
    vUartStreamGetStats( &xFinalStats );
    printf( "[board] UART0: received %lu bytes, sent %lu, ring high-water %lu of %lu, %lu reception pauses, "
            "%lu overruns\n",
            ( unsigned long ) xFinalStats.ulBytesReceived, ( unsigned long ) xFinalStats.ulBytesSent,
            ( unsigned long ) xFinalStats.ulRingHighWater, ( unsigned long ) xFinalStats.ulRingLimit,
            ( unsigned long ) xFinalStats.ulRxPauses,
            ( unsigned long ) xFinalStats.ulOverruns );
}

static int prvCheck( int iStatus )
{
    if( xFinalStats.ulOverruns != 0U )
    {
        printf( "[board] ERROR: UART0 lost %lu bytes\n", ( unsigned long ) xFinalStats.ulOverruns );
        iStatus = ( iStatus != 0 ) ? iStatus : 1;
    }

    return iStatus;
}

static const BoardNet_t xUartNet =
{
    .pxEmptyReads    = prvEmptyReads,
    .pxReportStream  = prvReportStream,
    .pxCheck         = prvCheck,
    .xHandshakeTicks = true,
};

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
    unsigned long ulMessages;
    unsigned short usPort;
    bool xSilentPeerMode;
    int64_t llUtcAtStart;

    vBoardAppInit( &xUartNet );

    xSilentPeerMode = xBoardFlag( "silent-peer" );
    ulNetworkStreamRecvWaitMs = ( uint32_t ) ullBoardNumber( "recv-wait", BOARD_DEFAULT_RECV_WAIT_MS, 0, 60000 );
    ulHandshakeTimeoutMs = ( uint32_t ) ullBoardNumber( "handshake-timeout", BOARD_DEFAULT_HANDSHAKE_MS, 1, 600000 );
    ulMessages = ( unsigned long ) ullBoardNumber( "messages", 3, 1, 100 );
    usPort = ( unsigned short ) ullBoardNumber( "port", 0, 0, 65535 );
    vUartStreamSetRingLimit( ( uint32_t ) ullBoardNumber( "ring-limit", 4096, 1, 4096 ) );
    llUtcAtStart = ( int64_t ) ullBoardNumber( "utc", DEMO_PKI_GENERATED_UTC, 1, 32503680000ULL );

    printf( "[board] FreeRTOS %s on QEMU mps2-an386 (Cortex-M4F), tick 0x%08lx at start; command line \"%s\"\n",
            tskKERNEL_VERSION_NUMBER, ( unsigned long ) xTaskGetTickCount(), pcBoardCommandLine() );

    /* One connection: QEMU's UART0 is a single TCP connection, which the
     * broker closes after MQTT DISCONNECT. */
    xDemoConfig.pcBrokerAddress = "127.0.0.1";
    xDemoConfig.usBrokerPort = usPort;
    xDemoConfig.ulIterations = 1;
    xDemoConfig.ulMessagesPerIteration = ( uint32_t ) ulMessages;

    /* The silent-peer run measures time, not starvation: without the
     * counter the core idles, and -icount can skip idle time. */
    return lBoardAppRun( &xDemoConfig, "freertos-tls-mps2-an386", llUtcAtStart,
                         xSilentPeerMode ? prvSilentPeerTask : vMqttDemoTask,
                         xSilentPeerMode ? "SilentPeer" : "MQTTDemo", !xSilentPeerMode );
}
