/*
 * Entry point of the coreMQTT mutual-TLS demo on the FreeRTOS POSIX
 * simulator. Settings come from the environment (set by scripts/demo.sh):
 *
 *   DEMO_BROKER_PORT     broker TLS port (required)
 *   DEMO_ROOT_CA         PEM file with the CA that signed the broker (required)
 *   DEMO_BROKER_ADDRESS  TCP address, default 127.0.0.1
 *   DEMO_BROKER_NAME     name the broker certificate carries, default localhost
 *   DEMO_CLIENT_ID       MQTT client id, default freertos-tls-demo-<pid>
 *   DEMO_ITERATIONS      connect/disconnect cycles, default 3
 *   DEMO_MESSAGES        QoS 1 messages per cycle, default 3
 *
 * The client key and certificate are not files: the TLS layer takes them
 * from the PKCS#11 token (SoftHSM2, configured through SOFTHSM2_CONF).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "FreeRTOS.h"
#include "task.h"

#include "app_hooks.h"
#include "settings.h"
#include "mqtt_demo.h"

#define DEMO_TASK_STACK_WORDS    ( 4096U )
#define DEMO_TASK_PRIORITY       ( tskIDLE_PRIORITY + 1U )
#define DEMO_MAX_PEM_BYTES       ( 64U * 1024U )

static MqttDemoConfig_t xDemoConfig;
static char acClientId[ 64 ];
static char acTopic[ 128 ];

int main( void )
{
    const char * pcRootCaPath = getenv( "DEMO_ROOT_CA" );
    unsigned long ulPort = ulSettingsNumber( "DEMO_BROKER_PORT", 0, 65535 );
    unsigned long ulIterations = ulSettingsNumber( "DEMO_ITERATIONS", 3, 100 );
    unsigned long ulMessages = ulSettingsNumber( "DEMO_MESSAGES", 3, 100 );

    /* Line-buffered output keeps the log in order when piped. */
    ( void ) setvbuf( stdout, NULL, _IOLBF, 0 );

    if( ( ulPort == 0U ) || ( pcRootCaPath == NULL ) || ( pcRootCaPath[ 0 ] == '\0' ) ||
        ( ulIterations == 0U ) || ( ulMessages == 0U ) )
    {
        printf( "[demo] ERROR: set DEMO_BROKER_PORT and DEMO_ROOT_CA (see scripts/demo.sh)\n" );
        return EXIT_FAILURE;
    }

    ( void ) snprintf( acClientId, sizeof( acClientId ), "%s",
                       pcSettingsText( "DEMO_CLIENT_ID", "" ) );

    if( acClientId[ 0 ] == '\0' )
    {
        ( void ) snprintf( acClientId, sizeof( acClientId ), "freertos-tls-demo-%ld", ( long ) getpid() );
    }

    ( void ) snprintf( acTopic, sizeof( acTopic ), "freertos-tls/demo/%s", acClientId );

    xDemoConfig.pcBrokerAddress = pcSettingsText( "DEMO_BROKER_ADDRESS", "127.0.0.1" );
    xDemoConfig.usBrokerPort = ( uint16_t ) ulPort;
    xDemoConfig.pcBrokerHostName = pcSettingsText( "DEMO_BROKER_NAME", "localhost" );
    xDemoConfig.pcRootCaPem = pcSettingsReadTextFile( pcRootCaPath, DEMO_MAX_PEM_BYTES );
    xDemoConfig.pcClientId = acClientId;
    xDemoConfig.pcTopic = acTopic;
    xDemoConfig.ulIterations = ( uint32_t ) ulIterations;
    xDemoConfig.ulMessagesPerIteration = ( uint32_t ) ulMessages;

    if( xDemoConfig.pcRootCaPem == NULL )
    {
        return EXIT_FAILURE;
    }

    printf( "[demo] FreeRTOS %s POSIX simulator, broker %s:%u, %u iterations x %u messages\n",
            tskKERNEL_VERSION_NUMBER, xDemoConfig.pcBrokerAddress, ( unsigned ) ulPort,
            ( unsigned ) ulIterations, ( unsigned ) ulMessages );

    if( xTaskCreate( vMqttDemoTask, "MQTTDemo", DEMO_TASK_STACK_WORDS, &xDemoConfig,
                     DEMO_TASK_PRIORITY, NULL ) != pdPASS )
    {
        printf( "[demo] ERROR: cannot create the demo task\n" );
        return EXIT_FAILURE;
    }

    vAppRegisterTlsHooks();
    vTaskStartScheduler();

    /* Only reached when the scheduler could not start. */
    printf( "[demo] ERROR: the FreeRTOS scheduler stopped\n" );
    return EXIT_FAILURE;
}
