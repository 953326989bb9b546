# Locates FreeRTOS-Kernel and coreMQTT sources.
#
# FREERTOS_KERNEL_PATH / COREMQTT_PATH (cache or environment) win when set.
# Otherwise cargo downloads the crates.io packages that ship the sources
# (freertos-next: FreeRTOS-Kernel V11.2.0 with the POSIX port; core-mqtt-sys:
# coreMQTT) as dependencies of sources/Cargo.toml, which is never built, and
# `cargo metadata` says where they were unpacked.

set(FREERTOS_KERNEL_PATH "$ENV{FREERTOS_KERNEL_PATH}" CACHE PATH
    "FreeRTOS-Kernel source tree; empty = from the crates.io package freertos-next")
set(COREMQTT_PATH "$ENV{COREMQTT_PATH}" CACHE PATH
    "coreMQTT source tree; empty = from the crates.io package core-mqtt-sys")

function(_demo_crate_dir metadata crate out_var)
    string(JSON count LENGTH "${metadata}" packages)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
        string(JSON name GET "${metadata}" packages ${i} name)
        if(name STREQUAL crate)
            string(JSON manifest GET "${metadata}" packages ${i} manifest_path)
            get_filename_component(dir "${manifest}" DIRECTORY)
            set(${out_var} "${dir}" PARENT_SCOPE)
            return()
        endif()
    endforeach()
    message(FATAL_ERROR "cargo metadata did not list ${crate}")
endfunction()

# `cargo metadata` of ../DIR/Cargo.toml (a manifest that only names the
# crates shipping the sources, never built) into OUT_VAR, for
# _demo_crate_dir; WHAT is said while cargo runs, SKIP the variables that
# avoid it.
function(_demo_cargo_metadata dir what skip out_var)
    find_program(DEMO_CARGO cargo HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin" REQUIRED)
    message(STATUS "Fetching ${what} sources through cargo")
    execute_process(
        COMMAND "${DEMO_CARGO}" metadata --format-version 1 --locked
                --filter-platform x86_64-unknown-linux-gnu
                --manifest-path "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../${dir}/Cargo.toml"
        OUTPUT_VARIABLE metadata
        ERROR_VARIABLE metadata_err
        RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "cargo metadata failed (set ${skip} to skip it):\n${metadata_err}")
    endif()
    set(${out_var} "${metadata}" PARENT_SCOPE)
endfunction()

if(NOT FREERTOS_KERNEL_PATH OR NOT COREMQTT_PATH)
    _demo_cargo_metadata(sources "FreeRTOS-Kernel / coreMQTT" "FREERTOS_KERNEL_PATH and COREMQTT_PATH" _demo_metadata)
    if(NOT FREERTOS_KERNEL_PATH)
        _demo_crate_dir("${_demo_metadata}" freertos-next _demo_dir)
        set(FREERTOS_KERNEL_PATH "${_demo_dir}/FreeRTOS-Kernel" CACHE PATH "" FORCE)
    endif()
    if(NOT COREMQTT_PATH)
        _demo_crate_dir("${_demo_metadata}" core-mqtt-sys _demo_dir)
        set(COREMQTT_PATH "${_demo_dir}/coreMQTT" CACHE PATH "" FORCE)
    endif()
endif()

foreach(required
        "${FREERTOS_KERNEL_PATH}/tasks.c"
        "${FREERTOS_KERNEL_PATH}/portable/ThirdParty/GCC/Posix/port.c"
        "${COREMQTT_PATH}/source/core_mqtt.c"
        "${COREMQTT_PATH}/source/interface/transport_interface.h")
    if(NOT EXISTS "${required}")
        message(FATAL_ERROR "Missing ${required}: check FREERTOS_KERNEL_PATH / COREMQTT_PATH")
    endif()
endforeach()
message(STATUS "FreeRTOS-Kernel: ${FREERTOS_KERNEL_PATH}")
message(STATUS "coreMQTT: ${COREMQTT_PATH}")

# lwIP, for the board's network path over lwIP (FREERTOS_DEMO_BOARD_NET=lwip)
# only: LWIP_PATH (cache or environment), or the crates.io package lwip
# (lwIP 2.2.1 with contrib/ports/freertos) as the dependency of
# sources-lwip/Cargo.toml, which is never built. Sets LWIP_PATH.
function(demo_locate_lwip)
    set(LWIP_PATH "$ENV{LWIP_PATH}" CACHE PATH
        "lwIP source tree (src/, contrib/ports/freertos/); empty = from the crates.io package lwip")
    if(NOT LWIP_PATH)
        _demo_cargo_metadata(sources-lwip lwIP LWIP_PATH metadata)
        _demo_crate_dir("${metadata}" lwip dir)
        set(LWIP_PATH "${dir}" CACHE PATH "" FORCE)
    endif()
    foreach(required "${LWIP_PATH}/src/include/lwip/init.h" "${LWIP_PATH}/src/Filelists.cmake"
            "${LWIP_PATH}/contrib/ports/freertos/sys_arch.c")
        if(NOT EXISTS "${required}")
            message(FATAL_ERROR "Missing ${required}: check LWIP_PATH")
        endif()
    endforeach()
    file(STRINGS "${LWIP_PATH}/src/include/lwip/init.h" version REGEX "#define LWIP_VERSION_(MAJOR|MINOR|REVISION) ")
    message(STATUS "lwIP: ${LWIP_PATH} (${version})")
endfunction()
