/*
 * NetworkStream_t of the mps2-an386 board's lwIP build (network_stream.h):
 * a TCP socket of lwIP's BSD-style API; network_stream_lwip.c implements
 * the interface. Found before the board's UART version on the include
 * path of the lwIP firmware only.
 */
#ifndef NETWORK_STREAM_PORT_H
#define NETWORK_STREAM_PORT_H

#include <stdint.h>

typedef struct LwipStream
{
    int lSocket;            /* lwip_socket(), or -1. */
    uint32_t ulRecvWaitMs;  /* SO_RCVTIMEO; 0 = every receive non-blocking. */
} NetworkStream_t;

/* How long one receive waits for a first byte; 0 makes the transport
 * non-blocking ("0 = nothing now" returned at once). The board program
 * sets it before connecting (board_main_lwip.c). */
extern uint32_t ulNetworkStreamRecvWaitMs;

/* How the stream has been used since start-up (for the board's report). */
typedef struct LwipStreamStats
{
    uint32_t ulConnects;
    uint32_t ulBytesReceived;
    uint32_t ulBytesSent;
    uint32_t ulEmptyReads;     /* Receive calls that returned 0 ("nothing now"). */
    uint32_t ulFullSends;      /* Send calls that returned 0 (no room now). */
    uint32_t ulPeerCloses;     /* Receives that met the peer's FIN (returned negative). */
    uint32_t ulErrors;         /* Other failed calls (returned negative). */
    uint32_t ulSocketHeapBytes; /* FreeRTOS heap an open, connected socket took (last connect). */
} LwipStreamStats_t;

void vNetworkStreamGetStats( LwipStreamStats_t * pxStats );

#endif /* NETWORK_STREAM_PORT_H */
