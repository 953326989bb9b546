/*
 * FreeRTOS application hooks of the simulator programs (app_hooks.c).
 */
#ifndef APP_HOOKS_H
#define APP_HOOKS_H

#include <stdint.h>

/* How many pvPortMalloc calls have failed so far (malloc-failed hook). */
extern volatile uint32_t ulMallocFailures;

/* Gives the TLS layer what the platform knows (the UTC clock, so that
 * server certificate dates are checked). Call before the first TLS_Connect. */
void vAppRegisterTlsHooks( void );

/* Wipe the TLS layer's cached sessions (nothing with the C original). */
void vAppForgetTlsSessions( void );

#endif /* APP_HOOKS_H */
