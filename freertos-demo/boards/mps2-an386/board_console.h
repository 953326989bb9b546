/*
 * Console of the mps2-an386 board: UART1, polled. printf and the rest of
 * newlib's stdout/stderr end up here (board_runtime.c).
 */
#ifndef BOARD_CONSOLE_H
#define BOARD_CONSOLE_H

#include <stddef.h>

/* Writes xLength bytes to UART1, waiting while its transmit buffer is full. */
void vBoardConsoleWrite( const char * pcText,
                         size_t xLength );

/* Formats one line straight to UART1, without stdio or the heap: for fault
 * handlers and assertions, where either may be what broke. */
void vBoardConsolePanic( const char * pcFormat,
                         ... ) __attribute__( ( format( printf, 1, 2 ) ) );

#endif /* BOARD_CONSOLE_H */
