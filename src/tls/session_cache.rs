//! Transparent TLS session resumption: a small process-wide cache of the
//! sessions of past handshakes, offered again on the next connection to
//! the same destination with the same trust anchors and client identity.
//!
//! Entries are mbedTLS's own serialized form (`mbedtls_ssl_session_save`):
//! a byte string with no pointers, so the static cache owns plain bytes,
//! and `zeroize` wipes the master secret inside them whenever an entry
//! leaves the cache (eviction, expiry, replacement, a switch turned off).
//!
//! An entry is taken out of the cache when it is offered, and only a
//! handshake that succeeds puts a session back: a failed or rejected
//! resumption leaves nothing behind. Two connections to the same
//! destination at once: the second one makes a full handshake.
//!
//! Every access goes through one function, `update`, whose critical
//! section only moves entries between slots; allocation, serialization and
//! freeing (which wipes) happen outside it, since on FreeRTOS the heap must
//! not be entered from inside a critical section.

use crate::mbedtls;
use core::cell::RefCell;

use alloc::vec::Vec;
use critical_section::Mutex;
use mbedtls_sys as m;
use zeroize::Zeroize;

use crate::platform::log::{log, Part::*};
use crate::platform::wait::{stamp_horizon_s, Stamp};

/// The cache is compiled in with the `session-resumption` feature.
pub(crate) const BUILT_IN: bool = cfg!(feature = "session-resumption");
/// Entries kept when the application sets nothing.
pub(crate) const DEFAULT_ENTRIES: usize = 2;
/// Upper bound of [`set_capacity`]; the slots are a fixed array.
pub(crate) const MAX_ENTRIES: usize = 8;
/// Longest an entry is kept when the application sets nothing (and the
/// server's ticket says nothing shorter): one day, as mbedTLS's own server
/// cache does.
pub(crate) const DEFAULT_MAX_AGE_S: u32 = 86_400;

/// What a session is bound to: SHA-256 over the destination host name,
/// the DER of every trust anchor, and the DER of the client certificate
/// (none without one). Equal keys mean the same server, checked against
/// the same anchors, authenticated as the same client.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionKey([u8; 32]);

impl SessionKey {
    /// # Safety
    /// `anchors` and `identity` (when given) are parsed, live certificate
    /// chains that nothing modifies meanwhile.
    pub(crate) unsafe fn derive(
        server_name: &[u8],
        anchors: *const m::x509_crt,
        identity: Option<*const m::x509_crt>,
    ) -> Option<SessionKey> {
        let mut h = Sha256::new();
        if !h.start() {
            return None;
        }
        h.part(b"ftls session v1");
        h.part(server_name);
        // SAFETY: per the contract, a live chain; `raw` is each certificate's DER.
        let mut crt = anchors;
        while !crt.is_null() {
            // SAFETY: as above; the chain ends with a NULL `next`.
            unsafe {
                if (*crt).raw.len > 0 {
                    h.part(core::slice::from_raw_parts((*crt).raw.p, (*crt).raw.len));
                }
                crt = (*crt).next;
            }
        }
        h.part(b"client");
        if let Some(own) = identity {
            // SAFETY: per the contract; only the leaf names the client.
            unsafe { h.part(core::slice::from_raw_parts((*own).raw.p, (*own).raw.len)) };
        }
        h.finish().map(SessionKey)
    }
}

/// SHA-256 through mbedTLS (already linked; no second implementation).
struct Sha256(m::sha256_context);

impl Sha256 {
    /// A context, initialised (freed on drop); `start` it before use.
    fn new() -> Self {
        // SAFETY: all-zero is a valid pre-init state; init sets it up.
        let mut h = Sha256(unsafe { core::mem::zeroed() });
        // SAFETY: `h.0` is a context owned here.
        unsafe { m::sha256_init(&raw mut h.0) };
        h
    }

    fn start(&mut self) -> bool {
        // SAFETY: an initialised context owned by `self`.
        unsafe { m::sha256_starts(&raw mut self.0, 0) == 0 }
    }

    /// Add one length-prefixed field, so no two field lists hash alike.
    #[inline(never)] // one copy for the five fields
    fn part(&mut self, bytes: &[u8]) {
        let len = (bytes.len() as u64).to_be_bytes();
        // SAFETY: live context; the slices are valid for their lengths.
        // SHA-256 updates cannot fail without a hardware accelerator.
        unsafe {
            m::sha256_update(&raw mut self.0, len.as_ptr(), len.len());
            m::sha256_update(&raw mut self.0, bytes.as_ptr(), bytes.len());
        }
    }

    fn finish(&mut self) -> Option<[u8; 32]> {
        let mut out = [0u8; 32];
        // SAFETY: live context; `out` holds the 32-byte digest.
        (unsafe { m::sha256_finish(&raw mut self.0, out.as_mut_ptr()) } == 0).then_some(out)
    }
}

impl Drop for Sha256 {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`; freed (and zeroized) once.
        unsafe { m::sha256_free(&raw mut self.0) };
    }
}

/// Serialized session bytes (`mbedtls_ssl_session_save` output, which
/// holds the master secret): wiped when dropped, wherever that happens.
struct SessionBytes(Vec<u8>);

impl SessionBytes {
    const EMPTY: SessionBytes = SessionBytes(Vec::new());
}

impl Drop for SessionBytes {
    #[inline(never)] // one copy for every place bytes are dropped
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl core::ops::Deref for SessionBytes {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl core::ops::DerefMut for SessionBytes {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

/// One slot of the cache; free while `stored` is `None` (its `session`
/// is then empty).
struct Slot {
    key: SessionKey,
    session: SessionBytes,
    stored: Option<Stamp>,
    /// Seconds it may be offered: the ticket lifetime or the maximum age.
    lifetime_s: u32,
}

impl Slot {
    const FREE: Slot = Slot { key: SessionKey([0; 32]), session: SessionBytes::EMPTY, stored: None, lifetime_s: 0 };

    /// Empty the slot; its bytes go to `out`, to be wiped after the lock.
    /// (`out` always has room: see [`Removed`]. Were it full, the entry
    /// would stay, rather than be freed under the lock.)
    #[inline(never)] // one copy for its three callers
    fn vacate(&mut self, out: &mut Removed) {
        if let Some(free) = out.0.iter_mut().find(|b| b.capacity() == 0) {
            self.stored = None;
            core::mem::swap(free, &mut self.session);
        }
    }
}

struct Cache {
    slots: [Slot; MAX_ENTRIES],
    capacity: usize,
    enabled: bool,
    max_age_s: u32,
}

static CACHE: Mutex<RefCell<Cache>> = Mutex::new(RefCell::new(Cache {
    slots: [Slot::FREE; MAX_ENTRIES],
    capacity: DEFAULT_ENTRIES,
    enabled: BUILT_IN,
    max_age_s: DEFAULT_MAX_AGE_S,
}));

/// Sessions moved out under the lock, wiped and freed after it (a place
/// is free while it has no allocation). One update moves out at most every
/// session the slots held and the one `put` displaces: `MAX_ENTRIES + 1`.
struct Removed([SessionBytes; MAX_ENTRIES + 1]);

impl Cache {
    fn active(&self) -> bool {
        BUILT_IN && self.enabled && self.capacity > 0
    }

    /// Vacate expired slots and those beyond the capacity (all of them
    /// when inactive).
    fn sweep(&mut self, out: &mut Removed) {
        let active = self.active();
        let capacity = self.capacity;
        for (i, slot) in self.slots.iter_mut().enumerate() {
            let Some(stored) = &slot.stored else { continue };
            if !active || i >= capacity || stored.elapsed_s() >= u64::from(slot.lifetime_s) {
                slot.vacate(out);
            }
        }
    }
}

/// The one way into the cache: sweep, apply `change`, sweep again (a
/// change of the settings may leave entries it no longer keeps), all under
/// the lock; what left the slots is wiped and freed after it.
#[inline(never)]
fn update(change: &mut dyn FnMut(&mut Cache, &mut Removed)) {
    let mut out = Removed([SessionBytes::EMPTY; MAX_ENTRIES + 1]);
    critical_section::with(|cs| {
        // Never already borrowed: the lock is not re-entered while held.
        if let Ok(mut c) = CACHE.borrow(cs).try_borrow_mut() {
            c.sweep(&mut out);
            change(&mut c, &mut out);
            c.sweep(&mut out);
        }
    });
    drop(out);
}

/// Whether handshakes offer and keep sessions now.
pub fn enabled() -> bool {
    let mut on = false;
    update(&mut |c, _| on = c.active());
    on
}

/// The run-time switch. Turning it off wipes every entry. Returns `false`
/// (and changes nothing) when asked to enable a build without the cache
/// or without a monotonic clock to expire entries by.
pub fn set_enabled(on: bool) -> bool {
    if on && (!BUILT_IN || Stamp::now().is_none()) {
        return false;
    }
    update(&mut |c, _| c.enabled = on);
    true
}

/// Keep at most `entries` sessions (0..=[`MAX_ENTRIES`]; 0 keeps none).
pub fn set_capacity(entries: usize) -> bool {
    if entries > MAX_ENTRIES {
        return false;
    }
    update(&mut |c, _| c.capacity = entries);
    true
}

/// Offer a session at most `seconds` after its handshake (1 s to the
/// monotonic clock's horizon); a shorter ticket lifetime still wins.
pub fn set_max_age(seconds: u32) -> bool {
    if seconds == 0 || u64::from(seconds) > stamp_horizon_s() / 2 {
        return false;
    }
    update(&mut |c, _| {
        c.max_age_s = seconds;
        for s in c.slots.iter_mut() {
            s.lifetime_s = s.lifetime_s.min(seconds);
        }
    });
    true
}

/// Wipe every entry.
pub fn clear() {
    update(&mut |c, out| {
        for s in c.slots.iter_mut().filter(|s| s.stored.is_some()) {
            s.vacate(out);
        }
    });
}

/// Sessions held now (for tests and diagnostics).
pub fn len() -> usize {
    let mut n = 0;
    update(&mut |c, _| n = c.slots.iter().filter(|s| s.stored.is_some()).count());
    n
}

/// Remove the entry for `key` (after a fatal alert: RFC 5246 forbids
/// resuming that session). Its bytes are wiped as they drop.
pub(crate) fn forget(key: &SessionKey) {
    drop(take(key));
}

/// Take the serialized session of the live entry for `key` out of the
/// cache (empty when there is none).
fn take(key: &SessionKey) -> SessionBytes {
    let mut found = SessionBytes::EMPTY;
    update(&mut |c, _| {
        if let Some(s) = c.slots.iter_mut().find(|s| s.stored.is_some() && s.key == *key) {
            s.stored = None;
            core::mem::swap(&mut found, &mut s.session);
        }
    });
    found
}

/// Put a session in: replaces the entry for the same key, else fills a
/// free slot, else evicts the oldest. Its lifetime is at most the maximum
/// age. Nothing is kept while the cache is inactive.
fn put(key: &SessionKey, mut session: SessionBytes, stored: Stamp, lifetime_s: u32) {
    let mut stored = Some(stored);
    update(&mut |c, out| {
        if !c.active() {
            return;
        }
        let max_age_s = c.max_age_s;
        let slots = c.slots.get_mut(..c.capacity).unwrap_or_default();
        // The same key first, then a free slot, then the oldest entry (the
        // first of equal ones).
        let rank = |s: &Slot| match &s.stored {
            Some(_) if s.key == *key => (2, 0),
            None => (1, 0),
            Some(t) => (0, t.elapsed_s()),
        };
        let pick = slots.iter().enumerate().max_by_key(|&(i, s)| (rank(s), core::cmp::Reverse(i))).map(|(i, _)| i);
        let Some(s) = pick.and_then(|i| slots.get_mut(i)) else { return };
        if s.stored.is_some() {
            s.vacate(out);
        }
        core::mem::swap(&mut s.session, &mut session);
        s.key = *key;
        s.stored = stored.take();
        s.lifetime_s = lifetime_s.min(max_age_s);
    });
    // Not kept (inactive): wiped and freed here, outside the lock.
    drop(session);
}

/// A zero-initialised `mbedtls_ssl_session`, freed (and wiped) on drop.
struct SessionBuf(m::ssl_session);

impl SessionBuf {
    /// All-zero, the state `ssl_session_init` sets; `init` it where it
    /// stays (a session mbedTLS has seen is not moved).
    fn zeroed() -> Self {
        // SAFETY: all-zero is valid plain C data.
        SessionBuf(unsafe { core::mem::zeroed() })
    }

    fn init(&mut self) {
        // SAFETY: `self.0` is owned here.
        unsafe { m::ssl_session_init(&raw mut self.0) };
    }
}

impl Drop for SessionBuf {
    fn drop(&mut self) {
        // SAFETY: initialised (or all-zero, the same state); session_free wipes the whole struct
        // (master secret included) and frees the ticket and peer chain.
        unsafe { m::ssl_session_free(&raw mut self.0) };
    }
}

/// Before the handshake: offer the cached session for `key`, if any.
///
/// # Safety
/// `ssl` is a set-up context whose handshake has not started.
pub(crate) unsafe fn offer(ssl: *mut m::ssl_context, key: &SessionKey) -> bool {
    // Nothing is taken while the cache is off: its sweep has emptied it.
    let bytes = take(key);
    if bytes.is_empty() {
        return false;
    }
    let mut s = SessionBuf::zeroed();
    s.init();
    // SAFETY: `s.0` is an initialised session; the bytes are mbedTLS's own
    // serialized form, checked by `load` (version and length).
    let loaded = unsafe { m::ssl_session_load(&raw mut s.0, bytes.as_ptr(), bytes.len()) } == 0;
    // SAFETY: per the contract; `set_session` copies the session.
    loaded && unsafe { m::ssl_set_session(ssl, &raw const s.0) } == 0
}

/// After a successful handshake (TLS 1.2), or when a TLS 1.3 server's
/// NewSessionTicket has arrived: keep the session for the next connection.
/// A TLS 1.3 session without a ticket yet is not kept.
///
/// # Safety
/// `ssl` is a context whose handshake has completed.
pub(crate) unsafe fn remember(ssl: *const m::ssl_context, key: &SessionKey, max_ticket_len: usize) {
    let Some(stored) = Stamp::now() else { return };
    // Serialized straight from the live session: no deep copy (which would
    // parse the server certificate once more).
    // SAFETY: per the contract the current session is set; owned by the
    // live context, not modified meanwhile.
    let Some(s) = (unsafe { mbedtls::current_session(ssl) }) else { return };
    let resumable = mbedtls::resumable(s);
    // A server that sent no ticket resumes by session ID from its cache;
    // one without either cannot resume at all.
    if !resumable.ticket && !resumable.session_id {
        return;
    }
    // A ticket the next ClientHello cannot carry would fail that
    // connection before anything is sent: not kept.
    if resumable.ticket_len > max_ticket_len {
        log!(
            Warn,
            "session ticket of ",
            Dec(u32::try_from(resumable.ticket_len).unwrap_or(u32::MAX)),
            " bytes: too large to offer, not kept"
        );
        return;
    }
    // `put` bounds it by the maximum age.
    let lifetime_s = resumable.ticket_lifetime_s.filter(|&l| l > 0).unwrap_or(u32::MAX);
    let mut need = 0usize;
    // SAFETY: a size query: NULL buffer of length 0, `need` receives the size.
    let rc = unsafe { m::ssl_session_save(s, core::ptr::null_mut(), 0, &raw mut need) };
    if rc != m::ERR_SSL_BUFFER_TOO_SMALL || need == 0 {
        return;
    }
    let mut bytes = SessionBytes::EMPTY;
    if bytes.try_reserve_exact(need).is_err() {
        return; // no memory: just no resumption next time
    }
    bytes.resize(need, 0);
    let mut written = 0usize;
    // SAFETY: `bytes` has `need` writable bytes.
    let rc = unsafe { m::ssl_session_save(s, bytes.as_mut_ptr(), bytes.len(), &raw mut written) };
    if rc != 0 || written != need {
        return; // `bytes` is wiped as it drops
    }
    put(key, bytes, stored, lifetime_s);
}

/// Ask for tickets only when resumption is on (a ticket is work for the
/// server and bytes on the wire).
///
/// # Safety
/// `conf` is an initialised client configuration not yet in use.
pub(crate) unsafe fn configure(conf: *mut m::ssl_config, resumption: bool) {
    let mode = if resumption { m::SSL_SESSION_TICKETS_ENABLED } else { m::SSL_SESSION_TICKETS_DISABLED };
    // SAFETY: per the contract.
    unsafe { m::ssl_conf_session_tickets(conf, mode) };
}

#[cfg(all(test, feature = "session-resumption"))]
mod tests {
    use super::*;

    // One test touches the process-wide cache, so no two run at once.
    #[test]
    fn slots_capacity_replacement_and_switches() {
        clear();
        assert!(set_capacity(2));
        let put = |(k, session, lifetime_s): (SessionKey, SessionBytes, u32)| {
            put(&k, session, Stamp::now().unwrap(), lifetime_s)
        };
        let entry = |k: u8, age_limit: u32| (SessionKey([k; 32]), SessionBytes(alloc::vec![k; 8]), age_limit);
        put(entry(1, 60));
        put(entry(2, 60));
        put(entry(1, 60)); // same key: replaced, not added
        assert_eq!(len(), 2);
        put(entry(3, 60)); // full: one goes
        assert_eq!(len(), 2);
        assert!(!take(&SessionKey([3; 32])).is_empty());
        assert!(take(&SessionKey([3; 32])).is_empty(), "an offered entry leaves the cache");
        put(entry(4, 0)); // already expired
        assert!(take(&SessionKey([4; 32])).is_empty());
        assert!(!set_capacity(MAX_ENTRIES + 1));
        put(entry(5, 60));
        assert!(set_capacity(0));
        assert_eq!(len(), 0, "capacity 0 keeps nothing");
        assert!(set_capacity(DEFAULT_ENTRIES));
        put(entry(6, 60));
        assert!(set_enabled(false));
        assert_eq!(len(), 0, "switching off wipes the cache");
        put(entry(7, 60));
        assert_eq!(len(), 0, "nothing is stored while off");
        assert!(set_enabled(true));
        assert!(!set_max_age(0));
        assert!(set_max_age(DEFAULT_MAX_AGE_S));
    }
}
