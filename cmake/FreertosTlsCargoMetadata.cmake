# What cargo says about the workspace, read as JSON (string(JSON)), never
# by matching text in Cargo.toml.
#
# freertos_tls_cargo_metadata(<out-var> CARGO <cargo> MANIFEST <Cargo.toml>)
#
# <out-var> = the output of `cargo metadata --format-version 1 --no-deps`:
# the workspace's own packages (no dependency resolution, no network).
#
# freertos_tls_package_features(<out-var> METADATA <json> PACKAGE <name>)
#
# <out-var> = the names of the [features] of package <name>, as cargo
# parsed them (sorted by name).

function(freertos_tls_cargo_metadata out_var)
    cmake_parse_arguments(ARG "" "CARGO;MANIFEST" "" ${ARGN})
    execute_process(
        COMMAND "${ARG_CARGO}" metadata --format-version 1 --no-deps --manifest-path "${ARG_MANIFEST}"
        OUTPUT_VARIABLE metadata ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "freertos-tls: `cargo metadata` failed for ${ARG_MANIFEST}:\n${err}")
    endif()
    set(${out_var} "${metadata}" PARENT_SCOPE)
endfunction()

function(freertos_tls_package_features out_var)
    cmake_parse_arguments(ARG "" "METADATA;PACKAGE" "" ${ARGN})
    string(JSON count LENGTH "${ARG_METADATA}" packages)
    set(index 0)
    while(index LESS count)
        string(JSON name GET "${ARG_METADATA}" packages ${index} name)
        if(name STREQUAL ARG_PACKAGE)
            string(JSON feature_count LENGTH "${ARG_METADATA}" packages ${index} features)
            set(features "")
            set(f 0)
            while(f LESS feature_count)
                string(JSON feature MEMBER "${ARG_METADATA}" packages ${index} features ${f})
                list(APPEND features "${feature}")
                math(EXPR f "${f} + 1")
            endwhile()
            set(${out_var} "${features}" PARENT_SCOPE)
            return()
        endif()
        math(EXPR index "${index} + 1")
    endwhile()
    message(FATAL_ERROR "freertos-tls: `cargo metadata` does not list the package ${ARG_PACKAGE}")
endfunction()
