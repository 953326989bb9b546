/*
 * Run-time settings of the simulator programs: numbers from environment
 * variables and PEM files read into memory.
 */
#ifndef SETTINGS_H
#define SETTINGS_H

#include <stddef.h>

/* The variable pcName as a number in [1, ulMax], ulDefault when it is unset
 * or empty, or 0 (after printing why) when it is not such a number. */
unsigned long ulSettingsNumber( const char * pcName,
                                unsigned long ulDefault,
                                unsigned long ulMax );

/* The value of pcName, or pcDefault when it is unset or empty. */
const char * pcSettingsText( const char * pcName,
                             const char * pcDefault );

/* A whole text file of at most xMaxBytes as a NUL-terminated string on the
 * C heap, or NULL after printing why. */
char * pcSettingsReadTextFile( const char * pcPath,
                               size_t xMaxBytes );

#endif /* SETTINGS_H */
