/* lwIP on the mps2-an386 board: start-up and report; see lwip_board.h. */
#include "lwip_board.h"

#include <stdio.h>

#include "FreeRTOS.h"
#include "task.h"

#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"

#include "board.h"
#include "board_console.h"
#include "lan9118_netif.h"

static struct netif xNetif;
static TaskHandle_t xStarter;

void vLwipBoardAssert( const char * pcMessage,
                       const char * pcFile,
                       int iLine )
{
    vBoardConsolePanic( "FATAL: lwIP assertion \"%s\" failed at %s:%d", pcMessage, pcFile, iLine );
    vBoardExit( 2 );
}

uint32_t ulLwipBoardRand( void )
{
    static uint32_t ulState = 0;

    /* xorshift32, stirred with the controller's counter on every call. */
    ulState ^= ulLan9118FreeRunCounter() | 1U;
    ulState ^= ulState << 13;
    ulState ^= ulState >> 17;
    ulState ^= ulState << 5;
    return ulState;
}

static void prvTcpipReady( void * pvUnused )
{
    ( void ) pvUnused;
    xTaskNotifyGive( xStarter );
}

int lLwipBoardStart( uint32_t ulTimeoutMs )
{
    ip4_addr_t xAddress, xMask, xGateway;
    struct netif * pxAdded;
    int lLink;

    /* tcpip_init creates the tcpip thread, which calls prvTcpipReady once
     * lwIP is initialised. */
    xStarter = xTaskGetCurrentTaskHandle();
    tcpip_init( prvTcpipReady, NULL );

    if( ulTaskNotifyTake( pdTRUE, pdMS_TO_TICKS( ulTimeoutMs ) ) == 0U )
    {
        printf( "[lwip] ERROR: the tcpip thread did not start within %lu ms\n", ( unsigned long ) ulTimeoutMs );
        return -1;
    }

    IP4_ADDR( &xAddress, 10, 0, 2, 15 );
    IP4_ADDR( &xMask, 255, 255, 255, 0 );
    IP4_ADDR( &xGateway, 10, 0, 2, 2 );

    LOCK_TCPIP_CORE();
    pxAdded = netif_add( &xNetif, &xAddress, &xMask, &xGateway, NULL, xLan9118NetifInit, tcpip_input );

    if( pxAdded != NULL )
    {
        netif_set_default( &xNetif );
        netif_set_up( &xNetif );
    }

    UNLOCK_TCPIP_CORE();

    if( pxAdded == NULL )
    {
        printf( "[lwip] ERROR: no LAN9118 at 0x%08lx (QEMU needs -nic user,model=lan9118,...)\n",
                ( unsigned long ) LAN9118_BASE );
        return -1;
    }

    lLink = lLan9118LinkUp();

    if( lLink )
    {
        LOCK_TCPIP_CORE();
        netif_set_link_up( &xNetif );
        UNLOCK_TCPIP_CORE();
    }

    printf( "[lwip] lwIP %s, LAN9118 MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, IPv4 10.0.2.15/24 gateway 10.0.2.2 (static)\n",
            LWIP_VERSION_STRING, xNetif.hwaddr[ 0 ], xNetif.hwaddr[ 1 ], xNetif.hwaddr[ 2 ], xNetif.hwaddr[ 3 ],
            xNetif.hwaddr[ 4 ], xNetif.hwaddr[ 5 ], lLink ? "up" : "DOWN" );
    return lLink ? 0 : -1;
}

void vLwipBoardReport( void )
{
    Lan9118Stats_t xEth;
    size_t xPoolsPeak = 0, xPoolsTotal = 0;
    unsigned i;

    vLan9118GetStats( &xEth );
    printf( "[lwip] LAN9118: %lu frames received, %lu sent, %lu interrupts, %lu received frames dropped, "
            "%lu transmit errors\n",
            ( unsigned long ) xEth.ulFramesReceived, ( unsigned long ) xEth.ulFramesSent,
            ( unsigned long ) xEth.ulInterrupts, ( unsigned long ) xEth.ulRxDropped,
            ( unsigned long ) xEth.ulTxErrors );

    /* lwIP's own memory (static arrays, not the FreeRTOS heap): its heap
     * and each pool's peak use against its size. */
    for( i = 0; i < ( unsigned ) MEMP_MAX; i++ )
    {
        const struct memp_desc * pxPool = memp_pools[ i ];

        xPoolsTotal += ( size_t ) pxPool->num * pxPool->size;
        xPoolsPeak += ( size_t ) pxPool->stats->max * pxPool->size;
    }

    printf( "[lwip] LWIP-MEM heap_bytes=%u heap_peak=%u heap_errors=%u pools_bytes=%u pools_peak=%u\n",
            ( unsigned ) MEM_SIZE, ( unsigned ) lwip_stats.mem.max, ( unsigned ) lwip_stats.mem.err,
            ( unsigned ) xPoolsTotal, ( unsigned ) xPoolsPeak );

    printf( "[lwip]   peak: receive pbufs %u of %u, TCP segments %u of %u, TCP PCBs %u of %u, netconns %u of %u\n",
            ( unsigned ) memp_pools[ MEMP_PBUF_POOL ]->stats->max, ( unsigned ) memp_pools[ MEMP_PBUF_POOL ]->num,
            ( unsigned ) memp_pools[ MEMP_TCP_SEG ]->stats->max, ( unsigned ) memp_pools[ MEMP_TCP_SEG ]->num,
            ( unsigned ) memp_pools[ MEMP_TCP_PCB ]->stats->max, ( unsigned ) memp_pools[ MEMP_TCP_PCB ]->num,
            ( unsigned ) memp_pools[ MEMP_NETCONN ]->stats->max, ( unsigned ) memp_pools[ MEMP_NETCONN ]->num );
}
