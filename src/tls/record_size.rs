//! The TLS record buffer profile this library was built for, and the
//! max-fragment-length request (RFC 6066) that goes with it.
//!
//! mbedTLS allocates one input and one output buffer of its compile-time
//! `MBEDTLS_SSL_{IN,OUT}_CONTENT_LEN` per connection (plus record
//! overhead). build.rs guarantees the C build and the feature chosen here
//! agree; a test below checks the linked library itself.

use mbedtls_sys as m;

/// Plaintext bytes one record can hold in each direction.
pub const RECORD_CONTENT_LEN: usize = if cfg!(feature = "record-buffer-2k") {
    2048
} else if cfg!(feature = "record-buffer-4k") {
    4096
} else {
    16384
};

/// What to ask the server for: records no larger than the input buffer.
/// The default 16 KiB buffer holds any record, so it asks for nothing.
pub const MAX_FRAGMENT_LENGTH_CODE: u8 = match RECORD_CONTENT_LEN {
    2048 => m::SSL_MAX_FRAG_LEN_2048 as u8,
    4096 => m::SSL_MAX_FRAG_LEN_4096 as u8,
    _ => m::SSL_MAX_FRAG_LEN_NONE as u8,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The linked mbedTLS has the buffers this build expects: before a
    /// handshake, its input limit is `MBEDTLS_SSL_IN_CONTENT_LEN` and its
    /// output limit the smaller of `MBEDTLS_SSL_OUT_CONTENT_LEN` and the
    /// fragment length requested.
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
            assert_eq!(m::ssl_setup(&raw mut ssl, &raw const conf), 0);
            assert_eq!(m::ssl_get_input_max_frag_len(&raw const ssl), RECORD_CONTENT_LEN);
            assert_eq!(m::ssl_get_max_out_record_payload(&raw const ssl), RECORD_CONTENT_LEN as i32);
            m::ssl_free(&raw mut ssl);
            m::ssl_config_free(&raw mut conf);
        }
    }
}
