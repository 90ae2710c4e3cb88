#!/usr/bin/python3
"""numpy reference for `attnviz attribute`, written from the formulas in docs/analyses.md
(section attribute), and the golden values it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/attribute.py

writes tests/fixtures/analysis/attribute/: small attention dumps with gradients (npy, float32)
and golden.json. The gradients are synthetic but real gradients of a known function of the
attention, F(A) = sum_lh c_lh tanh(sum_ij W_lhij A_lhij), so integrated gradients can also be
checked against completeness: sum of the attributions -> F(A) - F(0) as the steps grow.
Deterministic (fixed seeds).
"""

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "tests" / "fixtures" / "analysis" / "attribute"

# ---------------------------------------------------------------------------------------------
# The analysis


def attribution(a, g):
    """a, g: (layers, heads, queries, keys) float64; g is the gradient (or IG's mean gradient)."""
    x = a * g                                           # signed map per head
    positive = np.maximum(x, 0)                          # (A ⊙ G)+
    mean_positive = positive.mean(axis=1)                # Ā_l, mean over heads
    layers, heads, queries, keys = a.shape
    rollout = None
    if queries == keys:                                  # Chefer et al. 2021, eq. (6)-(7)
        r = np.eye(queries)
        for layer in range(layers):
            r = r + mean_positive[layer] @ r
        rollout = r
    scores = np.abs(x.sum(axis=(2, 3)))                  # Michel et al. 2019: |sum A ⊙ G|
    importance = normalized_importance(scores)
    return {"maps": x.tolist(), "positive": positive.tolist(),
            "mean_positive": mean_positive.tolist(),
            "rollout": None if rollout is None else rollout.tolist(),
            "scores": scores.reshape(-1).tolist(), "importance": importance.reshape(-1).tolist()}


def normalized_importance(scores):
    """Per-layer L2 normalisation (a zero layer stays 0), then min-max over every head."""
    norms = np.sqrt((scores ** 2).sum(axis=1, keepdims=True))
    normed = np.where(norms > 0, scores / np.where(norms > 0, norms, 1), 0.0)
    low, high = normed.min(), normed.max()
    return normed if high == low else (normed - low) / (high - low)


def integrated_gradient(step_gradients):
    """Hao et al. 2021: Riemann sum with m steps at alpha = k/m, k = 1..m."""
    return step_gradients.mean(axis=0)


# ---------------------------------------------------------------------------------------------
# A known function of the attention and its gradient


class Readout:
    """F(A) = sum_lh c_lh tanh(sum_ij W_lhij A_lhij), dF/dA = c (1 - tanh^2) W."""

    def __init__(self, rng, shape):
        self.w = rng.standard_normal(shape)
        self.c = rng.standard_normal(shape[:2])

    def value(self, a):
        return float((self.c * np.tanh((self.w * a).sum(axis=(2, 3)))).sum())

    def gradient(self, a):
        s = np.tanh((self.w * a).sum(axis=(2, 3)))
        return (self.c * (1 - s ** 2))[:, :, None, None] * self.w


def softmax_rows(rng, shape, mask=None, temperature=1.5):
    logits = rng.standard_normal(shape) * temperature
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    if mask is not None:
        weights = np.where(mask, weights, 0.0)
    return weights / weights.sum(axis=-1, keepdims=True)


def f32(array):
    return array.astype(np.float32)


def fixtures():
    """name -> files (name -> float32 array) and the golden case(s) made from them."""
    rng = np.random.default_rng(20240612)
    files, cases = {}, []

    n = 5
    a = f32(softmax_rows(rng, (2, 3, n, n), np.tril(np.ones((n, n), bool))))
    g = f32(Readout(rng, a.shape).gradient(a.astype(np.float64)))
    files["causal"], files["causal.grad"] = a, g
    cases.append({"attention": "causal.npy", "grad": "causal.grad.npy",
                  **attribution(a.astype(np.float64), g.astype(np.float64))})

    a = f32(softmax_rows(rng, (1, 2, 3, 6)))
    g = f32(rng.standard_normal(a.shape))
    files["cross"], files["cross.grad"] = a, g
    cases.append({"attention": "cross.npy", "grad": "cross.grad.npy",
                  **attribution(a.astype(np.float64), g.astype(np.float64))})

    # Layer 1 has no gradient at all: its L2 norm is 0 and its heads stay 0.
    a = f32(softmax_rows(rng, (2, 2, 4, 4)))
    g = f32(rng.standard_normal(a.shape))
    g[1] = 0
    files["zero_layer"], files["zero_layer.grad"] = a, g
    cases.append({"attention": "zero_layer.npy", "grad": "zero_layer.grad.npy",
                  **attribution(a.astype(np.float64), g.astype(np.float64))})

    # Integrated gradients: m steps along alpha A, alpha = k/m, stacked on a leading step axis.
    n, m = 4, 24
    a = f32(softmax_rows(rng, (2, 2, n, n), np.tril(np.ones((n, n), bool))))
    readout = Readout(rng, a.shape)
    a64 = a.astype(np.float64)
    steps = f32(np.stack([readout.gradient(k / m * a64) for k in range(1, m + 1)]))
    files["ig"], files["ig.steps"] = a, steps
    result = attribution(a64, integrated_gradient(steps.astype(np.float64)))
    completeness = readout.value(a64) - readout.value(np.zeros_like(a64))
    cases.append({"attention": "ig.npy", "ig_grads": "ig.steps.npy", "steps": m,
                  "f_difference": completeness, **result})
    return files, cases


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    files, cases = fixtures()
    for name, array in files.items():
        np.save(OUT / f"{name}.npy", array)
    golden = {"generator": "scripts/reference/attribute.py", "cases": cases}
    (OUT / "golden.json").write_text(json.dumps(golden) + "\n", encoding="utf-8")
    print(f"wrote {len(files)} arrays and {len(cases)} cases to {OUT.relative_to(ROOT)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
