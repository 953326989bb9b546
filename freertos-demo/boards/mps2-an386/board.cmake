# Board support of the QEMU mps2-an386 board (Cortex-M4F), for any
# firmware on it (the MQTT demo here, the firmware benchmark):
#
#   include(<repo>/freertos-demo/boards/mps2-an386/board.cmake)
#   board_mps2_an386_firmware(<target> SOURCES <c files...>
#       [INITIAL_TICK_COUNT <n>] [CONFIG_DIR <dir>] [LIBRARIES <libs...>])
#
# makes <target>.elf from the sources, the board objects (vector table,
# start-up, console on UART1, semihosting exit and command line, settings
# from the command line (board_options.h), newlib system calls, the C
# heap on heap_4, FreeRTOS hooks, UART0 byte stream),
# the FreeRTOS-Kernel ARM_CM4F port with heap_4, and freertos_tls (which
# must exist; FREERTOS_KERNEL_PATH must be set, see DemoSources.cmake:
# board_mps2_an386_library() of library.cmake does both).
# INITIAL_TICK_COUNT sets configINITIAL_TICK_COUNT; CONFIG_DIR is searched
# before the board's own FreeRTOSConfig.h (a wrapper there can
# #include_next it and change settings). Kernel and board objects are
# built once per such variant.
set(BOARD_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(BOARD_KERNEL_DIR "${FREERTOS_KERNEL_PATH}")

foreach(required "${BOARD_KERNEL_DIR}/portable/GCC/ARM_CM4F/port.c" "${BOARD_KERNEL_DIR}/portable/MemMang/heap_4.c")
    if(NOT EXISTS "${required}")
        message(FATAL_ERROR "mps2-an386: ${required} is missing (FreeRTOS-Kernel V11.2.0 has it)")
    endif()
endforeach()

set(BOARD_WARNINGS -Wall -Wextra -Werror)

# Kernel headers and the board's FreeRTOSConfig.h, for everything.
if(NOT TARGET board_mps2_an386_kernel_headers)
    add_library(board_mps2_an386_kernel_headers INTERFACE)
    target_include_directories(board_mps2_an386_kernel_headers INTERFACE
        "${BOARD_DIR}"
        "${BOARD_KERNEL_DIR}/include"
        "${BOARD_KERNEL_DIR}/portable/GCC/ARM_CM4F")
    # The library's FreeRTOS glue compiles against these headers
    # (library.cmake names them); held to the board's warnings.
    if(TARGET freertos_tls_freertos_glue)
        target_compile_options(freertos_tls_freertos_glue PRIVATE ${BOARD_WARNINGS})
    endif()
endif()

# The kernel and the board objects of one variant (initial tick count,
# extra config directory); returns their two OBJECT library names.
function(_board_variant kernel_var board_var initial_tick config_dir)
    set(suffix "")
    if(NOT initial_tick STREQUAL "")
        string(APPEND suffix "_tick_${initial_tick}")
    endif()
    if(NOT config_dir STREQUAL "")
        get_filename_component(config_dir "${config_dir}" ABSOLUTE)
        string(MD5 config_hash "${config_dir}")
        string(SUBSTRING "${config_hash}" 0 8 config_hash)
        string(APPEND suffix "_config_${config_hash}")
    endif()
    set(kernel board_mps2_an386_kernel${suffix})
    set(board board_mps2_an386${suffix})
    if(NOT TARGET ${kernel})
        add_library(${kernel} OBJECT
            "${BOARD_KERNEL_DIR}/tasks.c"
            "${BOARD_KERNEL_DIR}/list.c"
            "${BOARD_KERNEL_DIR}/queue.c"
            "${BOARD_KERNEL_DIR}/portable/MemMang/heap_4.c"
            "${BOARD_KERNEL_DIR}/portable/GCC/ARM_CM4F/port.c")
        add_library(${board} OBJECT
            "${BOARD_DIR}/startup.c"
            "${BOARD_DIR}/board_runtime.c"
            "${BOARD_DIR}/board_options.c"
            "${BOARD_DIR}/uart_stream.c")
        target_compile_options(${board} PRIVATE ${BOARD_WARNINGS})
        # newlib-nano without its start files or system-call stubs: the
        # board has its own, and a missing one (e.g. _sbrk, which only
        # newlib's malloc would need) is a link error, not a silent stub.
        target_link_options(${board} INTERFACE
            "-T${BOARD_DIR}/mps2_an386.ld"
            -nostartfiles
            --specs=nano.specs
            "LINKER:--gc-sections"
            "LINKER:-Map=$<TARGET_PROPERTY:NAME>.map")
        foreach(lib ${kernel} ${board})
            if(NOT config_dir STREQUAL "")
                target_include_directories(${lib} BEFORE PUBLIC "${config_dir}")
            endif()
            target_link_libraries(${lib} PUBLIC board_mps2_an386_kernel_headers)
            if(NOT initial_tick STREQUAL "")
                target_compile_definitions(${lib} PUBLIC "BOARD_INITIAL_TICK_COUNT=${initial_tick}")
            endif()
        endforeach()
    endif()
    set(${kernel_var} ${kernel} PARENT_SCOPE)
    set(${board_var} ${board} PARENT_SCOPE)
endfunction()

function(board_mps2_an386_firmware target)
    cmake_parse_arguments(ARG "" "INITIAL_TICK_COUNT;CONFIG_DIR" "SOURCES;LIBRARIES" ${ARGN})
    _board_variant(kernel board "${ARG_INITIAL_TICK_COUNT}" "${ARG_CONFIG_DIR}")
    add_executable(${target} ${ARG_SOURCES})
    set_target_properties(${target} PROPERTIES SUFFIX ".elf")
    # Objects first, the static libraries after them: every symbol the
    # Rust library needs from the board and the kernel is already there.
    target_link_libraries(${target} PRIVATE ${board} ${kernel} ${ARG_LIBRARIES} freertos_tls::freertos_tls)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${BOARD_DIR}/mps2_an386.ld")
endfunction()
