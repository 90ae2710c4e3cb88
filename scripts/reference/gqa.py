#!/usr/bin/python3
"""numpy reference for grouped-query attention in `attnviz cluster --kv-heads N`, written from
docs/analyses.md, and the goldens it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/gqa.py                    # writes tests/fixtures/analysis/gqa/
    /usr/bin/python3 scripts/reference/gqa.py FILE KV_HEADS      # prints the statistic for a dump

Query head h shares key/value head h // (H / N) (Hugging Face repeat_kv). Pairs of heads of the
same layer are "within" when they share a group, else "between"; the statistic is the mean JS
distance of each kind (cluster.py's js_distances), their ratio, and a permutation p-value.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classify  # noqa: E402  (its loader reads every format)
import cluster  # noqa: E402

ROOT = cluster.ROOT
OUT = ROOT / "tests" / "fixtures" / "analysis" / "gqa"
PERMUTATIONS = 9999
SEED = 0x5EED
MASK = (1 << 64) - 1


class SplitMix64:
    """Vigna's splitmix64, in 64-bit unsigned arithmetic."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def kv_groups(heads_per_layer, kv_heads):
    """The key/value head of each query head, consecutive heads sharing one."""
    size = heads_per_layer // kv_heads
    return [h // size for h in range(heads_per_layer)]


def compare_groups(d, layers, groups, permutations=PERMUTATIONS, seed=SEED):
    """d: distances between heads; layers[a], groups[a]: head a's layer and group."""
    n = len(d)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n) if layers[a] == layers[b]]
    pa = np.array([a for a, _ in pairs])
    pb = np.array([b for _, b in pairs])
    values = d[pa, pb]
    groups = np.array(groups)
    same = groups[pa] == groups[pb]
    result = {"within": None, "between": None, "ratio": None, "p_value": None,
              "within_pairs": int(same.sum()), "between_pairs": int((~same).sum()),
              "permutations": 0}
    result["per_group"] = []
    for g in sorted(set(groups.tolist())):
        inside = (groups[pa] == g).astype(int) + (groups[pb] == g).astype(int)
        result["per_group"].append({
            "group": g, "heads": int((groups == g).sum()),
            "within": float(values[inside == 2].mean()) if (inside == 2).any() else None,
            "between": float(values[inside == 1].mean()) if (inside == 1).any() else None})
    if same.all() or not same.any():
        return result
    within = values[same].mean()
    between = values[~same].mean()
    observed = values[same].sum()
    by_layer = {}
    for a in range(n):
        by_layer.setdefault(layers[a], []).append(a)
    random = SplitMix64(seed)
    shuffled = groups.copy()
    as_small = 0
    for _ in range(permutations):
        for heads in by_layer.values():  # layers in order of first appearance
            for i in range(len(heads) - 1, 0, -1):
                j = random.next() % (i + 1)
                shuffled[heads[i]], shuffled[heads[j]] = shuffled[heads[j]], shuffled[heads[i]]
        if values[shuffled[pa] == shuffled[pb]].sum() <= observed * (1 + 1e-9):
            as_small += 1
    result.update({"within": float(within), "between": float(between),
                   "ratio": float(within / between),
                   "p_value": (1 + as_small) / (1 + permutations), "permutations": permutations})
    return result


def grouped_heads(rng, layers, kv_heads, size, n, spread):
    """Heads whose logits are their group's plus noise of scale `spread`, causal."""
    tril = np.tril(np.ones((n, n), bool))
    out = np.zeros((layers, kv_heads * size, n, n))
    for layer in range(layers):
        for g in range(kv_heads):
            base = rng.standard_normal((n, n)) * 2
            for k in range(size):
                logits = base + rng.standard_normal((n, n)) * spread
                w = np.where(tril, np.exp(logits - logits.max(axis=-1, keepdims=True)), 0.0)
                out[layer, g * size + k] = w / w.sum(axis=-1, keepdims=True)
    return out.astype(np.float32)


CASES = [("grouped.npy", 4, PERMUTATIONS, SEED), ("grouped.npy", 2, PERMUTATIONS, SEED),
         ("grouped.npy", 8, PERMUTATIONS, SEED), ("grouped.npy", 1, PERMUTATIONS, SEED),
         ("grouped.npy", 4, 99, 7), ("random.npy", 3, PERMUTATIONS, SEED),
         ("random.npy", 2, 199, 11)]


def statistic(heads, kv_heads, permutations=PERMUTATIONS, seed=SEED):
    layers, count = heads.shape[:2]
    d = cluster.js_distances(heads.astype(np.float64), "mean")
    layer_of = [layer for layer in range(layers) for _ in range(count)]
    groups = kv_groups(count, kv_heads) * layers
    return groups, compare_groups(d, layer_of, groups, permutations, seed)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(42)
    np.save(OUT / "grouped.npy", grouped_heads(rng, 1, 4, 2, 10, 0.3))  # 8 heads, 4 groups
    np.save(OUT / "random.npy", grouped_heads(rng, 2, 6, 1, 7, 0.0))  # 2 x 6 unrelated heads
    cases = []
    for file, kv_heads, permutations, seed in CASES:
        groups, result = statistic(np.load(OUT / file), kv_heads, permutations, seed)
        cases.append({"file": file, "kv_heads": kv_heads, "permutations": permutations,
                      "seed": seed, "groups": groups, **result})
    write_configs(np.load(OUT / "grouped.npy"))
    golden = {"generator": "scripts/reference/gqa.py", "cases": cases}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}", file=sys.stderr)


def write_configs(grouped):
    """grouped.npy again beside Hugging Face configs: one that groups it as 4 key/value heads,
    one whose numbers do not divide, one for a model without grouped-query attention."""
    configs = {"hf": {"num_attention_heads": 8, "num_key_value_heads": 4},
               "bad_config": {"num_attention_heads": 8, "num_key_value_heads": 3},
               "mha_config": {"num_attention_heads": 8}}
    for folder, config in configs.items():
        (OUT / folder).mkdir(exist_ok=True)
        np.save(OUT / folder / "grouped.npy", grouped)
        (OUT / folder / "config.json").write_text(json.dumps({"model_type": "llama", **config},
                                                             indent=1) + "\n", encoding="utf-8")


def show(path, kv_heads):
    heads, _, _ = classify.load(path)
    groups, result = statistic(heads, kv_heads)
    print(json.dumps({"groups": groups, **result}))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        show(sys.argv[1], int(sys.argv[2]))
    else:
        main()
