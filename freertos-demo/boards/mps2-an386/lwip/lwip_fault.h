/*
 * The lwIP firmware's fault scenario (fault=drop|stall on its command
 * line): the broker side drops or stalls the first connection after the
 * MQTT session is up; the firmware must report the documented codes, free
 * everything, and reconnect with session resumption. lwip_fault.c says
 * what is expected of each; scripts/test-board-lwip.sh runs both.
 */
#ifndef LWIP_FAULT_H
#define LWIP_FAULT_H

#include "mqtt_demo.h"

/* Runs the scenario and ends the run: exit status 0 when every check
 * passed (the "[fault] SUMMARY ... result=PASS" line). */
void vLwipFaultScenario( const MqttDemoConfig_t * pxConfig,
                         const char * pcFault ) __attribute__( ( noreturn ) );

#endif /* LWIP_FAULT_H */
