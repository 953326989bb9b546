/*
 * FreeRTOS configuration of the QEMU mps2-an386 board (Cortex-M4F,
 * ARM_CM4F port). Written for this project.
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#include <stdint.h>

/* The board's system clock: SysTick and the APB peripherals run at 25 MHz
 * of QEMU's virtual clock. */
#define configCPU_CLOCK_HZ                         ( 25000000UL )

/* One millisecond tick, so that tick counts are milliseconds (coreMQTT's
 * clock in mqtt_demo.c is xTaskGetTickCount()). 32-bit ticks: they wrap
 * after 49.7 days, which the tick-wrap build below brings forward. */
#define configUSE_PREEMPTION                       1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION    1
#define configUSE_TICKLESS_IDLE                    0
#define configTICK_RATE_HZ                         ( ( TickType_t ) 1000 )
#define configMAX_PRIORITIES                       5
#define configMAX_TASK_NAME_LEN                    16
#define configTICK_TYPE_WIDTH_IN_BITS              TICK_TYPE_WIDTH_32_BITS
#define configIDLE_SHOULD_YIELD                    1
#define configUSE_TIME_SLICING                     1

/* The tick-wrap build (CMake sets BOARD_INITIAL_TICK_COUNT) starts the
 * counter just below 2^32, so that it wraps during the first handshake. */
#if defined( BOARD_INITIAL_TICK_COUNT )
    #define configINITIAL_TICK_COUNT               ( ( TickType_t ) BOARD_INITIAL_TICK_COUNT )
#endif

/* Stack sizes are in words (4 bytes). */
#define configMINIMAL_STACK_SIZE                   ( ( uint16_t ) 256 )
#define configSTACK_DEPTH_TYPE                     uint32_t

/* Memory: heap_4. Everything the TLS layer allocates comes from here: the
 * Rust library through pvPortMalloc (cargo feature `freertos`), mbedTLS
 * and newlib through the C heap functions the board maps onto it
 * (board_heap.c). */
#define configSUPPORT_DYNAMIC_ALLOCATION           1
#define configSUPPORT_STATIC_ALLOCATION            0
#define configTOTAL_HEAP_SIZE                      ( ( size_t ) ( 256 * 1024 ) )
#define configAPPLICATION_ALLOCATED_HEAP           0

/* Hooks: failures, and an idle hook that sleeps the core (WFI) until the
 * next interrupt, so that QEMU idles instead of spinning. */
#define configUSE_IDLE_HOOK                        1
#define configUSE_TICK_HOOK                        0
#define configUSE_MALLOC_FAILED_HOOK               1
#define configCHECK_FOR_STACK_OVERFLOW             2
#define configUSE_DAEMON_TASK_STARTUP_HOOK         0

#define configUSE_TIMERS                           0
#define configUSE_MUTEXES                          1
#define configUSE_RECURSIVE_MUTEXES                0
#define configUSE_COUNTING_SEMAPHORES              0
#define configUSE_QUEUE_SETS                       0
#define configUSE_TASK_NOTIFICATIONS               1
#define configUSE_CO_ROUTINES                      0
#define configUSE_TRACE_FACILITY                   0
#define configGENERATE_RUN_TIME_STATS              0
#define configUSE_STATS_FORMATTING_FUNCTIONS       0
#define configQUEUE_REGISTRY_SIZE                  0
#define configUSE_NEWLIB_REENTRANT                 0
#define configUSE_C_RUNTIME_TLS_SUPPORT            0

#define INCLUDE_vTaskDelay                         1
#define INCLUDE_vTaskDelete                        1
#define INCLUDE_xTaskGetTickCount                  1
#define INCLUDE_uxTaskGetStackHighWaterMark        1
#define INCLUDE_vTaskSuspend                       1
#define INCLUDE_xTaskGetSchedulerState             1
#define INCLUDE_xTaskGetCurrentTaskHandle          1

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

/* A failed assertion ends the QEMU run with file and line (board_runtime.c). */
void vAssertCalled( const char * pcFile, unsigned long ulLine );
#define configASSERT( x )    do { if( ( x ) == 0 ) { vAssertCalled( __FILE__, __LINE__ ); } } while( 0 )

#endif /* FREERTOS_CONFIG_H */
