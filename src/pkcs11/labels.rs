//! Which PIN and object labels the library uses to find the device
//! credentials: build-time defaults, replaceable at run time.

use core::cell::RefCell;

use critical_section::Mutex;
use zeroize::Zeroize;

/// Longest PIN or label accepted, in bytes.
pub const MAX_TEXT_LEN: usize = 127;

const fn env_or(value: Option<&'static str>, default: &'static str) -> &'static str {
    match value {
        Some(v) => v,
        None => default,
    }
}

// build.rs forwards these variables (and reruns when they change).
const DEFAULT_PIN: &str = env_or(option_env!("FREERTOS_TLS_PKCS11_PIN"), "0000");
const DEFAULT_KEY_LABEL: &str = env_or(option_env!("FREERTOS_TLS_PKCS11_KEY_LABEL"), "Device Priv TLS Key");
const DEFAULT_CERT_LABEL: &str = env_or(option_env!("FREERTOS_TLS_PKCS11_CERT_LABEL"), "Device Cert");
const DEFAULT_JITP_LABEL: &str = env_or(option_env!("FREERTOS_TLS_PKCS11_JITP_LABEL"), "JITP Cert");

/// A short byte string in a fixed buffer: no allocation while the global
/// lock is held, and one place to wipe (dropping wipes it).
pub struct Text {
    len: usize,
    bytes: [u8; MAX_TEXT_LEN],
}

impl Text {
    const EMPTY: Text = Text { len: 0, bytes: [0; MAX_TEXT_LEN] };

    /// From a compile-time string; too long a value fails the build.
    const fn from_static(s: &str) -> Text {
        let src = s.as_bytes();
        assert!(!src.is_empty() && src.len() <= MAX_TEXT_LEN, "PKCS#11 PIN/label must be 1..=127 bytes");
        let mut bytes = [0u8; MAX_TEXT_LEN];
        let mut i = 0;
        while i < src.len() {
            bytes[i] = src[i];
            i += 1;
        }
        Text { len: src.len(), bytes }
    }

    /// Whether `src` has a length a PIN or label may have.
    fn fits(src: &[u8]) -> bool {
        (1..=MAX_TEXT_LEN).contains(&src.len())
    }

    /// Overwrite in place (a moved value would leave a copy behind).
    /// `src` has passed `check`. One copy for its eleven callers: flash
    /// matters more than a call here.
    #[inline(never)]
    fn assign(&mut self, src: &[u8]) {
        self.bytes.zeroize();
        if let Some(dst) = self.bytes.get_mut(..src.len()) {
            dst.copy_from_slice(src);
            self.len = src.len();
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        // `len` never exceeds the buffer; the `min` lets the compiler see
        // that the slice cannot fail (one compare, no branch).
        &self.bytes[..self.len.min(MAX_TEXT_LEN)]
    }
}

impl Drop for Text {
    /// Wipe with `assign`'s one out-of-line copy of the wiping loop.
    fn drop(&mut self) {
        self.assign(&[]);
    }
}

/// The PIN and labels in force. Dropping a copy wipes it (each [`Text`]
/// wipes itself, once).
pub struct CredentialLabels {
    pub pin: Text,
    pub key_label: Text,
    pub cert_label: Text,
    /// Optional issuer certificate appended to the chain when present.
    pub jitp_label: Text,
}

impl CredentialLabels {
    /// Overwrite every value with `other`'s, in place.
    fn assign(&mut self, other: &CredentialLabels) {
        self.pin.assign(other.pin.as_bytes());
        self.key_label.assign(other.key_label.as_bytes());
        self.cert_label.assign(other.cert_label.as_bytes());
        self.jitp_label.assign(other.jitp_label.as_bytes());
    }

    /// All empty: a place to copy the values in force into.
    pub const fn empty() -> CredentialLabels {
        CredentialLabels { pin: Text::EMPTY, key_label: Text::EMPTY, cert_label: Text::EMPTY, jitp_label: Text::EMPTY }
    }

    pub const fn defaults() -> CredentialLabels {
        CredentialLabels {
            pin: Text::from_static(DEFAULT_PIN),
            key_label: Text::from_static(DEFAULT_KEY_LABEL),
            cert_label: Text::from_static(DEFAULT_CERT_LABEL),
            jitp_label: Text::from_static(DEFAULT_JITP_LABEL),
        }
    }
}

static CURRENT: Mutex<RefCell<CredentialLabels>> = Mutex::new(RefCell::new(CredentialLabels::defaults()));

/// Copy the PIN and labels in force now into `out`, in place.
pub fn copy_current(out: &mut CredentialLabels) {
    critical_section::with(|cs| {
        // Never borrowed elsewhere while the section is held.
        if let Ok(current) = CURRENT.borrow(cs).try_borrow() {
            out.assign(&current);
        }
    });
}

/// A PIN or label of 1..=[`MAX_TEXT_LEN`] bytes: checked once, where it
/// is made, so [`set`] cannot fail half-way.
#[derive(Clone, Copy)]
pub struct Checked<'a>(&'a [u8]);

impl<'a> Checked<'a> {
    /// `src` if its length is right.
    pub fn new(src: &'a [u8]) -> Option<Self> {
        Text::fits(src).then_some(Checked(src))
    }
}

/// Replace the PIN and/or labels; `None` keeps a value. The old PIN bytes
/// are overwritten.
pub fn set(pin: Option<Checked<'_>>, key_label: Option<Checked<'_>>, cert_label: Option<Checked<'_>>) {
    critical_section::with(|cs| {
        // Never borrowed elsewhere while the section is held.
        let Ok(mut current) = CURRENT.borrow(cs).try_borrow_mut() else { return };
        if let Some(Checked(pin)) = pin {
            current.pin.assign(pin);
        }
        if let Some(Checked(label)) = key_label {
            current.key_label.assign(label);
        }
        if let Some(Checked(label)) = cert_label {
            current.cert_label.assign(label);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rejects_empty_and_overlong_and_assign_wipes_the_old_tail() {
        assert!(!Text::fits(b""));
        assert!(!Text::fits(&[b'a'; MAX_TEXT_LEN + 1]));
        assert!(Text::fits(&[b'a'; MAX_TEXT_LEN]));
        let mut t = Text::from_static("a long secret PIN");
        t.assign(b"12");
        assert_eq!(t.as_bytes(), b"12");
        assert!(t.bytes[2..].iter().all(|&b| b == 0), "old bytes left behind");
        assert_eq!(Text::from_static("Device Cert").as_bytes(), b"Device Cert");
    }
}
