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
 * As in the UART build (the part both share is ../board_app.c), a task of
 * priority 1 counts while the TLS task (priority 2) is blocked; the run
 * fails if it never ran during the first handshake. Each handshake also
 * reports the virtual time the TLS task and lwIP's tasks ran
 * ("HANDSHAKE-RUNTIME", run-time statistics: instructions under -icount
 * shift=0), and the end of the run what the connection took from the
 * FreeRTOS heap, split into the socket's share and TLS's ("HEAP-LWIP"),
 * and lwIP's own memory ("LWIP-MEM").
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"

#include "board.h"
#include "board_app.h"
#include "board_options.h"
#include "demo_pki.h"
#include "lwip_board.h"
#include "lwip_fault.h"
#include "mqtt_demo.h"
#include "network_stream.h"

#define BOARD_NET_START_TIMEOUT_MS      ( 5000U )
#define BOARD_PROBE_TIMEOUT_MS          ( 2000U )
/* The one address QEMU's guestfwd forwards to the broker. */
#define BOARD_BROKER_ADDRESS            "10.0.2.100"
#define BOARD_BROKER_PORT               ( 8883U )

static MqttDemoConfig_t xDemoConfig;
static const char * pcFault;
static uint32_t ulProbePort;
/* Free FreeRTOS heap once every task exists and lwIP is up: what a TLS
 * connection's peak is measured from. */
static size_t xHeapFreeBeforeTls;
/* The socket counters the final report printed, for its heap line. */
static LwipStreamStats_t xFinalStats;

/* ------------------------------------------------------------ lwIP's part */

static uint32_t prvEmptyReads( void )
{
    LwipStreamStats_t xStats;

    vNetworkStreamGetStats( &xStats );
    return xStats.ulEmptyReads;
}

/* Run-time counts lwIP's tasks (tcpip thread, Ethernet receive) have run
 * so far (board_app.c reports each handshake's share). */
static uint32_t prvNetRunTimeCounts( void )
{
    uint32_t ulCounts = 0U;
    TaskHandle_t xTask;

    if( ( xTask = xTaskGetHandle( "tcpip" ) ) != NULL )
    {
        ulCounts += ( uint32_t ) ulTaskGetRunTimeCounter( xTask );
    }

    if( ( xTask = xTaskGetHandle( "EthRx" ) ) != NULL )
    {
        ulCounts += ( uint32_t ) ulTaskGetRunTimeCounter( xTask );
    }

    return ulCounts;
}

static void prvReportStream( void )
{
    vNetworkStreamGetStats( &xFinalStats );
    printf( "[board] lwIP socket: %lu connections, received %lu bytes, sent %lu, %lu empty reads, "
            "%lu full sends, %lu peer closes, %lu errors\n",
            ( unsigned long ) xFinalStats.ulConnects, ( unsigned long ) xFinalStats.ulBytesReceived,
            ( unsigned long ) xFinalStats.ulBytesSent, ( unsigned long ) xFinalStats.ulEmptyReads,
            ( unsigned long ) xFinalStats.ulFullSends, ( unsigned long ) xFinalStats.ulPeerCloses,
            ( unsigned long ) xFinalStats.ulErrors );
    vLwipBoardReport();
}

static void prvReportHeap( size_t xMinFree )
{
    if( xHeapFreeBeforeTls != 0U )
    {
        /* A connection's peak: the socket's share (lwIP), the rest TLS. */
        printf( "[board] HEAP-LWIP free_before_tls=%u min_ever_free=%u connection_peak=%u socket=%lu tls=%lu "
                "now_free=%u\n",
                ( unsigned ) xHeapFreeBeforeTls, ( unsigned ) xMinFree, ( unsigned ) ( xHeapFreeBeforeTls - xMinFree ),
                ( unsigned long ) xFinalStats.ulSocketHeapBytes,
                ( unsigned long ) ( xHeapFreeBeforeTls - xMinFree - xFinalStats.ulSocketHeapBytes ),
                ( unsigned ) xPortGetFreeHeapSize() );
    }
}

static const BoardNet_t xLwipNet =
{
    .pxEmptyReads        = prvEmptyReads,
    .pxReportStream      = prvReportStream,
    .pxReportHeap        = prvReportHeap,
    .pxNetRunTimeCounts  = prvNetRunTimeCounts,
    .pcRunTimeField      = "lwip_tasks_ns",
    .xNoStarveHandshakes = true,
};

/* ------------------------------------------------------------ the TLS task */

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

/* ------------------------------------------------------------ main */

int main( void )
{
    const char * pcFaultOption;
    int64_t llUtcAtStart;

    vBoardAppInit( &xLwipNet );

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

    xDemoConfig.pcBrokerAddress = BOARD_BROKER_ADDRESS;
    xDemoConfig.usBrokerPort = BOARD_BROKER_PORT;
    xDemoConfig.ulIterations = ( uint32_t ) ullBoardNumber( "iterations", 2, 1, 20 );
    xDemoConfig.ulMessagesPerIteration = ( uint32_t ) ullBoardNumber( "messages", 3, 1, 100 );

    return lBoardAppRun( &xDemoConfig, "freertos-tls-mps2-lwip", llUtcAtStart, prvTlsTask, "MQTTDemo", true );
}
