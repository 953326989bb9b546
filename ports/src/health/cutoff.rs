//! Health-test cutoffs (NIST SP 800-90B §4.4), computed in `const fn`s from
//! the declared min-entropy per sample `H` and the false-alarm probability
//! `α = 2^-ALPHA_LOG2`.
//!
//! `core` has no `ln`/`exp`, so this module carries small series versions of
//! both; they only need to be accurate enough to place an integer cutoff.

/// α = 2^-40 per test decision, the strict end of SP 800-90B's recommended
/// range [2^-40, 2^-20] (§4.4). With 2^-20 a device drawing 10^7 samples
/// would see about ten false alarms; with 2^-40, one such device in 10^5
/// sees one.
pub const ALPHA_LOG2: u32 = 40;

/// Adaptive Proportion Test window (§4.4.2): 1024 for binary samples, 512
/// otherwise.
pub const fn apt_window(sample_bits: u32) -> u32 {
    if sample_bits == 1 {
        1024
    } else {
        512
    }
}

/// Repetition Count Test cutoff (§4.4.1): `C = 1 + ceil(A / H)` for
/// `α = 2^-A`. A run of `C` identical samples has probability
/// `2^(-H (C-1)) <= α` on a source meeting its claim.
pub const fn rct_cutoff(min_entropy: f64, alpha_log2: u32) -> u32 {
    assert!(min_entropy > 0.0 && min_entropy <= 32.0, "min-entropy must be in (0, 32] bits");
    1 + ceil(alpha_log2 as f64 / min_entropy)
}

/// Adaptive Proportion Test cutoff (§4.4.2).
///
/// The test counts `B`: the first sample of a window plus its repeats among
/// the other `W - 1`, and fails when `B >= C`. The repeat count is
/// `Binomial(W - 1, p)` with `p = 2^-H`, so we take
/// `C = 1 + min { c : P(Binomial(W - 1, p) >= c) <= α }`.
/// The standard writes `C = 1 + CRITBINOM(W, p, 1 - α)`; ours is the same or
/// one larger, and guarantees the false-alarm probability is at most α.
pub const fn apt_cutoff(min_entropy: f64, window: u32, alpha_log2: u32) -> u32 {
    assert!(min_entropy > 0.0 && min_entropy <= 32.0, "min-entropy must be in (0, 32] bits");
    let p = exp2(-min_entropy);
    let c = binomial_upper_quantile(window - 1, p, exp2(-(alpha_log2 as f64)));
    assert!(c < window, "APT cutoff above the window: declared min-entropy too low to test");
    1 + c
}

/// Smallest `c` with `P(Binomial(n, p) >= c) <= alpha`.
///
/// Sums the upper tail from `k = n` down, in log space, so neither `p^n`
/// nor `(1 - p)^n` underflows before it matters.
pub const fn binomial_upper_quantile(n: u32, p: f64, alpha: f64) -> u32 {
    let log_odds = ln((1.0 - p) / p); // ln pmf(k-1) - ln pmf(k) = ln(k / (n-k+1)) + log_odds
    let mut log_pmf = n as f64 * ln(p);
    let mut tail = 0.0;
    let mut k = n;
    loop {
        tail += exp(log_pmf);
        if tail > alpha {
            return k + 1;
        }
        if k == 0 {
            return 0;
        }
        log_pmf += ln(k as f64 / (n - k + 1) as f64) + log_odds;
        k -= 1;
    }
}

const LN_2: f64 = core::f64::consts::LN_2;

const fn ceil(x: f64) -> u32 {
    let t = x as u32;
    if (t as f64) < x {
        t + 1
    } else {
        t
    }
}

/// Natural log of a positive normal number: exponent from the bits, the
/// mantissa `m` in [1, 2) by `ln m = 2 atanh((m-1)/(m+1))`.
pub const fn ln(x: f64) -> f64 {
    assert!(x > 0.0);
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let t = (m - 1.0) / (m + 1.0); // in [0, 1/3): the series converges fast
    let t2 = t * t;
    let mut term = t;
    let mut sum = 0.0;
    let mut k = 1.0;
    while k < 60.0 {
        sum += term / k;
        term *= t2;
        k += 2.0;
    }
    2.0 * sum + exponent as f64 * LN_2
}

/// `e^x`, with `x = k ln 2 + r`, `|r| < ln 2`: Taylor series for `e^r`, then
/// `2^k` built from bits. Results below the normal range are returned as 0.
pub const fn exp(x: f64) -> f64 {
    if x < -708.0 {
        return 0.0;
    }
    assert!(x < 709.0);
    let k = (x / LN_2) as i64; // truncation keeps |r| < ln 2
    let r = x - k as f64 * LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut i = 1.0;
    while i < 30.0 {
        term *= r / i;
        sum += term;
        i += 1.0;
    }
    let biased = k + 1023;
    if biased <= 0 {
        return 0.0;
    }
    sum * f64::from_bits((biased as u64) << 52)
}

pub const fn exp2(x: f64) -> f64 {
    exp(x * LN_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    #[test]
    fn ln_and_exp_match_std() {
        for &x in &[1e-300, 2.3e-10, 0.001, 0.5, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300] {
            let (ours, std) = (ln(x), x.ln());
            assert!((ours - std).abs() <= 1e-12 * std.abs().max(1.0), "ln({x}) = {ours}, std {std}");
        }
        for &x in &[-700.0, -100.0, -27.7, -1.0, -1e-9, 0.0, 0.3, 1.0, 5.5, 100.0, 700.0] {
            let (ours, std) = (exp(x), x.exp());
            assert!((ours - std).abs() <= 1e-12 * std, "exp({x}) = {ours}, std {std}");
        }
    }

    /// Independent check of the tail: exact-ish forward sum of the pmf with
    /// std's `powi`, for a case where nothing underflows.
    #[test]
    fn quantile_matches_direct_tail_sum() {
        let (n, p) = (511u32, 1.0f64 / 16.0);
        let mut pmf = vec![0.0f64; n as usize + 1];
        pmf[0] = (1.0 - p).powi(n as i32);
        for k in 0..n as usize {
            pmf[k + 1] = pmf[k] * (n as usize - k) as f64 / (k + 1) as f64 * p / (1.0 - p);
        }
        for alpha_log2 in [10, 20, 30, 40] {
            let alpha = 2f64.powi(-alpha_log2);
            let c = binomial_upper_quantile(n, p, alpha) as usize;
            let tail = |from: usize| pmf[from..].iter().sum::<f64>();
            assert!(tail(c) <= alpha, "alpha 2^-{alpha_log2}: tail at {c} too big");
            assert!(tail(c - 1) > alpha, "alpha 2^-{alpha_log2}: {c} not the smallest");
        }
    }

    /// Expected values come from an independent tool, `ports/tools/cutoffs.py`
    /// (exact rational arithmetic in Python). For α = 2^-20 they sit at or one
    /// above SP 800-90B's Table 2 (e.g. H=1, W=1024: 589 there, 590 here).
    #[test]
    fn cutoffs_match_exact_computation() {
        assert_eq!(rct_cutoff(8.0, 40), 6);
        assert_eq!(rct_cutoff(7.0, 40), 7);
        assert_eq!(rct_cutoff(16.0, 40), 4);
        assert_eq!(rct_cutoff(1.0, 40), 41);
        assert_eq!(rct_cutoff(1.0, 20), 21);
        for (h, window, alpha_log2, expected) in EXACT_APT {
            assert_eq!(apt_cutoff(*h, *window, *alpha_log2), *expected, "H={h} W={window} α=2^-{alpha_log2}");
        }
    }

    /// (H, W, A, C) from `python3 ports/tools/cutoffs.py`.
    const EXACT_APT: &[(f64, u32, u32, u32)] = &[
        (1.0, 1024, 20, 590),
        (1.0, 1024, 40, 626),
        (1.0, 512, 20, 311),
        (1.0, 512, 40, 337),
        (2.0, 512, 40, 202),
        (4.0, 512, 40, 79),
        (7.0, 512, 40, 27),
        (8.0, 512, 20, 14),
        (8.0, 512, 40, 20),
        (16.0, 512, 40, 6),
        (32.0, 512, 40, 3),
    ];
}
