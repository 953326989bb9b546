/*
 * Faults on the lwIP path; see lwip_fault.h. The broker side (the test's
 * proxy behind QEMU's guestfwd, scripts/lwip-guestfwd-proxy.py) breaks the
 * first connection once the broker's SUBACK has reached the firmware:
 *
 *   drop   when the firmware next sends (its first PUBLISH), the proxy
 *          closes the TCP connection instead (FIN, no TLS close_notify). The
 *          socket's receive returns 0 (end of stream), which the stream
 *          passes up as negative, so TLS_Recv fails with
 *          TLS_ERROR_TRANSPORT (-2009); coreMQTT reports MQTTRecvFailed
 *          (or MQTTSendFailed when the publish meets the dead connection
 *          first).
 *   stall  it keeps the connection open and forwards nothing more.
 *          TLS_Recv keeps returning 0 ("nothing now"), never an error:
 *          the application's own deadline (no PUBACK within
 *          FAULT_ACK_TIMEOUT_MS) detects it, and the application closes.
 *
 * Either way the connection is then torn down (TLS_Cleanup, lwip_close),
 * the FreeRTOS heap is compared with its figure before the first
 * connection, and the firmware reconnects: the second connection must
 * resume the TLS session and carry a full publish/receive cycle. At the
 * end the session cache is wiped and the heap must be back to exactly
 * its starting figure. The result is one line:
 *
 *   [fault] SUMMARY fault=drop tls_code=-2009 mqtt=MQTTRecvFailed ... result=PASS
 */
#include "lwip_fault.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"

#include "aws_tls.h"
#include "core_mqtt.h"

#include "network_stream.h"
#include "tls_transport.h"

#define FAULT_CONNECT_TIMEOUT_MS    ( 5000U )
#define FAULT_SOCKET_TIMEOUT_MS     ( 50U )
#define FAULT_ACK_TIMEOUT_MS        ( 3000U )
#define FAULT_PROCESS_LOOP_MS       ( 50U )
#define FAULT_KEEP_ALIVE_S          ( 60U )
#define FAULT_MAX_PUBLISHES         ( 5U )

typedef struct FaultState
{
    uint16_t usAwaitedPacketId;
    bool xAckReceived;
    bool xPayloadReceived;
    char acPayload[ 64 ];
} FaultState_t;

static FaultState_t xState;
static uint8_t ucBuffer[ 1024 ];

static uint32_t prvTimeMs( void )
{
    return ( uint32_t ) xTaskGetTickCount();
}

static void prvEvent( MQTTContext_t * pxContext,
                      MQTTPacketInfo_t * pxPacket,
                      MQTTDeserializedInfo_t * pxInfo )
{
    uint8_t ucType = pxPacket->type & 0xF0U;

    ( void ) pxContext;

    if( ucType == MQTT_PACKET_TYPE_PUBLISH )
    {
        const MQTTPublishInfo_t * pxPublish = pxInfo->pPublishInfo;

        if( ( pxPublish->payloadLength == strlen( xState.acPayload ) ) &&
            ( memcmp( pxPublish->pPayload, xState.acPayload, pxPublish->payloadLength ) == 0 ) )
        {
            xState.xPayloadReceived = true;
        }
    }
    else if( pxInfo->packetIdentifier == xState.usAwaitedPacketId )
    {
        xState.xAckReceived = true;
    }
}

/* Runs the MQTT loop until *pxFlag is set (MQTTSuccess), an error, or
 * ulTimeoutMs (MQTTKeepAliveTimeout stands for "deadline passed"). */
static MQTTStatus_t prvWaitFor( MQTTContext_t * pxMqtt,
                                const volatile bool * pxFlag,
                                uint32_t ulTimeoutMs )
{
    TickType_t xStart = xTaskGetTickCount();

    while( !*pxFlag )
    {
        MQTTStatus_t xStatus;

        if( ( xTaskGetTickCount() - xStart ) >= pdMS_TO_TICKS( ulTimeoutMs ) )
        {
            return MQTTKeepAliveTimeout;
        }

        xStatus = MQTT_ProcessLoop( pxMqtt, FAULT_PROCESS_LOOP_MS );

        if( xStatus != MQTTSuccess )
        {
            return xStatus;
        }
    }

    return MQTTSuccess;
}

/* One QoS 1 message to the subscribed topic; waits for PUBACK and for the
 * message itself. */
static MQTTStatus_t prvPublishOne( MQTTContext_t * pxMqtt,
                                   const char * pcTopic,
                                   uint32_t ulNumber )
{
    MQTTPublishInfo_t xPublish;
    MQTTStatus_t xStatus;

    ( void ) snprintf( xState.acPayload, sizeof( xState.acPayload ), "fault-test message %lu",
                       ( unsigned long ) ulNumber );
    memset( &xPublish, 0, sizeof( xPublish ) );
    xPublish.qos = MQTTQoS1;
    xPublish.pTopicName = pcTopic;
    xPublish.topicNameLength = ( uint16_t ) strlen( pcTopic );
    xPublish.pPayload = xState.acPayload;
    xPublish.payloadLength = strlen( xState.acPayload );
    xState.xAckReceived = false;
    xState.xPayloadReceived = false;
    xState.usAwaitedPacketId = MQTT_GetPacketId( pxMqtt );

    xStatus = MQTT_Publish( pxMqtt, &xPublish, xState.usAwaitedPacketId );

    if( xStatus == MQTTSuccess )
    {
        xStatus = prvWaitFor( pxMqtt, &xState.xAckReceived, FAULT_ACK_TIMEOUT_MS );
    }

    if( xStatus == MQTTSuccess )
    {
        xStatus = prvWaitFor( pxMqtt, &xState.xPayloadReceived, FAULT_ACK_TIMEOUT_MS );
    }

    printf( "[fault]   PUBLISH \"%s\": %s\n", xState.acPayload,
            ( xStatus == MQTTKeepAliveTimeout ) ? "no answer within the deadline" : MQTT_Status_strerror( xStatus ) );
    return xStatus;
}

typedef struct SessionResult
{
    bool xConnected;       /* TLS and MQTT CONNECT + SUBSCRIBE done. */
    BaseType_t xResumed;   /* TLS_IsSessionResumed. */
    MQTTStatus_t xFailure; /* What ended the publishing (MQTTSuccess: nothing did). */
    BaseType_t xTlsCode;   /* TLS_Recv's sticky code after it (0: none). */
    uint32_t ulPublished;  /* Messages acknowledged and received back. */
    uint32_t ulEmptyReads; /* "Nothing now" receives while publishing. */
} SessionResult_t;

/* One connection: TLS, MQTT CONNECT, SUBSCRIBE, then up to ulMessages
 * publishes until one fails; then the teardown every failure takes. */
static void prvSession( const MqttDemoConfig_t * pxConfig,
                        uint32_t ulMessages,
                        SessionResult_t * pxResult )
{
    NetworkContext_t xNetwork;
    TlsServerInfo_t xServer;
    TransportInterface_t xTransport;
    MQTTFixedBuffer_t xFixed;
    MQTTContext_t xMqtt;
    MQTTConnectInfo_t xConnect;
    MQTTSubscribeInfo_t xSubscription;
    MQTTStatus_t xStatus;
    LwipStreamStats_t xStats;
    bool xSessionPresent = false;
    uint32_t ulEmptyBefore;

    memset( pxResult, 0, sizeof( *pxResult ) );
    pxResult->xFailure = MQTTSuccess;
    memset( &xServer, 0, sizeof( xServer ) );
    xServer.pcAddress = pxConfig->pcBrokerAddress;
    xServer.usPort = pxConfig->usBrokerPort;
    xServer.pcHostName = pxConfig->pcBrokerHostName;
    xServer.pcRootCaPem = pxConfig->pcRootCaPem;
    xServer.ulConnectTimeoutMs = FAULT_CONNECT_TIMEOUT_MS;
    xServer.ulSocketTimeoutMs = FAULT_SOCKET_TIMEOUT_MS;

    if( lTlsTransportConnect( &xNetwork, &xServer ) != 0 )
    {
        pxResult->xFailure = MQTTServerRefused;
        return;
    }

    pxResult->xResumed = TLS_IsSessionResumed( xNetwork.pvTlsContext );
    xTransport.pNetworkContext = &xNetwork;
    xTransport.recv = lTlsTransportRecv;
    xTransport.send = lTlsTransportSend;
    xFixed.pBuffer = ucBuffer;
    xFixed.size = sizeof( ucBuffer );
    memset( &xConnect, 0, sizeof( xConnect ) );
    xConnect.cleanSession = true;
    xConnect.pClientIdentifier = pxConfig->pcClientId;
    xConnect.clientIdentifierLength = ( uint16_t ) strlen( pxConfig->pcClientId );
    xConnect.keepAliveSeconds = FAULT_KEEP_ALIVE_S;
    memset( &xSubscription, 0, sizeof( xSubscription ) );
    xSubscription.qos = MQTTQoS1;
    xSubscription.pTopicFilter = pxConfig->pcTopic;
    xSubscription.topicFilterLength = ( uint16_t ) strlen( pxConfig->pcTopic );

    xStatus = MQTT_Init( &xMqtt, &xTransport, prvTimeMs, prvEvent, &xFixed );

    if( xStatus == MQTTSuccess )
    {
        xStatus = MQTT_Connect( &xMqtt, &xConnect, NULL, FAULT_ACK_TIMEOUT_MS, &xSessionPresent );
    }

    if( xStatus == MQTTSuccess )
    {
        xState.xAckReceived = false;
        xState.usAwaitedPacketId = MQTT_GetPacketId( &xMqtt );
        xStatus = MQTT_Subscribe( &xMqtt, &xSubscription, 1, xState.usAwaitedPacketId );

        if( xStatus == MQTTSuccess )
        {
            xStatus = prvWaitFor( &xMqtt, &xState.xAckReceived, FAULT_ACK_TIMEOUT_MS );
        }
    }

    printf( "[fault]   TLS %s, MQTT CONNECT + SUBSCRIBE: %s\n", pxResult->xResumed == 1 ? "resumed" : "full handshake",
            MQTT_Status_strerror( xStatus ) );
    pxResult->xConnected = ( xStatus == MQTTSuccess );
    vNetworkStreamGetStats( &xStats );
    ulEmptyBefore = xStats.ulEmptyReads;

    while( ( xStatus == MQTTSuccess ) && ( pxResult->ulPublished < ulMessages ) )
    {
        xStatus = prvPublishOne( &xMqtt, pxConfig->pcTopic, pxResult->ulPublished + 1U );

        if( xStatus == MQTTSuccess )
        {
            pxResult->ulPublished++;
        }
    }

    vNetworkStreamGetStats( &xStats );
    pxResult->ulEmptyReads = xStats.ulEmptyReads - ulEmptyBefore;
    pxResult->xFailure = xStatus;
    /* Errors are sticky in the TLS layer: a zero-length TLS_Recv returns
     * the one that ended the session, or 0 when there was none. */
    pxResult->xTlsCode = TLS_Recv( xNetwork.pvTlsContext, NULL, 0 );

    if( xStatus == MQTTSuccess )
    {
        ( void ) MQTT_Disconnect( &xMqtt );
    }

    vTlsTransportDisconnect( &xNetwork );
}

/* A transport that refuses every byte (prvStartPsa). */
static BaseType_t prvRefuseSend( void * pvCtx,
                                 const unsigned char * pucData,
                                 size_t xLength )
{
    ( void ) pvCtx;
    ( void ) pucData;
    ( void ) xLength;
    return -1;
}

static BaseType_t prvRefuseRecv( void * pvCtx,
                                 unsigned char * pucBuffer,
                                 size_t xLength )
{
    ( void ) pvCtx;
    ( void ) pucBuffer;
    ( void ) xLength;
    return -1;
}

/* PSA crypto (mbedTLS's crypto core under TLS 1.3 and
 * MBEDTLS_USE_PSA_CRYPTO) starts at the library's first TLS_Connect and
 * keeps its state for the image's life: its random generator, and its key
 * store, which grows on the heap at the first key (the ClientHello's key
 * share). A connection whose transport refuses its ClientHello does both
 * here, before the heap baseline, so that "the heap is back to its start"
 * measures what connections leave behind, not PSA's one-off state.
 * (TLS_InitCrypto alone starts PSA but makes no key: 904 B of key store
 * then stay after the first real connection.) */
static void prvStartPsa( void )
{
    TLSParams_t xParams;
    void * pvTls = NULL;
    BaseType_t xResult;

    memset( &xParams, 0, sizeof( xParams ) );
    xParams.ulSize = sizeof( xParams );
    xParams.pcDestination = "localhost";
    xParams.pxNetworkRecv = prvRefuseRecv;
    xParams.pxNetworkSend = prvRefuseSend;

    if( TLS_Init( &pvTls, &xParams ) == 0 )
    {
        xResult = TLS_Connect( pvTls );
        printf( "[fault] PSA started by a connection whose transport refuses to send (TLS_Connect: %ld)\n",
                ( long ) xResult );
    }

    TLS_Cleanup( pvTls );
}

void vLwipFaultScenario( const MqttDemoConfig_t * pxConfig,
                         const char * pcFault )
{
    SessionResult_t xFirst, xSecond;
    size_t xHeapStart, xHeapAfterFault, xHeapAfterReconnect, xHeapEnd;
    bool xStall = ( strcmp( pcFault, "stall" ) == 0 );
    bool xFaultAsExpected, xPass;

    prvStartPsa();
    xHeapStart = xPortGetFreeHeapSize();
    printf( "[fault] scenario \"%s\": FreeRTOS heap free before the first connection: %u bytes\n", pcFault,
            ( unsigned ) xHeapStart );

    printf( "[fault] connection 1 (the broker side will %s it after SUBACK)\n", xStall ? "stall" : "drop" );
    prvSession( pxConfig, FAULT_MAX_PUBLISHES, &xFirst );
    xHeapAfterFault = xPortGetFreeHeapSize();
    printf( "[fault] connection 1 ended: %s, TLS code %ld, %lu \"nothing now\" receives; heap free %u "
            "(start %u: the difference is the cached TLS session)\n",
            ( xFirst.xFailure == MQTTKeepAliveTimeout ) ? "deadline passed" : MQTT_Status_strerror( xFirst.xFailure ),
            ( long ) xFirst.xTlsCode, ( unsigned long ) xFirst.ulEmptyReads, ( unsigned ) xHeapAfterFault,
            ( unsigned ) xHeapStart );

    printf( "[fault] connection 2 (reconnect)\n" );
    prvSession( pxConfig, 1U, &xSecond );
    xHeapAfterReconnect = xPortGetFreeHeapSize();

    TLS_ClearSessionCache();
    xHeapEnd = xPortGetFreeHeapSize();

    if( xStall )
    {
        /* Quiet, not broken: no TLS error, only the deadline. */
        xFaultAsExpected = ( xFirst.xFailure == MQTTKeepAliveTimeout ) && ( xFirst.xTlsCode == 0 ) &&
                           ( xFirst.ulEmptyReads > 0U );
    }
    else
    {
        xFaultAsExpected = ( ( xFirst.xFailure == MQTTRecvFailed ) || ( xFirst.xFailure == MQTTSendFailed ) ) &&
                           ( xFirst.xTlsCode == TLS_ERROR_TRANSPORT );
    }

    xPass = xFirst.xConnected && ( xFirst.xResumed == 0 ) && ( xFirst.ulPublished == 0U ) && xFaultAsExpected &&
            xSecond.xConnected && ( xSecond.xResumed == 1 ) && ( xSecond.ulPublished == 1U ) &&
            ( xSecond.xFailure == MQTTSuccess ) && ( xHeapEnd == xHeapStart );

    printf( "[fault] SUMMARY fault=%s mqtt=%s tls_code=%ld empty_reads=%lu reconnect_resumed=%ld reconnect_published=%lu "
            "heap_start=%u heap_after_fault=%u heap_after_reconnect=%u heap_end=%u result=%s\n",
            pcFault,
            ( xFirst.xFailure == MQTTKeepAliveTimeout ) ? "deadline" : MQTT_Status_strerror( xFirst.xFailure ),
            ( long ) xFirst.xTlsCode, ( unsigned long ) xFirst.ulEmptyReads, ( long ) xSecond.xResumed,
            ( unsigned long ) xSecond.ulPublished, ( unsigned ) xHeapStart, ( unsigned ) xHeapAfterFault,
            ( unsigned ) xHeapAfterReconnect, ( unsigned ) xHeapEnd, xPass ? "PASS" : "FAIL" );
    ( void ) fflush( stdout );
    exit( xPass ? 0 : 1 );
}
