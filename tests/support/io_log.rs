//! What a test transport records of the library's callback calls, and
//! their grouping into flights. Shared by `support` and `support_pkcs11`.
#![allow(dead_code)]

/// One call of a transport callback, as the library made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Io {
    /// `pxNetworkSend` was called with this many bytes.
    Send(usize),
    /// `pxNetworkRecv` returned this many bytes (calls that got nothing
    /// are not recorded).
    Recv(usize),
}

/// The sends grouped into flights: the runs of `pxNetworkSend` calls
/// between two receives that returned data. Each entry lists the byte
/// counts of one flight's calls.
pub fn flights(io: &[Io]) -> Vec<Vec<usize>> {
    let mut flights: Vec<Vec<usize>> = Vec::new();
    let mut current = Vec::new();
    for event in io {
        match *event {
            Io::Send(n) => current.push(n),
            Io::Recv(_) if !current.is_empty() => flights.push(std::mem::take(&mut current)),
            Io::Recv(_) => {}
        }
    }
    if !current.is_empty() {
        flights.push(current);
    }
    flights
}
