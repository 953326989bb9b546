/*
 * FreeRTOS run-time statistics on the mps2-an386 board, for a
 * FreeRTOSConfig.h wrapper that wants them (lwip/config/FreeRTOSConfig.h,
 * config-runtime-stats/FreeRTOSConfig.h): the kernel accounts to each task
 * the time it ran, counted by the CMSDK APB timer 1 (timer 0 is the
 * emulator-only entropy source's) at 25 MHz of QEMU's virtual clock. Under
 * -icount shift=0 one instruction takes 1 ns, so one count is 40
 * instructions: ulTaskGetRunTimeCounter() * BOARD_RUNTIME_NS_PER_COUNT is
 * the instructions a task executed (interrupts taken meanwhile included).
 * 32 bits of counts last 172 s of virtual time, longer than any run here.
 */
#ifndef BOARD_RUNTIME_STATS_H
#define BOARD_RUNTIME_STATS_H

#define BOARD_TIMER1_CTRL             ( *( volatile uint32_t * ) 0x40001000UL )
#define BOARD_TIMER1_VALUE            ( *( volatile uint32_t * ) 0x40001004UL )
#define BOARD_TIMER1_RELOAD           ( *( volatile uint32_t * ) 0x40001008UL )
#define BOARD_RUNTIME_NS_PER_COUNT    ( 40U )

#undef configGENERATE_RUN_TIME_STATS
#define configGENERATE_RUN_TIME_STATS    1
#define portCONFIGURE_TIMER_FOR_RUN_TIME_STATS()                           \
    do {                                                                   \
        BOARD_TIMER1_RELOAD = 0xFFFFFFFFUL;                                \
        BOARD_TIMER1_VALUE = 0xFFFFFFFFUL;                                 \
        BOARD_TIMER1_CTRL = 1UL; /* Enable: counts down from the reload. */ \
    } while( 0 )
#define portGET_RUN_TIME_COUNTER_VALUE()    ( 0xFFFFFFFFUL - BOARD_TIMER1_VALUE )

#endif /* BOARD_RUNTIME_STATS_H */
