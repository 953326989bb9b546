/*
 * FreeRTOS configuration of the board's lwIP firmware: the board's own
 * (boards/mps2-an386/FreeRTOSConfig.h, found next on the include path),
 * plus what lwIP's FreeRTOS port (contrib/ports/freertos/sys_arch.c)
 * needs: recursive mutexes for sys_mutex_t; and run-time statistics
 * (board_runtime_stats.h), so that the instructions of a handshake and of
 * lwIP's tasks meanwhile can be counted under -icount.
 */
#ifndef LWIP_BOARD_FREERTOS_CONFIG_H
#define LWIP_BOARD_FREERTOS_CONFIG_H

#include_next "FreeRTOSConfig.h"
#include "board_runtime_stats.h"

#undef configUSE_RECURSIVE_MUTEXES
#define configUSE_RECURSIVE_MUTEXES    1
/* The tcpip and Ethernet receive tasks, found by name for the report. */
#define INCLUDE_xTaskGetHandle         1

#endif /* LWIP_BOARD_FREERTOS_CONFIG_H */
