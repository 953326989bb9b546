/* UART0 as the network byte stream; see uart_stream.h. */
#include "uart_stream.h"

#include <string.h>

#include "task.h"

#include "board.h"

#define UART_DATA           ( *( volatile uint32_t * ) ( BOARD_UART0_BASE + 0x00U ) )
#define UART_STATE          ( *( volatile uint32_t * ) ( BOARD_UART0_BASE + 0x04U ) )
#define UART_CTRL           ( *( volatile uint32_t * ) ( BOARD_UART0_BASE + 0x08U ) )
#define UART_INTSTATUS      ( *( volatile uint32_t * ) ( BOARD_UART0_BASE + 0x0CU ) )
#define UART_BAUDDIV        ( *( volatile uint32_t * ) ( BOARD_UART0_BASE + 0x10U ) )

#define STATE_TX_FULL       ( 1UL << 0 )
#define STATE_RX_FULL       ( 1UL << 1 )
#define STATE_RX_OVERRUN    ( 1UL << 3 )
#define CTRL_TX_EN          ( 1UL << 0 )
#define CTRL_RX_EN          ( 1UL << 1 )
#define CTRL_RX_INTEN       ( 1UL << 3 )
#define INTSTATUS_RX        ( 1UL << 1 )

/* NVIC: set-enable register 0 and the byte-wide priority registers. */
#define NVIC_ISER0          ( *( volatile uint32_t * ) 0xE000E100UL )
#define NVIC_IPR( n )       ( *( volatile uint8_t * ) ( 0xE000E400UL + ( n ) ) )

/* One TLS record of 16 KiB need not fit: the reader drains as it goes. */
#define RING_SIZE           ( 4096U )

static uint8_t aucRing[ RING_SIZE ];
static uint32_t ulRingLimit = RING_SIZE; /* Bytes the ring may hold (tests lower it). */
static volatile uint32_t ulHead;   /* Written by the interrupt only. */
static volatile uint32_t ulTail;   /* Written by the reader only. */
static volatile BaseType_t xRxPaused;
static volatile TaskHandle_t xReader;
static UartStreamStats_t xStats;
static BaseType_t xStarted = pdFALSE;

/* Moves bytes from the UART into the ring while both allow; pauses
 * reception (RX interrupt off) when the ring is full. Runs in the
 * interrupt, or in a task inside a critical section, which masks it. */
static void prvDrainUart( void )
{
    while( ( UART_STATE & STATE_RX_FULL ) != 0U )
    {
        uint32_t ulUsed = ulHead - ulTail;

        if( ulUsed >= ulRingLimit )
        {
            UART_CTRL &= ~CTRL_RX_INTEN;
            xRxPaused = pdTRUE;
            xStats.ulRxPauses++;
            break;
        }

        aucRing[ ulHead % RING_SIZE ] = ( uint8_t ) UART_DATA;
        ulHead = ulHead + 1U;

        if( ulUsed + 1U > xStats.ulRingHighWater )
        {
            xStats.ulRingHighWater = ulUsed + 1U;
        }
    }

    if( ( UART_STATE & STATE_RX_OVERRUN ) != 0U )
    {
        xStats.ulOverruns++;
        UART_STATE = STATE_RX_OVERRUN; /* Write-one-to-clear. */
    }
}

void vUartStreamRxIrqHandler( void )
{
    BaseType_t xWoken = pdFALSE;

    /* Clear first, then drain: a byte that lands after the last check
     * raises the interrupt again instead of waiting unseen. */
    UART_INTSTATUS = INTSTATUS_RX;
    prvDrainUart();

    if( xReader != NULL )
    {
        vTaskNotifyGiveFromISR( xReader, &xWoken );
    }

    portYIELD_FROM_ISR( xWoken );
}

int lUartStreamOpen( UartStream_t * pxStream,
                     uint32_t ulRecvWaitMs,
                     uint32_t ulSendWaitMs )
{
    if( xStarted == pdFALSE )
    {
        xStarted = pdTRUE;
        UART_BAUDDIV = 16U; /* 25 MHz / 16: the smallest divider allowed. */
        /* Below configMAX_SYSCALL_INTERRUPT_PRIORITY in urgency: the
         * handler calls a FromISR function. */
        NVIC_IPR( BOARD_UART0_RX_IRQn ) = ( uint8_t ) ( ( BOARD_MAX_SYSCALL_PRIORITY + 1 ) << ( 8 - BOARD_PRIO_BITS ) );
        UART_CTRL = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INTEN;
        NVIC_ISER0 = 1UL << BOARD_UART0_RX_IRQn;
    }

    pxStream->ulRecvWaitMs = ulRecvWaitMs;
    pxStream->ulSendWaitMs = ulSendWaitMs;
    pxStream->xOpen = pdTRUE;
    return 0;
}

/* Bytes waiting in the ring, copied out (at most xLength). */
static size_t prvTake( unsigned char * pucBuffer,
                       size_t xLength )
{
    uint32_t ulTailNow = ulTail;
    uint32_t ulAvailable = ulHead - ulTailNow;
    size_t xCount = ( ulAvailable < xLength ) ? ulAvailable : xLength;
    size_t i;

    for( i = 0; i < xCount; i++ )
    {
        pucBuffer[ i ] = aucRing[ ( ulTailNow + i ) % RING_SIZE ];
    }

    ulTail = ulTailNow + ( uint32_t ) xCount;

    /* Room again: resume reception, taking what the UART held meanwhile
     * (its interrupt was cleared while paused, so it would not fire). */
    if( ( xCount > 0U ) && ( xRxPaused != pdFALSE ) )
    {
        taskENTER_CRITICAL();
        xRxPaused = pdFALSE;
        UART_CTRL |= CTRL_RX_INTEN;
        prvDrainUart();
        taskEXIT_CRITICAL();
    }

    return xCount;
}

BaseType_t xUartStreamRecv( void * pvStream,
                            unsigned char * pucBuffer,
                            size_t xLength )
{
    UartStream_t * pxStream = ( UartStream_t * ) pvStream;
    TickType_t xStart = xTaskGetTickCount();
    TickType_t xWait;
    size_t xGot;

    if( ( pxStream == NULL ) || ( pxStream->xOpen == pdFALSE ) || ( pucBuffer == NULL ) )
    {
        return -1;
    }

    if( xLength == 0U )
    {
        return 0;
    }

    xWait = pdMS_TO_TICKS( pxStream->ulRecvWaitMs );
    /* A stale notification only costs one more look at the ring. */
    xReader = xTaskGetCurrentTaskHandle();

    for( ; ; )
    {
        TickType_t xElapsed;

        xGot = prvTake( pucBuffer, xLength );

        if( xGot > 0U )
        {
            break;
        }

        /* Tick differences wrap correctly in unsigned arithmetic. */
        xElapsed = xTaskGetTickCount() - xStart;

        if( xElapsed >= xWait )
        {
            break;
        }

        ( void ) ulTaskNotifyTake( pdTRUE, xWait - xElapsed );
    }

    xReader = NULL;

    if( xGot == 0U )
    {
        xStats.ulEmptyReads++;
    }

    xStats.ulBytesReceived += ( uint32_t ) xGot;
    return ( BaseType_t ) xGot;
}

BaseType_t xUartStreamSend( void * pvStream,
                            const unsigned char * pucData,
                            size_t xLength )
{
    UartStream_t * pxStream = ( UartStream_t * ) pvStream;
    TickType_t xStart = xTaskGetTickCount();
    size_t xSent = 0;

    if( ( pxStream == NULL ) || ( pxStream->xOpen == pdFALSE ) || ( pucData == NULL ) )
    {
        return -1;
    }

    while( xSent < xLength )
    {
        if( ( UART_STATE & STATE_TX_FULL ) == 0U )
        {
            UART_DATA = pucData[ xSent ];
            xSent++;
        }
        else if( ( xTaskGetTickCount() - xStart ) >= pdMS_TO_TICKS( pxStream->ulSendWaitMs ) )
        {
            break;
        }
        else
        {
            /* QEMU's socket is full: let other tasks run for a tick. */
            vTaskDelay( 1 );
        }
    }

    xStats.ulBytesSent += ( uint32_t ) xSent;
    return ( BaseType_t ) xSent;
}

void vUartStreamClose( UartStream_t * pxStream )
{
    pxStream->xOpen = pdFALSE;
}

void vUartStreamSetRingLimit( uint32_t ulBytes )
{
    taskENTER_CRITICAL();
    ulRingLimit = ( ( ulBytes == 0U ) || ( ulBytes > RING_SIZE ) ) ? RING_SIZE : ulBytes;
    taskEXIT_CRITICAL();
}

void vUartStreamGetStats( UartStreamStats_t * pxStats )
{
    taskENTER_CRITICAL();
    *pxStats = xStats;
    pxStats->ulRingLimit = ulRingLimit;
    taskEXIT_CRITICAL();
}
