# cmake -P test of cmake/FreertosTlsRustTarget.cmake: toolchain settings in,
# Rust target triple out. Cortex-M cases cannot be built on the CI host (no
# thumbv* targets installed), so the mapping itself is what is checked.
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/FreertosTlsRustTarget.cmake")

set(failures 0)
function(expect processor flags crosscompiling expected)
    freertos_tls_rust_target(got CROSSCOMPILING "${crosscompiling}" PROCESSOR "${processor}" FLAGS "${flags}")
    if(NOT got STREQUAL expected)
        message(SEND_ERROR "'${processor}' '${flags}' cross=${crosscompiling}: got '${got}', expected '${expected}'")
    endif()
endfunction()

expect("x86_64" "" FALSE "")
expect("cortex-m0plus" "" TRUE "thumbv6m-none-eabi")
expect("cortex-m3" "" TRUE "thumbv7m-none-eabi")
expect("cortex-m4" "-mfloat-abi=soft" TRUE "thumbv7em-none-eabi")
expect("cortex-m4" "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard" TRUE "thumbv7em-none-eabihf")
expect("arm" "-mthumb -mcpu=cortex-m7 -mfloat-abi=hard" TRUE "thumbv7em-none-eabihf")
expect("arm" "-mthumb -mcpu=cortex-m0" TRUE "thumbv6m-none-eabi")
expect("cortex-m33" "-mfloat-abi=hard" TRUE "thumbv8m.main-none-eabihf")
expect("ARM" "-march=armv8-m.main+dsp" TRUE "thumbv8m.main-none-eabi")
expect("cortex-m23" "" TRUE "thumbv8m.base-none-eabi")
expect("armv7e-m" "-mfloat-abi=softfp" TRUE "thumbv7em-none-eabi")
