#!/usr/bin/python3
"""numpy reference for `attnviz stats --aggregate` and `classify --aggregate`, and the goldens it
commits for the C++ tests.

    /usr/bin/python3 scripts/reference/aggregate.py            # writes tests/fixtures/analysis/aggregate/
    /usr/bin/python3 scripts/reference/aggregate.py FILE...    # prints the aggregate of these dumps (JSON)

Each input is read on its own and trimmed to its real tokens (the [PAD] lines of its token file),
its per-head statistics and labels computed by the `stats` and `classify` references, and then
summarised per head over the inputs: numpy's nanmean, nanstd (ddof=0) and nanquantile (the
default 'linear' method) over the inputs where a statistic applies, and label counts.
"""

import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classify  # noqa: E402
import stats  # noqa: E402

ROOT = stats.ROOT
OUT = ROOT / "tests" / "fixtures" / "analysis" / "aggregate"
QUANTILES = {"q25": 0.25, "median": 0.5, "q75": 0.75}


def read_input(path):
    """(heads float64 trimmed to the real tokens, tokens or None) of one .npy + .tokens.txt."""
    heads, tokens, _ = classify.load(path)
    if tokens is not None:
        real = len(tokens)
        while real > 0 and stats.is_pad(tokens[real - 1]):
            real -= 1
        heads, tokens = heads[:, :, :real, :real], tokens[:real]
    return heads, tokens


def summary(values):
    """{n, mean, std, min, q25, median, q75, max} of values, None (not applicable) and NaN left
    out; None for every field but n when nothing is left."""
    kept = np.array([v for v in values if v is not None and not math.isnan(v)], dtype=np.float64)
    out = {"n": int(kept.size)}
    if kept.size == 0:
        return {**out, **{k: None for k in ["mean", "std", "min", *QUANTILES, "max"]}}
    out.update({"mean": float(np.nanmean(kept)), "std": float(np.nanstd(kept)),
                "min": float(np.nanmin(kept))})
    out.update({name: float(np.nanquantile(kept, q)) for name, q in QUANTILES.items()})
    out["max"] = float(np.nanmax(kept))
    return out


def summarise(rows_per_input, key_names):
    """rows_per_input: a list (inputs) of lists (heads or layers) of dicts. One row per entry:
    its key_names, then each statistic summarised over the inputs."""
    out = []
    first = rows_per_input[0]
    for index, row in enumerate(first):
        entry = {name: row[name] for name in key_names}
        for stat in row:
            if stat in key_names:
                continue
            entry[stat] = summary([rows[index][stat] for rows in rows_per_input])
        out.append(entry)
    return out


def most_frequent(counts):
    """(label, count): the largest count; ties go to the pattern first in classify.PATTERNS,
    heterogeneous last."""
    order = classify.PATTERNS + ["heterogeneous"]
    best = max(order, key=lambda name: (counts.get(name, 0), -order.index(name)))
    return best, counts.get(best, 0)


def count_labels(labels_per_input):
    """labels_per_input: a list (inputs) of classify() results. Per head: the label counts."""
    out = []
    for index, head in enumerate(labels_per_input[0]):
        counts = Counter(labels[index]["label"] for labels in labels_per_input)
        label, count = most_frequent(counts)
        out.append({"layer": head["layer"], "head": head["head"], "inputs": len(labels_per_input),
                    "counts": {name: counts.get(name, 0)
                               for name in classify.PATTERNS + ["heterogeneous"]},
                    "most_frequent": label, "most_frequent_count": count})
    return out


def aggregate(paths):
    per_input_stats, per_input_labels = [], []
    for path in paths:
        heads, tokens = read_input(path)
        result = stats.dump_stats(heads, tokens, tokens, {})
        per_input_stats.append(result)
        per_input_labels.append(classify.classify(heads, tokens, tokens))
    return {"inputs": [Path(p).name for p in paths],
            "heads": summarise([r["heads"] for r in per_input_stats], ["layer", "head"]),
            "layers": summarise([r["layers"] for r in per_input_stats], ["layer"]),
            "labels": count_labels(per_input_labels)}


# ---------------------------------------------------------------------------------------------
# Fixtures: five inputs of one 2-layer, 3-head model, each padded to 10 positions with its own
# number of real tokens, heads whose patterns hold more or less strongly from input to input, and
# one input with a NaN in one head (its statistics do not apply there).

WORDS = ["the", "cat", "sat", "on", "a", "mat", ",", "then", "ran", "home", "."]
PADDED = 10


def mixed(rng, n, pattern, strength):
    """An n x n attention matrix: `strength` of each row on `pattern(i)` (a key), the rest a
    random softmax."""
    logits = rng.standard_normal((n, n)) * 1.5
    noise = np.exp(logits - logits.max(axis=1, keepdims=True))
    noise /= noise.sum(axis=1, keepdims=True)
    target = np.zeros((n, n))
    for i in range(n):
        target[i, pattern(i) % n] = 1.0
    return strength * target + (1 - strength) * noise


def one_input(rng, real):
    heads = np.zeros((2, 3, PADDED, PADDED))
    patterns = [lambda i: i - 1 if i > 0 else 0, lambda i: i, lambda i: 0,
                lambda i: i + 1, lambda i: real - 1, lambda i: i]
    for index, pattern in enumerate(patterns):
        strength = rng.uniform(0.3, 0.95) if index != 5 else 0.0
        heads[index // 3, index % 3, :real, :real] = mixed(rng, real, pattern, strength)
    # BERT computes attention for [PAD] queries too: their rows spread over the real keys.
    heads[:, :, real:, :real] = 1.0 / real
    words = list(rng.choice(WORDS, size=real - 2))
    tokens = ["[CLS]", *words, "[SEP]"] + ["[PAD]"] * (PADDED - real)
    return heads.astype(np.float32), tokens


def write_fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261207)
    paths = []
    for index, real in enumerate([10, 7, 8, 6, 9]):
        heads, tokens = one_input(rng, real)
        if index == 3:
            heads[1, 2, 2, 3] = np.nan
        path = OUT / f"in_{index}.npy"
        np.save(path, heads)
        path.with_name(f"in_{index}.tokens.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
        paths.append(path)
    golden = {"generator": "scripts/reference/aggregate.py", **aggregate(paths)}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(paths)} inputs and golden.json to {OUT.relative_to(ROOT)}", file=sys.stderr)


def main():
    np.seterr(invalid="ignore")  # the NaN input gives NaN on purpose
    if len(sys.argv) > 1:
        print(json.dumps(aggregate(sys.argv[1:])))
    else:
        write_fixtures()


if __name__ == "__main__":
    main()
