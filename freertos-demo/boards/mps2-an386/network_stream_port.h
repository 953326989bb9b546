/*
 * NetworkStream_t of the mps2-an386 board (network_stream.h): UART0
 * (uart_stream.h); network_stream_uart.c implements the interface.
 */
#ifndef NETWORK_STREAM_PORT_H
#define NETWORK_STREAM_PORT_H

#include <stdint.h>

#include "uart_stream.h"

typedef UartStream_t NetworkStream_t;

/* How long one receive waits for a first byte; 0 makes the transport
 * non-blocking ("0 = nothing now" returned at once). The board program
 * sets it before connecting (board_main.c). */
extern uint32_t ulNetworkStreamRecvWaitMs;

#endif /* NETWORK_STREAM_PORT_H */
