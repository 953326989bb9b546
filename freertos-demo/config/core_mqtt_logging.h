/*
 * Forced into every coreMQTT source file (-include): maps its error and
 * warning log macros, which take a double-parenthesised printf argument
 * list, onto printf. Info and debug stay compiled out.
 */
#ifndef DEMO_CORE_MQTT_LOGGING_H
#define DEMO_CORE_MQTT_LOGGING_H

#include <stdio.h>

#define DEMO_MQTT_LOG( level, args )    do { printf( "[coreMQTT %s] ", level ); printf args; printf( "\n" ); } while( 0 )
#define LogError( message )             DEMO_MQTT_LOG( "error", message )
#define LogWarn( message )              DEMO_MQTT_LOG( "warn", message )

#endif /* DEMO_CORE_MQTT_LOGGING_H */
