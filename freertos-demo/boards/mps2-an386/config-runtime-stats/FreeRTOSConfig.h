/*
 * The board's FreeRTOS configuration (found next on the include path) with
 * run-time statistics (board_runtime_stats.h): the UART demo built this
 * way counts its handshakes' instructions under -icount, as the lwIP
 * firmware does, for scripts/bench-firmware-lwip.sh.
 */
#ifndef BOARD_RUNTIME_STATS_FREERTOS_CONFIG_H
#define BOARD_RUNTIME_STATS_FREERTOS_CONFIG_H

#include_next "FreeRTOSConfig.h"
#include "board_runtime_stats.h"

#endif /* BOARD_RUNTIME_STATS_FREERTOS_CONFIG_H */
