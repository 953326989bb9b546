/*
 * What the board's two MQTT demo firmwares share (board_app.c): the one
 * over UART0 (board_main.c) and the one over lwIP (lwip/board_main_lwip.c).
 * Each main() reads its own settings and prints its own first line; the
 * network path's part of the measurements and of the final report comes
 * through a BoardNet_t.
 */
#ifndef BOARD_APP_H
#define BOARD_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "FreeRTOS.h"
#include "task.h"

#include "mqtt_demo.h"

/* ulNetworkStreamRecvWaitMs (network_stream_port.h) until recv-wait= says
 * otherwise. */
#define BOARD_DEFAULT_RECV_WAIT_MS    ( 50U )

/* A network path's part. Optional members may be NULL (false). */
typedef struct BoardNet
{
    /* Receive calls of the stream that returned 0 ("nothing now") so far:
     * the first handshake's share is reported. */
    uint32_t ( * pxEmptyReads )( void );

    /* Final report: the stream's lines, before the heap line. */
    void ( * pxReportStream )( void );
    /* Optional: lines after the heap line, given its minimum ever free. */
    void ( * pxReportHeap )( size_t xMinEverFree );
    /* Optional: after the stack lines, a check that may fail the run
     * (returns the exit status, iStatus when it passes). */
    int ( * pxCheck )( int iStatus );

    /* Optional, with run-time statistics only: the run-time counts the
     * network stack's own tasks have run so far, reported for each
     * handshake as pcRunTimeField=<virtual ns> in HANDSHAKE-RUNTIME. */
    uint32_t ( * pxNetRunTimeCounts )( void );
    const char * pcRunTimeField;

    /* Report lines as each firmware has printed them: the UART one's
     * HANDSHAKE line gives the start and end ticks and whether the count
     * wrapped (its tick-wrap test reads them); the lwIP one's NO-STARVE
     * line gives the number of handshakes. */
    bool xHandshakeTicks;
    bool xNoStarveHandshakes;
} BoardNet_t;

/* From main() first: the board on, and the final report (the network
 * path's part from pxNet, which must outlive the run) as the exit hook. */
void vBoardAppInit( const BoardNet_t * pxNet );

/* From main() once its settings are read and its first line printed:
 * the emulator-only warning, the UTC clock (llUtcAtStart plus the ticks
 * since), pxConfig completed (broker host name and root CA, client id
 * "<pcClientIdPrefix>-<llUtcAtStart % 100000>" and its topic), the TLS
 * task (pxTlsTask given pxConfig, named pcTlsTaskName) and, when
 * xCounterTask, the low-priority counter; then the scheduler. Returns 1
 * only when a task or the scheduler could not start. */
int lBoardAppRun( MqttDemoConfig_t * pxConfig,
                  const char * pcClientIdPrefix,
                  int64_t llUtcAtStart,
                  TaskFunction_t pxTlsTask,
                  const char * pcTlsTaskName,
                  bool xCounterTask );

#endif /* BOARD_APP_H */
