/*
 * NetworkStream_t of the POSIX simulator (network_stream.h): a blocking
 * TCP client socket over the host's BSD sockets, implemented in
 * network_stream_tcp.c.
 *
 * The POSIX port drives the FreeRTOS tick with SIGALRM without SA_RESTART,
 * so any system call made from a task can fail with EINTR about once per
 * millisecond. Every call there retries on EINTR against a deadline taken
 * from the host's monotonic clock, so a timeout can never be stretched
 * forever by the tick.
 */
#ifndef NETWORK_STREAM_PORT_H
#define NETWORK_STREAM_PORT_H

#include <stdint.h>

typedef struct NetworkStream
{
    int iFd;                  /* -1 when closed. */
    uint32_t ulRecvTimeoutMs; /* How long one receive call may wait. */
    uint32_t ulSendTimeoutMs; /* How long one send call may wait. */
} NetworkStream_t;

#endif /* NETWORK_STREAM_PORT_H */
