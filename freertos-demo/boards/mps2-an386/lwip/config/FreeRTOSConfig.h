/*
 * FreeRTOS configuration of the board's lwIP firmware: the board's own
 * (boards/mps2-an386/FreeRTOSConfig.h, found next on the include path),
 * plus what lwIP's FreeRTOS port (contrib/ports/freertos/sys_arch.c)
 * needs: recursive mutexes for sys_mutex_t.
 */
#ifndef LWIP_BOARD_FREERTOS_CONFIG_H
#define LWIP_BOARD_FREERTOS_CONFIG_H

#include_next "FreeRTOSConfig.h"

#undef configUSE_RECURSIVE_MUTEXES
#define configUSE_RECURSIVE_MUTEXES    1

#endif /* LWIP_BOARD_FREERTOS_CONFIG_H */
