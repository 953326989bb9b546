//! Output quality of the `posix` port, end to end: 10 MiB pulled through the
//! exported `mbedtls_hardware_poll` (health tests included), judged by
//! Debian's `rngtest` (rng-tools5, FIPS 140-2 tests) and `ent`.
//!
//! CI installs both (scripts/lib/deps.sh: `ent`, `rng-tools5`); without them
//! the test fails and says so.
#![cfg(feature = "port-posix")]

use freertos_tls::ffi::mbedtls_hardware_poll;
use std::io::Write;
use std::process::{Command, Stdio};
use std::ptr::null_mut;

const TOTAL: usize = 10 * 1024 * 1024;

/// rngtest tests 20 000-bit (2 500-byte) blocks, after using the first 32
/// bits to seed its continuous-run test.
const RNGTEST_BLOCKS: usize = (TOTAL - 4) / 2_500;

/// A good source fails rngtest's FIPS 140-2 block tests at about 7.8e-4 per
/// block: measured 313 failures in 399 999 blocks over 1 GB of
/// /dev/urandom (Monobit 51, Poker 54, Runs 104, Long run 106). For 4 194
/// blocks that is λ ≈ 3.36 expected failures; P(Poisson(3.36) > 15) ≈ 5e-7,
/// so more than 15 means a bad source, not bad luck.
const MAX_RNGTEST_FAILURES: u64 = 15;

/// Pull `TOTAL` bytes through the C entry point, in chunks of assorted
/// (odd) sizes, checking the return code and `olen` on every call.
fn pull_through_hardware_poll() -> Vec<u8> {
    let mut data = vec![0u8; TOTAL];
    let sizes = [1usize, 3, 5, 4097, 48, 65_536, 7];
    let mut at = 0;
    let mut i = 0;
    while at < TOTAL {
        let len = sizes[i % sizes.len()].min(TOTAL - at);
        let mut olen = usize::MAX;
        // SAFETY: `data[at..at + len]` is in bounds and exclusively ours; olen is a live usize.
        let rc = unsafe { mbedtls_hardware_poll(null_mut(), data[at..].as_mut_ptr(), len, &mut olen) };
        assert_eq!(rc, 0, "mbedtls_hardware_poll failed after {at} bytes");
        assert_eq!(olen, len, "olen wrong for a {len}-byte request");
        at += len;
        i += 1;
    }
    data
}

fn run_tool(tool: &str, args: &[&str], input: &[u8]) -> (String, String) {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{tool}` ({e}): install Debian packages `ent` and `rng-tools5` (see scripts/lib/deps.sh)"
            )
        });
    let mut stdin = child.stdin.take().expect("stdin piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("tool runs");
    writer.join().expect("writer thread").expect("write to tool");
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The number after `key` on the line containing it (rngtest's "...: N").
fn count_after(report: &str, key: &str) -> u64 {
    let line = report.lines().find(|l| l.contains(key)).unwrap_or_else(|| panic!("no `{key}` in:\n{report}"));
    line.rsplit(':').next().unwrap().trim().parse().unwrap_or_else(|_| panic!("bad count in `{line}`"))
}

fn check_rngtest(data: &[u8]) {
    // rngtest exits 1 as soon as any block fails, which a good source does
    // a few times per 10 MiB; the verdict is the counts, checked below.
    let (_, report) = run_tool("rngtest", &[], data);
    let successes = count_after(&report, "FIPS 140-2 successes");
    let failures = count_after(&report, "FIPS 140-2 failures");
    assert_eq!((successes + failures) as usize, RNGTEST_BLOCKS, "blocks tested:\n{report}");
    assert!(failures <= MAX_RNGTEST_FAILURES, "{failures} FIPS 140-2 failures in {RNGTEST_BLOCKS} blocks:\n{report}");
    eprintln!("rngtest: {successes} successes, {failures} failures");
}

/// The number following `before` in `text` (ent's free-form report).
fn number_after(text: &str, before: &str) -> f64 {
    let rest = &text[text.find(before).unwrap_or_else(|| panic!("no `{before}` in:\n{text}")) + before.len()..];
    let num: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
    num.parse().unwrap_or_else(|_| panic!("no number after `{before}`"))
}

fn check_ent(data: &[u8]) {
    let (report, _) = run_tool("ent", &[], data);
    let entropy = number_after(&report, "Entropy =");
    let chi_exceed_percent = number_after(&report, "would exceed this value");
    let mean = number_after(&report, "Arithmetic mean value of data bytes is");
    let pi = number_after(&report, "Monte Carlo value for Pi is");
    let serial = number_after(&report, "Serial correlation coefficient is");
    eprintln!(
        "ent: entropy {entropy}, chi-square exceeded {chi_exceed_percent}%, mean {mean}, pi {pi}, serial {serial}"
    );
    // For 10 MiB of uniform bytes the expected estimate is 8 - 255/(2 N ln 2) ≈ 7.99998.
    assert!(entropy > 7.9998, "entropy {entropy} bits/byte:\n{report}");
    // Two-sided 0.02%: a good source lands here 1 time in 5 000.
    assert!((0.01..=99.99).contains(&chi_exceed_percent), "chi-square p-value {chi_exceed_percent}%:\n{report}");
    // Standard errors for N = 10 MiB: mean 0.023, serial correlation 3.1e-4, pi 0.0012 (≈7-8σ bounds).
    assert!((mean - 127.5).abs() < 0.17, "mean {mean}:\n{report}");
    assert!(serial.abs() < 0.0025, "serial correlation {serial}:\n{report}");
    assert!((pi - std::f64::consts::PI).abs() < 0.01, "Monte Carlo pi {pi}:\n{report}");
}

#[test]
fn ten_mib_through_mbedtls_hardware_poll_pass_rngtest_and_ent() {
    let data = pull_through_hardware_poll();
    check_rngtest(&data);
    check_ent(&data);
}

/// Tasks (threads here) hitting the port at once all get their bytes, and
/// never the same bytes: the critical section serialises the port.
#[test]
fn concurrent_callers_each_get_distinct_full_output() {
    let outputs: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut all = Vec::new();
                    for _ in 0..200 {
                        let mut buf = [0u8; 64];
                        let mut olen = 0;
                        // SAFETY: live buffer and olen.
                        let rc = unsafe { mbedtls_hardware_poll(null_mut(), buf.as_mut_ptr(), buf.len(), &mut olen) };
                        assert_eq!((rc, olen), (0, 64));
                        all.extend_from_slice(&buf);
                    }
                    all
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut chunks: Vec<&[u8]> = outputs.iter().flat_map(|o| o.chunks(64)).collect();
    let n = chunks.len();
    chunks.sort();
    chunks.dedup();
    assert_eq!(chunks.len(), n, "two callers got the same 64 bytes");
}
