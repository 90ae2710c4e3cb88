"""The Remez exchange for the polynomial logarithms of src/simd/row_kernels.cc, in mpmath's digits.

remez(target, weight, low, high, degree) returns the coefficients (lowest first, as doubles) of
the polynomial P of `degree` minimising max |(P(x) - target(x)) weight(x)| over [low, high], and
that maximum with the doubles. `first` replaces the first reference point (where the weight may
vanish); points where the weight vanishes are left out of the grid.
"""
import mpmath as mp


def weighted_error(coefficients, target, weight, x):
    w = weight(x)
    if w == 0:
        return mp.mpf(0)
    return (sum(c * x**j for j, c in enumerate(coefficients)) - target(x)) * w


def remez(target, weight, low, high, degree, first=None, iterations=15):
    n = degree + 2
    grid = [low + (high - low) * i / 4000 for i in range(4001)]
    grid = [x for x in grid if weight(x) != 0]
    points = [(low + high) / 2 - (high - low) / 2 * mp.cos(mp.pi * i / (n - 1)) for i in range(n)]
    if first is not None:
        points[0] = first
    for _ in range(iterations):
        a, b = mp.matrix(n, n), mp.matrix(n, 1)
        for row, x in enumerate(points):
            w = weight(x)
            for j in range(degree + 1):
                a[row, j] = x**j * w
            a[row, degree + 1] = (-1)**row
            b[row] = target(x) * w
        solution = mp.lu_solve(a, b)
        coefficients = [solution[j] for j in range(degree + 1)]
        # The new reference: the largest error of each run of one sign.
        extrema, best = [], None
        for x in grid:
            e = weighted_error(coefficients, target, weight, x)
            if best is None or mp.sign(e) != mp.sign(best[1]):
                if best is not None:
                    extrema.append(best[0])
                best = (x, e)
            elif abs(e) > abs(best[1]):
                best = (x, e)
        extrema.append(best[0])
        if len(extrema) >= n:
            extrema.sort(key=lambda x: -abs(weighted_error(coefficients, target, weight, x)))
            points = sorted(extrema[:n])
    doubles = [float(c) for c in coefficients]
    worst = max(abs(weighted_error([mp.mpf(c) for c in doubles], target, weight, x)) for x in grid)
    return doubles, worst
