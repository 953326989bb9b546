/*
 * FreeRTOS kernel settings shared by every FreeRTOS program of this
 * repository: the POSIX simulator's demo (config/FreeRTOSConfig.h) and the
 * mps2-an386 board's firmware (boards/mps2-an386/FreeRTOSConfig.h). Each
 * platform's FreeRTOSConfig.h sets what differs (port, tick width, stacks,
 * heap, idle hook, interrupt priorities) and includes this file. Written
 * for this project.
 */
#ifndef FREERTOS_CONFIG_SHARED_H
#define FREERTOS_CONFIG_SHARED_H

/* Scheduling: one millisecond tick, so that tick counts are milliseconds
 * (coreMQTT's clock in mqtt_demo.c is xTaskGetTickCount()). The TLS
 * library reads the rate, like the tick width, through its FreeRTOS glue
 * (src/platform/freertos_glue.c), compiled against this file. */
#define configUSE_PREEMPTION                       1
#define configUSE_TICKLESS_IDLE                    0
#define configTICK_RATE_HZ                         ( ( TickType_t ) 1000 )
#define configMAX_PRIORITIES                       5
#define configMAX_TASK_NAME_LEN                    16
#define configIDLE_SHOULD_YIELD                    1
#define configUSE_TIME_SLICING                     1
/* Task stack depths (in words) as 32-bit numbers. */
#define configSTACK_DEPTH_TYPE                     uint32_t

/* Memory: heap_4, dynamic allocation only. Everything the TLS layer
 * allocates comes from there, as on a device: the Rust library through
 * pvPortMalloc (cargo feature `freertos`), mbedTLS through the C heap
 * functions each platform maps onto it. */
#define configSUPPORT_DYNAMIC_ALLOCATION           1
#define configSUPPORT_STATIC_ALLOCATION            0

/* Hooks: failures are hooked (the idle hook is the platform's choice). */
#define configUSE_TICK_HOOK                        0
#define configUSE_MALLOC_FAILED_HOOK               1
#define configCHECK_FOR_STACK_OVERFLOW             2
#define configUSE_DAEMON_TASK_STARTUP_HOOK         0

/* Features the programs do not use stay off, which also keeps the timer
 * daemon task (and its context switches) out. */
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

/* A failed assertion stops the program with file and line (the platform's
 * vAssertCalled: app_hooks.c, board_runtime.c). */
void vAssertCalled( const char * pcFile, unsigned long ulLine );
#define configASSERT( x )    do { if( ( x ) == 0 ) { vAssertCalled( __FILE__, __LINE__ ); } } while( 0 )

#endif /* FREERTOS_CONFIG_SHARED_H */
