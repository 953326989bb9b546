/*
 * FreeRTOS configuration of the coreMQTT mutual-TLS demo (POSIX simulator,
 * GCC_POSIX port). Written for this project.
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

/* Scheduling: one millisecond tick, so that tick counts are milliseconds
 * (coreMQTT's clock is xTaskGetTickCount()). */
#define configUSE_PREEMPTION                       1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION    0
#define configUSE_TICKLESS_IDLE                    0
#define configTICK_RATE_HZ                         ( ( TickType_t ) 1000 )
#define configMAX_PRIORITIES                       5
#define configMAX_TASK_NAME_LEN                    16
#define configTICK_TYPE_WIDTH_IN_BITS              TICK_TYPE_WIDTH_64_BITS
#define configIDLE_SHOULD_YIELD                    1
#define configUSE_TIME_SLICING                     1

/* On the POSIX port every task runs on its own pthread with a host-sized
 * stack; this is the FreeRTOS bookkeeping stack, in words. */
#define configMINIMAL_STACK_SIZE                   ( ( unsigned short ) 1024 )
#define configSTACK_DEPTH_TYPE                     uint32_t

/* Memory: heap_4, so the low-water mark of the heap is observable with
 * xPortGetMinimumEverFreeHeapSize(). Everything the TLS layer allocates
 * comes from here, as on a device: the Rust library through pvPortMalloc
 * (cargo feature `freertos`), mbedTLS through calloc/free mapped onto this
 * heap (app_hooks.c). The heap array is the application's, so that free()
 * can tell FreeRTOS blocks from host ones. Sized for the stress test's
 * four concurrent connections plus their task stacks. */
#define configSUPPORT_DYNAMIC_ALLOCATION           1
#define configSUPPORT_STATIC_ALLOCATION            0
#define configTOTAL_HEAP_SIZE                      ( ( size_t ) ( 1024 * 1024 ) )
#define configAPPLICATION_ALLOCATED_HEAP           1

/* Hooks: only failures are hooked (app_hooks.c). */
#define configUSE_IDLE_HOOK                        0
#define configUSE_TICK_HOOK                        0
#define configUSE_MALLOC_FAILED_HOOK               1
#define configCHECK_FOR_STACK_OVERFLOW             2
#define configUSE_DAEMON_TASK_STARTUP_HOOK         0

/* Features the demo does not use stay off, which also keeps the timer
 * daemon task (and its context switches) out of the simulator. */
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

/* A failed assertion stops the program with file and line (app_hooks.c). */
void vAssertCalled( const char * pcFile, unsigned long ulLine );
#define configASSERT( x )    do { if( ( x ) == 0 ) { vAssertCalled( __FILE__, __LINE__ ); } } while( 0 )

#endif /* FREERTOS_CONFIG_H */
