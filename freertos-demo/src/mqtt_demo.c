/*
 * coreMQTT mutual-TLS demo: per iteration, TCP + TLS connect, MQTT CONNECT,
 * SUBSCRIBE, PUBLISH QoS 1 messages to the subscribed topic and wait for
 * each to come back, UNSUBSCRIBE, DISCONNECT. Every wait has a deadline.
 */
#include "mqtt_demo.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"

#include "core_mqtt.h"
#include "tls_transport.h"

#define DEMO_CONNECT_TIMEOUT_MS       ( 5000U )
#define DEMO_SOCKET_TIMEOUT_MS        ( 50U )
#define DEMO_CONNACK_TIMEOUT_MS       ( 5000U )
#define DEMO_ACK_TIMEOUT_MS           ( 5000U )
#define DEMO_PROCESS_LOOP_MS          ( 50U )
#define DEMO_KEEP_ALIVE_S             ( 60U )
#define DEMO_PAUSE_BETWEEN_RUNS_MS    ( 200U )
#define DEMO_PAYLOAD_MAX              ( 96U )
#define DEMO_NETWORK_BUFFER_SIZE      ( 1024U )

/* What the event callback has seen; reset before each wait. */
typedef struct DemoState
{
    uint16_t usAwaitedPacketId;   /* SUBACK / UNSUBACK / PUBACK being waited for. */
    bool xAckReceived;
    bool xSubscribeRefused;
    char acExpectedPayload[ DEMO_PAYLOAD_MAX ];
    bool xPayloadReceived;
    uint32_t ulReceived;          /* Matching PUBLISHes received, whole run. */
    uint32_t ulUnexpected;        /* PUBLISHes that matched nothing expected. */
    const char * pcTopic;
} DemoState_t;

static DemoState_t xState;
static uint8_t ucNetworkBuffer[ DEMO_NETWORK_BUFFER_SIZE ];

static uint32_t prvGetTimeMs( void )
{
    /* configTICK_RATE_HZ is 1000: one tick is one millisecond. */
    return ( uint32_t ) xTaskGetTickCount();
}

static void prvEventCallback( MQTTContext_t * pxContext,
                              MQTTPacketInfo_t * pxPacket,
                              MQTTDeserializedInfo_t * pxInfo )
{
    uint8_t ucType = pxPacket->type & 0xF0U;

    ( void ) pxContext;

    if( ucType == MQTT_PACKET_TYPE_PUBLISH )
    {
        const MQTTPublishInfo_t * pxPublish = pxInfo->pPublishInfo;
        size_t xExpectedLength = strlen( xState.acExpectedPayload );

        printf( "[demo] RECEIVED topic=%.*s payload=\"%.*s\"\n",
                ( int ) pxPublish->topicNameLength, pxPublish->pTopicName,
                ( int ) pxPublish->payloadLength, ( const char * ) pxPublish->pPayload );

        if( ( pxPublish->topicNameLength == strlen( xState.pcTopic ) ) &&
            ( memcmp( pxPublish->pTopicName, xState.pcTopic, pxPublish->topicNameLength ) == 0 ) &&
            ( pxPublish->payloadLength == xExpectedLength ) &&
            ( xExpectedLength > 0U ) &&
            ( memcmp( pxPublish->pPayload, xState.acExpectedPayload, xExpectedLength ) == 0 ) )
        {
            xState.xPayloadReceived = true;
            xState.ulReceived++;
            xState.acExpectedPayload[ 0 ] = '\0'; /* A duplicate must not count twice. */
        }
        else
        {
            xState.ulUnexpected++;
        }

        return;
    }

    if( pxInfo->packetIdentifier != xState.usAwaitedPacketId )
    {
        return;
    }

    if( ucType == MQTT_PACKET_TYPE_SUBACK )
    {
        /* The only status byte of a one-topic SUBACK: 0x80 means refused. */
        if( ( pxPacket->remainingLength >= 3U ) && ( pxPacket->pRemainingData[ 2 ] == 0x80U ) )
        {
            xState.xSubscribeRefused = true;
        }

        xState.xAckReceived = true;
    }
    else if( ( ucType == MQTT_PACKET_TYPE_UNSUBACK ) || ( ucType == MQTT_PACKET_TYPE_PUBACK ) )
    {
        xState.xAckReceived = true;
    }
}

/* Runs the MQTT loop until *pxFlag is set or ulTimeoutMs passed. */
static bool prvWaitFor( MQTTContext_t * pxContext,
                        const volatile bool * pxFlag,
                        uint32_t ulTimeoutMs,
                        const char * pcWhat )
{
    TickType_t xStart = xTaskGetTickCount();

    while( !*pxFlag )
    {
        MQTTStatus_t xStatus;

        if( ( xTaskGetTickCount() - xStart ) >= pdMS_TO_TICKS( ulTimeoutMs ) )
        {
            printf( "[demo] ERROR: no %s within %u ms\n", pcWhat, ( unsigned ) ulTimeoutMs );
            return false;
        }

        xStatus = MQTT_ProcessLoop( pxContext, DEMO_PROCESS_LOOP_MS );

        if( xStatus != MQTTSuccess )
        {
            printf( "[demo] ERROR: MQTT_ProcessLoop failed while waiting for %s: %s\n",
                    pcWhat, MQTT_Status_strerror( xStatus ) );
            return false;
        }
    }

    return true;
}

/* One connect ... disconnect cycle. Returns the number of messages
 * published, or -1 on a failure (already reported). */
static int32_t prvRunIteration( const MqttDemoConfig_t * pxConfig,
                                uint32_t ulIteration )
{
    NetworkContext_t xNetwork;
    TlsServerInfo_t xServer;
    TransportInterface_t xTransport;
    MQTTFixedBuffer_t xBuffer;
    MQTTContext_t xMqtt;
    MQTTConnectInfo_t xConnectInfo;
    MQTTSubscribeInfo_t xSubscription;
    MQTTStatus_t xStatus;
    bool xSessionPresent = false;
    int32_t lPublished = 0;
    uint32_t ulMessage;

    memset( &xServer, 0, sizeof( xServer ) );
    xServer.pcAddress = pxConfig->pcBrokerAddress;
    xServer.usPort = pxConfig->usBrokerPort;
    xServer.pcHostName = pxConfig->pcBrokerHostName;
    xServer.pcRootCaPem = pxConfig->pcRootCaPem;
    xServer.ulConnectTimeoutMs = DEMO_CONNECT_TIMEOUT_MS;
    xServer.ulSocketTimeoutMs = DEMO_SOCKET_TIMEOUT_MS;

    printf( "[demo] iteration %u: TLS connect to %s:%u (server name %s)\n", ( unsigned ) ulIteration,
            pxConfig->pcBrokerAddress, ( unsigned ) pxConfig->usBrokerPort, pxConfig->pcBrokerHostName );

    if( lTlsTransportConnect( &xNetwork, &xServer ) != 0 )
    {
        printf( "[demo] ERROR: could not establish a TLS session with the broker at %s:%u\n",
                pxConfig->pcBrokerAddress, ( unsigned ) pxConfig->usBrokerPort );
        return -1;
    }

    printf( "[demo] TLS session established, server certificate verified\n" );

    xTransport.pNetworkContext = &xNetwork;
    xTransport.recv = lTlsTransportRecv;
    xTransport.send = lTlsTransportSend;
    xBuffer.pBuffer = ucNetworkBuffer;
    xBuffer.size = sizeof( ucNetworkBuffer );

    xStatus = MQTT_Init( &xMqtt, &xTransport, prvGetTimeMs, prvEventCallback, &xBuffer );

    if( xStatus != MQTTSuccess )
    {
        printf( "[demo] ERROR: MQTT_Init: %s\n", MQTT_Status_strerror( xStatus ) );
        vTlsTransportDisconnect( &xNetwork );
        return -1;
    }

    memset( &xConnectInfo, 0, sizeof( xConnectInfo ) );
    xConnectInfo.cleanSession = true;
    xConnectInfo.pClientIdentifier = pxConfig->pcClientId;
    xConnectInfo.clientIdentifierLength = ( uint16_t ) strlen( pxConfig->pcClientId );
    xConnectInfo.keepAliveSeconds = DEMO_KEEP_ALIVE_S;

    printf( "[demo] MQTT CONNECT as client id \"%s\"\n", pxConfig->pcClientId );
    xStatus = MQTT_Connect( &xMqtt, &xConnectInfo, NULL, DEMO_CONNACK_TIMEOUT_MS, &xSessionPresent );

    if( xStatus != MQTTSuccess )
    {
        printf( "[demo] ERROR: MQTT CONNECT failed: %s\n", MQTT_Status_strerror( xStatus ) );
        vTlsTransportDisconnect( &xNetwork );
        return -1;
    }

    memset( &xSubscription, 0, sizeof( xSubscription ) );
    xSubscription.qos = MQTTQoS1;
    xSubscription.pTopicFilter = pxConfig->pcTopic;
    xSubscription.topicFilterLength = ( uint16_t ) strlen( pxConfig->pcTopic );

    xState.usAwaitedPacketId = MQTT_GetPacketId( &xMqtt );
    xState.xAckReceived = false;
    xState.xSubscribeRefused = false;
    printf( "[demo] SUBSCRIBE %s (QoS 1)\n", pxConfig->pcTopic );
    xStatus = MQTT_Subscribe( &xMqtt, &xSubscription, 1, xState.usAwaitedPacketId );

    if( ( xStatus != MQTTSuccess ) ||
        !prvWaitFor( &xMqtt, &xState.xAckReceived, DEMO_ACK_TIMEOUT_MS, "SUBACK" ) ||
        xState.xSubscribeRefused )
    {
        printf( "[demo] ERROR: SUBSCRIBE failed: %s\n",
                xState.xSubscribeRefused ? "refused by the broker" : MQTT_Status_strerror( xStatus ) );
        ( void ) MQTT_Disconnect( &xMqtt );
        vTlsTransportDisconnect( &xNetwork );
        return -1;
    }

    for( ulMessage = 1; ulMessage <= pxConfig->ulMessagesPerIteration; ulMessage++ )
    {
        MQTTPublishInfo_t xPublish;

        ( void ) snprintf( xState.acExpectedPayload, sizeof( xState.acExpectedPayload ),
                           "message %u of iteration %u from %s", ( unsigned ) ulMessage,
                           ( unsigned ) ulIteration, pxConfig->pcClientId );
        xState.xPayloadReceived = false;
        xState.xAckReceived = false;
        xState.usAwaitedPacketId = MQTT_GetPacketId( &xMqtt );

        memset( &xPublish, 0, sizeof( xPublish ) );
        xPublish.qos = MQTTQoS1;
        xPublish.pTopicName = pxConfig->pcTopic;
        xPublish.topicNameLength = ( uint16_t ) strlen( pxConfig->pcTopic );
        xPublish.pPayload = xState.acExpectedPayload;
        xPublish.payloadLength = strlen( xState.acExpectedPayload );

        printf( "[demo] PUBLISHED topic=%s payload=\"%s\"\n", pxConfig->pcTopic, xState.acExpectedPayload );
        xStatus = MQTT_Publish( &xMqtt, &xPublish, xState.usAwaitedPacketId );

        if( xStatus != MQTTSuccess )
        {
            printf( "[demo] ERROR: PUBLISH failed: %s\n", MQTT_Status_strerror( xStatus ) );
            break;
        }

        lPublished++;

        /* Both the broker's PUBACK and our own message coming back. */
        if( !prvWaitFor( &xMqtt, &xState.xAckReceived, DEMO_ACK_TIMEOUT_MS, "PUBACK" ) ||
            !prvWaitFor( &xMqtt, &xState.xPayloadReceived, DEMO_ACK_TIMEOUT_MS, "published message to come back" ) )
        {
            break;
        }
    }

    xState.acExpectedPayload[ 0 ] = '\0';
    xState.xAckReceived = false;
    xState.usAwaitedPacketId = MQTT_GetPacketId( &xMqtt );
    printf( "[demo] UNSUBSCRIBE %s\n", pxConfig->pcTopic );
    xStatus = MQTT_Unsubscribe( &xMqtt, &xSubscription, 1, xState.usAwaitedPacketId );

    if( ( xStatus != MQTTSuccess ) ||
        !prvWaitFor( &xMqtt, &xState.xAckReceived, DEMO_ACK_TIMEOUT_MS, "UNSUBACK" ) )
    {
        printf( "[demo] ERROR: UNSUBSCRIBE failed: %s\n", MQTT_Status_strerror( xStatus ) );
        lPublished = -1;
    }

    printf( "[demo] MQTT DISCONNECT\n" );
    xStatus = MQTT_Disconnect( &xMqtt );

    if( xStatus != MQTTSuccess )
    {
        printf( "[demo] ERROR: MQTT DISCONNECT failed: %s\n", MQTT_Status_strerror( xStatus ) );
        lPublished = -1;
    }

    vTlsTransportDisconnect( &xNetwork );
    return lPublished;
}

void vMqttDemoTask( void * pvConfig )
{
    const MqttDemoConfig_t * pxConfig = ( const MqttDemoConfig_t * ) pvConfig;
    uint32_t ulIteration;
    uint32_t ulPublished = 0;
    uint32_t ulExpected = pxConfig->ulIterations * pxConfig->ulMessagesPerIteration;
    bool xFailed = false;

    memset( &xState, 0, sizeof( xState ) );
    xState.pcTopic = pxConfig->pcTopic;

    for( ulIteration = 1; ulIteration <= pxConfig->ulIterations; ulIteration++ )
    {
        int32_t lPublished = prvRunIteration( pxConfig, ulIteration );

        if( lPublished < 0 )
        {
            xFailed = true;
            break;
        }

        ulPublished += ( uint32_t ) lPublished;

        if( ulIteration < pxConfig->ulIterations )
        {
            vTaskDelay( pdMS_TO_TICKS( DEMO_PAUSE_BETWEEN_RUNS_MS ) );
        }
    }

    xFailed = xFailed || ( ulPublished != ulExpected ) || ( xState.ulReceived != ulExpected ) ||
              ( xState.ulUnexpected != 0U );

    printf( "[demo] FreeRTOS heap: %u bytes, minimum ever free %u bytes (peak use %u bytes)\n",
            ( unsigned ) configTOTAL_HEAP_SIZE, ( unsigned ) xPortGetMinimumEverFreeHeapSize(),
            ( unsigned ) ( configTOTAL_HEAP_SIZE - xPortGetMinimumEverFreeHeapSize() ) );
    printf( "[demo] SUMMARY published=%u received=%u expected=%u unexpected=%u result=%s\n",
            ( unsigned ) ulPublished, ( unsigned ) xState.ulReceived, ( unsigned ) ulExpected,
            ( unsigned ) xState.ulUnexpected, xFailed ? "FAIL" : "PASS" );
    ( void ) fflush( stdout );

    /* The simulator has nothing left to do: end the process from here. */
    exit( xFailed ? EXIT_FAILURE : EXIT_SUCCESS );
}
