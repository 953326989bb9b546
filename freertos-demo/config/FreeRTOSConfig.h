/*
 * FreeRTOS configuration of the coreMQTT mutual-TLS demo (POSIX simulator,
 * GCC_POSIX port): what differs from the settings every platform shares
 * (FreeRTOSConfig_shared.h). Written for this project.
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

/* The GCC_POSIX port has no optimised task selection; 64-bit ticks. */
#define configUSE_PORT_OPTIMISED_TASK_SELECTION    0
#define configTICK_TYPE_WIDTH_IN_BITS              TICK_TYPE_WIDTH_64_BITS

/* On the POSIX port every task runs on its own pthread with a host-sized
 * stack; this is the FreeRTOS bookkeeping stack, in words. */
#define configMINIMAL_STACK_SIZE                   ( ( unsigned short ) 1024 )

/* heap_4, so the low-water mark of the heap is observable with
 * xPortGetMinimumEverFreeHeapSize(); mbedTLS's calloc/free are mapped onto
 * it in app_hooks.c. The heap array is the application's, so that free()
 * can tell FreeRTOS blocks from host ones. Sized for the stress test's
 * four concurrent connections plus their task stacks. */
#define configTOTAL_HEAP_SIZE                      ( ( size_t ) ( 1024 * 1024 ) )
#define configAPPLICATION_ALLOCATED_HEAP           1

/* No idle hook: the host's scheduler idles the process. */
#define configUSE_IDLE_HOOK                        0

#include "FreeRTOSConfig_shared.h"

#endif /* FREERTOS_CONFIG_H */
