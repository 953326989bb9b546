//! The continuous health tests over byte samples, eight at a time, for
//! sources that read in bulk (the `posix` port reads 64 KiB per call).
//!
//! Only the common case is fast: when neither test fails on a piece, both
//! tests' state is advanced over it from 64-bit words. When one might fail,
//! nothing is changed and the caller re-runs the exact sample-by-sample
//! loop, which also tells which test failed first. The results are the same
//! as feeding every byte to `RepetitionCountTest::feed` and
//! `AdaptiveProportionTest::feed` (checked by `tests::byte_fast_path_*`).

use super::{AdaptiveProportionTest, RepetitionCountTest};

const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The top bit of each byte of `x` that is zero, and no other bit. Exact:
/// `(x & LOW7) + LOW7` cannot carry from one byte into the next.
fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7) + LOW7) | x | LOW7)
}

fn word(bytes: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(bytes).ok().map(u64::from_le_bytes)
}

/// Advance both tests over `bytes` (byte samples) and return `true`, or
/// return `false` without changing anything when either could fail here.
pub(super) fn advance_if_passing(
    rct: &mut RepetitionCountTest,
    apt: &mut AdaptiveProportionTest,
    bytes: &[u8],
) -> bool {
    // run == 0: no previous sample yet (only before the start-up test).
    if rct.run == 0 || rct.last > 0xFF || apt.first > 0xFF {
        return false;
    }
    let Some((last, run)) = repetition_scan(rct.cutoff, rct.last, rct.run, bytes) else {
        return false;
    };
    let Some((first, count, seen)) = proportion_scan(apt, bytes) else {
        return false;
    };
    (rct.last, rct.run) = (last, run);
    (apt.first, apt.count, apt.seen) = (first, count, seen);
    true
}

/// The RCT's `(last, run)` after `bytes`, or `None` if a run reaches the cutoff.
fn repetition_scan(cutoff: u32, last: u32, run: u32, bytes: &[u8]) -> Option<(u32, u32)> {
    let mut state = (last, run);
    let exact = |piece: &[u8], state: &mut (u32, u32)| {
        piece.iter().all(|&b| {
            *state = if u32::from(b) == state.0 { (state.0, state.1 + 1) } else { (u32::from(b), 1) };
            state.1 < cutoff
        })
    };
    let mut words = bytes.chunks_exact(8);
    for piece in &mut words {
        let w = word(piece)?;
        // Byte i of `previous` is the sample before byte i of `w`.
        let previous = (w << 8) | u64::from(state.0);
        // The top bit of byte i: sample i repeats the one before it.
        let repeats = zero_bytes(w ^ previous);
        if repeats == 0 {
            // No sample equals the one before it: the run ends at length 1.
            state = ((w >> 56) as u32, 1);
        } else if repeats & (repeats << 8) == 0 && cutoff > 2 && (repeats & 0x80 == 0 || state.1 + 1 < cutoff) {
            // No two repeats in a row (about 3% of random words have one):
            // every run here has length 2, except that a repeat at byte 0
            // extends the run carried in, which was just checked.
            state = ((w >> 56) as u32, if repeats >> 63 == 0 { 1 } else { 2 });
        } else if !exact(piece, &mut state) {
            return None;
        }
    }
    if !exact(words.remainder(), &mut state) {
        return None;
    }
    Some(state)
}

/// The APT's `(first, count, seen)` after `bytes`, or `None` if a window's
/// count reaches the cutoff. Within a window the count only grows, so
/// checking it at the end of each piece of the window is enough.
fn proportion_scan(apt: &AdaptiveProportionTest, mut bytes: &[u8]) -> Option<(u32, u32, u32)> {
    let (mut first, mut count, mut seen) = (apt.first, apt.count, apt.seen);
    while let Some(&head) = bytes.first() {
        if seen == 0 {
            // A new window: its first sample counts itself below.
            (first, count) = (u32::from(head), 0);
        }
        let room = apt.window.saturating_sub(seen).max(1) as usize;
        let (piece, rest) = bytes.split_at(room.min(bytes.len()));
        count += count_equal(piece, first as u8);
        if count >= apt.cutoff {
            return None;
        }
        seen += piece.len() as u32;
        if seen >= apt.window {
            seen = 0;
        }
        bytes = rest;
    }
    Some((first, count, seen))
}

/// How many bytes of `bytes` equal `value`. Matches are tallied per byte
/// lane of a word (one add per word, no popcount, which baseline x86-64 and
/// Cortex-M lack) and the lanes summed once per block.
fn count_equal(bytes: &[u8], value: u8) -> u32 {
    let pattern = u64::from(value) * ONES;
    let mut count = 0;
    // A lane gains at most 1 per word: 128 words never overflow its byte.
    for block in bytes.chunks(128 * 8) {
        let mut words = block.chunks_exact(8);
        let mut lanes = 0;
        for w in (&mut words).filter_map(word) {
            lanes += zero_bytes(w ^ pattern) >> 7;
        }
        count += lane_sum(lanes) + words.remainder().iter().filter(|&&b| b == value).count() as u32;
    }
    count
}

/// The sum of the eight byte lanes of `lanes` (each at most 128).
fn lane_sum(lanes: u64) -> u32 {
    const EVEN_BYTES: u64 = 0x00FF_00FF_00FF_00FF;
    // Four 16-bit lanes, each at most 256; their sum lands in the top one.
    let pairs = (lanes & EVEN_BYTES) + ((lanes >> 8) & EVEN_BYTES);
    (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as u32
}
