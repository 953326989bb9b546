use super::*;
use crate::testkit::{random_seed, SplitMix64};
use std::vec;

/// A scripted noise source for the health tests.
struct Scripted<F: FnMut(u64) -> Result<u32, EntropyError>, const BITS: u32, const H: u32> {
    next: F,
    taken: u64,
}

impl<F: FnMut(u64) -> Result<u32, EntropyError>, const BITS: u32, const H: u32> NoiseSource for Scripted<F, BITS, H> {
    const SAMPLE_BITS: u32 = BITS;
    const MIN_ENTROPY: f64 = H as f64;
    fn sample(&mut self) -> Result<u32, EntropyError> {
        let i = self.taken;
        self.taken += 1;
        (self.next)(i)
    }
}

fn scripted<const BITS: u32, const H: u32, F: FnMut(u64) -> Result<u32, EntropyError>>(
    next: F,
) -> HealthTested<Scripted<F, BITS, H>> {
    HealthTested::new(Scripted { next, taken: 0 })
}

#[test]
fn stuck_source_trips_rct_at_the_cutoff_during_start_up() {
    let mut src = scripted::<32, 16, _>(|_| Ok(0xA5A5_0F0F));
    let cutoff = Cutoffs::for_source(32, 16.0).rct;
    assert_eq!(cutoff, 4);
    let mut out = [0x55u8; 16];
    assert_eq!(src.fill(&mut out), Err(EntropyError::HealthTestFailed));
    assert_eq!(src.source_mut().taken, u64::from(cutoff), "RCT must fire on the cutoff-th identical sample");
    assert_eq!(src.failure(), Some(Failure::RepetitionCount));
    assert_eq!(out, [0; 16], "output wiped on failure");
}

#[test]
fn source_that_sticks_later_trips_rct_within_the_cutoff() {
    let mut rng = SplitMix64::new(random_seed());
    let stuck_from = 5000;
    let mut src = scripted::<8, 8, _>(move |i| Ok(if i >= stuck_from { 0x42 } else { rng.next() as u32 }));
    let mut buf = [0u8; 64];
    loop {
        match src.fill(&mut buf) {
            Ok(()) => assert!(src.source_mut().taken <= stuck_from + 64),
            Err(e) => {
                assert_eq!(e, EntropyError::HealthTestFailed);
                break;
            }
        }
    }
    let taken_stuck = src.source_mut().taken - stuck_from;
    assert!(taken_stuck <= 6, "RCT (cutoff 6 for H=8) fired after {taken_stuck} stuck samples");
    // Latched: even a good source now gets nothing out.
    assert_eq!(src.fill(&mut buf), Err(EntropyError::HealthTestFailed));
    assert_eq!(src.failure(), Some(Failure::RepetitionCount));
}

#[test]
fn biased_source_trips_apt_not_rct() {
    // 90% one value, in runs of 9, so runs stay below the RCT cutoff (11 at H=4).
    // The others lie in 0x80..=0xFE: never the common value, in 8 bits too,
    // so no run ever joins the next.
    let mut rng = SplitMix64::new(random_seed());
    let mut src = scripted::<8, 4, _>(move |i| Ok(if i % 10 < 9 { 0x7E } else { (rng.next() as u32 % 0x7F) + 0x80 }));
    let cutoffs = Cutoffs::for_source(8, 4.0);
    assert_eq!((cutoffs.rct, cutoffs.apt, cutoffs.apt_window), (11, 79, 512));
    let mut out = [0u8; 32];
    assert_eq!(src.fill(&mut out), Err(EntropyError::HealthTestFailed));
    assert_eq!(src.failure(), Some(Failure::AdaptiveProportion));
    // A window starting on the common value reaches 79 of them within ~88 samples.
    assert!(src.source_mut().taken <= 100, "APT fired after {} samples", src.source_mut().taken);
}

#[test]
fn random_90_percent_bias_trips_apt() {
    let mut rng = SplitMix64::new(random_seed());
    let mut apt = AdaptiveProportionTest::new(Cutoffs::for_source(8, 8.0).apt, 512);
    let mut first_failure = None;
    for i in 0..4096u32 {
        let r = rng.next();
        let sample = if r % 10 != 0 { 0x33 } else { (r >> 32) as u32 & 0xFF };
        if !apt.feed(sample) {
            first_failure = Some(i);
            break;
        }
    }
    let at = first_failure.expect("a 90%-biased source must trip the APT");
    assert!(at < 1024, "tripped only at sample {at}");
}

fn assert_ideal_source_passes<const BITS: u32, const H: u32>(samples: u64, value_mask: u64) {
    let seed = random_seed();
    let mut rng = SplitMix64::new(seed);
    let mut src = scripted::<BITS, H, _>(move |_| Ok((rng.next() & value_mask) as u32));
    let bytes_per_sample = (BITS / 8) as usize;
    let mut buf = vec![0u8; 4096 * bytes_per_sample];
    let mut produced = 0u64;
    while produced < samples {
        if let Err(e) = src.fill(&mut buf) {
            panic!("false alarm {e:?} ({:?}) after {produced} samples, seed {seed:#x}", src.failure());
        }
        produced += 4096;
    }
    assert!(src.source_mut().taken >= samples + u64::from(STARTUP_SAMPLES));
}

#[test]
fn ideal_bytes_at_full_claim_pass_ten_million_samples() {
    // H = 8 on uniform bytes: the source meets its claim exactly, the hardest case.
    assert_ideal_source_passes::<8, 8>(10_000_000, 0xFF);
}

#[test]
fn ideal_nibbles_at_full_claim_pass_ten_million_samples() {
    assert_ideal_source_passes::<8, 4>(10_000_000, 0x0F);
}

#[test]
fn start_up_discards_the_first_1024_samples() {
    let mut src = scripted::<16, 16, _>(|i| Ok(i as u32));
    let mut out = [0u8; 4];
    src.fill(&mut out).unwrap();
    assert_eq!(out, [0x00, 0x04, 0x01, 0x04], "first output is sample 1024, then 1025");
    assert_eq!(src.source_mut().taken, 1026);
    src.fill(&mut out[..1]).unwrap();
    assert_eq!(out[0], 0x02, "a partly used sample is never reused");
}

#[test]
fn odd_lengths_consume_whole_samples() {
    for len in [1usize, 3, 5, 4097] {
        let mut src = scripted::<32, 16, _>(|i| Ok((i as u32).wrapping_mul(0x9E37_79B9)));
        let mut out = vec![0u8; len];
        src.fill(&mut out).unwrap();
        let samples = src.source_mut().taken - u64::from(STARTUP_SAMPLES);
        assert_eq!(samples, len.div_ceil(4) as u64, "len {len}");
        let expected: vec::Vec<u8> =
            (0..samples).flat_map(|k| ((k + 1024) as u32).wrapping_mul(0x9E37_79B9).to_le_bytes()).take(len).collect();
        assert_eq!(out, expected, "len {len}");
    }
}

#[test]
fn source_errors_pass_through_without_latching() {
    let mut fail_next = false;
    let mut src = scripted::<32, 16, _>(move |i| {
        fail_next = !fail_next && i == 2000;
        if fail_next {
            Err(EntropyError::Timeout)
        } else {
            Ok((i as u32).wrapping_mul(0x0101_0101) ^ 0x1234_5678)
        }
    });
    let mut out = [0xFFu8; 8192];
    assert_eq!(src.fill(&mut out), Err(EntropyError::Timeout));
    assert!(out.iter().all(|&b| b == 0), "partial output wiped");
    assert_eq!(src.failure(), None);
    src.fill(&mut out).unwrap();
}

#[test]
fn restart_reruns_start_up() {
    let mut src = scripted::<32, 16, _>(|i| Ok(if i < 4 { 7 } else { i as u32 }));
    let mut out = [0u8; 4];
    assert_eq!(src.fill(&mut out), Err(EntropyError::HealthTestFailed));
    assert_eq!(src.fill(&mut out), Err(EntropyError::HealthTestFailed));
    src.restart();
    src.fill(&mut out).unwrap();
    // 4 stuck samples failed; nothing taken while latched; then a fresh start-up.
    assert_eq!(src.source_mut().taken, 4 + 1024 + 1);
}

/// A byte source that reads in bulk (like the OS), from a scripted stream.
struct BulkScripted<F: FnMut(u64) -> u8> {
    next: F,
    taken: u64,
}

impl<F: FnMut(u64) -> u8> NoiseSource for BulkScripted<F> {
    const SAMPLE_BITS: u32 = 8;
    const MIN_ENTROPY: f64 = 8.0;
    const READS_IN_BULK: bool = true;
    fn sample(&mut self) -> Result<u32, EntropyError> {
        self.taken += 1;
        Ok(u32::from((self.next)(self.taken - 1)))
    }
    fn read_samples(&mut self, out: &mut [u8]) -> Result<(), EntropyError> {
        for b in out {
            *b = (self.next)(self.taken);
            self.taken += 1;
        }
        Ok(())
    }
}

#[test]
fn bulk_reads_are_tested_before_anything_leaves() {
    // Stuck in the middle of one bulk read: the whole request is refused and
    // wiped, although most of its bytes were good.
    let mut rng = SplitMix64::new(random_seed());
    let stuck_from = 1024 + 100;
    let mut src = HealthTested::new(BulkScripted {
        next: move |i| if i >= stuck_from { 0x42 } else { rng.next() as u8 },
        taken: 0,
    });
    let mut out = [0x55u8; 200];
    assert_eq!(src.fill(&mut out), Err(EntropyError::HealthTestFailed));
    assert_eq!(src.failure(), Some(Failure::RepetitionCount));
    assert_eq!(out, [0; 200], "output wiped on failure");
    assert_eq!(src.fill(&mut out[..1]), Err(EntropyError::HealthTestFailed), "failure latches");

    // After start-up, every other byte is 0 (never twice in a row, so the
    // RCT stays quiet): the bulk path's APT must catch the bias.
    let mut rng = SplitMix64::new(random_seed());
    let mut src = HealthTested::new(BulkScripted {
        next: move |i| if i >= 1024 && i % 2 == 0 { 0 } else { rng.next() as u8 | 1 },
        taken: 0,
    });
    let mut out = [0u8; 4096];
    assert_eq!(src.fill(&mut out), Err(EntropyError::HealthTestFailed));
    assert_eq!(src.failure(), Some(Failure::AdaptiveProportion));
}

#[test]
fn bulk_reads_hand_out_exactly_the_samples_read() {
    // The stream is its own index, so every output byte tells where it came from.
    let mut src = HealthTested::new(BulkScripted { next: |i| (i % 255) as u8, taken: 0 });
    let mut taken = 1024; // the start-up test's samples are discarded
    for len in [1usize, 3, 5, 4097, 70_000] {
        let mut out = std::vec![0u8; len];
        src.fill(&mut out).unwrap_or_else(|e| panic!("len {len}: {e:?}"));
        let expected: std::vec::Vec<u8> = (taken..taken + len as u64).map(|i| (i % 255) as u8).collect();
        assert_eq!(out, expected, "len {len}");
        taken += len as u64;
        assert_eq!(src.source_mut().taken, taken);
    }
}

/// The byte fast path against the reference: the same stream fed one
/// sample at a time through `check`. Streams are random with injected runs
/// of every length around the RCT cutoff and windows biased around the APT
/// cutoff, cut into pieces of assorted sizes.
#[test]
fn byte_fast_path_matches_sample_by_sample_tests() {
    type Src = BulkScripted<fn(u64) -> u8>;
    let c = HealthTested::<Src>::CUTOFFS;
    let mut rng = SplitMix64::new(random_seed());
    let mut verdicts = [0usize; 3];
    for trial in 0..400 {
        let mut stream: std::vec::Vec<u8> = (0..20_000).map(|_| rng.next() as u8).collect();
        let plant_at = 100 + (rng.next() % 19_000) as usize;
        match trial % 4 {
            // A run of length cutoff-2 ..= cutoff+1.
            0 => {
                let len = (c.rct as usize - 2) + (rng.next() % 4) as usize;
                let v = stream[plant_at];
                stream[plant_at..plant_at + len].fill(v);
            }
            // A window (they start every 512 samples after start-up) whose
            // first value occurs around the APT cutoff times, never twice in
            // a row.
            1 => {
                let start = 512 * (plant_at / 512).min(stream.len() / 512 - 1);
                let v = stream[start];
                let n = (c.apt as usize - 2) + (rng.next() % 5) as usize;
                for k in 0..n {
                    stream[start + k * (512 / n)] = v;
                }
            }
            // Many runs just short of the cutoff, anywhere in the 8-byte
            // words: runs carried from one word into the next, repeats at
            // every byte position.
            2 => {
                for _ in 0..200 {
                    let at = 100 + (rng.next() % 19_000) as usize;
                    let len = 2 + (rng.next() % (u64::from(c.rct) - 2)) as usize;
                    let v = stream[at];
                    stream[at..at + len].fill(v);
                }
            }
            _ => {}
        }
        let new = || {
            let mut t: HealthTested<Src> = HealthTested::new(BulkScripted { next: |i| i as u8, taken: 0 });
            t.start_up_step(u32::MAX).unwrap();
            t
        };
        let (mut fast, mut reference) = (new(), new());
        let mut at = 0;
        while at < stream.len() {
            let len = [1usize, 7, 8, 9, 511, 512, 513, 4096][(rng.next() % 8) as usize].min(stream.len() - at);
            let piece = &stream[at..at + len];
            at += len;
            let got = fast.check_all(piece);
            let want = piece.iter().try_for_each(|&b| reference.check(u32::from(b)));
            assert_eq!(got, want, "trial {trial}");
            assert_eq!(fast.state, reference.state, "trial {trial}");
            if got.is_err() {
                break;
            }
            let state = |t: &HealthTested<Src>| (t.rct.last, t.rct.run, t.apt.first, t.apt.count, t.apt.seen);
            assert_eq!(state(&fast), state(&reference), "trial {trial}");
        }
        verdicts[match fast.failure() {
            None => 0,
            Some(Failure::RepetitionCount) => 1,
            Some(Failure::AdaptiveProportion) => 2,
        }] += 1;
    }
    // Every kind of outcome was exercised.
    assert!(verdicts.iter().all(|&n| n > 10), "{verdicts:?}");
}
