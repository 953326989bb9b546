# CMake toolchain file: GNU Arm Embedded (arm-none-eabi-gcc + newlib) for a
# Cortex-M4 with FPU, hard-float ABI (e.g. STM32F4, nRF52, Kinetis K64F, and
# QEMU's mps2-an386).
#
#   cmake -S firmware -B build \
#         -DCMAKE_TOOLCHAIN_FILE=path/to/freertos-tls/cmake/toolchains/arm-none-eabi-cortex-m4f.cmake \
#         -DFREERTOS_TLS_RNG_PORT=stm32
#
# freertos-tls reads the core and the float ABI from CMAKE_SYSTEM_PROCESSOR
# and the C flags below and builds for thumbv7em-none-eabihf, so that Rust
# and C objects agree on how floats are passed. For another core copy this
# file and change the processor and the -mcpu/-mfpu/-mfloat-abi flags.
# ARM_NONE_EABI_PREFIX selects a toolchain outside PATH
# (e.g. -DARM_NONE_EABI_PREFIX=/opt/gcc-arm/bin/arm-none-eabi-).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)

set(ARM_NONE_EABI_PREFIX "arm-none-eabi-" CACHE STRING "Path and prefix of the arm-none-eabi tools")
set(CMAKE_C_COMPILER "${ARM_NONE_EABI_PREFIX}gcc")
set(CMAKE_CXX_COMPILER "${ARM_NONE_EABI_PREFIX}g++")
set(CMAKE_ASM_COMPILER "${ARM_NONE_EABI_PREFIX}gcc")
set(CMAKE_AR "${ARM_NONE_EABI_PREFIX}ar" CACHE FILEPATH "Archiver")
set(CMAKE_RANLIB "${ARM_NONE_EABI_PREFIX}ranlib" CACHE FILEPATH "Ranlib")
set(CMAKE_OBJCOPY "${ARM_NONE_EABI_PREFIX}objcopy" CACHE FILEPATH "objcopy")
set(CMAKE_SIZE "${ARM_NONE_EABI_PREFIX}size" CACHE FILEPATH "size")

# Without a linker script and syscalls, a test executable cannot link:
# CMake's compiler checks build a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_cortex_m4f_flags "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
set(CMAKE_C_FLAGS_INIT "${_cortex_m4f_flags} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_cortex_m4f_flags} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_cortex_m4f_flags}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")

# Headers and libraries come from the cross toolchain only; programs
# (cargo, rustc, python) from the build machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
