/*
 * lwIP's compiler and platform glue for the mps2-an386 board (GCC,
 * newlib-nano, little-endian Cortex-M4F). Written for this project.
 */
#ifndef LWIP_ARCH_CC_H
#define LWIP_ARCH_CC_H

#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>   /* struct timeval, for SO_RCVTIMEO (LWIP_TIMEVAL_PRIVATE 0). */

/* newlib's sys/select.h defines fd_set with FD_SETSIZE 64, more than the
 * sockets this configuration allows: lwIP uses it as it is. */

#define LWIP_NO_UNISTD_H    1

/* Diagnostics go to the console; a failed lwIP assertion ends the run
 * with file and line (lwip_board.c), as a failed configASSERT does. */
void vLwipBoardAssert( const char * pcMessage,
                       const char * pcFile,
                       int iLine ) __attribute__( ( noreturn ) );
#define LWIP_PLATFORM_DIAG( x )                do { printf x; } while( 0 )
#define LWIP_PLATFORM_ASSERT( x )              vLwipBoardAssert( ( x ), __FILE__, __LINE__ )

/* TCP initial sequence numbers and local ports. The board has no RNG: this
 * mixes the LAN9118's free-running counter into a xorshift generator. Not
 * cryptographic; the TLS layer has its own entropy source. */
uint32_t ulLwipBoardRand( void );
#define LWIP_RAND()                            ulLwipBoardRand()

#endif /* LWIP_ARCH_CC_H */
