/*
 * The network byte stream of the mps2-an386 board: UART0, which QEMU
 * connects to a TCP server (-serial tcp:127.0.0.1:PORT), shaped for the
 * NetworkRecv_t / NetworkSend_t callbacks of aws_tls.h.
 *
 * Receiving is interrupt driven: the RX interrupt moves each byte from the
 * UART's one-byte buffer into a ring buffer, and a reader waiting for data
 * blocks on a task notification. When the ring is full the interrupt is
 * switched off and the byte stays in the UART, which makes QEMU stop
 * reading the socket: back-pressure, never a lost byte.
 */
#ifndef UART_STREAM_H
#define UART_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "FreeRTOS.h"

typedef struct UartStream
{
    uint32_t ulRecvWaitMs; /* Longest wait for a first byte; 0 = never wait. */
    uint32_t ulSendWaitMs; /* Longest wait for room to send. */
    BaseType_t xOpen;
} UartStream_t;

/* How the stream has been used since start-up (for the board's report). */
typedef struct UartStreamStats
{
    uint32_t ulBytesReceived;
    uint32_t ulBytesSent;
    uint32_t ulEmptyReads;     /* Receive calls that returned 0 ("nothing now"). */
    uint32_t ulRingHighWater;  /* Most bytes ever waiting in the ring. */
    uint32_t ulRingLimit;      /* Bytes the ring may hold. */
    uint32_t ulRxPauses;       /* Times the ring was full and reception paused. */
    uint32_t ulOverruns;       /* Bytes the UART itself reports lost: must stay 0. */
} UartStreamStats_t;

/* Turns UART0 on (once) and marks the stream open. ulRecvWaitMs 0 makes
 * every receive non-blocking. Returns 0. */
int lUartStreamOpen( UartStream_t * pxStream,
                     uint32_t ulRecvWaitMs,
                     uint32_t ulSendWaitMs );

/* NetworkRecv_t: bytes read (at most xLength), 0 when none arrived within
 * ulRecvWaitMs, negative when the stream is not open. */
BaseType_t xUartStreamRecv( void * pvStream,
                            unsigned char * pucBuffer,
                            size_t xLength );

/* NetworkSend_t: bytes sent (possibly fewer than asked), 0 when the UART
 * took nothing within ulSendWaitMs, negative when the stream is not open. */
BaseType_t xUartStreamSend( void * pvStream,
                            const unsigned char * pucData,
                            size_t xLength );

/* Marks the stream closed (the TCP connection is QEMU's, not ours). */
void vUartStreamClose( UartStream_t * pxStream );

void vUartStreamGetStats( UartStreamStats_t * pxStats );

/* Lets the ring hold at most ulBytes (1..4096; 0 = all of it), so that a
 * test can make reception pause often and show that no byte is lost. */
void vUartStreamSetRingLimit( uint32_t ulBytes );

#endif /* UART_STREAM_H */
