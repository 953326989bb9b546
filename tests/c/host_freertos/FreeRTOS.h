/* Minimal host stand-in for FreeRTOS.h: only what iot_tls.h needs.
 * BaseType_t is `long`, as on the POSIX simulator and Cortex-M ports. */
#ifndef INC_FREERTOS_H
#define INC_FREERTOS_H
typedef long BaseType_t;
#endif
