#!/usr/bin/python3
"""numpy reference for `attnviz stats`, written from the formulas in docs/analyses.md, and
the golden values it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/stats.py

writes tests/fixtures/analysis/stats/: a few small dumps (npy, float32, with token files) and
golden.json, the statistics of each dump under a few option sets. Deterministic (fixed seeds).
The code favours plain loops over cleverness: it is the specification the C++ is checked against.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "tests" / "fixtures" / "analysis" / "stats"

# ---------------------------------------------------------------------------------------------
# Tokens

DEFAULT_SPECIAL = [
    "[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]", "[BOS]", "[EOS]",
    "<s>", "</s>", "<pad>", "<unk>", "<mask>", "<bos>", "<eos>", "<sep>", "<cls>",
    "<start_of_turn>", "<end_of_turn>",
]  # and every <|...|> token (<|endoftext|>, <|begin_of_text|>, <|eot_id|>, ...)
DEFAULT_PAD = ["[PAD]", "<pad>", "<|pad|>"]
SEPARATORS = [".", ",", ";", ":", "!", "?", "\u2026", "\u3001", "\u3002", "\uff0c", "\uff1b",
              "\uff1a", "\uff01", "\uff1f"]
MARKERS = " \t\r\n\u0120\u010a\u2581"  # space, Ġ, Ċ (GPT-2 byte-level), ▁ (SentencePiece)
PUNCT_RANGES = [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E), (0xA1, 0xA1),
                (0xA7, 0xA7), (0xAB, 0xAB), (0xB6, 0xB7), (0xBB, 0xBB), (0xBF, 0xBF),
                (0x2010, 0x2027), (0x2030, 0x205E), (0x3001, 0x3003), (0x3008, 0x3011),
                (0x3014, 0x301F), (0xFF01, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40),
                (0xFF5B, 0xFF65)]


def strip_markers(token):
    """The token's text without word-boundary markers: leading spaces, Ġ, Ċ, ▁ and ##, and a
    trailing </w>."""
    text = token.lstrip(MARKERS)
    if text.startswith("##"):
        text = text[2:]
    if text.endswith("</w>"):
        text = text[:-4]
    return text


def is_punct(token):
    text = strip_markers(token)
    return text != "" and all(any(lo <= ord(c) <= hi for lo, hi in PUNCT_RANGES) for c in text)


def is_special(token, special=None):
    if special is not None:
        return token in special
    chat = len(token) >= 4 and token.startswith("<|") and token.endswith("|>")
    return token in DEFAULT_SPECIAL or chat


def is_separator(token):
    """A sentence or clause boundary: a period, comma, ... or a line break."""
    if token != "" and all(c in "\r\n\u010a" for c in token):
        return True
    return strip_markers(token) in SEPARATORS


def is_pad(token, pad_token=None):
    return token == pad_token if pad_token is not None else token in DEFAULT_PAD


# ---------------------------------------------------------------------------------------------
# Masking: what of a head is not attention between real tokens


def edge_run(flags):
    run = 0
    for flag in flags:
        if not flag:
            break
        run += 1
    return run


class Masking:
    """Causal and padded keys of the whole dump, as `attnviz info` defines them."""

    def __init__(self, heads, cross):
        queries, keys = heads.shape[-2:]
        zero_columns = np.all(heads == 0, axis=tuple(range(heads.ndim - 1)))
        lead = edge_run(zero_columns)
        trail = 0 if lead == keys else edge_run(zero_columns[::-1])
        self.first_key = lead
        self.end_key = keys - trail
        self.causal = bool(queries == keys and queries > 1 and
                           all(np.all(np.triu(h, k=1) == 0) for h in heads.reshape(-1, queries, keys)))
        self.cross = cross
        self.queries = queries

    def rows(self):
        """Query rows of real tokens: in self-attention the padded positions are queries too."""
        if self.cross:
            return list(range(self.queries))
        return [i for i in range(self.queries) if self.first_key <= i < self.end_key]

    def valid_keys(self, i):
        end = min(self.end_key, i + 1) if self.causal else self.end_key
        return list(range(self.first_key, max(self.first_key, end)))

    def is_key(self, j):
        return self.first_key <= j < self.end_key


def is_cross(queries, keys, query_tokens, key_tokens):
    return queries != keys or (query_tokens is not None and key_tokens is not None and
                               list(query_tokens) != list(key_tokens))


# ---------------------------------------------------------------------------------------------
# Statistics of one head

def mean(values):
    return float(np.mean(values)) if len(values) else None


def entropy_of(row):
    return -sum(a * math.log(a) for a in row if a > 0)


def grid_distance(grid, n, A, rows):
    grid_rows, grid_cols = grid
    extra = n - grid_rows * grid_cols
    position = lambda t: divmod(t - extra, grid_cols)
    totals = []
    for i in rows:
        if i < extra:
            continue
        ri, ci = position(i)
        total = 0.0
        for j in range(extra, n):
            rj, cj = position(j)
            total += A[i, j] * math.hypot(ri - rj, ci - cj)
        totals.append(total)
    return mean(totals)


def head_stats(A, masking, key_tokens, options):
    """Every statistic of head A (queries x keys, float64) as a dict; None where undefined."""
    queries, keys = A.shape
    rows = masking.rows()
    positional = not masking.cross  # query and key positions are the same sequence
    stats = {}
    log_base = math.log(2) if options.get("bits") else 1.0
    entropies = [entropy_of(A[i]) for i in rows]
    stats["entropy"] = mean([h / log_base for h in entropies])
    normalised = [h / math.log(len(masking.valid_keys(i)))
                  for i, h in zip(rows, entropies) if len(masking.valid_keys(i)) >= 2]
    stats["entropy_norm"] = mean(normalised)
    stats["confidence"] = mean([A[i].max() for i in rows])
    k = options.get("topk", 3)
    stats["topk"] = mean([np.sort(A[i])[::-1][:k].sum() for i in rows])
    stats["distance"] = mean([sum(A[i, j] * abs(i - j) for j in range(keys)) for i in rows]) if positional else None
    if options.get("grid"):
        stats["distance_2d"] = grid_distance(options["grid"], queries, A, rows) if positional else None
    stats["self"] = mean([A[i, i] for i in rows]) if positional else None
    stats["prev"] = mean([A[i, i - 1] for i in rows if masking.is_key(i - 1)]) if positional else None
    stats["next"] = mean([A[i, i + 1] for i in rows if masking.is_key(i + 1)]) if positional else None
    stats["first_token"] = mean([A[i, masking.first_key] for i in rows]) if masking.first_key < keys else None
    for name, test in [("special", lambda t: is_special(t, options.get("special"))),
                       ("punct", is_punct),
                       ("padding", lambda t: is_pad(t, options.get("pad_token")))]:
        if key_tokens is None:
            stats[name] = None
            continue
        columns = [j for j, t in enumerate(key_tokens) if test(t)]
        stats[name] = mean([A[i, columns].sum() for i in rows])
    stats["row_sum_dev"] = max([abs(A[i].sum() - 1) for i in rows]) if rows else None
    if not np.all(np.isfinite(A)):
        stats = {name: (None if value is None else math.nan) for name, value in stats.items()}
    return stats


def dump_stats(heads, query_tokens, key_tokens, options):
    """heads: (layers, heads, queries, keys) float64. {"heads": [...], "layers": [...]}."""
    layers, count, queries, keys = heads.shape
    masking = Masking(heads, is_cross(queries, keys, query_tokens, key_tokens))
    result = {"heads": [], "layers": []}
    for layer in range(layers):
        per_head = []
        for head in range(count):
            stats = head_stats(heads[layer, head], masking, key_tokens, options)
            per_head.append(stats)
            result["heads"].append({"layer": layer, "head": head, **stats})
        means = {}
        for name in per_head[0]:
            values = [s[name] for s in per_head]
            means[name] = None if any(v is None for v in values) else float(np.mean(values))
        result["layers"].append({"layer": layer, **means})
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
    """name -> (float32 array of rank 4, query tokens or None, key tokens or None)."""
    rng = np.random.default_rng(20240604)
    made = {}
    # Causal with special tokens, punctuation and a padding token among real ones.
    tokens = ["<|begin_of_text|>", "The", "Ġcat", "Ġsat", ",", "Ġthen", "<pad>", "Ġran", ".", "</s>"]
    n = len(tokens)
    made["causal"] = (softmax_rows(rng, (2, 3, n, n), np.tril(np.ones((n, n), bool))), tokens, tokens)
    # Bidirectional with right padding: 3 key columns exactly 0 in every head.
    tokens = ["[CLS]", "the", "##ory", "holds", "!", "[SEP]", "[PAD]", "[PAD]", "[PAD]"]
    n, real = len(tokens), 6
    mask = np.zeros((n, n), bool)
    mask[:, :real] = True
    made["padded"] = (softmax_rows(rng, (1, 2, n, n), mask), tokens, tokens)
    # Cross-attention: 5 target queries over 7 source keys.
    made["cross"] = (softmax_rows(rng, (1, 2, 5, 7)), None, None)
    # A crop: rows sum to less than 1, never renormalised; causal; one row with a single key.
    n = 7
    crop = softmax_rows(rng, (1, 2, n, n), np.tril(np.ones((n, n), bool)))
    made["crop"] = (crop * rng.uniform(0.35, 0.7, size=(1, 2, n, 1)), None, None)
    # ViT: [CLS] then a 3 x 4 patch grid.
    made["vit"] = (softmax_rows(rng, (2, 2, 13, 13), temperature=2.5), None, None)
    # Sharp heads: one-hot rows in float64 exactness (entropy exactly 0 in places).
    n = 6
    sharp = np.zeros((1, 2, n, n))
    for i in range(n):
        sharp[0, 0, i, max(i - 1, 0)] = 1.0
        sharp[0, 1, i, :] = 1.0 / n
    made["sharp"] = (sharp, None, None)
    # A NaN in one head and an infinity in another: those heads have no statistics.
    bad = softmax_rows(rng, (1, 3, 4, 4))
    bad[0, 1, 2, 3] = np.nan
    bad[0, 2, 0, 0] = np.inf
    made["nonfinite"] = (bad, None, None)
    return {name: (a.astype(np.float32), q, k) for name, (a, q, k) in made.items()}


CASES = [
    ("causal", {}), ("causal", {"bits": True, "topk": 1}),
    ("causal", {"special": ["Ġcat", ","], "pad_token": "Ġthen", "topk": 20}),
    ("padded", {}), ("padded", {"topk": 2}),
    ("cross", {}), ("crop", {}), ("crop", {"bits": True}),
    ("vit", {"grid": [3, 4]}), ("vit", {"grid": [2, 6], "topk": 5}),
    ("sharp", {}), ("nonfinite", {}),
]


def json_value(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def main():
    np.seterr(invalid="ignore")  # the NaN fixture gives NaN on purpose
    OUT.mkdir(parents=True, exist_ok=True)
    made = fixtures()
    for name, (array, query_tokens, key_tokens) in made.items():
        np.save(OUT / f"{name}.npy", array)
        if key_tokens is not None:
            # JSON: a line file starting with "[CLS]" would read as a JSON list.
            (OUT / f"{name}.tokens.json").write_text(json.dumps(key_tokens, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")
    cases = []
    for name, options in CASES:
        array, query_tokens, key_tokens = made[name]
        result = dump_stats(array.astype(np.float64), query_tokens, key_tokens, options)
        for part in ("heads", "layers"):
            result[part] = [{k: json_value(v) for k, v in row.items()} for row in result[part]]
        cases.append({"file": f"{name}.npy", "options": options, **result})
    golden = {"generator": "scripts/reference/stats.py", "cases": cases}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    print(f"wrote {len(made)} dumps and {len(cases)} cases to {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
