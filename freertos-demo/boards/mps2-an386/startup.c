/*
 * Reset and exception entry of the mps2-an386 board: the vector table, the
 * C runtime set-up (copy .data, zero .bss, FPU on), and fault reports.
 * Written for this project.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "board_console.h"

/* Linker script symbols (mps2_an386.ld). */
extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern uint32_t __main_stack_limit__[], __main_stack_top__[];

int main( void );
void Reset_Handler( void ) __attribute__( ( noreturn ) );

/* The FreeRTOS ARM_CM4F port's handlers, installed directly. */
void vPortSVCHandler( void );
void xPortPendSVHandler( void );
void xPortSysTickHandler( void );

/* The UART0 receive interrupt (uart_stream.c). */
void vUartStreamRxIrqHandler( void );

static void prvFaultHandler( void );
static void prvUnexpectedIrq( void );

/* The LAN9118 Ethernet interrupt: the lwIP build's driver
 * (lwip/lan9118_netif.c) defines it; elsewhere it stays the unexpected
 * interrupt (nothing enables it there). */
void vLan9118IrqHandler( void ) __attribute__( ( weak, alias( "prvUnexpectedIrq" ) ) );

#define MAIN_STACK_PAINT    ( 0x5AA5C33CUL )

/* Cortex-M4 System Control Block registers used here. */
#define SCB_CPACR           ( *( volatile uint32_t * ) 0xE000ED88UL )
#define SCB_ICSR            ( *( volatile uint32_t * ) 0xE000ED04UL )
#define SCB_CFSR            ( *( volatile uint32_t * ) 0xE000ED28UL )
#define SCB_HFSR            ( *( volatile uint32_t * ) 0xE000ED2CUL )
#define SCB_MMFAR           ( *( volatile uint32_t * ) 0xE000ED34UL )
#define SCB_BFAR            ( *( volatile uint32_t * ) 0xE000ED38UL )

/* Exceptions 1..15, then the 32 external interrupts QEMU gives the board.
 * Every slot not named below traps (a zero slot would jump to address 0);
 * the range initialiser is overridden on purpose for the named ones. */
typedef void ( * Vector_t )( void );

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
__attribute__( ( section( ".vectors" ), used ) )
static const Vector_t axVectors[ 16 + 32 ] =
{
    [ 1 ... 16 + 31 ] = prvUnexpectedIrq,
    [ 0 ] = ( Vector_t ) ( uintptr_t ) __main_stack_top__,
    [ 1 ] = Reset_Handler,
    [ 2 ] = prvFaultHandler,  /* NMI */
    [ 3 ] = prvFaultHandler,  /* HardFault */
    [ 4 ] = prvFaultHandler,  /* MemManage */
    [ 5 ] = prvFaultHandler,  /* BusFault */
    [ 6 ] = prvFaultHandler,  /* UsageFault */
    [ 11 ] = vPortSVCHandler,
    [ 14 ] = xPortPendSVHandler,
    [ 15 ] = xPortSysTickHandler,
    [ 16 + BOARD_UART0_RX_IRQn ] = vUartStreamRxIrqHandler,
    [ 16 + BOARD_ETH_IRQn ] = vLan9118IrqHandler,
};
#pragma GCC diagnostic pop

void Reset_Handler( void )
{
    uint32_t * pulWord;
    uint32_t ulSp;

    /* Full access to CP10/CP11 (the FPU) before any floating-point code. */
    SCB_CPACR |= ( 0xFUL << 20 );
    __asm volatile ( "dsb\n isb" ::: "memory" );

    memcpy( __data_start__, __data_load__,
            ( size_t ) ( ( uintptr_t ) __data_end__ - ( uintptr_t ) __data_start__ ) );
    memset( __bss_start__, 0, ( size_t ) ( ( uintptr_t ) __bss_end__ - ( uintptr_t ) __bss_start__ ) );

    /* Paint the main stack below the current frame, so that its high-water
     * mark can be reported (xBoardMainStackUnusedBytes). */
    __asm volatile ( "mov %0, sp" : "=r" ( ulSp ) );

    for( pulWord = __main_stack_limit__; ( uintptr_t ) pulWord < ( ulSp - 64U ); pulWord++ )
    {
        *pulWord = MAIN_STACK_PAINT;
    }

    vBoardExit( main() );
}

size_t xBoardMainStackUnusedBytes( void )
{
    const uint32_t * pulWord = __main_stack_limit__;

    while( ( pulWord < __main_stack_top__ ) && ( *pulWord == MAIN_STACK_PAINT ) )
    {
        pulWord++;
    }

    return ( size_t ) ( ( uintptr_t ) pulWord - ( uintptr_t ) __main_stack_limit__ );
}

/* Any fault: say which and where, then end the run with status 3. */
static void prvFaultHandler( void )
{
    uint32_t * pulFrame;

    __asm volatile ( "tst lr, #4\n"
                     "ite eq\n"
                     "mrseq %0, msp\n"
                     "mrsne %0, psp" : "=r" ( pulFrame ) );
    vBoardConsolePanic( "FATAL: fault, exception %u, pc 0x%08lx lr 0x%08lx, CFSR 0x%08lx HFSR 0x%08lx "
                        "MMFAR 0x%08lx BFAR 0x%08lx",
                        ( unsigned ) ( SCB_ICSR & 0x1FFU ), ( unsigned long ) pulFrame[ 6 ],
                        ( unsigned long ) pulFrame[ 5 ], ( unsigned long ) SCB_CFSR,
                        ( unsigned long ) SCB_HFSR, ( unsigned long ) SCB_MMFAR, ( unsigned long ) SCB_BFAR );
    vBoardExit( 3 );
}

static void prvUnexpectedIrq( void )
{
    vBoardConsolePanic( "FATAL: unexpected exception %u", ( unsigned ) ( SCB_ICSR & 0x1FFU ) );
    vBoardExit( 3 );
}
