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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "FreeRTOS.h"
#include "task.h"

#include "app_hooks.h"
#include "mqtt_demo.h"

#define DEMO_TASK_STACK_WORDS    ( 4096U )
#define DEMO_TASK_PRIORITY       ( tskIDLE_PRIORITY + 1U )
#define DEMO_MAX_PEM_BYTES       ( 64U * 1024U )

static MqttDemoConfig_t xDemoConfig;
static char acClientId[ 64 ];
static char acTopic[ 128 ];

/* Reads a whole text file into a NUL-terminated heap buffer, or NULL. */
static char * prvReadTextFile( const char * pcPath )
{
    FILE * pxFile = fopen( pcPath, "rb" );
    char * pcText;
    size_t xLength;

    if( pxFile == NULL )
    {
        printf( "[demo] ERROR: cannot open %s: %s\n", pcPath, strerror( errno ) );
        return NULL;
    }

    pcText = malloc( DEMO_MAX_PEM_BYTES + 1U );

    if( pcText == NULL )
    {
        ( void ) fclose( pxFile );
        printf( "[demo] ERROR: out of memory reading %s\n", pcPath );
        return NULL;
    }

    xLength = fread( pcText, 1, DEMO_MAX_PEM_BYTES + 1U, pxFile );

    if( ferror( pxFile ) || ( xLength == 0U ) || ( xLength > DEMO_MAX_PEM_BYTES ) )
    {
        printf( "[demo] ERROR: %s is unreadable, empty or larger than %u bytes\n", pcPath,
                ( unsigned ) DEMO_MAX_PEM_BYTES );
        ( void ) fclose( pxFile );
        free( pcText );
        return NULL;
    }

    ( void ) fclose( pxFile );
    pcText[ xLength ] = '\0';
    return pcText;
}

static const char * prvEnvOr( const char * pcName,
                              const char * pcDefault )
{
    const char * pcValue = getenv( pcName );

    return ( ( pcValue != NULL ) && ( pcValue[ 0 ] != '\0' ) ) ? pcValue : pcDefault;
}

/* Parses a positive integer setting in [1, ulMax]; 0 means invalid. */
static unsigned long prvEnvNumber( const char * pcName,
                                   unsigned long ulDefault,
                                   unsigned long ulMax )
{
    const char * pcValue = getenv( pcName );
    char * pcEnd = NULL;
    unsigned long ulValue;

    if( ( pcValue == NULL ) || ( pcValue[ 0 ] == '\0' ) )
    {
        return ulDefault;
    }

    errno = 0;
    ulValue = strtoul( pcValue, &pcEnd, 10 );

    if( ( errno != 0 ) || ( *pcEnd != '\0' ) || ( ulValue == 0U ) || ( ulValue > ulMax ) )
    {
        printf( "[demo] ERROR: %s=%s is not a number in 1..%lu\n", pcName, pcValue, ulMax );
        return 0;
    }

    return ulValue;
}

int main( void )
{
    const char * pcRootCaPath = getenv( "DEMO_ROOT_CA" );
    unsigned long ulPort = prvEnvNumber( "DEMO_BROKER_PORT", 0, 65535 );
    unsigned long ulIterations = prvEnvNumber( "DEMO_ITERATIONS", 3, 100 );
    unsigned long ulMessages = prvEnvNumber( "DEMO_MESSAGES", 3, 100 );

    /* Line-buffered output keeps the log in order when piped. */
    ( void ) setvbuf( stdout, NULL, _IOLBF, 0 );

    if( ( ulPort == 0U ) || ( pcRootCaPath == NULL ) || ( pcRootCaPath[ 0 ] == '\0' ) ||
        ( ulIterations == 0U ) || ( ulMessages == 0U ) )
    {
        printf( "[demo] ERROR: set DEMO_BROKER_PORT and DEMO_ROOT_CA (see scripts/demo.sh)\n" );
        return EXIT_FAILURE;
    }

    ( void ) snprintf( acClientId, sizeof( acClientId ), "%s",
                       prvEnvOr( "DEMO_CLIENT_ID", "" ) );

    if( acClientId[ 0 ] == '\0' )
    {
        ( void ) snprintf( acClientId, sizeof( acClientId ), "freertos-tls-demo-%ld", ( long ) getpid() );
    }

    ( void ) snprintf( acTopic, sizeof( acTopic ), "freertos-tls/demo/%s", acClientId );

    xDemoConfig.pcBrokerAddress = prvEnvOr( "DEMO_BROKER_ADDRESS", "127.0.0.1" );
    xDemoConfig.usBrokerPort = ( uint16_t ) ulPort;
    xDemoConfig.pcBrokerHostName = prvEnvOr( "DEMO_BROKER_NAME", "localhost" );
    xDemoConfig.pcRootCaPem = prvReadTextFile( pcRootCaPath );
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
