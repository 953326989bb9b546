# freertos_tls_keep_entry_points(<target>): link every function that
# include/iot_tls.h declares (all of aws_tls.h's and the extensions, and
# mbedtls_hardware_poll) into <target>, called or not, so that the image's
# linker map shows what the whole library costs. For size measurements
# (tests/cmake-cross-consumer, benches/firmware): a product image leaves
# this out and --gc-sections drops what it never calls.
function(freertos_tls_keep_entry_points target)
    set(header "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../include/iot_tls.h")
    file(STRINGS "${header}" lines REGEX "^[A-Za-z_].*[ *](TLS_[A-Za-z_]+|mbedtls_hardware_poll)\\(")
    set(names "")
    foreach(line IN LISTS lines)
        string(REGEX MATCH "(TLS_[A-Za-z_]+|mbedtls_hardware_poll)\\(" name "${line}")
        string(REPLACE "(" "" name "${name}")
        list(APPEND names "${name}")
    endforeach()
    list(REMOVE_DUPLICATES names)
    list(LENGTH names count)
    if(count LESS 10)
        message(FATAL_ERROR "freertos_tls_keep_entry_points: found only ${count} functions in ${header}")
    endif()
    foreach(name IN LISTS names)
        target_link_options(${target} PRIVATE "LINKER:--undefined=${name}")
    endforeach()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${header}")
endfunction()
