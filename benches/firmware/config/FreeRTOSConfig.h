/*
 * The firmware benchmark's FreeRTOS configuration: the board's own
 * (boards/mps2-an386/FreeRTOSConfig.h, found next on the include path),
 * plus run-time statistics, so that the kernel accounts to each task the
 * virtual time it ran. Under QEMU -icount shift=0 one instruction takes one
 * nanosecond of virtual time, so a task's run-time counter counts its
 * instructions (and those of interrupts taken while it ran), not the time
 * it spent blocked waiting for the peer.
 */
#ifndef BENCH_FREERTOS_CONFIG_H
#define BENCH_FREERTOS_CONFIG_H

#include_next "FreeRTOSConfig.h"

#undef configGENERATE_RUN_TIME_STATS
#define configGENERATE_RUN_TIME_STATS              1
/* 64 bits: the 25 MHz counter below wraps its 32 bits every 172 s. */
#define configRUN_TIME_COUNTER_TYPE                uint64_t

/* APB timer 1 (timer 0 is the emulator-only entropy source's), 25 MHz:
 * one count per 40 ns, i.e. per 40 instructions under -icount shift=0. */
void vBenchRunTimeCounterStart( void );
uint64_t ullBenchRunTimeCounter( void );
#define portCONFIGURE_TIMER_FOR_RUN_TIME_STATS()    vBenchRunTimeCounterStart()
#define portGET_RUN_TIME_COUNTER_VALUE()            ullBenchRunTimeCounter()

#endif /* BENCH_FREERTOS_CONFIG_H */
