/*
 * MBEDTLS_THREADING_ALT for the "client" profiles: the mutex type mbedTLS
 * embeds in its contexts and PSA's globals. The library implements it
 * (src/platform/mutex.rs) without allocation: a lock flag taken under a
 * critical section, and a task that finds it taken yields until it is free.
 */
#ifndef FREERTOS_TLS_THREADING_ALT_H
#define FREERTOS_TLS_THREADING_ALT_H

/* Tells the library's build that the mutex functions are its to supply. */
#define FREERTOS_TLS_THREADING_ALT 1

typedef struct mbedtls_threading_mutex_t {
    /* 1 while held. */
    unsigned char locked;
    /* 1 between mutex_init and mutex_free (mbedTLS asks for this check). */
    unsigned char valid;
} mbedtls_threading_mutex_t;

#endif /* FREERTOS_TLS_THREADING_ALT_H */
