/*
 * The QEMU mps2-an386 board (Cortex-M4F): what the board library offers
 * to programs built on it (the MQTT demo, the firmware benchmark).
 *
 *   UART0 (0x40004000)  the network byte stream: QEMU connects it to a TCP
 *                       server with -serial tcp:HOST:PORT (uart_stream.h)
 *   UART1 (0x40005000)  console: stdout/stderr of the program (printf)
 *   semihosting         the run's exit status and command line
 *   timer 0             taken by the emulator-only entropy source
 *   LAN9118 (0x40200000) Ethernet, IRQ 13: the lwIP build's network
 */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Base address and interrupt numbers of the CMSDK APB UARTs. */
#define BOARD_UART0_BASE       ( 0x40004000UL )
#define BOARD_UART1_BASE       ( 0x40005000UL )
#define BOARD_UART0_RX_IRQn    ( 0 )
#define BOARD_UART0_TX_IRQn    ( 1 )

/* The LAN9118 Ethernet controller (QEMU -nic ...,model=lan9118), used by
 * the lwIP build (lwip/lan9118_netif.c). */
#define BOARD_ETH_BASE         ( 0x40200000UL )
#define BOARD_ETH_IRQn         ( 13 )

/* Called once from main() before anything prints: console UART on. */
void vBoardInit( void );

/* Ends the QEMU run with iStatus as QEMU's exit status (semihosting
 * SYS_EXIT_EXTENDED). exit() and _exit() end here too. */
void vBoardExit( int iStatus ) __attribute__( ( noreturn ) );

/* pxHook( status ) runs once when the run ends (exit(), _exit() or
 * vBoardExit): it may print a final report and returns the status QEMU
 * exits with. */
void vBoardSetExitHook( int ( * pxHook )( int iStatus ) );

/* The program's command line (QEMU -append "...", after the file name),
 * or "" when there is none. */
const char * pcBoardCommandLine( void );

/* How many pvPortMalloc calls have failed so far (malloc-failed hook). */
extern volatile uint32_t ulMallocFailures;

/* Bytes of the main (interrupt) stack never used so far. */
size_t xBoardMainStackUnusedBytes( void );

#endif /* BOARD_H */
