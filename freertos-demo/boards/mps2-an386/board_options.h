/*
 * The firmware's settings: words of its command line (QEMU -append "...",
 * read through semihosting), "name=value" or a bare flag "name".
 */
#ifndef BOARD_OPTIONS_H
#define BOARD_OPTIONS_H

#include <stdbool.h>

/* The value of "name=value" in the command line (up to the next space),
 * or NULL. */
const char * pcBoardOption( const char * pcName );

/* Whether the bare word pcName is in the command line. */
bool xBoardFlag( const char * pcName );

/* A decimal option in [ullMin, ullMax], ullDefault when absent; exits
 * with status 2 on a malformed value. */
unsigned long long ullBoardNumber( const char * pcName,
                                   unsigned long long ullDefault,
                                   unsigned long long ullMin,
                                   unsigned long long ullMax );

#endif /* BOARD_OPTIONS_H */
