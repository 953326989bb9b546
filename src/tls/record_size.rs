//! The TLS record buffers of the linked mbedTLS, and the max-fragment-length
//! request (RFC 6066) that goes with them.
//!
//! mbedTLS allocates one input and one output buffer of its compile-time
//! `MBEDTLS_SSL_{IN,OUT}_CONTENT_LEN` per connection (plus record
//! overhead). Both sizes are properties of the mbedTLS configuration, read
//! here from the bindings generated against it: one source of truth. A
//! test below checks the linked library itself.

use mbedtls_sys as m;

/// Plaintext bytes one received record can hold.
pub const RECORD_CONTENT_LEN: usize = m::FREERTOS_TLS_IN_CONTENT_LEN as usize;

/// Plaintext bytes one sent record can hold (before any fragment limit).
pub const OUT_CONTENT_LEN: usize = m::FREERTOS_TLS_OUT_CONTENT_LEN as usize;

/// What to ask the server for: records no larger than the input buffer
/// (the largest RFC 6066 length that fits). A 16 KiB buffer holds any
/// record, so it asks for nothing.
pub const MAX_FRAGMENT_LENGTH_CODE: u8 = match RECORD_CONTENT_LEN {
    16384.. => m::SSL_MAX_FRAG_LEN_NONE as u8,
    4096.. => m::SSL_MAX_FRAG_LEN_4096 as u8,
    2048.. => m::SSL_MAX_FRAG_LEN_2048 as u8,
    1024.. => m::SSL_MAX_FRAG_LEN_1024 as u8,
    _ => m::SSL_MAX_FRAG_LEN_512 as u8,
};

/// The record size the request above limits both directions to.
#[cfg(test)]
const FRAGMENT_LEN: usize = match MAX_FRAGMENT_LENGTH_CODE as i32 {
    m::SSL_MAX_FRAG_LEN_4096 => 4096,
    m::SSL_MAX_FRAG_LEN_2048 => 2048,
    m::SSL_MAX_FRAG_LEN_1024 => 1024,
    m::SSL_MAX_FRAG_LEN_512 => 512,
    _ => 16384,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The linked mbedTLS has the buffers this build expects: before a
    /// handshake, its input limit is `MBEDTLS_SSL_IN_CONTENT_LEN` and its
    /// output limit the smaller of `MBEDTLS_SSL_OUT_CONTENT_LEN` and the
    /// fragment length requested.
    unsafe extern "C" fn never_called(_: *mut core::ffi::c_void, _: *mut u8, _: usize) -> core::ffi::c_int {
        m::ERR_ENTROPY_SOURCE_FAILED
    }

    #[test]
    fn linked_mbedtls_has_the_buffers_of_this_profile() {
        // SAFETY: plain C structs, zeroed then initialised; freed at the end.
        unsafe {
            let mut conf: m::ssl_config = core::mem::zeroed();
            let mut ssl: m::ssl_context = core::mem::zeroed();
            m::ssl_config_init(&raw mut conf);
            m::ssl_init(&raw mut ssl);
            assert_eq!(
                m::ssl_config_defaults(&raw mut conf, m::SSL_IS_CLIENT, m::SSL_TRANSPORT_STREAM, m::SSL_PRESET_DEFAULT),
                0
            );
            assert_eq!(m::ssl_conf_max_frag_len(&raw mut conf, MAX_FRAGMENT_LENGTH_CODE), 0);
            // 3.6 refuses a configuration without a random generator; this
            // one is never called (no handshake runs).
            m::ssl_conf_rng(&raw mut conf, Some(never_called), core::ptr::null_mut());
            assert_eq!(m::ssl_setup(&raw mut ssl, &raw const conf), 0);
            assert_eq!(m::ssl_get_max_in_record_payload(&raw const ssl), RECORD_CONTENT_LEN.min(FRAGMENT_LEN) as i32);
            assert_eq!(m::ssl_get_max_out_record_payload(&raw const ssl), OUT_CONTENT_LEN.min(FRAGMENT_LEN) as i32);
            m::ssl_free(&raw mut ssl);
            m::ssl_config_free(&raw mut conf);
        }
    }
}
