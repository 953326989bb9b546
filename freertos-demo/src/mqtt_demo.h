/* The coreMQTT mutual-TLS demo task. */
#ifndef MQTT_DEMO_H
#define MQTT_DEMO_H

#include <stdint.h>

typedef struct MqttDemoConfig
{
    const char * pcBrokerAddress;  /* TCP address, e.g. "127.0.0.1". */
    uint16_t usBrokerPort;
    const char * pcBrokerHostName; /* Name in the broker's certificate. */
    const char * pcRootCaPem;      /* Trust anchor for the broker. */
    const char * pcClientId;
    const char * pcTopic;
    uint32_t ulIterations;         /* Connect ... disconnect cycles. */
    uint32_t ulMessagesPerIteration;
} MqttDemoConfig_t;

/* FreeRTOS task: runs the demo, prints a summary and ends the process with
 * exit status 0 only when every published message came back. */
void vMqttDemoTask( void * pvConfig );

#endif /* MQTT_DEMO_H */
