#!/usr/bin/python3
"""Prints the tables of the float logarithm in src/simd/row_kernels.cc (LogFloat): 16 buckets with
AVX-512 and 8 with AVX2, as many as floats fill one register.

x = 2^e f with f in [sqrt(1/2), sqrt(2)); the 16 (8) buckets are the top four (three) bits of the 23-bit
offset of f's bits from sqrt(1/2)'s. Bucket i takes inv_i, the float nearest 1 / (f at the
bucket's middle) (1 exactly for the bucket holding 1, so that ln x stays exact in relative terms
next to 1), then ln x = e ln 2 - ln inv_i + ln(1 + r) with r = f inv_i - 1, |r| < 0.04. The
table holds -ln inv_i as a float (the rest, printed too, is no longer used).

ln(1 + r) = r (1 + c1 r + c2 r^2 + c3 r^3 + c4 r^4) over |r| below the widest r of the buckets, the
c's fitted for the least largest relative error (Lawson's iteration of weighted least squares):
1e-9 with 16 buckets and 6e-9 with 8, against 1.6e-8 and 1e-7 for the Taylor series' four terms.
"""
import struct

import numpy as np

SQRT_HALF_BITS = 0x3F3504F3


def float_of(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def tables(buckets):
    step = 2**23 // buckets
    inv, ln_c, ln_c_lo, widest = [], [], [], 0.0
    for i in range(buckets):
        low = float_of(SQRT_HALF_BITS + i * step)
        high = float_of(SQRT_HALF_BITS + (i + 1) * step - 1)
        middle = float_of(SQRT_HALF_BITS + i * step + step // 2)
        v = np.float32(1.0) if low <= 1.0 <= high else np.float32(1.0 / middle)
        exact = -np.log(np.float64(v))
        inv.append(float(v))
        ln_c.append(float(np.float32(exact)))
        ln_c_lo.append(float(np.float32(exact - np.float64(np.float32(exact)))))
        widest = max(widest, abs(low * v - 1), abs(high * v - 1))
    print(f"{buckets} buckets")
    for name, values in (("inverse", inv), ("ln c", ln_c), ("ln c, rest", ln_c_lo)):
        print(f"{name}: " + ", ".join(f"{v:.9e}f" for v in values))
    print(f"largest |r|: {widest:.4f}")
    return widest


def series(widest, terms=4, rounds=200):
    """c1..c_terms of ln(1 + r) = r (1 + c1 r + ...) over |r| <= widest, and the largest relative
    error, with the c's rounded to float."""
    r = np.linspace(-widest, widest, 20001)
    r = r[r != 0]
    target = (np.log1p(r) / r - 1) / r  # what c1 + c2 r + ... approximates
    powers = np.vander(r, terms, increasing=True)
    weight = np.ones_like(r)
    for _ in range(rounds):  # the relative error of ln(1 + r) is about r (fit - target)
        scale = np.abs(r) * np.sqrt(weight)
        c, *_ = np.linalg.lstsq(powers * scale[:, None], target * scale, rcond=None)
        weight *= np.abs((powers @ c - target) * r)
        weight /= weight.sum()
    c = c.astype(np.float32).astype(np.float64)
    approx = r * (1 + r * (powers @ c))
    worst = np.max(np.abs(approx / np.log1p(r) - 1))
    print("series: " + ", ".join(f"{v:.9e}f" for v in c) + f"; largest relative error {worst:.1e}")


def main():
    series(tables(16))
    series(tables(8))


if __name__ == "__main__":
    main()
