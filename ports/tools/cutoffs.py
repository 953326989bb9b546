#!/usr/bin/env python3
"""Independent check of the health-test cutoffs in src/health/cutoff.rs.

Exact rational arithmetic (no floating point): for integer min-entropy H,
p = 2^-H is exact, so the binomial tail is computed without rounding.
Prints the APT cutoffs C = 1 + min{c : P(Binomial(W-1, p) >= c) <= 2^-A}
and the RCT cutoffs C = 1 + ceil(A / H).
"""
from fractions import Fraction
from math import comb


def apt_cutoff(h, window, alpha_log2):
    n = window - 1
    p = Fraction(1, 2 ** h)
    alpha = Fraction(1, 2 ** alpha_log2)
    tail = Fraction(0)
    for k in range(n, -1, -1):
        tail += comb(n, k) * p ** k * (1 - p) ** (n - k)
        if tail > alpha:
            return 1 + (k + 1)
    return 1


def rct_cutoff(h, alpha_log2):
    return 1 + -(-alpha_log2 // h)


if __name__ == "__main__":
    for h in (1, 2, 4, 7, 8, 16, 32):
        for a in (20, 40):
            print(f"H={h:2} alpha=2^-{a}: RCT {rct_cutoff(h, a):3}  APT(W=512) {apt_cutoff(h, 512, a):3}")
