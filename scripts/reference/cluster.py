#!/usr/bin/python3
"""numpy reference for `attnviz cluster`, written from the formulas in docs/analyses.md,
and the golden values it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/cluster.py

writes tests/fixtures/analysis/cluster/: a few small dumps (npy, float32) and golden.json with,
for each case, the JS distance matrix, scipy's linkage matrix and dendrogram leaf order, the
classical MDS map and the redundant pairs. Deterministic (fixed seeds). The JS divergence is
written as Clark et al. state it (two logarithms per cell, pair by pair), not the way attnviz
computes it, so that the two are independent.
"""

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "tests" / "fixtures" / "analysis" / "cluster"

# ---------------------------------------------------------------------------------------------
# The analysis


def smooth(head):
    """Clark et al.: P' = 0.999 P + 0.001 / n, n the number of keys."""
    return 0.999 * head + 0.001 / head.shape[-1]


def js_divergence(p, q, reduce):
    """1/2 sum_j [P' ln(P'/M) + Q' ln(Q'/M)] per query row, then summed or averaged over rows."""
    p, q = smooth(p), smooth(q)
    m = (p + q) / 2
    rows = 0.5 * (p * np.log(p / m) + q * np.log(q / m)).sum(axis=-1)
    return float(rows.sum() if reduce == "sum" else rows.mean())


def js_distances(heads, reduce):
    """heads: (layers, heads, queries, keys). The symmetric matrix over heads in layer-major order."""
    flat = heads.reshape(-1, *heads.shape[-2:]).astype(np.float64)
    n = len(flat)
    d = np.zeros((n, n))
    for a in range(n):
        for b in range(a + 1, n):
            d[a, b] = d[b, a] = js_divergence(flat[a], flat[b], reduce)
    return d


def classical_mds(d):
    """Torgerson: B = -1/2 J D^2 J, coordinates = top-2 eigenvectors * sqrt(max(eigenvalue, 0)).
    Each axis is oriented so that its first entry of magnitude >= 1e-6 * max is positive.
    Returns the points and the relative gap to the third eigenvalue (a small gap means the axes
    are not well defined and the map should not be compared)."""
    n = len(d)
    if n < 2:
        return [[0.0, 0.0] for _ in range(n)], 1.0
    j = np.eye(n) - np.ones((n, n)) / n
    b = -0.5 * j @ (d ** 2) @ j
    values, vectors = np.linalg.eigh(b)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    coords = []
    for k in range(2):
        v = vectors[:, k].copy()
        big = np.abs(v) >= 1e-6 * np.abs(v).max()
        if v[np.argmax(big)] < 0:
            v = -v
        coords.append(v * np.sqrt(max(values[k], 0.0)))
    scale = max(abs(values[0]), 1e-300)
    gaps = [values[0] - values[1], values[1] - (values[2] if n > 2 else 0.0)]
    return np.stack(coords, axis=1).tolist(), min(gaps) / scale


def redundant_pairs(d, threshold):
    pairs = [(a, b, float(d[a, b])) for a in range(len(d)) for b in range(a + 1, len(d))
             if d[a, b] <= threshold]
    return sorted(pairs, key=lambda pair: pair[2])  # sorted() is stable: ties stay in index order


def cluster(heads, reduce, method, threshold):
    # Imported here so that gqa.py can use js_distances where scipy is not installed.
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform

    d = js_distances(heads, reduce)
    result = {"distance": d.tolist()}
    if len(d) > 1:
        z = linkage(squareform(d, checks=False), method=method)
        result["linkage"] = [[int(a), int(b), float(dist), int(size)] for a, b, dist, size in z]
        result["leaves"] = dendrogram(z, no_plot=True)["leaves"]
    else:
        result["linkage"], result["leaves"] = [], [0]
    mds, gap = classical_mds(d)
    result["mds"] = mds if gap > 1e-6 else None
    result["redundant"] = [list(pair) for pair in redundant_pairs(d, threshold)]
    return result


# ---------------------------------------------------------------------------------------------
# Fixtures and goldens


def softmax_rows(rng, shape, mask=None, temperature=1.5):
    logits = rng.standard_normal(shape) * temperature
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    if mask is not None:
        weights = np.where(mask, weights, 0.0)
    return weights / weights.sum(axis=-1, keepdims=True)


def fixtures():
    rng = np.random.default_rng(20240611)
    made = {}
    made["heads"] = softmax_rows(rng, (2, 3, 6, 6))
    n = 5
    made["causal"] = softmax_rows(rng, (3, 2, n, n), np.tril(np.ones((n, n), bool)), 2.5)
    made["cross"] = softmax_rows(rng, (1, 4, 3, 7))
    # Copies of two heads: distances of exactly 0 and equal distances, so the order in which
    # scipy breaks ties decides the linkage.
    a, b, c = softmax_rows(rng, (3, 4, 4))
    made["ties"] = np.stack([a, b, a, c, b, a])[None]
    made["single"] = softmax_rows(rng, (1, 1, 4, 4))
    return {name: array.astype(np.float32) for name, array in made.items()}


CASES = [
    ("heads.npy", "mean", "average", 0.1),
    ("heads.npy", "sum", "complete", 0.5),
    ("heads.npy", "mean", "ward", 0.0),
    ("causal.npy", "mean", "average", 0.05),
    ("causal.npy", "sum", "ward", 0.3),
    ("cross.npy", "mean", "complete", 0.2),
    ("ties.npy", "mean", "average", 0.0),
    ("ties.npy", "mean", "complete", 0.0),
    ("ties.npy", "sum", "ward", 0.0),
    ("single.npy", "mean", "average", 0.0),
    ("../../../../data/induction.npy", "mean", "average", 0.05),
    ("../../../../data/induction.npy", "sum", "ward", 1.0),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, array in fixtures().items():
        np.save(OUT / f"{name}.npy", array)
    cases = []
    for file, reduce, method, threshold in CASES:
        heads = np.load(OUT / file)
        heads = heads.reshape(-1, *heads.shape[-3:]) if heads.ndim >= 3 else heads[None, None]
        cases.append({"file": file, "js_reduce": reduce, "linkage_method": method,
                      "threshold": threshold, **cluster(heads, reduce, method, threshold)})
    golden = {"generator": "scripts/reference/cluster.py", "cases": cases}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
