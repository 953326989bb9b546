# CMake toolchain file: GNU Arm Embedded (arm-none-eabi-gcc + newlib) for a
# Cortex-M0 / M0+ (ARMv6-M, no FPU; e.g. nRF51, RP2040, STM32F0/L0, SAM D21,
# and QEMU's microbit).
#
#   cmake -S firmware -B build \
#         -DCMAKE_TOOLCHAIN_FILE=path/to/freertos-tls/cmake/toolchains/arm-none-eabi-cortex-m0.cmake \
#         -DFREERTOS_TLS_RNG_PORT=<port>
#
# freertos-tls builds for thumbv6m-none-eabi. ARMv6-M has no atomic
# read-modify-write instructions; the library's critical sections go
# through the kernel (vPortEnterCritical). See arm-none-eabi-cortex-m4f.cmake
# for the other settings, which are the same.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m0)

set(ARM_NONE_EABI_PREFIX "arm-none-eabi-" CACHE STRING "Path and prefix of the arm-none-eabi tools")
set(CMAKE_C_COMPILER "${ARM_NONE_EABI_PREFIX}gcc")
set(CMAKE_CXX_COMPILER "${ARM_NONE_EABI_PREFIX}g++")
set(CMAKE_ASM_COMPILER "${ARM_NONE_EABI_PREFIX}gcc")
set(CMAKE_AR "${ARM_NONE_EABI_PREFIX}ar" CACHE FILEPATH "Archiver")
set(CMAKE_RANLIB "${ARM_NONE_EABI_PREFIX}ranlib" CACHE FILEPATH "Ranlib")
set(CMAKE_OBJCOPY "${ARM_NONE_EABI_PREFIX}objcopy" CACHE FILEPATH "objcopy")
set(CMAKE_SIZE "${ARM_NONE_EABI_PREFIX}size" CACHE FILEPATH "size")

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_cortex_m0_flags "-mcpu=cortex-m0 -mthumb -mfloat-abi=soft")
set(CMAKE_C_FLAGS_INIT "${_cortex_m0_flags} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_cortex_m0_flags} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_cortex_m0_flags}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
