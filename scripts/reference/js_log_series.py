#!/usr/bin/python3
"""The coefficients of the logarithm in src/analysis/js_log.h, by the Remez exchange in 40 digits.

ln f = 2 atanh(s) = 2s + s z R(z) with s = (f - 1) / (f + 1), z = s^2, f in [sqrt(1/2), sqrt(2)).
R is fitted on z in [0, zmax] minimising max |P(z) - R(z)| z / 2, the relative error it puts on
ln f (about 2s). Prints the coefficients of R, lowest first, as doubles, and that error with them.

    /usr/bin/python3 scripts/reference/js_log_series.py [DEGREE]   (default 5)
"""
import sys

import mpmath as mp

mp.mp.dps = 40
S_MAX = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
Z_MAX = S_MAX**2


def r(z):
    if z == 0:
        return mp.mpf(2) / 3
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) / s - 2) / z


def weighted_error(coefficients, z):
    return (sum(c * z**j for j, c in enumerate(coefficients)) - r(z)) * z / 2


def remez(degree, iterations=12):
    n = degree + 2
    grid = [Z_MAX * i / 4000 for i in range(1, 4001)]
    points = [Z_MAX / 2 * (1 - mp.cos(mp.pi * i / (n - 1))) for i in range(n)]
    points[0] = Z_MAX * mp.mpf("1e-6")
    for _ in range(iterations):
        a = mp.matrix(n, n)
        b = mp.matrix(n, 1)
        for i, z in enumerate(points):
            for j in range(degree + 1):
                a[i, j] = z**j * z / 2
            a[i, degree + 1] = (-1)**i
            b[i] = r(z) * z / 2
        solution = mp.lu_solve(a, b)
        coefficients = [solution[j] for j in range(degree + 1)]
        # The new reference: the largest error of each run of one sign.
        extrema, best = [], None
        for z in grid:
            e = weighted_error(coefficients, z)
            if best is None or mp.sign(e) != mp.sign(best[1]):
                if best is not None:
                    extrema.append(best[0])
                best = (z, e)
            elif abs(e) > abs(best[1]):
                best = (z, e)
        extrema.append(best[0])
        if len(extrema) >= n:
            extrema.sort(key=lambda z: -abs(weighted_error(coefficients, z)))
            points = sorted(extrema[:n])
    doubles = [float(c) for c in coefficients]
    worst = max(abs(weighted_error([mp.mpf(c) for c in doubles], z)) for z in grid)
    return doubles, worst


def main():
    degree = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    doubles, worst = remez(degree)
    for c in doubles:
        print(repr(c))
    print(f"max relative error on ln f: {mp.nstr(worst, 3)}")


if __name__ == "__main__":
    main()
