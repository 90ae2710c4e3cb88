#!/usr/bin/python3
"""numpy reference for `attnviz sinks`, written from docs/analyses.md, and the goldens it commits
for the C++ tests (on the inputs of scripts/reference/positional.py).

    /usr/bin/python3 scripts/reference/sinks.py          # writes tests/fixtures/analysis/sinks/golden.json
    /usr/bin/python3 scripts/reference/sinks.py FILE...  # prints each head's masses over the files

Plain loops over the definition; the C++ is checked against them to 1e-6.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import positional  # noqa: E402  (its fixture inputs)
import stats  # noqa: E402  (masking and token classes)

ROOT = stats.ROOT
OUT = ROOT / "tests" / "fixtures" / "analysis" / "sinks"


def role(j, token, masking, special):
    if token is not None and stats.is_special(token, special):
        return token
    if token is not None and stats.is_punct(token):
        return stats.strip_markers(token)
    if j == masking.first_key:
        return "first"
    if j == masking.end_key - 1:
        return "last"
    return "other"


def sinks(inputs, special=None):
    """inputs: list of (array, tokens). Returns (heads, special tokens seen, first token text)."""
    layers, heads = inputs[0][0].shape[:2]
    prepared, seen, first_texts = [], set(), set()
    for array, tokens in inputs:
        queries, keys = array.shape[2:]
        masking = stats.Masking(array.reshape(-1, queries, keys),
                                stats.is_cross(queries, keys, tokens, tokens))
        roles = [role(j, tokens[j] if tokens else None, masking, special) for j in range(keys)]
        if tokens:
            seen |= {tokens[j] for j in range(masking.first_key, masking.end_key)
                     if stats.is_special(tokens[j], special)}
            if masking.first_key < masking.end_key:
                first_texts.add(tokens[masking.first_key])
        prepared.append((array, tokens, masking, roles))
    seen = sorted(seen)
    results = []
    for l in range(layers):
        for h in range(heads):
            first, special_mass, punct, rows, token_rows = [], [], [], 0, 0
            by_token = {t: [] for t in seen}
            sink_roles, sink_mass = {}, []
            for array, tokens, masking, roles in prepared:
                A = array[l, h]
                columns, added = np.zeros(A.shape[1]), 0
                for i in masking.rows():
                    keys = masking.valid_keys(i)
                    if not np.all(np.isfinite(A[i, keys])):
                        continue
                    added += 1
                    rows += 1
                    first.append(A[i, masking.first_key] if keys else 0.0)
                    for j in keys:
                        columns[j] += A[i, j]
                    if tokens:
                        token_rows += 1
                        special_mass.append(sum(A[i, j] for j in keys
                                                if stats.is_special(tokens[j], special)))
                        punct.append(sum(A[i, j] for j in keys if stats.is_punct(tokens[j])))
                        for t in seen:
                            by_token[t].append(sum(A[i, j] for j in keys if tokens[j] == t))
                if added:
                    top = int(np.argmax(columns))
                    sink_roles[roles[top]] = sink_roles.get(roles[top], 0) + 1
                    sink_mass.append(columns[top] / added)
            mean = lambda values: float(np.mean(values)) if len(values) else None  # noqa: E731
            best = max(sorted(sink_roles), key=lambda r: sink_roles[r]) if sink_roles else ""
            results.append({"layer": l, "head": h, "first": mean(first),
                            "special": mean(special_mass), "punct": mean(punct),
                            "by_token": {t: mean(v) for t, v in by_token.items()},
                            "sink": best,
                            "sink_inputs": sink_roles[best] / len(sink_mass) if sink_mass else None,
                            "sink_mass": mean(sink_mass), "rows": rows, "inputs": len(sink_mass)})
    return results, seen, first_texts.pop() if len(first_texts) == 1 else ""


def spread(heads, key, layers):
    """Per layer: mean and numpy's linear percentiles 25 and 75 over the heads (NaN skipped)."""
    out = []
    for l in range(layers):
        values = [key(h) for h in heads if h["layer"] == l and key(h) is not None]
        out.append({"mean": float(np.mean(values)), "q25": float(np.percentile(values, 25)),
                    "q75": float(np.percentile(values, 75))} if values else None)
    return out


CASES = [("planted", None), ("planted", ["[SEP]", ","]), ("causal", None), ("cross", None)]


def main():
    if len(sys.argv) > 1:
        heads, seen, first = sinks([positional.load(path) for path in sys.argv[1:]])
        for row in heads:
            print(row)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    source = positional.OUT
    files = {}
    for path in sorted(source.glob("*.npy")):
        files.setdefault(path.stem.rsplit("_", 1)[0], []).append(path)
    cases = []
    for name, special in CASES:
        inputs = [positional.load(path) for path in files[name]]
        heads, seen, first = sinks(inputs, special)
        layers = inputs[0][0].shape[0]
        cases.append({"name": name, "special": special,
                      "files": [f"../positional/{p.name}" for p in files[name]],
                      "heads": heads, "special_tokens": seen, "first_token": first,
                      "spread": {"first": spread(heads, lambda h: h["first"], layers),
                                 "special": spread(heads, lambda h: h["special"], layers)}})
    golden = {"generator": "scripts/reference/sinks.py", "cases": cases}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
