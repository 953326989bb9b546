/*
 * lwIP 2.2.1 configuration of the mps2-an386 board's network path
 * (FREERTOS_DEMO_BOARD_NET=lwip): one LAN9118 Ethernet interface
 * (lan9118_netif.c), static IPv4, TCP through the BSD-style socket API on
 * FreeRTOS (contrib/ports/freertos/sys_arch.c). Written for this project;
 * anything not set here keeps lwIP's default (src/include/lwip/opt.h).
 *
 * Memory: lwIP keeps its own heap (MEM_SIZE) and pools in static arrays,
 * as most firmware does, so packet buffers never compete with TLS for the
 * FreeRTOS heap; what lwIP takes from the FreeRTOS heap is its tasks'
 * stacks and, per socket, one mailbox and one semaphore (sys_arch.c).
 */
#ifndef LWIPOPTS_H
#define LWIPOPTS_H

/* ---- Operating system: FreeRTOS, the tcpip thread, core locking. */
#define NO_SYS                          0
#define SYS_LIGHTWEIGHT_PROT            1
#define LWIP_TCPIP_CORE_LOCKING         1
/* sys_arch.c: stack sizes below are in words, as xTaskCreate takes them. */
#define LWIP_FREERTOS_THREAD_STACKSIZE_IS_STACKWORDS 1
#define TCPIP_THREAD_NAME               "tcpip"
#define TCPIP_THREAD_STACKSIZE          512
/* Above the TLS task (priority 2), below the Ethernet receive task (4). */
#define TCPIP_THREAD_PRIO               3
#define TCPIP_MBOX_SIZE                 16
#define DEFAULT_TCP_RECVMBOX_SIZE       16
#define DEFAULT_ACCEPTMBOX_SIZE         2

/* ---- APIs: BSD-style sockets with receive/send timeouts, over netconn.
 * lwip_* names only (no POSIX aliases), so that nothing clashes with
 * newlib's declarations. */
#define LWIP_SOCKET                     1
#define LWIP_NETCONN                    1
#define LWIP_COMPAT_SOCKETS             0
#define LWIP_POSIX_SOCKETS_IO_NAMES     0
#define LWIP_SO_RCVTIMEO                1
#define LWIP_SO_SNDTIMEO                1
#define LWIP_SOCKET_SELECT              1   /* Bounded connect (network_stream_lwip.c). */
#define LWIP_SOCKET_POLL                0
#define LWIP_NETIF_API                  0
#define LWIP_TIMEVAL_PRIVATE            0   /* newlib's struct timeval. */
#define LWIP_ERRNO_STDINCLUDE           1   /* newlib's errno values. */

/* ---- Protocols: IPv4, ARP, ICMP, TCP. No UDP, DNS or DHCP: the address
 * is static (QEMU's user network: 10.0.2.15/24, gateway 10.0.2.2). */
#define LWIP_IPV4                       1
#define LWIP_IPV6                       0
#define LWIP_ARP                        1
#define LWIP_ETHERNET                   1
#define LWIP_ICMP                       1
#define LWIP_RAW                        0
#define LWIP_UDP                        0
#define LWIP_DNS                        0
#define LWIP_DHCP                       0
#define LWIP_AUTOIP                     0
#define LWIP_ACD                        0
#define LWIP_IGMP                       0
#define IP_REASSEMBLY                   0
#define IP_FRAG                         0
#define LWIP_TCP                        1
#define LWIP_TCP_KEEPALIVE              0
#define LWIP_NETIF_HOSTNAME             0
#define LWIP_NETIF_STATUS_CALLBACK      0
#define LWIP_NETIF_LINK_CALLBACK        0
#define LWIP_SINGLE_NETIF               1

/* ---- TCP: one full-size segment a frame; a window of four of them
 * (enough for a TLS record of the handshake to arrive without waiting
 * on ACKs), and as much send buffer. */
#define TCP_MSS                         1460
#define TCP_WND                         ( 4 * TCP_MSS )
#define TCP_SND_BUF                     ( 4 * TCP_MSS )
#define TCP_SND_QUEUELEN                ( ( 4 * ( TCP_SND_BUF ) + ( TCP_MSS - 1 ) ) / ( TCP_MSS ) )
/* A closed connection's PCB waits in TIME-WAIT; with few PCBs lwIP reuses
 * the oldest such one for a new connection, so reconnecting never runs
 * out. */
#define MEMP_NUM_TCP_PCB                4
#define MEMP_NUM_TCP_PCB_LISTEN         1
#define MEMP_NUM_TCP_SEG                32
#define MEMP_NUM_NETCONN                4
#define MEMP_NUM_NETBUF                 2
#define MEMP_NUM_TCPIP_MSG_INPKT        16

/* ---- Memory: lwIP's own heap (outgoing segments) and a pool of receive
 * buffers, each holding one Ethernet frame. */
#define MEM_ALIGNMENT                   4
#define MEM_SIZE                        ( 12 * 1024 )
#define PBUF_POOL_SIZE                  12
#define MEM_LIBC_MALLOC                 0
#define MEMP_MEM_MALLOC                 0

/* ---- Checksums: QEMU's LAN9118 offloads none. */
#define CHECKSUM_GEN_IP                 1
#define CHECKSUM_GEN_TCP                1
#define CHECKSUM_CHECK_IP               1
#define CHECKSUM_CHECK_TCP              1

/* ---- Statistics of lwIP's heap and pools (their peak use is reported at
 * the end of a run: lwip_board.c); no other statistics, no debug output. */
#define LWIP_STATS                      1
#define LWIP_STATS_DISPLAY              0
#define MEM_STATS                       1
#define MEMP_STATS                      1
#define SYS_STATS                       0
#define LINK_STATS                      0
#define ETHARP_STATS                    0
#define IP_STATS                        0
#define ICMP_STATS                      0
#define TCP_STATS                       0
#define LWIP_DEBUG                      0

#endif /* LWIPOPTS_H */
