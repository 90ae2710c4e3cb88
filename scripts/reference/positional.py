#!/usr/bin/python3
"""numpy reference for `attnviz positional`, written from docs/analyses.md, and the fixture
inputs with planted heads and goldens it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/positional.py          # writes tests/fixtures/analysis/positional/
    /usr/bin/python3 scripts/reference/positional.py FILE...  # prints each head's score over the files

Plain loops over the definition; the C++ is checked against them to 1e-6.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stats  # noqa: E402  (masking is shared with `stats`)

ROOT = stats.ROOT
OUT = ROOT / "tests" / "fixtures" / "analysis" / "positional"


def scored_rows(A, masking):
    """Row -> shares over its valid keys, for the rows that are scored."""
    rows = {}
    for i in masking.rows():
        keys = masking.valid_keys(i)
        if len(keys) < 2 or not np.all(np.isfinite(A[i, keys])):
            continue
        total = A[i, keys].sum()
        if total > 0:
            rows[i] = {j: A[i, j] / total for j in keys}
    return rows


def key_class(i, j, masking):
    """The first and the last real key by their offset from the query, any other key by its."""
    if j == masking.first_key:
        return ("first", j - i)
    if j == masking.end_key - 1:
        return ("last", j - i)
    return j - i


def load(path):
    """(float64 array (layer, head, q, k), tokens or None): a fixture written by main(), or a dump
    with STEM.tokens.txt beside it."""
    array = np.load(path).astype(np.float64)
    side, lines = Path(path).with_suffix(".tokens.json"), Path(path).with_suffix(".tokens.txt")
    tokens = None
    if side.exists():
        tokens = json.loads(side.read_text(encoding="utf-8"))
    elif lines.exists():  # one token a line, as the dodrio dumps have them
        tokens = lines.read_text(encoding="utf-8").split("\n")[:-1]
    return array, tokens


def positional(inputs):
    """inputs: list of (array, tokens). Returns one dict per head, layer-major."""
    layers, heads = inputs[0][0].shape[:2]
    selfs = []
    for array, tokens in inputs:
        if stats.is_cross(array.shape[2], array.shape[3], tokens, tokens):
            continue
        selfs.append((array, stats.Masking(array.reshape(-1, *array.shape[2:]), False)))
    results = []
    for l in range(layers):
        for h in range(heads):
            sums, counts = {}, {}
            for array, masking in selfs:  # pass 1: the mean share of each key class
                for i, shares in scored_rows(array[l, h], masking).items():
                    for j, share in shares.items():
                        c = key_class(i, j, masking)
                        sums[c] = sums.get(c, 0.0) + share
                        counts[c] = counts.get(c, 0) + 1
            profile = {c: sums[c] / counts[c] for c in sums}
            overlaps = []
            for array, masking in selfs:  # pass 2: each row against the profile
                for i, shares in scored_rows(array[l, h], masking).items():
                    expected = {j: profile.get(key_class(i, j, masking), 0.0) for j in shares}
                    total = sum(expected.values())
                    overlaps.append(0.0 if total <= 0 else
                                    sum(min(shares[j], expected[j] / total) for j in shares))
            results.append({"layer": l, "head": h,
                            "score": float(np.mean(overlaps)) if overlaps else None,
                            "rows": len(overlaps), **dominant(sums, counts)})
    return results


def dominant(sums, counts):
    """The class of largest mean share: the first key (all rows pooled), the last key, then the
    other keys by offset (those held by at least half as many rows as the most held), by
    |offset|, - before +; the earlier wins ties."""
    candidates = []
    for anchor in ("first", "last"):
        count = sum(n for c, n in counts.items() if isinstance(c, tuple) and c[0] == anchor)
        if count:
            total = sum(v for c, v in sums.items() if isinstance(c, tuple) and c[0] == anchor)
            candidates.append((anchor, total / count))
    offsets = [c for c in sums if isinstance(c, int)]
    most = max((counts[d] for d in offsets), default=0)
    for d in sorted(offsets, key=lambda d: (abs(d), d)):
        if 2 * counts[d] >= most:  # an offset few rows have is no pattern
            candidates.append((f"+{d}" if d > 0 else str(d), sums[d] / counts[d]))
    best = None
    for name, share in candidates:
        if best is None or share > best[1]:
            best = (name, share)
    if best is None:
        return {"dominant": "", "dominant_share": 0.0}
    return {"dominant": best[0], "dominant_share": best[1]}


# ---------------------------------------------------------------------------------------------
# Fixtures: inputs with planted heads

WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "far", "away"]


def normalise(rows):
    return rows / rows.sum(axis=-1, keepdims=True)


def planted_input(rng, n, padded_to):
    """One BERT-like input of n real tokens padded to `padded_to`: [CLS] words [SEP] [PAD]...
    Layer 0: previous token, first-token sink, content (other copies of the word), random.
    Layer 1: next token, last-key ([SEP]) sink, local band, content (same word class)."""
    words = list(rng.choice(len(WORDS), size=n - 2))
    tokens = ["[CLS]"] + [WORDS[w] if rng.random() > 0.15 else "," for w in words] + ["[SEP]"]
    ids = np.array([-1] + words + [-2])
    A = np.zeros((2, 4, padded_to, padded_to))
    noise = lambda: rng.uniform(0.0, 1.0, size=(n, n))  # noqa: E731
    eye = np.eye(n)
    prev = np.roll(eye, -1, axis=1)
    prev[0] = eye[0]
    nxt = np.roll(eye, 1, axis=1)
    nxt[n - 1] = eye[n - 1]
    first = np.zeros((n, n))
    first[:, 0] = 1
    last = np.zeros((n, n))
    last[:, n - 1] = 1
    same = (ids[:, None] == ids[None, :]).astype(float) * (1 - eye)  # other copies of the word
    same_class = ((ids[:, None] % 3) == (ids[None, :] % 3)).astype(float)
    band = (np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]) <= 1).astype(float)
    heads = [
        [0.9 * prev + 0.1 * normalise(noise()), 0.7 * first + 0.3 * normalise(noise()),
         normalise(same * 10 + noise()), normalise(np.exp(3 * rng.standard_normal((n, n))))],
        [0.85 * nxt + 0.15 * normalise(noise()), 0.6 * last + 0.4 * normalise(band + 0.05 * noise()),
         normalise(band + 0.02 * noise()), normalise(same_class * 8 + noise())],
    ]
    for l in range(2):
        for h in range(4):
            A[l, h, :n, :n] = heads[l][h]
            A[l, h, n:, :n] = normalise(rng.uniform(0.5, 1.0, size=(padded_to - n, n)))  # pad rows
    return A, tokens + ["[PAD]"] * (padded_to - n)


def causal_input(rng, n, nan_row):
    """Causal, 1 layer x 2 heads: previous token; random. One row of head 1 may hold a NaN."""
    mask = np.tril(np.ones((n, n), bool))
    prev = np.zeros((n, n))
    for i in range(n):
        prev[i, max(i - 1, 0)] = 0.8
    prev = normalise(prev + 0.2 * mask * normalise(mask * rng.uniform(size=(n, n))))
    rand = stats.softmax_rows(rng, (n, n), mask, temperature=2.0)
    A = np.stack([prev, rand])[None]
    if nan_row is not None:
        A[0, 1, nan_row, 0] = np.nan
    return A


def fixtures():
    """name -> list of (file stem, float32 array, tokens or None)."""
    rng = np.random.default_rng(20261207)
    made = {"planted": [], "causal": [], "cross": []}
    for k, n in enumerate([9, 12, 7, 11, 10, 12]):
        A, tokens = planted_input(rng, n, 12)
        made["planted"].append((f"planted_{k}", A, tokens))
    for k, n in enumerate([6, 9, 8]):
        made["causal"].append((f"causal_{k}", causal_input(rng, n, 3 if k == 1 else None), None))
    made["cross"].append(("cross_0", stats.softmax_rows(rng, (1, 2, 5, 7)), None))
    return {name: [(stem, a.astype(np.float32), t) for stem, a, t in items]
            for name, items in made.items()}


def main():
    if len(sys.argv) > 1:
        for row in positional([load(path) for path in sys.argv[1:]]):
            print(row)
        return
    np.seterr(invalid="ignore")
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, items in fixtures().items():
        for stem, array, tokens in items:
            np.save(OUT / f"{stem}.npy", array)
            if tokens is not None:
                (OUT / f"{stem}.tokens.json").write_text(json.dumps(tokens) + "\n", encoding="utf-8")
        inputs = [load(OUT / f"{stem}.npy") for stem, _, _ in items]
        cases.append({"name": name, "files": [f"{stem}.npy" for stem, _, _ in items],
                      "heads": positional(inputs)})
    golden = {"generator": "scripts/reference/positional.py", "cases": cases}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {sum(len(c['files']) for c in cases)} dumps and {len(cases)} cases to "
          f"{OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
