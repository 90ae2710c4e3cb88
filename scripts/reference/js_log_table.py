#!/usr/bin/python3
"""The tables and the polynomial of LogDoubleByTable in src/simd/row_kernels.cc (AVX-512), in 40 digits.

x = 2^k f with f in [B, 2B), B the start of the bucket that holds 1; the top four bits of the
52-bit offset of f's bits from B's pick bucket i, so that j = (bits(x) - bits(B)) >> 48 (shifted
arithmetically) is 16 k + i. Bucket i takes inv_i, the double nearest 1 / (f at the bucket's
middle) (1 exactly for bucket 0, which holds 1), and

    ln x = k ln 2 + ln(1 / inv_i) + ln(1 + r),   r = f inv_i - 1,
         = j L + base_i + ln(1 + r),             L = ln 2 / 16 as a double, base_i = -ln inv_i - i L,

j L + base_i being one multiply-add. For x in bucket 0 with k = 0 (next to 1), j = 0 and base_0
= 0, so ln x = ln(1 + r) keeps its relative accuracy. ln(1 + r) = r + r^2 P(r), P fitted by the
Remez exchange on [min r, max r] minimising max |r^2 (P(r) - g(r)) / ln(1 + r)| with g(r) =
(ln(1 + r) - r) / r^2: the relative error it puts on ln(1 + r).

    /usr/bin/python3 scripts/reference/js_log_table.py [DEGREE]   (default 6)
"""
import struct
import sys

import mpmath as mp

from remez import remez

mp.mp.dps = 40
SQRT_HALF_BITS = 0x3FE6A09E667F3BCD
BUCKET_OF_ONE = 9  # of the 16 buckets of [sqrt(1/2), sqrt(2)), the one holding 1
START_BITS = SQRT_HALF_BITS + (BUCKET_OF_ONE << 48)


def double_of(bits):
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def tables():
    l = float(mp.log(2) / 16)
    inverse, base, r_min, r_max = [], [], mp.mpf(0), mp.mpf(0)
    for i in range(16):
        low = double_of(START_BITS + (i << 48))
        high = double_of(START_BITS + ((i + 1) << 48) - 1)
        middle = double_of(START_BITS + (i << 48) + (1 << 47))
        v = 1.0 if i == 0 else float(1 / mp.mpf(middle))
        inverse.append(v)
        base.append(float(-mp.log(mp.mpf(v)) - i * mp.mpf(l)))
        for f in (low, high):
            r = mp.mpf(f) * mp.mpf(v) - 1
            r_min, r_max = min(r_min, r), max(r_max, r)
    return l, inverse, base, r_min, r_max


def g(r):
    return mp.mpf(-1) / 2 if r == 0 else (mp.log1p(r) - r) / r**2


def weight(r):
    return r**2 / mp.log1p(r) if r != 0 else mp.mpf(0)


def main():
    degree = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    l, inverse, base, r_min, r_max = tables()
    print(f"start of bucket 0: {double_of(START_BITS)!r} (bits {START_BITS:#x})")
    print(f"L = {l!r}")
    print("inverse: " + ", ".join(repr(v) for v in inverse))
    print("base: " + ", ".join(repr(v) for v in base))
    print(f"r in [{mp.nstr(r_min, 4)}, {mp.nstr(r_max, 4)}]")
    coefficients, worst = remez(g, weight, r_min, r_max, degree)
    print("P, lowest first: " + ", ".join(repr(c) for c in coefficients))
    print(f"max relative error on ln(1 + r): {mp.nstr(worst, 3)}")


if __name__ == "__main__":
    main()
