# freertos-tls as every firmware on the QEMU mps2-an386 board builds it
# (the MQTT demo, the firmware benchmark, the P-256 vector test), in one
# place, so that a board setting of the library changes once for all of
# them:
#
#   include(<repo>/freertos-demo/boards/mps2-an386/library.cmake)
#   board_mps2_an386_check_cross_build([BUILD <name>])
#   ... the firmware's own settings (build type, e.g. FREERTOS_TLS_P256_CORTEX_M4)
#   board_mps2_an386_library()
#   include(<repo>/freertos-demo/boards/mps2-an386/board.cmake)
#
# board_mps2_an386_check_cross_build stops the configure step unless it is
# a cross build (BUILD names the build in that message).
# board_mps2_an386_library sets the library's board settings below, adds
# the library (target freertos_tls::freertos_tls, in the binary directory
# freertos-tls) and locates the FreeRTOS-Kernel and coreMQTT sources
# (DemoSources.cmake), which board.cmake needs.
include_guard(GLOBAL)

function(board_mps2_an386_check_cross_build)
    cmake_parse_arguments(PARSE_ARGV 0 _board_check "" "BUILD" "")
    if(NOT CMAKE_CROSSCOMPILING)
        set(what "a Cortex-M4F build")
        if(_board_check_BUILD)
            set(what "${_board_check_BUILD} is ${what}")
        endif()
        message(FATAL_ERROR "${what}: pass "
            "-DCMAKE_TOOLCHAIN_FILE=<repo>/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake")
    endif()
endfunction()

function(board_mps2_an386_library)
    # The board has no RNG and no SoftHSM2: its entropy is the emulator-only
    # source (which compiles only with FREERTOS_TLS_BOARD=mps2-an386), its
    # PKCS#11 module is linked into the firmware (the demo's test token, the
    # benchmark's and the vector test's stubs).
    set(FREERTOS_TLS_RNG_PORT "insecure-emulator-only" CACHE STRING "Entropy port" FORCE)
    set(FREERTOS_TLS_BOARD "mps2-an386" CACHE STRING "Board the library is built for" FORCE)
    set(FREERTOS_TLS_PKCS11_MODULE "" CACHE FILEPATH
        "PKCS#11 module (none: the firmware links its own C_GetFunctionList)" FORCE)
    # The library's FreeRTOS glue compiles against the kernel headers and
    # the board's FreeRTOSConfig.h (board.cmake defines the target).
    set(FREERTOS_TLS_FREERTOS_TARGET "board_mps2_an386_kernel_headers" CACHE STRING
        "The firmware's FreeRTOS kernel target" FORCE)
    # A default: a value given on the command line wins.
    set(FREERTOS_TLS_CARGO_FEATURES "freertos;log-vloggingprintf" CACHE STRING
        "Further cargo features of freertos-tls (;-list)")
    set(repo "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../../..")
    add_subdirectory("${repo}" freertos-tls)
    include("${repo}/freertos-demo/cmake/DemoSources.cmake")
endfunction()
