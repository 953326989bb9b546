# Which rustc builds the library for a given target, and how.
#
# freertos_tls_select_rustc(<rustc-var> <build-std-var>
#                           TARGET <triple>      # "" = the host
#                           [RUSTC <path>]       # user's choice; else detected
#                           [CANDIDATES <path>...])
#
# A rustc whose sysroot holds the target's prebuilt core (`rustup target add
# <triple>`) is preferred: stable, nothing unstable involved. Otherwise a
# rustc that knows the triple and ships the library sources (Debian's
# rustc-web + rust-web-src) builds core and alloc itself: <build-std-var> is
# then TRUE and the cargo call needs -Zbuild-std=core,alloc (with
# RUSTC_BOOTSTRAP=1 for that one invocation). Fails at configure time, with
# what was tried, when no candidate can build for the target.
#
# freertos_tls_compiler_include_dirs(<out-var> COMPILER <cc> [FLAGS <flags>])
#
# The C compiler's own #include <...> search list, in order. bindgen (inside
# mbedtls-sys) runs libclang, which does not know where a GCC cross
# toolchain keeps newlib's headers (Debian's arm-none-eabi-gcc has no
# --print-sysroot): it gets this list.

# rustc's prebuilt core for <triple>, if its sysroot has one.
function(_freertos_tls_rustc_has_core out_var rustc triple)
    set(${out_var} FALSE PARENT_SCOPE)
    execute_process(COMMAND "${rustc}" --print target-libdir --target "${triple}"
        OUTPUT_VARIABLE libdir ERROR_QUIET RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(rc EQUAL 0 AND IS_DIRECTORY "${libdir}")
        file(GLOB cores "${libdir}/libcore-*.rlib")
        if(cores)
            set(${out_var} TRUE PARENT_SCOPE)
        endif()
    endif()
endfunction()

# rustc knows <triple> and has the library sources build-std compiles.
function(_freertos_tls_rustc_can_build_std out_var rustc triple)
    set(${out_var} FALSE PARENT_SCOPE)
    execute_process(COMMAND "${rustc}" --print target-list
        OUTPUT_VARIABLE targets ERROR_QUIET RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        return()
    endif()
    string(REPLACE "\n" ";" targets "${targets}")
    if(NOT triple IN_LIST targets)
        return()
    endif()
    execute_process(COMMAND "${rustc}" --print sysroot
        OUTPUT_VARIABLE sysroot ERROR_QUIET RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(rc EQUAL 0 AND EXISTS "${sysroot}/lib/rustlib/src/rust/library/core/Cargo.toml")
        set(${out_var} TRUE PARENT_SCOPE)
    endif()
endfunction()

function(freertos_tls_select_rustc rustc_var build_std_var)
    cmake_parse_arguments(ARG "" "TARGET;RUSTC" "CANDIDATES" ${ARGN})
    if(ARG_RUSTC)
        set(candidates "${ARG_RUSTC}")
    else()
        set(candidates ${ARG_CANDIDATES})
        list(REMOVE_DUPLICATES candidates)
    endif()

    # Host build: the first rustc that runs.
    if(NOT ARG_TARGET)
        foreach(rustc IN LISTS candidates)
            execute_process(COMMAND "${rustc}" -V OUTPUT_QUIET ERROR_QUIET RESULT_VARIABLE rc)
            if(rc EQUAL 0)
                set(${rustc_var} "${rustc}" PARENT_SCOPE)
                set(${build_std_var} FALSE PARENT_SCOPE)
                return()
            endif()
        endforeach()
        message(FATAL_ERROR "freertos-tls: no working rustc among: ${candidates}")
    endif()

    set(build_std_rustc "")
    foreach(rustc IN LISTS candidates)
        if(NOT EXISTS "${rustc}")
            continue()
        endif()
        _freertos_tls_rustc_has_core(has_core "${rustc}" "${ARG_TARGET}")
        if(has_core)
            set(${rustc_var} "${rustc}" PARENT_SCOPE)
            set(${build_std_var} FALSE PARENT_SCOPE)
            return()
        endif()
        if(NOT build_std_rustc)
            _freertos_tls_rustc_can_build_std(can "${rustc}" "${ARG_TARGET}")
            if(can)
                set(build_std_rustc "${rustc}")
            endif()
        endif()
    endforeach()
    if(build_std_rustc)
        set(${rustc_var} "${build_std_rustc}" PARENT_SCOPE)
        set(${build_std_var} TRUE PARENT_SCOPE)
        return()
    endif()
    message(FATAL_ERROR
        "freertos-tls: no rustc can build for ${ARG_TARGET}. Tried: ${candidates}\n"
        "Either install the target's prebuilt core (rustup target add ${ARG_TARGET}), "
        "or a rustc that knows the target together with its library sources "
        "(Debian 12: apt-get install -t bookworm-security rustc-web cargo-web rust-web-src), "
        "or name one with -DFREERTOS_TLS_RUSTC=<path>.")
endfunction()

function(freertos_tls_compiler_include_dirs out_var)
    cmake_parse_arguments(ARG "" "COMPILER;FLAGS" "" ${ARGN})
    separate_arguments(flags UNIX_COMMAND "${ARG_FLAGS}")
    execute_process(COMMAND "${ARG_COMPILER}" ${flags} -xc -E -v -
        INPUT_FILE /dev/null OUTPUT_QUIET ERROR_VARIABLE log RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0 OR NOT log MATCHES "#include <\\.\\.\\.> search starts here:\n(.*)\nEnd of search list\\.")
        message(FATAL_ERROR "freertos-tls: cannot read the include search list of ${ARG_COMPILER}:\n${log}")
    endif()
    string(REPLACE "\n" ";" lines "${CMAKE_MATCH_1}")
    set(dirs "")
    foreach(line IN LISTS lines)
        string(STRIP "${line}" dir)
        if(IS_DIRECTORY "${dir}")
            get_filename_component(dir "${dir}" REALPATH)
            list(APPEND dirs "${dir}")
        endif()
    endforeach()
    set(${out_var} "${dirs}" PARENT_SCOPE)
endfunction()
