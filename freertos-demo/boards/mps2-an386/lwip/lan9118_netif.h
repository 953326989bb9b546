/*
 * lwIP network interface of the mps2-an386 board's Ethernet controller,
 * an SMSC LAN9118 (QEMU: -nic ...,model=lan9118) at 0x40200000, interrupt
 * 13. Receiving is interrupt driven: the interrupt wakes a receive task,
 * which moves each frame from the controller's FIFO into a pbuf and hands
 * it to the tcpip thread. Written for this project from the controller's
 * documented registers.
 */
#ifndef LAN9118_NETIF_H
#define LAN9118_NETIF_H

#include <stdint.h>

#include "lwip/err.h"
#include "lwip/netif.h"

#include "board.h"

#define LAN9118_BASE    BOARD_ETH_BASE
#define LAN9118_IRQn    BOARD_ETH_IRQn

typedef struct Lan9118Stats
{
    uint32_t ulInterrupts;
    uint32_t ulFramesReceived;
    uint32_t ulFramesSent;
    uint32_t ulRxDropped;     /* Bad frames, or no pbuf / tcpip mailbox full. */
    uint32_t ulTxErrors;      /* Frames refused or reported failed. */
} Lan9118Stats_t;

/* netif_add() init function: resets the controller, reads its MAC
 * address, starts the receive task and the interrupt. ERR_IF when no
 * LAN9118 answers (QEMU started without -nic ...,model=lan9118). */
err_t xLan9118NetifInit( struct netif * pxNetif );

/* Whether the internal PHY reports a link (basic status register). */
int lLan9118LinkUp( void );

/* The controller's free-running 25 MHz counter. */
uint32_t ulLan9118FreeRunCounter( void );

void vLan9118GetStats( Lan9118Stats_t * pxStats );

/* The interrupt handler (vector table: startup.c). */
void vLan9118IrqHandler( void );

#endif /* LAN9118_NETIF_H */
