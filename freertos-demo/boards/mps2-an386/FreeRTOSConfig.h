/*
 * FreeRTOS configuration of the QEMU mps2-an386 board (Cortex-M4F,
 * ARM_CM4F port): what differs from the settings every platform shares
 * (config/FreeRTOSConfig_shared.h). Written for this project.
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#include <stdint.h>

/* The board's system clock: SysTick and the APB peripherals run at 25 MHz
 * of QEMU's virtual clock. */
#define configCPU_CLOCK_HZ                         ( 25000000UL )

/* 32-bit ticks (of one millisecond): they wrap after 49.7 days, which the
 * tick-wrap build below brings forward. */
#define configUSE_PORT_OPTIMISED_TASK_SELECTION    1
#define configTICK_TYPE_WIDTH_IN_BITS              TICK_TYPE_WIDTH_32_BITS

/* The tick-wrap build (CMake sets BOARD_INITIAL_TICK_COUNT) starts the
 * counter just below 2^32, so that it wraps during the first handshake. */
#if defined( BOARD_INITIAL_TICK_COUNT )
    #define configINITIAL_TICK_COUNT               ( ( TickType_t ) BOARD_INITIAL_TICK_COUNT )
#endif

/* Stack sizes are in words (4 bytes). */
#define configMINIMAL_STACK_SIZE                   ( ( uint16_t ) 256 )

/* heap_4 in the kernel's own array; newlib's and mbedTLS's C heap
 * functions are mapped onto it (board_runtime.c). */
#define configTOTAL_HEAP_SIZE                      ( ( size_t ) ( 256 * 1024 ) )
#define configAPPLICATION_ALLOCATED_HEAP           0

/* An idle hook that sleeps the core (WFI) until the next interrupt, so
 * that QEMU idles instead of spinning. */
#define configUSE_IDLE_HOOK                        1

/* Interrupt priorities. The M4 of this board implements 3 priority bits
 * (QEMU's armv7m NVIC: 8 levels). The kernel runs at the lowest; interrupts
 * that call FreeRTOS ...FromISR functions (the UART) must be at
 * BOARD_MAX_SYSCALL_PRIORITY or below in urgency (numerically >=). */
#define BOARD_PRIO_BITS                            3   /* of the real AN386; QEMU keeps 8 */
#define configKERNEL_INTERRUPT_PRIORITY            ( 7 << ( 8 - BOARD_PRIO_BITS ) )
#define BOARD_MAX_SYSCALL_PRIORITY                 5
#define configMAX_SYSCALL_INTERRUPT_PRIORITY       ( BOARD_MAX_SYSCALL_PRIORITY << ( 8 - BOARD_PRIO_BITS ) )

/* The vector table names the port's handlers directly (startup.c). */
#define configCHECK_HANDLER_INSTALLATION           1

#include "../../config/FreeRTOSConfig_shared.h"

#endif /* FREERTOS_CONFIG_H */
