/* FreeRTOS glue of freertos-tls (cargo feature `freertos`).
 *
 * What the Rust library needs from the kernel and what depends on the
 * firmware's configuration: the tick count (TickType_t is 16, 32 or 64 bits
 * by configTICK_TYPE_WIDTH_IN_BITS / configUSE_16_BIT_TICKS), the tick rate
 * (configTICK_RATE_HZ), a delay, and the critical section (a macro whose
 * form is the port's: ESP-IDF's takes a spinlock). Compiled against the
 * firmware's FreeRTOS.h and FreeRTOSConfig.h, so each of these is the
 * firmware's own; Rust sees only the fixed-width functions below
 * (src/platform/backend/freertos.rs declares them).
 *
 * Who compiles this file: the firmware.
 * - With CMake, the library's CMakeLists.txt does: a static library
 *   (freertos_tls_freertos_glue) linked against the firmware's kernel
 *   target, FREERTOS_TLS_FREERTOS_TARGET (default freertos_kernel), whose
 *   include directories reach FreeRTOS.h, the port's portmacro.h and
 *   FreeRTOSConfig.h.
 * - Without CMake (cargo alone), add this file to the firmware's sources,
 *   compiled with the kernel's include directories like any kernel file.
 * cargo never compiles it: `cargo build --lib --features freertos` makes a
 * static library that refers to these functions, and the firmware's link
 * resolves them, as it resolves pvPortMalloc. (So host checks of the
 * feature, e.g. clippy, need no FreeRTOS headers.)
 *
 * Every function is for task context only, like every entry point of the
 * library: none is safe from an interrupt handler (taskENTER_CRITICAL is
 * not; the ISR forms are taskENTER_CRITICAL_FROM_ISR and
 * xTaskGetTickCountFromISR, which the library does not use). */

#include <stdint.h>

#ifdef ESP_PLATFORM
    #include "freertos/FreeRTOS.h"
    #include "freertos/task.h"
#else
    #include "FreeRTOS.h"
    #include "task.h"
#endif

#if !defined( INCLUDE_vTaskDelay ) || ( INCLUDE_vTaskDelay != 1 )
    #error "freertos-tls needs vTaskDelay: set INCLUDE_vTaskDelay to 1 in FreeRTOSConfig.h"
#endif

/* The rate is handed over as 32 bits; 0 would divide by zero. */
typedef char freertos_tls_tick_rate_fits[ ( ( configTICK_RATE_HZ ) > 0 &&
                                            ( uint64_t ) ( configTICK_RATE_HZ ) <= UINT32_MAX ) ? 1 : -1 ];

/* TickType_t is unsigned on every port: the count runs from 0 to its
 * largest value, then wraps to 0. */
typedef char freertos_tls_tick_is_unsigned[ ( ( TickType_t ) -1 > ( TickType_t ) 0 ) ? 1 : -1 ];

uint32_t freertos_tls_tick_count( void );
uint32_t freertos_tls_tick_max( void );
uint32_t freertos_tls_tick_rate_hz( void );
void freertos_tls_delay_ticks( uint32_t ulTicks );
void freertos_tls_enter_critical( void );
void freertos_tls_exit_critical( void );

/* The kernel's tick count, in 32 bits: with 16- or 32-bit ticks the count
 * itself, with 64-bit ticks its low 32 bits, a counter that wraps after
 * 2^32 ticks (49.7 days at 1 kHz) like a 32-bit one. It wraps to 0 after
 * freertos_tls_tick_max(), so differences are taken modulo that (the Rust
 * side masks them: src/platform/wait.rs, ticks_between). */
uint32_t freertos_tls_tick_count( void )
{
    return ( uint32_t ) xTaskGetTickCount();
}

/* The largest value freertos_tls_tick_count() returns: 2^16 - 1 with
 * 16-bit ticks, else 2^32 - 1. */
uint32_t freertos_tls_tick_max( void )
{
    return ( sizeof( TickType_t ) < sizeof( uint32_t ) ) ? ( uint32_t ) ( TickType_t ) -1 : UINT32_MAX;
}

/* configTICK_RATE_HZ. */
uint32_t freertos_tls_tick_rate_hz( void )
{
    return ( uint32_t ) ( configTICK_RATE_HZ );
}

/* Block the calling task for ulTicks ticks (with 16-bit ticks, at most the
 * largest TickType_t). */
void freertos_tls_delay_ticks( uint32_t ulTicks )
{
    TickType_t xTicks = ( TickType_t ) ulTicks;

    if( ( uint32_t ) xTicks != ulTicks )
    {
        xTicks = ( TickType_t ) -1; /* 16-bit ticks: the longest delay there is */
    }

    vTaskDelay( xTicks );
}

/* The critical section behind the Rust crate critical-section: it nests
 * (the kernel counts the depth; ESP-IDF's spinlocks are recursive on one
 * core). On a single core it masks interrupts up to
 * configMAX_SYSCALL_INTERRUPT_PRIORITY and stops task switches; on
 * ESP-IDF's SMP kernel the spinlock also keeps the other core out. */
#ifdef ESP_PLATFORM
    static portMUX_TYPE xFreertosTlsLock = portMUX_INITIALIZER_UNLOCKED;

    void freertos_tls_enter_critical( void )
    {
        taskENTER_CRITICAL( &xFreertosTlsLock );
    }

    void freertos_tls_exit_critical( void )
    {
        taskEXIT_CRITICAL( &xFreertosTlsLock );
    }
#else
    void freertos_tls_enter_critical( void )
    {
        taskENTER_CRITICAL();
    }

    void freertos_tls_exit_critical( void )
    {
        taskEXIT_CRITICAL();
    }
#endif
