#!/usr/bin/python3
"""numpy reference for `attnviz classify`, written from docs/analyses.md, and the goldens
it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/classify.py             # writes tests/fixtures/analysis/classify/
    /usr/bin/python3 scripts/reference/classify.py FILE...     # prints each head's scores and label
    /usr/bin/python3 scripts/reference/classify.py --confusion # data/ known heads and planted local
                                                               # and block heads vs labels (markdown)

Scores are plain loops over the definitions; the C++ is checked against them to 1e-6.
"""

import json
import math
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stats  # noqa: E402  (masking and token classes are shared with `stats`)

ROOT = stats.ROOT
OUT = ROOT / "tests" / "fixtures" / "analysis" / "classify"

PATTERNS = ["self", "previous", "next", "first", "special", "offset", "reorder", "block", "local",
            "align", "duplicate", "induction", "peaked", "diffuse"]
GENERIC = ["peaked", "diffuse"]  # labels only when no specific pattern passes
DEFAULT_THRESHOLDS = {name: 0.5 for name in PATTERNS}
DEFAULT_THRESHOLDS.update({"local": 0.4, "peaked": 0.7, "diffuse": 0.85})
MIN_BLOCK, MAX_BLOCK = 3, 16
MIN_WIDTH, MAX_WIDTH = 2, 16  # local bands |i - j| <= w; w <= 1 is self, previous and next
MIN_REPEAT_ROWS = 2


def mean(values):
    return float(np.mean(values)) if len(values) else None


class Head:
    """One head's shares: each scored row divided by its own sum."""

    def __init__(self, A, masking):
        self.masking = masking
        self.rows = [i for i in masking.rows()
                     if len(masking.valid_keys(i)) >= 2 and A[i].sum() > 0]
        self.P = {i: A[i] / A[i].sum() for i in self.rows}
        self.valid = {i: masking.valid_keys(i) for i in self.rows}

    def key_ok(self, i, j):
        return j in self.valid[i]

    def mean_on(self, key_of):
        """Mean of P[i, key_of(i)] over scored rows where that key is valid."""
        return mean([self.P[i][key_of(i)] for i in self.rows if self.key_ok(i, key_of(i))])


def best_line(head, params, key_of):
    """max over lines of keys (offsets, anti-diagonals) of the mean share on the line, over the
    scored rows where its key is valid. A line counts when it covers at least half as many rows
    as the longest line of its kind (and 2): lines through a corner are a handful of cells."""
    lines = {}
    for param in params:
        lines[param] = [head.P[i][key_of(i, param)] for i in head.rows
                        if head.key_ok(i, key_of(i, param))]
    longest = max((len(on) for on in lines.values()), default=0)
    need = max(2, math.ceil(longest / 2))
    best, best_param = None, None
    for param, on in lines.items():
        if len(on) >= need:
            score = float(np.mean(on))
            if best is None or score > best:
                best, best_param = score, param
    return best, best_param


def offset_order(n):
    """Offsets k != 0, +-1, smaller |k| first and -k before +k (ties keep the first)."""
    order = []
    for d in range(2, n):
        order += [-d, d]
    return order


def block_score(head, n):
    def row_value(i, a, b):
        return band_value(head, i, [j for j in head.valid[i] if a <= j <= b])

    scored = set(head.rows)
    best = [0.0] * (n + 1)
    for b in range(n):
        best[b + 1] = best[b]
        for a in range(max(0, b - MAX_BLOCK + 1), b - MIN_BLOCK + 2):
            value = sum(row_value(i, a, b) for i in range(a, b + 1) if i in scored)
            best[b + 1] = max(best[b + 1], best[a] + value)
    return best[n] / len(head.rows)


def band_value(head, i, keys):
    """block's row value on the keys `keys` (valid keys of row i): the overlap of the row with
    the uniform distribution on them, minus the overlap a uniform row would have."""
    if not keys:
        return 0.0
    m = len(keys)
    overlap = sum(min(head.P[i][j], 1.0 / m) for j in keys)
    return overlap - m / len(head.valid[i])


def local_score(head):
    """max over half-widths w of the mean over scored rows of the band value on the valid keys
    with |i - j| <= w (a block that slides with the query); (score clamped at 0, w), ties keep
    the smaller w."""
    best, width = None, None
    for w in range(MIN_WIDTH, MAX_WIDTH + 1):
        score = float(np.mean([band_value(head, i, [j for j in head.valid[i] if abs(i - j) <= w])
                               for i in head.rows]))
        if best is None or score > best:
            best, width = score, w
    return max(best, 0.0), width


def align_score(head, queries, keys):
    """The best path of keys through the scored rows that never moves back and stays on one key
    for at most dwell = 2 * ceil(queries / keys) rows: mean share on the path."""
    dwell = 2 * math.ceil(queries / keys)
    NEG = -math.inf
    best = None  # best[j][d]: best sum of a path now on key j for d + 1 rows
    for i in head.rows:
        share = [head.P[i][j] if head.key_ok(i, j) else NEG for j in range(keys)]
        new = [[NEG] * dwell for _ in range(keys)]
        before = NEG  # best path on a smaller key
        for j in range(keys):
            if best is None:
                new[j][0] = share[j]
                continue
            new[j][0] = before + share[j]
            for d in range(1, dwell):
                new[j][d] = best[j][d - 1] + share[j]
            before = max(before, max(best[j]))
        best = new
    return max(max(row) for row in best) / len(head.rows)


def repeat_scores(head, tokens):
    dup, ind = [], []
    for i in head.rows:
        copies = [j for j in head.valid[i] if j < i and tokens[j] == tokens[i]]
        if not copies:
            continue
        after = sorted({j + 1 for j in copies if head.key_ok(i, j + 1)})
        dup.append(sum(head.P[i][j] for j in copies))
        ind.append(sum(head.P[i][j] for j in after))
    if len(dup) < MIN_REPEAT_ROWS:
        return None, None
    return float(np.mean(dup)), float(np.mean(ind))


def head_scores(A, masking, query_tokens, key_tokens, special=None):
    """{pattern: score or None}, offset k or None, local width w or None."""
    queries, keys = A.shape
    scores = {name: None for name in PATTERNS}
    head = Head(A, masking)
    if not head.rows:
        return scores, None, None
    cross = masking.cross
    first = masking.first_key
    scores["first"] = mean([head.P[i][first] for i in head.rows])
    scores["peaked"] = mean([np.sort(head.P[i])[::-1][:2].sum() for i in head.rows])
    scores["diffuse"] = mean([-sum(p * math.log(p) for p in head.P[i] if p > 0) /
                              math.log(len(head.valid[i])) for i in head.rows])
    if key_tokens is not None:
        marked = [j for j, t in enumerate(key_tokens)
                  if j != first and (stats.is_special(t, special) or stats.is_separator(t))]
        scores["special"] = mean([head.P[i][marked].sum() for i in head.rows])
    offset = width = None
    if cross:
        scores["align"] = align_score(head, queries, keys)
    else:
        scores["self"] = head.mean_on(lambda i: i)
        scores["previous"] = head.mean_on(lambda i: i - 1)
        if not masking.causal:
            scores["next"] = head.mean_on(lambda i: i + 1)
        scores["offset"], offset = best_line(head, offset_order(keys), lambda i, k: i + k)
        scores["reorder"], _ = best_line(head, range(0, 2 * keys - 1), lambda i, c: c - i)
        scores["block"] = block_score(head, queries)
        scores["local"], width = local_score(head)
        if key_tokens is not None:
            scores["duplicate"], scores["induction"] = repeat_scores(head, key_tokens)
    return scores, offset, width


def label_of(scores, thresholds):
    """(label, confidence, labels above threshold, heterogeneous)."""
    passing = [(s, name) for name, s in scores.items()
               if s is not None and not math.isnan(s) and s >= thresholds[name]]
    labels = [name for s, name in sorted(passing, key=lambda x: (-x[0], PATTERNS.index(x[1])))]
    specific = [name for name in labels if name not in GENERIC]
    chosen = specific or labels
    if chosen:
        return chosen[0], scores[chosen[0]], labels, False
    known = [s for s in scores.values() if s is not None and not math.isnan(s)]
    return "heterogeneous", (max(known) if known else None), [], True


def classify(heads, query_tokens, key_tokens, thresholds=None, special=None):
    thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    layers, count, queries, keys = heads.shape
    cross = stats.is_cross(queries, keys, query_tokens, key_tokens)
    masking = stats.Masking(heads, cross)
    result = []
    for layer in range(layers):
        for h in range(count):
            A = heads[layer, h]
            if not np.all(np.isfinite(A)):
                scores, offset, width = {name: None for name in PATTERNS}, None, None
            else:
                scores, offset, width = head_scores(A, masking, query_tokens, key_tokens, special)
            label, confidence, labels, heterogeneous = label_of(scores, thresholds)
            result.append({"layer": layer, "head": h, "label": label, "confidence": confidence,
                           "labels": labels, "scores": scores,
                           "offset": offset if label == "offset" or "offset" in labels else None,
                           "width": width if "local" in labels else None,
                           "causal": masking.causal, "heterogeneous": heterogeneous})
    return result


# ---------------------------------------------------------------------------------------------
# Reading data/ and ../shared/real (for the confusion table; attnviz's own loader is tested
# elsewhere)


def as_rank4(array):
    while array.ndim < 4:
        array = array[np.newaxis]
    return array


def load(path):
    """(heads float64 (layers, heads, q, k) as float32 values, query tokens, key tokens)."""
    path = Path(path)
    q_tokens = k_tokens = None
    if path.suffix == ".npy":
        array = np.load(path)
        side = path.with_name(path.stem + ".tokens.txt")
        if side.exists():
            q_tokens = k_tokens = side.read_text(encoding="utf-8").splitlines()
    elif path.suffix == ".npz":
        z = np.load(path)
        array = z["attention"]
        if "tokens" in z:
            q_tokens = k_tokens = [str(t) for t in z["tokens"]]
    elif path.suffix == ".json":
        d = json.loads(path.read_text(encoding="utf-8"))
        array = np.array(d["attention"], dtype=np.float64).astype(np.float32)
        q_tokens = d.get("query_tokens", d.get("tokens"))
        k_tokens = d.get("key_tokens", d.get("tokens"))
    elif path.suffix == ".safetensors":
        raw = path.read_bytes()
        (size,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + size])
        data = raw[8 + size:]
        names = sorted((n for n in header if n != "__metadata__"),
                       key=lambda n: int("".join(c for c in n if c.isdigit())))
        parts = []
        for name in names:
            info = header[name]
            begin, end = info["data_offsets"]
            dtype = {"F16": np.float16, "F32": np.float32}[info["dtype"]]
            parts.append(np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"]))
        array = np.stack(parts)
        meta = header.get("__metadata__", {})
        if "tokens" in meta:
            q_tokens = k_tokens = json.loads(meta["tokens"])
    else:
        raise SystemExit(f"{path}: unknown format")
    return as_rank4(array.astype(np.float32)).astype(np.float64), q_tokens, k_tokens


# ---------------------------------------------------------------------------------------------
# Fixtures and goldens


def synthetic_heads():
    """One layer of heads, each built to show one pattern, with a little noise; and tokens that
    repeat (a period-5 sequence) with specials and punctuation."""
    rng = np.random.default_rng(7)
    base = ["<s>", "a", "b", "c", ".", "d"]
    tokens = base + ["a", "b", "c", ".", "d"] + ["a", "b", "c", "</s>", "x"]
    n = len(tokens)  # 16
    period = 5
    tril = np.tril(np.ones((n, n), bool))

    def with_noise(target, mask, weight=0.8):
        noise = rng.uniform(0, 1, (n, n)) * mask
        noise /= noise.sum(1, keepdims=True)
        return weight * target + (1 - weight) * noise

    def one_hot(key_of, mask):
        T = np.zeros((n, n))
        for i in range(n):
            j = key_of(i)
            if 0 <= j < n and mask[i, j]:
                T[i, j] = 1
            else:
                T[i, mask[i]] = 1.0 / mask[i].sum()
        return T

    heads = {}
    full = np.ones((n, n), bool)
    heads["self"] = with_noise(one_hot(lambda i: i, full), full)
    heads["previous"] = with_noise(one_hot(lambda i: i - 1, full), full)
    heads["next"] = with_noise(one_hot(lambda i: i + 1, full), full)
    heads["first"] = with_noise(one_hot(lambda i: 0, full), full)
    heads["offset"] = with_noise(one_hot(lambda i: i - 3, full), full, 0.9)
    heads["reorder"] = with_noise(one_hot(lambda i: n - 1 - i, full), full)
    blocks = np.zeros((n, n))
    for a, b in [(0, 4), (4, 9), (9, 12), (12, 16)]:
        blocks[a:b, a:b] = 1.0 / (b - a)
    heads["block"] = with_noise(blocks, full, 0.9)
    heads["diffuse"] = with_noise(np.full((n, n), 1.0 / n), full, 0.3)
    peaks = np.zeros((n, n))
    for i in range(n):
        peaks[i, rng.choice([2, 7, 11, 13])] = 1
    heads["peaked"] = with_noise(peaks, full, 0.9)
    special = np.zeros((n, n))
    special[:, [4, 9, 14]] = 1 / 3  # '.', '.', '</s>'
    heads["special"] = with_noise(special, full)
    heads["duplicate"] = with_noise(one_hot(lambda i: i - period if i >= 6 else i, full), full)
    heads["induction"] = with_noise(one_hot(lambda i: i - period + 1 if i >= 6 else i, full), full)
    names = list(heads)
    bidirectional = np.stack([heads[name] for name in names])[np.newaxis]
    causal_heads = np.stack([with_noise(one_hot(lambda i: i - 1, tril), tril),
                             with_noise(one_hot(lambda i: i - period + 1 if i >= 6 else 0, tril), tril),
                             with_noise(one_hot(lambda i: 0, tril), tril),
                             with_noise(np.where(tril, 1.0, 0) / tril.sum(1, keepdims=True), tril, 0.2)])
    return names, tokens, bidirectional, causal_heads[np.newaxis]


def decay(n, tau, causal):
    """Row i = softmax(-|i - j| / tau) over the keys row i may see: an early-layer local head."""
    i = np.arange(n)
    logits = -np.abs(i[:, None] - i[None, :]) / tau
    if causal:
        logits = np.where(i[None, :] <= i[:, None], logits, -np.inf)
    A = np.exp(logits)
    return A / A.sum(1, keepdims=True)


def band(n, w, causal, rng, weight=0.9):
    """Rows uniform on |i - j| <= w (a sliding window), mixed with noise on the visible keys."""
    i = np.arange(n)
    visible = (i[None, :] <= i[:, None]) if causal else np.ones((n, n), bool)
    inside = (np.abs(i[:, None] - i[None, :]) <= w) & visible
    noise = rng.uniform(0, 1, (n, n)) * visible
    return (weight * inside / inside.sum(1, keepdims=True) +
            (1 - weight) * noise / noise.sum(1, keepdims=True))


def blocks(n, sizes, rng, weight=0.9):
    """Rows uniform on their contiguous block (sizes in order, the last one takes the rest)."""
    T = np.zeros((n, n))
    a = 0
    for size in sizes:
        if a >= n:
            break
        b = min(a + size, n)
        T[a:b, a:b] = 1.0 / (b - a)
        a = b
    noise = rng.uniform(0, 1, (n, n))
    return weight * T + (1 - weight) * noise / noise.sum(1, keepdims=True)


def local_heads():
    """Planted local heads and the block and self heads they must be told from, n = 40:
    (names, bidirectional (1, 5, n, n), names, causal (1, 3, n, n))."""
    rng = np.random.default_rng(13)
    n = 40
    bidirectional = {"local tau 4": decay(n, 4, False), "local w 3": band(n, 3, False, rng),
                     "block": blocks(n, [4, 6, 3, 8, 5, 7, 4, 3], rng),
                     "self": 0.8 * np.eye(n) + 0.2 * decay(n, 1e9, False),
                     "local tau 2": decay(n, 2, False)}
    causal = {"local tau 2": decay(n, 2, True), "local w 4": band(n, 4, True, rng),
              "first": 0.7 * (np.arange(n) == 0)[None, :] + 0.3 * decay(n, 1e9, True)}
    return (list(bidirectional), np.stack(list(bidirectional.values()))[np.newaxis],
            list(causal), np.stack(list(causal.values()))[np.newaxis])


def cross_heads():
    rng = np.random.default_rng(11)
    q, k = 12, 6
    heads = []
    for kind in ["align", "first", "diffuse"]:
        T = np.zeros((q, k))
        for t in range(q):
            T[t, {"align": t // 2, "first": 0, "diffuse": rng.integers(k)}[kind]] = 1
        noise = rng.uniform(0, 1, (q, k))
        noise /= noise.sum(1, keepdims=True)
        w = 0.2 if kind == "diffuse" else 0.85
        heads.append(w * T + (1 - w) * noise)
    return np.stack(heads)[np.newaxis]


def edge_heads():
    """Padding (3 key columns 0 everywhere), a NaN head, and a crop whose rows sum below 1."""
    rng = np.random.default_rng(5)
    n, real = 10, 7
    heads = np.zeros((3, n, n))
    for i in range(n):
        target = np.zeros(n)
        target[max(i - 1, 0) if i < real else rng.integers(real)] = 1
        noise = rng.uniform(0, 1, n)
        noise[real:] = 0
        heads[0, i] = 0.85 * target + 0.15 * noise / noise.sum()
        heads[1, i] = noise / noise.sum()
        heads[2, i] = (0.7 * (np.arange(n) == 0) + 0.3 * noise / noise.sum()) * rng.uniform(0.4, 0.7)
    heads[1, 4, 2] = np.nan
    return heads[np.newaxis]


def write_fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    names, tokens, bidirectional, causal = synthetic_heads()
    files = {
        "patterns.npy": (bidirectional.astype(np.float32), tokens, tokens),
        "causal.npy": (causal.astype(np.float32), tokens, tokens),
        "cross.npy": (cross_heads().astype(np.float32), None, None),
        "edges.npy": (edge_heads().astype(np.float32), None, None),
    }
    local_names, local, local_causal_names, local_causal = local_heads()
    files["local.npy"] = (local.astype(np.float32), None, None)
    files["local_causal.npy"] = (local_causal.astype(np.float32), None, None)
    cases = []
    for name, (array, q_tokens, k_tokens) in files.items():
        np.save(OUT / name, array)
        if k_tokens is not None:
            (OUT / (Path(name).stem + ".tokens.json")).write_text(json.dumps(k_tokens) + "\n",
                                                                  encoding="utf-8")
        heads = array.astype(np.float64)
        cases.append({"file": name, "options": {}, "heads": classify(heads, q_tokens, k_tokens)})
        if k_tokens is not None:
            cases.append({"file": name, "options": {"no_tokens": True},
                          "heads": classify(heads, None, None)})
    strict = {"self": 0.9, "previous": 0.9, "peaked": 0.95}
    array, q_tokens, k_tokens = files["patterns.npy"]
    cases.append({"file": "patterns.npy", "options": {"thresholds": strict},
                  "heads": classify(array.astype(np.float64), q_tokens, k_tokens, strict)})
    golden = {"generator": "scripts/reference/classify.py", "built_as": names,
              "local_built_as": {"local.npy": local_names, "local_causal.npy": local_causal_names},
              "cases": cases}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(files)} dumps and {len(cases)} cases to {OUT.relative_to(ROOT)}", file=sys.stderr)


KNOWN_LABEL = {"prev": "previous", "induction": "induction", "induction_all": "induction",
               "offset_3": "offset", "anti_diag": "reorder", "diag_alignment": "align"}


def confusion():
    """Markdown: the known heads of data/ (data/patterns.json) against the labels given."""
    known = json.loads((ROOT / "data" / "patterns.json").read_text())
    rows = {}
    for file, entry in known["files"].items():
        heads, q_tokens, k_tokens = load(ROOT / "data" / file)
        result = classify(heads, q_tokens, k_tokens)
        for expected in entry["heads"]:
            got = result[expected["layer"] * heads.shape[1] + expected["head"]]
            if expected["patterns"]:
                name = expected["patterns"][0]
                truth = KNOWN_LABEL[name] + (" (borderline)" if expected[name] < 0.6 else "")
            else:
                truth = "no pattern"
            label = got["label"] + (f" {got['offset']}" if got["label"] == "offset" else "")
            rows.setdefault(truth, {}).setdefault(label, []).append(
                f"{Path(file).stem} L{expected['layer']}H{expected['head']}")
    columns = sorted({label for r in rows.values() for label in r})
    print("| known head | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for truth in sorted(rows):
        cells = [str(len(rows[truth].get(c, []))) if c in rows[truth] else "" for c in columns]
        print(f"| {truth} | " + " | ".join(cells) + " |")
    for truth in sorted(rows):
        for label, heads in sorted(rows[truth].items()):
            print(f"- {truth} -> {label}: {', '.join(heads)}")


def planted(kind, n, causal, rng):
    """One planted head of `kind` over n positions: local heads (exponential decay, a uniform
    window), block-diagonal heads of random block sizes 3-8, and self / previous heads."""
    i = np.arange(n)
    visible = (i[None, :] <= i[:, None]) if causal else np.ones((n, n), bool)
    uniform = visible / visible.sum(1, keepdims=True)
    if kind.startswith("local tau"):
        return decay(n, float(kind.split()[-1]), causal)
    if kind.startswith("local w"):
        return band(n, int(kind.split()[-1]), causal, rng)
    if kind == "block":
        sizes = rng.integers(3, 9, n)
        T = blocks(n, sizes, rng)
        return np.where(visible, T, 0) / np.where(visible, T, 0).sum(1, keepdims=True)
    shift = {"self": 0, "previous": 1}[kind]
    T = np.eye(n)[np.maximum(i - shift, 0)]
    return 0.8 * T + 0.2 * uniform


PLANTED = ["local tau 2", "local tau 4", "local w 2", "local w 4", "block", "self", "previous"]


def planted_confusion():
    """Markdown: planted heads (n = 24, 40, 64; bidirectional and causal) against their labels."""
    rng = np.random.default_rng(2026)
    rows = {}
    for kind in PLANTED:
        for n in (24, 40, 64):
            for causal in (False, True):
                A = planted(kind, n, causal, rng)
                got = classify(A[np.newaxis, np.newaxis], None, None)[0]
                label = got["label"] + (f" {got['width']}" if got["label"] == "local" else "")
                truth = f"{kind}, {'causal' if causal else 'bidirectional'}"
                rows.setdefault(truth, {}).setdefault(label, []).append(f"n={n}")
    columns = sorted({label for r in rows.values() for label in r})
    print("| planted head (n = 24, 40, 64) | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for truth in rows:
        cells = [str(len(rows[truth][c])) if c in rows[truth] else "" for c in columns]
        print(f"| {truth} | " + " | ".join(cells) + " |")
    for truth in rows:
        for label, ns in sorted(rows[truth].items()):
            print(f"- {truth} -> {label}: {', '.join(ns)}")


def show(path):
    heads, q_tokens, k_tokens = load(path)
    for h in classify(heads, q_tokens, k_tokens):
        scores = " ".join(f"{k}={v:.2f}" for k, v in h["scores"].items() if v is not None)
        off = f" k={h['offset']}" if h["offset"] is not None else ""
        confidence = "-" if h["confidence"] is None else f"{h['confidence']:.2f}"
        print(f"{Path(path).name} L{h['layer']}H{h['head']}: {h['label']}{off} "
              f"({confidence}) labels={h['labels']}  {scores}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--confusion"]:
        confusion()
        print()
        planted_confusion()
    elif len(sys.argv) > 1:
        for path in sys.argv[1:]:
            show(path)
    else:
        write_fixtures()
