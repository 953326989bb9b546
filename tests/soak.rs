//! Soak: connect / echo / cleanup, over and over, against a real OpenSSL
//! peer. Every cycle must succeed and the resident memory must stay flat.
//!
//! `SOAK_CYCLES` sets the count (default 1000, what CI runs; e.g.
//! `SOAK_CYCLES=10000 cargo test --release --test soak -- --nocapture`).
//! Prints the resident set size (VmRSS of /proc/self/status) after the
//! first cycle, at every tenth of the run, and after the last.

mod support;

use std::time::{Duration, Instant};

use support::*;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// Growth allowed from the reading after the warm-up (the first tenth of
/// the run) to the last: allocator noise, not a per-cycle leak (a leak of
/// only 100 bytes a cycle would exceed it within 10 000 cycles).
const FLAT_KIB: u64 = 1024;

#[test]
fn connect_echo_cleanup_cycles_keep_memory_flat() {
    let cycles: usize = std::env::var("SOAK_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    assert!(cycles >= 10);
    let pki = Pki::new("soak");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let ca = pki.ca_pem_with_nul();
    let start = Instant::now();
    let mut readings = Vec::new();
    let mut failures = Vec::new();
    for i in 1..=cycles {
        let mut c = Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(ca.clone()), alpn: &[] });
        let rc = c.connect();
        if rc != 0 {
            failures.push((i, rc, c.last_error().lMbedtlsCode));
            continue;
        }
        let msg = payload(1024, i as u64);
        if c.echo(&msg, Duration::from_secs(10)) != msg {
            failures.push((i, 1, 0));
        }
        // The peer reports each connection (a resumed one once the client's
        // Finished has left with the first record); reading it keeps the
        // test's own queue from growing.
        assert!(peer.next_event().starts_with("CONN "));
        drop(c);
        if i == 1 || i % (cycles / 10) == 0 || i == cycles {
            readings.push((i, rss_kib()));
        }
    }
    let took = start.elapsed();
    for (i, kib) in &readings {
        eprintln!("soak: after cycle {i:>6}: VmRSS {kib} KiB");
    }
    let first = readings[0].1;
    let warm = readings[1].1;
    let last = readings.last().unwrap().1;
    eprintln!(
        "soak: {cycles} cycles in {:.1} s ({:.1} ms each), {} failures; VmRSS first {first} KiB, after warm-up {warm} KiB, last {last} KiB",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e3 / cycles as f64,
        failures.len()
    );
    assert!(failures.is_empty(), "failed cycles (cycle, code, mbedTLS): {failures:?}");
    assert!(last <= warm + FLAT_KIB, "resident memory grew from {warm} KiB to {last} KiB");
}
