/*
 * mbedtls/threading.h includes "threading_alt.h" by name (MBEDTLS_THREADING_ALT,
 * set by the client profile that fuzz/mbedtls-config.h includes); the build
 * puts the configuration file's own directory (fuzz/) on the include path, not
 * mbedtls-sys/config, so this forwards to the library's header.
 */
#include "../mbedtls-sys/config/threading_alt.h"
