//! Test helpers shared by the port tests: a fast deterministic generator for
//! simulated noise, a delay that records time instead of spending it, and the
//! length checks every port must pass.

use crate::{EntropySource, HealthTested, NoiseSource};
use embedded_hal::delay::DelayNs;
use std::cell::RefCell;
use std::rc::Rc;
use std::vec::Vec;

/// SplitMix64 (Steele, Lea, Flood 2014): good enough statistics for
/// simulated hardware noise, and fast in debug builds.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A fresh seed per run (printed by the tests that fail with it).
pub fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("getrandom");
    u64::from_le_bytes(b)
}

/// Records the time it was asked to wait.
#[derive(Default)]
pub struct RecordingDelay {
    pub total_ns: u64,
    pub calls: u32,
}

impl DelayNs for RecordingDelay {
    fn delay_ns(&mut self, ns: u32) {
        self.total_ns += u64::from(ns);
        self.calls += 1;
    }
}

/// The samples a simulated peripheral handed out, in order.
pub type SampleLog = Rc<RefCell<Vec<u32>>>;

/// For each odd length, a fresh port must fill exactly `len` bytes, and the
/// bytes must be the little-endian low bytes of the samples the simulated
/// peripheral handed out after the 1024 start-up samples (and after the
/// `discarded` words the port reads but must not use, e.g. after enable).
/// A port that reads whole blocks may have read up to `read_ahead` more.
pub fn assert_lengths_right<S: NoiseSource>(
    discarded: usize,
    read_ahead: usize,
    mut make: impl FnMut() -> (S, SampleLog),
) {
    let per_sample = (S::SAMPLE_BITS / 8) as usize;
    for len in [1usize, 3, 5, 4097] {
        let (source, log) = make();
        let mut port = HealthTested::new(source);
        let mut out = std::vec![0xEEu8; len + 8];
        port.fill(&mut out[..len]).unwrap_or_else(|e| panic!("len {len}: {e:?}"));
        assert!(out[len..].iter().all(|&b| b == 0xEE), "len {len}: wrote past the end");
        let log = log.borrow();
        let needed = discarded + 1024 + len.div_ceil(per_sample);
        assert!((needed..=needed + read_ahead).contains(&log.len()), "len {len}: {} samples read", log.len());
        let expected: Vec<u8> = log[discarded + 1024..]
            .iter()
            .flat_map(|s| s.to_le_bytes().into_iter().take(per_sample))
            .take(len)
            .collect();
        assert_eq!(&out[..len], &expected[..], "len {len}");
    }
}
