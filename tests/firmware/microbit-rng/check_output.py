#!/usr/bin/env python3
"""Checks what the micro:bit RNG firmware read from QEMU's emulated RNG.

Usage: check_output.py RUN1.txt RUN2.txt   (the firmware's semihosting output)
       check_output.py --self-test         (the checks reject bad streams)

Each run must end with "ok bytes=N" after N bytes of "data" lines (the port
and its health tests delivered every byte), and its bytes must look like a
uniform source: not constant, byte frequencies within a chi-square bound,
no serial correlation, near 8 bits/byte of plug-in entropy. The two runs
must differ (the emulator draws fresh host randomness each run).
"""
import math
import sys

# Byte-frequency chi-square, 255 degrees of freedom: mean 255, sd 22.6.
# Outside [175, 360] has probability below 1e-4 for a uniform source; the
# low bound rejects streams too even to be random (a counter gives 0).
CHI2_LOW, CHI2_HIGH = 175.0, 360.0
# Lag-1 serial correlation: sd 1/sqrt(n) (0.016 for 4096 bytes).
MAX_SERIAL_CORRELATION = 0.08
# Plug-in entropy of 4096 uniform bytes is about 7.955 bits (estimator bias).
MIN_ENTROPY_BITS = 7.9
# Two independent uniform runs agree at a position with probability 1/256.
MAX_SAME_POSITION_FRACTION = 0.02
MIN_BYTES = 4096


def parse(text):
    """The bytes of a run and its final verdict line."""
    data = bytearray()
    verdict = None
    for line in text.splitlines():
        if line.startswith("data "):
            data += bytes.fromhex(line[5:])
        elif line.startswith(("ok ", "fail ")):
            verdict = line
    return bytes(data), verdict


def chi_square(data):
    expected = len(data) / 256
    counts = [0] * 256
    for b in data:
        counts[b] += 1
    return sum((c - expected) ** 2 / expected for c in counts)


def serial_correlation(data):
    x, y = data[:-1], data[1:]
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(x, y))
    vx = sum((a - mx) ** 2 for a in x)
    vy = sum((b - my) ** 2 for b in y)
    return cov / math.sqrt(vx * vy) if vx and vy else 1.0


def entropy_bits(data):
    counts = [0] * 256
    for b in data:
        counts[b] += 1
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in counts if c)


def problems(data):
    """Why `data` does not look like uniform random bytes (empty if it does)."""
    found = []
    if len(data) < MIN_BYTES:
        return [f"only {len(data)} bytes"]
    if len(set(data)) == 1:
        return [f"constant byte {data[0]:#04x}"]
    chi2 = chi_square(data)
    if not CHI2_LOW <= chi2 <= CHI2_HIGH:
        found.append(f"chi-square {chi2:.1f} outside [{CHI2_LOW}, {CHI2_HIGH}]")
    r = serial_correlation(data)
    if abs(r) > MAX_SERIAL_CORRELATION:
        found.append(f"serial correlation {r:.3f}")
    h = entropy_bits(data)
    if h < MIN_ENTROPY_BITS:
        found.append(f"entropy {h:.3f} bits/byte")
    return found


def same_position_fraction(a, b):
    n = min(len(a), len(b))
    return sum(1 for i in range(n) if a[i] == b[i]) / n


def check_runs(paths):
    runs = []
    ok = True
    for path in paths:
        with open(path, encoding="ascii", errors="replace") as f:
            data, verdict = parse(f.read())
        expected = f"ok bytes={len(data)}"
        if verdict != expected:
            print(f"{path}: firmware verdict {verdict!r}, expected {expected!r}")
            ok = False
        bad = problems(data)
        for p in bad:
            print(f"{path}: {p}")
        ok = ok and not bad
        print(f"{path}: {len(data)} bytes, chi-square {chi_square(data):.1f}, "
              f"serial correlation {serial_correlation(data):+.4f}, "
              f"entropy {entropy_bits(data):.4f} bits/byte")
        runs.append(data)
    for i in range(1, len(runs)):
        same = same_position_fraction(runs[0], runs[i])
        if runs[0] == runs[i] or same > MAX_SAME_POSITION_FRACTION:
            print(f"runs 1 and {i + 1} agree at {same:.1%} of positions")
            ok = False
    return ok


def self_test():
    """The checks must reject streams a broken port would produce."""
    import random
    good = random.Random(90).randbytes(MIN_BYTES)  # fixed: the test never flakes
    assert problems(good) == [], problems(good)
    bad_streams = {
        "all zero": bytes(MIN_BYTES),
        "constant": b"\x5c" * MIN_BYTES,
        "counter": bytes(i % 256 for i in range(MIN_BYTES)),
        "each byte twice (VALUE read without VALRDY)": bytes(b for b in good[: MIN_BYTES // 2] for _ in (0, 1)),
        "seven bits": bytes(b & 0x7F for b in good),
        "short": good[:100],
    }
    for name, stream in bad_streams.items():
        assert problems(stream), f"accepted a {name} stream"
    assert same_position_fraction(good, good) == 1.0
    assert parse("data 00ff\nok bytes=2\n") == (b"\x00\xff", "ok bytes=2")
    print(f"checker self-test: rejects {len(bad_streams)} kinds of bad stream")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    elif len(sys.argv) >= 3:
        sys.exit(0 if check_runs(sys.argv[1:]) else 1)
    else:
        sys.exit(__doc__)
