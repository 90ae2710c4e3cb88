#!/usr/bin/python3
"""The coefficients of the logarithm in src/simd/row_kernels.cc (LogDoubleBySeries), by the Remez exchange in 40 digits.

ln f = 2 atanh(s) = 2s + s z R(z) with s = (f - 1) / (f + 1), z = s^2, f in [sqrt(1/2), sqrt(2)).
R is fitted on z in [0, zmax] minimising max |P(z) - R(z)| z / 2, the relative error it puts on
ln f (about 2s). Prints the coefficients of R, lowest first, as doubles, and that error with them.

    /usr/bin/python3 scripts/reference/js_log_series.py [DEGREE]   (default 5)
"""
import sys

import mpmath as mp

from remez import remez

mp.mp.dps = 40
S_MAX = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
Z_MAX = S_MAX**2


def r(z):
    if z == 0:
        return mp.mpf(2) / 3
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) / s - 2) / z


def remez_r(degree):
    return remez(r, lambda z: z / 2, mp.mpf(0), Z_MAX, degree, first=Z_MAX * mp.mpf("1e-6"),
                 iterations=12)


def main():
    degree = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    doubles, worst = remez_r(degree)
    for c in doubles:
        print(repr(c))
    print(f"max relative error on ln f: {mp.nstr(worst, 3)}")


if __name__ == "__main__":
    main()
