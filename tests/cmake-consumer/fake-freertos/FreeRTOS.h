/* Minimal stand-in for FreeRTOS.h: the consumer test needs only what
 * iot_tls.h expects from it (BaseType_t as on the POSIX and Cortex-M ports,
 * and the include guard it checks). */
#ifndef INC_FREERTOS_H
#define INC_FREERTOS_H
typedef long BaseType_t;
#endif
