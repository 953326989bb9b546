/*
 * lwIP on the mps2-an386 board: the tcpip thread, the LAN9118 interface
 * (lan9118_netif.c) with QEMU user networking's static address
 * 10.0.2.15/24 (gateway 10.0.2.2), and a report of what lwIP used.
 */
#ifndef LWIP_BOARD_H
#define LWIP_BOARD_H

#include <stdint.h>

/* From a task: starts lwIP and brings the interface up. 0 when the link
 * is up, -1 after printing why not. */
int lLwipBoardStart( uint32_t ulTimeoutMs );

/* Prints the driver's counters and the peak use of lwIP's heap and
 * pools (the line "[lwip] LWIP-MEM ..."). */
void vLwipBoardReport( void );

#endif /* LWIP_BOARD_H */
