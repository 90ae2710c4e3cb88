#!/usr/bin/python3
"""numpy reference for `attnviz diff`, written from docs/analyses.md (section diff), and
the golden values it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/diff.py

writes tests/fixtures/analysis/diff/: three "checkpoints" of one small causal model on one input
(npy, float32, with tokens beside each) and golden.json: for pairs of them, every head's JS
divergence, max |A - B| and statistics of both sides (the statistics from
scripts/reference/stats.py, which is the reference of `attnviz stats`); and one statistic per head
over all three checkpoints. Deterministic (fixed seeds).
"""

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "tests" / "fixtures" / "analysis" / "diff"


def load_sibling(name):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stats = load_sibling("stats")
cluster = load_sibling("cluster")


def clean(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def head_stats(heads, tokens):
    rows = stats.dump_stats(heads, tokens, tokens, {})["heads"]
    return [{k: clean(v) for k, v in row.items() if k not in ("layer", "head")} for row in rows]


def compare(a, b, tokens_a, tokens_b, reduce):
    """a, b: (layers, heads, queries, keys) float64. One entry per head, layer-major."""
    stats_a, stats_b = head_stats(a, tokens_a), head_stats(b, tokens_b)
    layers, heads = a.shape[:2]
    result = []
    for layer in range(layers):
        for head in range(heads):
            index = layer * heads + head
            result.append({
                "layer": layer, "head": head,
                "js": cluster.js_divergence(a[layer, head], b[layer, head], reduce),
                "max_abs_diff": float(np.abs(a[layer, head] - b[layer, head]).max()),
                "a": stats_a[index], "b": stats_b[index]})
    return result


def series(checkpoints, tokens, stat):
    per_checkpoint = [head_stats(c, tokens) for c in checkpoints]
    return [[s[h][stat] for s in per_checkpoint] for h in range(len(per_checkpoint[0]))]


def softmax(logits, mask):
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    weights = np.where(mask, weights, 0.0)
    return weights / weights.sum(axis=-1, keepdims=True)


def checkpoints():
    """Logits drifting from noise toward a previous-token pattern, as training might move them."""
    rng = np.random.default_rng(20240613)
    n = 8
    mask = np.tril(np.ones((n, n), bool))
    noise = rng.standard_normal((2, 2, n, n))
    target = np.zeros((n, n))
    target[np.arange(1, n), np.arange(n - 1)] = 6.0
    return [softmax(noise + t * target, mask).astype(np.float32) for t in (0.0, 0.4, 1.0)]


TOKENS = ["<s>", "The", "Ġcat", "Ġsat", ",", "Ġthen", "Ġran", "."]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    made = checkpoints()
    names = [f"ckpt{k}.npy" for k in range(len(made))]
    for name, array in zip(names, made):
        np.save(OUT / name, array)
        (OUT / name.replace(".npy", ".tokens.txt")).write_text("\n".join(TOKENS) + "\n",
                                                               encoding="utf-8")
    f64 = [c.astype(np.float64) for c in made]
    pairs = []
    for i, j, reduce in [(2, 0, "mean"), (1, 0, "sum"), (0, 0, "mean")]:
        pairs.append({"a": names[i], "b": names[j], "js_reduce": reduce,
                      "heads": compare(f64[i], f64[j], TOKENS, TOKENS, reduce)})
    all_series = [{"files": names, "stat": stat, "values": series(f64, TOKENS, stat)}
                  for stat in ("entropy", "prev", "punct")]
    golden = {"generator": "scripts/reference/diff.py", "pairs": pairs, "series": all_series}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(made)} checkpoints, {len(pairs)} pairs and {len(all_series)} series to "
          f"{OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
