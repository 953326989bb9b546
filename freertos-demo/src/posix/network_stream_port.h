/*
 * NetworkStream_t of the POSIX simulator (network_stream.h): a host TCP
 * socket (tcp_socket.h); network_stream_tcp.c implements the interface.
 */
#ifndef NETWORK_STREAM_PORT_H
#define NETWORK_STREAM_PORT_H

#include "tcp_socket.h"

typedef TcpSocket_t NetworkStream_t;

#endif /* NETWORK_STREAM_PORT_H */
