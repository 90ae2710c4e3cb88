#!/usr/bin/python3
"""Writes the fixtures of the `attnviz check` tests and the values they must produce.

    /usr/bin/python3 scripts/make-check-fixtures.py

tests/fixtures/check/  one small dump per rule that fails it and no other rule, a clean dump,
                       rules files, and expected.json: what numpy measures on each (the CLI
                       tests match these numbers in the messages).

Every dump is float32 (2 layers, 2 heads, 6 x 6) built from four hand-made head patterns, so
each measurement below can be checked by hand. Deterministic: no randomness, no timestamps.
"""

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "check"
N = 6
PEAK, REST = 0.7, 0.06  # a row: 0.7 on one key, 0.06 on each of the other five


def pattern(peak_key, peak=PEAK, n=N):
    """A head whose row i puts `peak` on key peak_key(i) and the rest evenly elsewhere."""
    head = np.full((n, n), (1 - peak) / (n - 1))
    for i in range(n):
        head[i, peak_key(i)] = peak
    return head


SELF = pattern(lambda i: i)
PREV = pattern(lambda i: max(i - 1, 0))
NEXT = pattern(lambda i: min(i + 1, N - 1))
LAST = pattern(lambda i: N - 1)


def clean():
    return np.stack([np.stack([SELF, PREV]), np.stack([NEXT, LAST])])


# --- the measurements, as docs/check.md defines them (numpy, independent of attnviz) ---


def smooth(head):
    return 0.999 * head + 0.001 / head.shape[1]


def js(p, q):
    """Clark et al.'s JS divergence, averaged over query rows (the default js_reduce)."""
    p, q = smooth(p), smooth(q)
    m = (p + q) / 2
    return float(0.5 * np.sum(p * np.log(p / m) + q * np.log(q / m)) / p.shape[0])


def entropy_norm(head):
    rows = -np.sum(np.where(head > 0, head * np.log(np.where(head > 0, head, 1)), 0), axis=1)
    return float(np.mean(rows / np.log(head.shape[1])))


def measure(tensor):
    layers, heads = tensor.shape[:2]
    flat = [tensor[l, h] for l in range(layers) for h in range(heads)]
    out = {"heads": [], "collapse": []}
    for index, head in enumerate(flat):
        finite = bool(np.all(np.isfinite(head)))
        others = [js(head, o) for j, o in enumerate(flat)
                  if finite and j != index and np.all(np.isfinite(o))]
        out["heads"].append({
            "layer": index // heads, "head": index % heads,
            "nonfinite": int(np.sum(~np.isfinite(head))),
            "row_sum_dev": float(np.max(np.abs(head.sum(axis=1) - 1))) if finite else None,
            "entropy_norm": entropy_norm(head) if finite else None,
            "first_token": float(np.mean(head[:, 0])) if finite else None,
            "nearest_js": min(others) if finite and others else None,
        })
    for l in range(layers):
        pairs = [js(tensor[l, a], tensor[l, b]) for a in range(heads) for b in range(a + 1, heads)
                 if np.all(np.isfinite(tensor[l, a])) and np.all(np.isfinite(tensor[l, b]))]
        out["collapse"].append(float(np.mean(pairs)) if pairs else None)
    return out


def save(name, tensor):
    np.save(OUT / name, tensor.astype(np.float32))
    return measure(tensor.astype(np.float32).astype(np.float64))


def padding_dump(masked):
    """Two <pad> tokens at the end. Masked: their columns are 0 and the rest renormalised."""
    tokens = ["<s>", "the", "cat", "sat", "<pad>", "<pad>"]
    tensor = clean()
    tensor[1, 1] = pattern(lambda i: 3)  # the last real token, not the last (padding) one
    if masked:
        tensor[..., 4:] = 0
        tensor /= tensor.sum(axis=-1, keepdims=True)
    # Padded query rows are told apart by their zero key columns: unmasked, every row counts.
    real_rows = slice(0, 4) if masked else slice(0, N)
    pad_share = tensor[..., real_rows, 4:].sum(axis=-1).mean(axis=-1)
    return {"tokens": tokens, "attention": tensor.round(6).tolist()}, pad_share


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {"clean": save("clean.npy", clean())}

    bad = clean()
    bad[1, 0, 2, 3] = np.nan
    bad[1, 1, 0, 0] = np.inf
    expected["nan"] = save("nan.npy", bad)

    short = clean()
    short[0, 1] *= 0.9  # every row of L0H1 sums to 0.9: a crop would look like this
    expected["row_sum"] = save("row_sum.npy", short)

    over = clean()
    over[0, 1] *= 1.1  # rows sum to 1.1: impossible even for a crop
    expected["row_sum_over"] = save("row_sum_over.npy", over)

    collapsed = clean()
    collapsed[1, 0] = NEXT
    collapsed[1, 1] = pattern(lambda i: min(i + 1, N - 1), peak=0.6)  # alike, not identical
    expected["collapse"] = save("collapse.npy", collapsed)

    uniform = clean()
    uniform[1, 1] = 1 / N
    expected["uniform"] = save("uniform.npy", uniform)

    sink = clean()
    sink[1, 1] = pattern(lambda i: 0, peak=0.97)
    expected["sink"] = save("sink.npy", sink)

    redundant = clean()
    redundant[1, 1] = SELF  # the same head as L0H0, in another layer
    expected["redundant"] = save("redundant.npy", redundant)

    drifted = clean()
    drifted[0, 1] = pattern(lambda i: max(i - 1, 0), peak=0.5)  # prev 0.7 -> 0.5
    expected["drifted"] = save("drifted.npy", drifted)
    expected["drifted"]["prev_L0H1"] = {"baseline": 0.7, "current": 0.5}

    for name, masked in (("padding.json", False), ("padding_masked.json", True)):
        dump, share = padding_dump(masked)
        (OUT / name).write_text(json.dumps(dump) + "\n")
        expected[name.split(".")[0]] = {"padding": share.round(6).tolist()}

    rules = {
        "rules_sink_relaxed.json": {"sink": {"threshold": 0.98}, "uniform": False},
        "rules_sink_off.json": {"sink": False},
        "rules_unknown.json": {"sinks": 0.9},
        "rules_bad_value.json": {"sink": "high"},
        "rules_negative.json": {"redundant": {"enabled": True, "threshold": -1}},
    }
    for name, content in rules.items():
        (OUT / name).write_text(json.dumps(content, indent=2) + "\n")
    (OUT / "rules_invalid.json").write_text('{"sink": 0.9,\n')
    (OUT / "baseline_wrong_heads.json").write_text(json.dumps(
        {"heads": [{"layer": 0, "head": 0, "entropy": 1.0}], "layers": []}) + "\n")
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    report(expected)


def report(expected):
    """The numbers each fixture is built for, so a changed pattern cannot go unnoticed."""
    c = expected["collapse"]["collapse"][1]
    assert 0.001 < c < 0.01, f"collapse layer 1 JS {c} not in (0.001, 0.01)"
    assert min(h["nearest_js"] for h in expected["clean"]["heads"]) > 0.05
    assert min(expected["clean"]["collapse"]) > 0.01
    assert max(h["entropy_norm"] for h in expected["clean"]["heads"]) < 0.98
    assert max(h["first_token"] for h in expected["clean"]["heads"]) < 0.95
    for name, value in expected.items():
        print(name, json.dumps(value)[:400])


if __name__ == "__main__":
    main()
