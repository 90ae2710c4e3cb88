#!/usr/bin/python3
"""Prints the tables of the float logarithm in src/simd/row_kernels.cc (LogUnits): 16 buckets with
AVX-512 and 8 with AVX2, as many as floats fill one register.

x = 2^e f with f in [sqrt(1/2), sqrt(2)); the 16 (8) buckets are the top four (three) bits of the 23-bit
offset of f's bits from sqrt(1/2)'s. Bucket i takes inv_i, the float nearest 1 / (f at the
bucket's middle) (1 exactly for the bucket holding 1, so that ln x stays exact in relative terms
next to 1). The logarithm is counted in units of ln 2 / B for B buckets: the offset shifted right
is j = B e + i, and B log2 x = j + t_i + B log2(1 + r) with t_i = -i - B log2 inv_i and
r = f inv_i - 1, |r| < 0.04 (0.057 with 8). The table holds t_i as a float; t_i = -i exactly in
the bucket holding 1.

B log2(1 + r) = r (a0 + a1 r + a2 r^2 + a3 r^3 + a4 r^4) over |r| below the widest r of the
buckets, a0 the float nearest B / ln 2 and a1..a4 fitted for the least largest relative error
(Lawson's iteration of weighted least squares): 1.3e-8 with 16 buckets and 1.5e-8 with 8, of
which a0's rounding is 1.3e-8.
"""
import struct

import numpy as np

SQRT_HALF_BITS = 0x3F3504F3


def float_of(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def tables(buckets):
    step = 2**23 // buckets
    inv, units, widest = [], [], 0.0
    for i in range(buckets):
        low = float_of(SQRT_HALF_BITS + i * step)
        high = float_of(SQRT_HALF_BITS + (i + 1) * step - 1)
        middle = float_of(SQRT_HALF_BITS + i * step + step // 2)
        v = np.float32(1.0) if low <= 1.0 <= high else np.float32(1.0 / middle)
        inv.append(float(v))
        units.append(float(np.float32(-i - buckets * np.log2(np.float64(v)))))
        widest = max(widest, abs(low * v - 1), abs(high * v - 1))
    print(f"{buckets} buckets")
    for name, values in (("inverse", inv), ("t", units)):
        print(f"{name}: " + ", ".join(f"{v:.9e}f" for v in values))
    print(f"largest |r|: {widest:.4f}")
    return widest


def series(buckets, widest, terms=4, rounds=200):
    """a0..a_terms of B log2(1 + r) = r (a0 + a1 r + ...) over |r| <= widest, and the largest
    relative error, with the a's rounded to float."""
    r = np.linspace(-widest, widest, 20001)
    r = r[r != 0]
    a0 = float(np.float32(buckets / np.log(2)))
    exact = buckets / np.log(2) * np.log1p(r)
    target = (exact / r - a0) / r  # what a1 + a2 r + ... approximates
    powers = np.vander(r, terms, increasing=True)
    weight = np.ones_like(r)
    for _ in range(rounds):  # the relative error of ln(1 + r) is about r (fit - target)
        scale = np.abs(r) * np.sqrt(weight)
        c, *_ = np.linalg.lstsq(powers * scale[:, None], target * scale, rcond=None)
        weight *= np.abs((powers @ c - target) * r * r / exact)
        weight /= weight.sum()
    c = c.astype(np.float32).astype(np.float64)
    approx = r * (a0 + r * (powers @ c))
    worst = np.max(np.abs(approx / exact - 1))
    print("series: " + ", ".join(f"{v:.9e}f" for v in [a0, *c]) +
          f"; largest relative error {worst:.1e}")


def main():
    for buckets in (16, 8):
        series(buckets, tables(buckets))


if __name__ == "__main__":
    main()
