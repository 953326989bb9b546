/* LAN9118 Ethernet interface for lwIP; see lan9118_netif.h. */
#include "lan9118_netif.h"

#include <stdbool.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"

#include "board.h"

/* ---- System control and status registers (offsets from the base). */
#define REG( off )              ( *( volatile uint32_t * ) ( LAN9118_BASE + ( off ) ) )
#define RX_DATA_FIFO            REG( 0x00 )
#define TX_DATA_FIFO            REG( 0x20 )
#define RX_STATUS_FIFO          REG( 0x40 )
#define TX_STATUS_FIFO          REG( 0x48 )
#define IRQ_CFG                 REG( 0x54 )
#define INT_STS                 REG( 0x58 )
#define INT_EN                  REG( 0x5C )
#define BYTE_TEST               REG( 0x64 )
#define FIFO_INT                REG( 0x68 )
#define RX_CFG                  REG( 0x6C )
#define TX_CFG                  REG( 0x70 )
#define HW_CFG                  REG( 0x74 )
#define RX_FIFO_INF             REG( 0x7C )
#define TX_FIFO_INF             REG( 0x80 )
#define PMT_CTRL                REG( 0x84 )
#define FREE_RUN                REG( 0x9C )
#define MAC_CSR_CMD             REG( 0xA4 )
#define MAC_CSR_DATA            REG( 0xA8 )

#define BYTE_TEST_VALUE         ( 0x87654321UL )
#define IRQ_CFG_IRQ_EN          ( 1UL << 8 )
#define IRQ_CFG_IRQ_POL         ( 1UL << 4 )   /* Active high ... */
#define IRQ_CFG_IRQ_TYPE        ( 1UL << 0 )   /* ... push-pull: what the NVIC input wants. */
#define INT_RSFL                ( 1UL << 3 )   /* RX status FIFO above its level (FIFO_INT). */
#define TX_CFG_TX_ON            ( 1UL << 1 )
#define TX_CFG_TXSAO            ( 1UL << 2 )   /* Let the TX status FIFO overrun rather than stall. */
#define HW_CFG_SRST             ( 1UL << 0 )
#define HW_CFG_TX_FIF_5K        ( 5UL << 16 )
#define HW_CFG_MBO              ( 1UL << 20 )  /* Must be written as one. */
#define PMT_CTRL_READY          ( 1UL << 0 )
#define MAC_CSR_BUSY            ( 1UL << 31 )
#define MAC_CSR_READ            ( 1UL << 30 )

/* MAC registers, reached through MAC_CSR_CMD / MAC_CSR_DATA. */
#define MAC_CR                  ( 1U )
#define MAC_ADDRH               ( 2U )
#define MAC_ADDRL               ( 3U )
#define MAC_MII_ACC             ( 6U )
#define MAC_MII_DATA            ( 7U )
#define MAC_CR_RXEN             ( 1UL << 2 )
#define MAC_CR_TXEN             ( 1UL << 3 )
#define MAC_CR_FDPX             ( 1UL << 20 )
#define MII_ACC_BUSY            ( 1UL << 0 )
#define MII_PHY_ADDR            ( 1UL << 11 )  /* The internal PHY is at address 1. */
#define PHY_BSR                 ( 1U )
#define PHY_BSR_LINK            ( 1U << 2 )

/* TX command words: A (segment), B (packet). */
#define TX_CMD_A_FIRST          ( 1UL << 13 )
#define TX_CMD_A_LAST           ( 1UL << 12 )
#define TX_STATUS_ES            ( 1UL << 15 )
/* RX status word. */
#define RX_STATUS_ES            ( 1UL << 15 )
#define RX_STATUS_LENGTH( s )   ( ( ( s ) >> 16 ) & 0x3FFFUL )   /* Frame bytes, CRC included. */

#define FRAME_MAX               ( 1518U )    /* With the CRC. */
/* An Ethernet header and the CRC: shorter is not a frame. (The wire's
 * 64-byte minimum is not enforced: an emulator may deliver a frame, e.g.
 * an ARP reply, without its padding.) */
#define FRAME_MIN               ( 18U )
/* Register handshakes (soft reset, MAC CSR access) finish within
 * microseconds; these bound them in case the controller never answers. */
#define CSR_POLLS               ( 10000U )
#define RESET_WAIT_TICKS        ( 100U )
#define RX_TASK_STACK_WORDS     ( 384U )
#define RX_TASK_PRIORITY        ( tskIDLE_PRIORITY + 4U )
/* The receive task also looks at the FIFO this often without an
 * interrupt: a safety net, not the way frames normally arrive. */
#define RX_IDLE_LOOK_MS         ( 1000U )

#define NVIC_ISER0              ( *( volatile uint32_t * ) 0xE000E100UL )
#define NVIC_IPR( n )           ( *( volatile uint8_t * ) ( 0xE000E400UL + ( n ) ) )

/* Frames pass through word-aligned buffers: the FIFOs move 32-bit words,
 * pbuf chains start anywhere. Each is used by one task only (receive
 * task; output, under lwIP's core lock). */
static uint32_t aulRxFrame[ ( FRAME_MAX + 3U ) / 4U ];
static uint32_t aulTxFrame[ ( FRAME_MAX + 3U ) / 4U ];
static TaskHandle_t xRxTask;
static Lan9118Stats_t xStats;

/* ------------------------------------------------------------ registers */

static int prvMacWait( void )
{
    uint32_t i;

    for( i = 0; i < CSR_POLLS; i++ )
    {
        if( ( MAC_CSR_CMD & MAC_CSR_BUSY ) == 0U )
        {
            return 0;
        }
    }

    return -1;
}

static uint32_t prvMacRead( uint32_t ulReg )
{
    ( void ) prvMacWait();
    MAC_CSR_CMD = MAC_CSR_BUSY | MAC_CSR_READ | ulReg;
    ( void ) prvMacWait();
    return MAC_CSR_DATA;
}

static void prvMacWrite( uint32_t ulReg,
                         uint32_t ulValue )
{
    ( void ) prvMacWait();
    MAC_CSR_DATA = ulValue;
    MAC_CSR_CMD = MAC_CSR_BUSY | ulReg;
    ( void ) prvMacWait();
}

static uint32_t prvPhyRead( uint32_t ulReg )
{
    uint32_t i;

    prvMacWrite( MAC_MII_ACC, MII_PHY_ADDR | ( ulReg << 6 ) | MII_ACC_BUSY );

    for( i = 0; i < CSR_POLLS; i++ )
    {
        if( ( prvMacRead( MAC_MII_ACC ) & MII_ACC_BUSY ) == 0U )
        {
            break;
        }
    }

    return prvMacRead( MAC_MII_DATA ) & 0xFFFFU;
}

int lLan9118LinkUp( void )
{
    return ( prvPhyRead( PHY_BSR ) & PHY_BSR_LINK ) != 0U;
}

uint32_t ulLan9118FreeRunCounter( void )
{
    return FREE_RUN;
}

void vLan9118GetStats( Lan9118Stats_t * pxStats )
{
    taskENTER_CRITICAL();
    *pxStats = xStats;
    taskEXIT_CRITICAL();
}

/* ------------------------------------------------------------ transmit */

/* netif->linkoutput: one frame into the TX FIFO. Called by lwIP's core,
 * one call at a time (core lock). The controller sends it from there on
 * its own; its status words are read back only to count failures. */
static err_t prvLinkOutput( struct netif * pxNetif,
                            struct pbuf * pxFrame )
{
    uint32_t ulLength = pxFrame->tot_len;
    uint32_t ulWords = ( ulLength + 3U ) / 4U;
    uint32_t i;

    ( void ) pxNetif;

    if( ulLength > FRAME_MAX - 4U )
    {
        xStats.ulTxErrors++;
        LINK_STATS_INC( link.err );
        return ERR_BUF;
    }

    /* TDFREE (bytes free in the TX data FIFO) must hold the frame and its
     * two command words; the controller drains it at line rate, so a full
     * FIFO is momentary: wait a tick or two, then drop the frame (TCP
     * retransmits). */
    for( i = 0; ( TX_FIFO_INF & 0xFFFFU ) < ( ulWords * 4U + 8U ); i++ )
    {
        if( i >= 2U )
        {
            xStats.ulTxErrors++;
            LINK_STATS_INC( link.drop );
            return ERR_MEM;
        }

        vTaskDelay( 1 );
    }

    ( void ) pbuf_copy_partial( pxFrame, aulTxFrame, ( u16_t ) ulLength, 0 );

    /* Command A: one segment that is the whole frame; command B: the
     * frame length (a tag in the upper half would come back in the
     * status word: unused). */
    TX_DATA_FIFO = TX_CMD_A_FIRST | TX_CMD_A_LAST | ulLength;
    TX_DATA_FIFO = ulLength;

    for( i = 0; i < ulWords; i++ )
    {
        TX_DATA_FIFO = aulTxFrame[ i ];
    }

    /* TX_FIFO_INF bits 23:16: status words waiting. */
    while( ( ( TX_FIFO_INF >> 16 ) & 0xFFU ) != 0U )
    {
        if( ( TX_STATUS_FIFO & TX_STATUS_ES ) != 0U )
        {
            xStats.ulTxErrors++;
        }
    }

    xStats.ulFramesSent++;
    LINK_STATS_INC( link.xmit );
    return ERR_OK;
}

/* ------------------------------------------------------------ receive */

void vLan9118IrqHandler( void )
{
    BaseType_t xWoken = pdFALSE;

    /* The line is level-sensitive and stays up while RSFL is set: mask it
     * until the receive task has emptied the FIFO. */
    INT_EN &= ~INT_RSFL;
    xStats.ulInterrupts++;

    if( xRxTask != NULL )
    {
        vTaskNotifyGiveFromISR( xRxTask, &xWoken );
    }

    portYIELD_FROM_ISR( xWoken );
}

/* One frame whose status word was just read: its words out of the RX data
 * FIFO (all of them, even when the frame is dropped, so that the next
 * frame starts at a frame boundary) and, when good, into lwIP. */
static void prvReceiveFrame( struct netif * pxNetif,
                             uint32_t ulStatus )
{
    uint32_t ulLength = RX_STATUS_LENGTH( ulStatus );
    uint32_t ulWords = ( ulLength + 3U ) / 4U;
    uint32_t i;
    struct pbuf * pxFrame;
    bool xGood = ( ( ulStatus & RX_STATUS_ES ) == 0U ) && ( ulLength >= FRAME_MIN ) && ( ulLength <= FRAME_MAX );

    for( i = 0; i < ulWords; i++ )
    {
        uint32_t ulWord = RX_DATA_FIFO;

        if( i < ( sizeof( aulRxFrame ) / sizeof( aulRxFrame[ 0 ] ) ) )
        {
            aulRxFrame[ i ] = ulWord;
        }
    }

    if( !xGood )
    {
        xStats.ulRxDropped++;
        LINK_STATS_INC( link.drop );
        return;
    }

    /* Without the CRC. */
    pxFrame = pbuf_alloc( PBUF_RAW, ( u16_t ) ( ulLength - 4U ), PBUF_POOL );

    if( pxFrame == NULL )
    {
        xStats.ulRxDropped++;
        LINK_STATS_INC( link.memerr );
        return;
    }

    ( void ) pbuf_take( pxFrame, aulRxFrame, ( u16_t ) ( ulLength - 4U ) );

    /* tcpip_input: queued for the tcpip thread; refused when its mailbox
     * is full (TCP's retransmission recovers the frame). */
    if( pxNetif->input( pxFrame, pxNetif ) != ERR_OK )
    {
        pbuf_free( pxFrame );
        xStats.ulRxDropped++;
        LINK_STATS_INC( link.drop );
        return;
    }

    xStats.ulFramesReceived++;
    LINK_STATS_INC( link.recv );
}

static void prvRxTask( void * pvNetif )
{
    struct netif * pxNetif = ( struct netif * ) pvNetif;

    for( ; ; )
    {
        ( void ) ulTaskNotifyTake( pdTRUE, pdMS_TO_TICKS( RX_IDLE_LOOK_MS ) );

        /* Clear first, then empty the FIFO: a frame landing after the last
         * look sets RSFL again and interrupts once it is unmasked. */
        INT_STS = INT_RSFL;

        /* RX_FIFO_INF bits 23:16: status words (= frames) waiting. */
        while( ( ( RX_FIFO_INF >> 16 ) & 0xFFU ) != 0U )
        {
            prvReceiveFrame( pxNetif, RX_STATUS_FIFO );
        }

        taskENTER_CRITICAL();
        INT_EN |= INT_RSFL;
        taskEXIT_CRITICAL();
    }
}

/* ------------------------------------------------------------ start-up */

err_t xLan9118NetifInit( struct netif * pxNetif )
{
    uint32_t ulLow, ulHigh, i;

    if( BYTE_TEST != BYTE_TEST_VALUE )
    {
        return ERR_IF;
    }

    HW_CFG = HW_CFG_SRST;

    for( i = 0; ( ( HW_CFG & HW_CFG_SRST ) != 0U ) || ( ( PMT_CTRL & PMT_CTRL_READY ) == 0U ); i++ )
    {
        if( i >= RESET_WAIT_TICKS )
        {
            return ERR_IF;
        }

        vTaskDelay( 1 );
    }

    HW_CFG = HW_CFG_MBO | HW_CFG_TX_FIF_5K;

    /* The MAC address the controller loaded from its EEPROM (QEMU: the
     * -nic mac=..., by default 52:54:00:12:34:56). */
    ulLow = prvMacRead( MAC_ADDRL );
    ulHigh = prvMacRead( MAC_ADDRH );
    pxNetif->hwaddr_len = ETH_HWADDR_LEN;
    pxNetif->hwaddr[ 0 ] = ( u8_t ) ulLow;
    pxNetif->hwaddr[ 1 ] = ( u8_t ) ( ulLow >> 8 );
    pxNetif->hwaddr[ 2 ] = ( u8_t ) ( ulLow >> 16 );
    pxNetif->hwaddr[ 3 ] = ( u8_t ) ( ulLow >> 24 );
    pxNetif->hwaddr[ 4 ] = ( u8_t ) ulHigh;
    pxNetif->hwaddr[ 5 ] = ( u8_t ) ( ulHigh >> 8 );

    pxNetif->name[ 0 ] = 'e';
    pxNetif->name[ 1 ] = 'n';
    pxNetif->mtu = 1500;
    pxNetif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    pxNetif->output = etharp_output;
    pxNetif->linkoutput = prvLinkOutput;

    /* Receive frames addressed to us and broadcasts (ARP), full duplex;
     * no data offset or end padding on received frames. */
    RX_CFG = 0;
    TX_CFG = TX_CFG_TX_ON | TX_CFG_TXSAO;
    prvMacWrite( MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX );

    if( xTaskCreate( prvRxTask, "EthRx", RX_TASK_STACK_WORDS, pxNetif, RX_TASK_PRIORITY, &xRxTask ) != pdPASS )
    {
        return ERR_MEM;
    }

    /* Interrupt as soon as one RX status word is waiting (level 0). */
    FIFO_INT = ( FIFO_INT & ~0xFFUL );
    INT_STS = 0xFFFFFFFFUL;
    INT_EN = INT_RSFL;
    IRQ_CFG = IRQ_CFG_IRQ_EN | IRQ_CFG_IRQ_POL | IRQ_CFG_IRQ_TYPE;
    /* Below configMAX_SYSCALL_INTERRUPT_PRIORITY in urgency: the handler
     * calls a FromISR function. */
    NVIC_IPR( LAN9118_IRQn ) = ( uint8_t ) ( ( BOARD_MAX_SYSCALL_PRIORITY + 1 ) << ( 8 - BOARD_PRIO_BITS ) );
    NVIC_ISER0 = 1UL << LAN9118_IRQn;

    return ERR_OK;
}
