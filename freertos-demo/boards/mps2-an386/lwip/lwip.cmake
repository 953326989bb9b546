# The board's network path over lwIP (FREERTOS_DEMO_BOARD_NET=lwip),
# included by CMakeLists.txt after the UART demo's targets exist: lwIP
# 2.2.1 from the crates.io package lwip (located through cargo like the
# kernel and coreMQTT: DemoSources.cmake; never copied into the
# repository), its FreeRTOS sys_arch, this directory's LAN9118 driver,
# lwipopts.h and socket stream, and the demo firmware
# freertos_tls_board_lwip.elf.
demo_locate_lwip()
set(BOARD_LWIP_DIR "${BOARD_DIR}/lwip")

# What this configuration uses of lwIP (lwipopts.h compiles the rest out;
# --gc-sections drops what is compiled but unreferenced).
set(BOARD_LWIP_SOURCES
    "${LWIP_PATH}/src/core/init.c"
    "${LWIP_PATH}/src/core/def.c"
    "${LWIP_PATH}/src/core/inet_chksum.c"
    "${LWIP_PATH}/src/core/ip.c"
    "${LWIP_PATH}/src/core/mem.c"
    "${LWIP_PATH}/src/core/memp.c"
    "${LWIP_PATH}/src/core/netif.c"
    "${LWIP_PATH}/src/core/pbuf.c"
    "${LWIP_PATH}/src/core/stats.c"
    "${LWIP_PATH}/src/core/sys.c"
    "${LWIP_PATH}/src/core/tcp.c"
    "${LWIP_PATH}/src/core/tcp_in.c"
    "${LWIP_PATH}/src/core/tcp_out.c"
    "${LWIP_PATH}/src/core/timeouts.c"
    "${LWIP_PATH}/src/core/ipv4/etharp.c"
    "${LWIP_PATH}/src/core/ipv4/icmp.c"
    "${LWIP_PATH}/src/core/ipv4/ip4.c"
    "${LWIP_PATH}/src/core/ipv4/ip4_addr.c"
    "${LWIP_PATH}/src/api/api_lib.c"
    "${LWIP_PATH}/src/api/api_msg.c"
    "${LWIP_PATH}/src/api/err.c"
    "${LWIP_PATH}/src/api/netbuf.c"
    "${LWIP_PATH}/src/api/sockets.c"
    "${LWIP_PATH}/src/api/tcpip.c"
    "${LWIP_PATH}/src/netif/ethernet.c"
    "${LWIP_PATH}/contrib/ports/freertos/sys_arch.c")

# FreeRTOS as lwIP's port needs it (config/FreeRTOSConfig.h wraps the
# board's), lwipopts.h and arch/cc.h, lwIP's headers: for lwIP and for
# every source that includes them.
add_library(board_mps2_an386_lwip_headers INTERFACE)
target_include_directories(board_mps2_an386_lwip_headers INTERFACE
    "${BOARD_LWIP_DIR}"
    "${LWIP_PATH}/src/include"
    "${LWIP_PATH}/contrib/ports/freertos/include")

add_library(board_mps2_an386_lwip OBJECT ${BOARD_LWIP_SOURCES})
target_include_directories(board_mps2_an386_lwip BEFORE PRIVATE "${BOARD_LWIP_DIR}/config")
target_link_libraries(board_mps2_an386_lwip PUBLIC board_mps2_an386_lwip_headers board_mps2_an386_kernel_headers)
# Third-party sources: their own warnings are not this project's to fix.
target_compile_options(board_mps2_an386_lwip PRIVATE -w)

board_mps2_an386_firmware(freertos_tls_board_lwip
    CONFIG_DIR "${BOARD_LWIP_DIR}/config"
    SOURCES
        "${BOARD_LWIP_DIR}/board_main_lwip.c"
        "${BOARD_DIR}/board_app.c"
        "${BOARD_LWIP_DIR}/lan9118_netif.c"
        "${BOARD_LWIP_DIR}/lwip_board.c"
        "${BOARD_LWIP_DIR}/lwip_fault.c"
        "${BOARD_LWIP_DIR}/network_stream_lwip.c"
        "${DEMO_DIR}/src/mqtt_demo.c"
        "${DEMO_DIR}/src/tls_transport.c"
    LIBRARIES board_mps2_an386_lwip ${BOARD_DEMO_LIBRARIES})
add_dependencies(freertos_tls_board_lwip board_mps2_an386_pki)
# This directory first: its network_stream_port.h (a socket) replaces the
# board's UART one.
target_include_directories(freertos_tls_board_lwip BEFORE PRIVATE "${BOARD_LWIP_DIR}")
target_include_directories(freertos_tls_board_lwip PRIVATE "${DEMO_DIR}/src" "${BOARD_GENERATED_DIR}")
target_link_libraries(freertos_tls_board_lwip PRIVATE board_mps2_an386_lwip_headers)
target_compile_definitions(freertos_tls_board_lwip PRIVATE TLS_TRANSPORT_HANDSHAKE_HOOKS)
target_compile_options(freertos_tls_board_lwip PRIVATE ${BOARD_WARNINGS})

# For scripts/bench-firmware-lwip.sh: the UART demo with the same run-time
# statistics as the lwIP firmware, so that both count the instructions of
# the same mutual-TLS handshake with Mosquitto under -icount.
board_mps2_an386_firmware(freertos_tls_board_demo_runstats
    CONFIG_DIR "${BOARD_DIR}/config-runtime-stats"
    SOURCES ${BOARD_DEMO_SOURCES}
    LIBRARIES ${BOARD_DEMO_LIBRARIES})
add_dependencies(freertos_tls_board_demo_runstats board_mps2_an386_pki)
target_include_directories(freertos_tls_board_demo_runstats PRIVATE "${DEMO_DIR}/src" "${BOARD_GENERATED_DIR}")
target_compile_definitions(freertos_tls_board_demo_runstats PRIVATE TLS_TRANSPORT_HANDSHAKE_HOOKS)
target_compile_options(freertos_tls_board_demo_runstats PRIVATE ${BOARD_WARNINGS})
