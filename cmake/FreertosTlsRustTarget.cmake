# Maps a CMake toolchain to the Rust target triple the library is built for.
#
# freertos_tls_rust_target(<out-var> CROSSCOMPILING <bool>
#                          PROCESSOR <CMAKE_SYSTEM_PROCESSOR> FLAGS <C flags>)
#
# Sets <out-var> to "" for a host build (cargo's default target) or to a
# thumbv* triple for Cortex-M. The core name comes from CMAKE_SYSTEM_PROCESSOR,
# or from -mcpu=/-march= in the C flags when the processor is just "arm";
# -mfloat-abi=hard selects the "hf" variant, because Rust and C code must
# agree on how floats are passed. Anything else is an error that names the
# FREERTOS_TLS_RUST_TARGET cache variable, which overrides this mapping.

function(freertos_tls_rust_target out_var)
    cmake_parse_arguments(ARG "" "CROSSCOMPILING;PROCESSOR;FLAGS" "" ${ARGN})
    if(NOT ARG_CROSSCOMPILING)
        set(${out_var} "" PARENT_SCOPE)
        return()
    endif()

    string(TOLOWER "${ARG_PROCESSOR}" processor)
    set(candidates "${processor}")
    if(ARG_FLAGS MATCHES "-mcpu=([^ ]+)")
        string(TOLOWER "${CMAKE_MATCH_1}" mcpu)
        list(APPEND candidates "${mcpu}")
    endif()
    if(ARG_FLAGS MATCHES "-march=([^ +]+)")
        string(TOLOWER "${CMAKE_MATCH_1}" march)
        list(APPEND candidates "${march}")
    endif()

    set(hard_float FALSE)
    if(ARG_FLAGS MATCHES "-mfloat-abi=hard")
        set(hard_float TRUE)
    endif()

    set(triple "")
    foreach(core IN LISTS candidates)
        # Strip extension suffixes such as "cortex-m33+nodsp".
        string(REGEX REPLACE "\\+.*$" "" core "${core}")
        if(core MATCHES "^(cortex-m0|cortex-m0plus|cortex-m0\\.small-multiply|cortex-m0plus\\.small-multiply|cortex-m1|armv6-m|armv6s-m)$")
            set(triple "thumbv6m-none-eabi")
        elseif(core MATCHES "^(cortex-m3|armv7-m)$")
            set(triple "thumbv7m-none-eabi")
        elseif(core MATCHES "^(cortex-m4|cortex-m7|armv7e-m)$")
            set(triple "thumbv7em-none-eabi")
        elseif(core MATCHES "^(cortex-m23|armv8-m\\.base)$")
            set(triple "thumbv8m.base-none-eabi")
        elseif(core MATCHES "^(cortex-m33|cortex-m35p|cortex-m52|cortex-m55|cortex-m85|armv8-m\\.main|armv8\\.1-m\\.main)$")
            set(triple "thumbv8m.main-none-eabi")
        endif()
        if(triple)
            break()
        endif()
    endforeach()

    if(NOT triple)
        message(FATAL_ERROR
            "freertos-tls: cannot map CMAKE_SYSTEM_PROCESSOR='${ARG_PROCESSOR}' "
            "(C flags: '${ARG_FLAGS}') to a Rust target triple. "
            "Set -DFREERTOS_TLS_RUST_TARGET=<triple>.")
    endif()
    # Only cores with an FPU have a hard-float Rust target.
    if(hard_float AND triple MATCHES "^thumbv(7em|8m\\.main)-")
        string(APPEND triple "hf")
    elseif(hard_float)
        message(FATAL_ERROR "freertos-tls: -mfloat-abi=hard with ${triple}, which has no hard-float Rust target")
    endif()
    set(${out_var} "${triple}" PARENT_SCOPE)
endfunction()
