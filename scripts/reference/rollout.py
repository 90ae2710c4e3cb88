#!/usr/bin/python3
"""numpy reference for `attnviz rollout`, written from the formulas in docs/analyses.md,
and the golden values it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/rollout.py
        writes tests/fixtures/analysis/rollout/: a few small dumps (npy, float32) and golden.json,
        the rollout of each under a few option sets, and some single layer matrices Â_l.
    /usr/bin/python3 scripts/reference/rollout.py FILE [--fuse max] [--residual-weight A]
            [--no-residual] [--discard R] [--start-layer S] [--end-layer E] [--rows I,J]
        prints {"rows": ..., "rollout": [[...]]} for one dump, as `attnviz rollout --json` does.

Deterministic (fixed seeds). Plain loops and the formulas as written, not the C++'s order of
work: the full product Â_E · … · Â_S is formed first (from the lowest layer up), rows are taken
from it afterwards. flow.py imports layer_matrices() and load_attention() from here.
"""

import argparse
import json
import math
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "tests" / "fixtures" / "analysis" / "rollout"
DATA = ROOT / "data"

DEFAULT_OPTIONS = {"fuse": "mean", "residual_weight": None, "no_residual": False, "discard": 0.0,
                   "start_layer": None, "end_layer": None}

# ---------------------------------------------------------------------------------------------
# The formulas


def fuse_heads(heads, fuse):
    """F: the heads (H x n x n, float64) combined cell by cell."""
    if fuse == "mean":
        return heads.mean(axis=0)
    if fuse == "max":
        return heads.max(axis=0)
    if fuse == "min":
        return heads.min(axis=0)
    raise ValueError(fuse)


def discard_smallest(F, ratio):
    """vit-explain's discard_ratio: zero the floor(R·n²) smallest entries of F, but never F[0, 0]
    (kept even when it is among them). Ties: the earlier entry in row-major order goes first."""
    F = F.copy()
    flat = F.reshape(-1)
    count = int(math.floor(ratio * flat.size))
    smallest = np.argsort(flat, kind="stable")[:count]
    flat[smallest[smallest != 0]] = 0.0
    return F


def residual_adjusted(F, options):
    """Â = (a·F + b·I) / rowsum, (a, b) = (1, 1) by default or (w, 1 - w) for --residual-weight w;
    a row summing to 0 stays 0. --no-residual: F itself."""
    if options["no_residual"]:
        return F
    w = options["residual_weight"]
    a, b = (1.0, 1.0) if w is None else (w, 1.0 - w)
    M = a * F + b * np.eye(F.shape[0])
    out = np.zeros_like(M)
    for i in range(M.shape[0]):
        total = M[i].sum()
        out[i] = M[i] if total == 0 else M[i] / total
    return out


def layer_span(attention, options):
    layers = attention.shape[0]
    first = options["start_layer"] if options["start_layer"] is not None else 0
    last = options["end_layer"] if options["end_layer"] is not None else layers - 1
    return first, last


def layer_matrices(attention, options):
    """Â_l for l = first..last (the lowest first); attention is L x H x n x n, float64."""
    options = {**DEFAULT_OPTIONS, **options}
    first, last = layer_span(attention, options)
    matrices = []
    for layer in range(first, last + 1):
        F = fuse_heads(attention[layer], options["fuse"])
        F = discard_smallest(F, options["discard"])
        matrices.append(residual_adjusted(F, options))
    return matrices


def rollout(attention, options, rows=None):
    """Â_last · … · Â_first, then the rows asked for (all when None)."""
    matrices = layer_matrices(attention, options)
    product = matrices[0]
    for A in matrices[1:]:
        product = A @ product
    return product if rows is None else product[rows]


# ---------------------------------------------------------------------------------------------
# Reading a dump the way attnviz does: values rounded to float32, default axes by rank


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    body = raw[8 + length:]
    dtypes = {"F16": np.float16, "F32": np.float32, "F64": np.float64}
    names = sorted(k for k in header if k != "__metadata__")
    arrays = []
    for name in names:
        info = header[name]
        begin, end = info["data_offsets"]
        arrays.append(np.frombuffer(body[begin:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"]))
    return arrays[0] if len(arrays) == 1 else np.stack(arrays)


def read_npz(path):
    with np.load(path) as archive:
        if "attention" in archive.files:
            return archive["attention"]
        arrays = [archive[name] for name in archive.files if archive[name].dtype.kind == "f"]
        return arrays[0] if len(arrays) == 1 else np.stack(arrays)


def load_attention(path, batch=0):
    """The dump as layers x heads x queries x keys in float64, via float32 as attnviz reads it."""
    path = str(path)
    if path.endswith(".npy"):
        array = np.load(path)
    elif path.endswith(".npz") or zipfile.is_zipfile(path):
        array = read_npz(path)
    elif path.endswith(".safetensors"):
        array = read_safetensors(path)
    else:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        array = np.asarray(document["attention"] if isinstance(document, dict) else document,
                           dtype=np.float64)
    array = np.asarray(array).astype(np.float32).astype(np.float64)
    if array.ndim == 5:
        array = array[:, batch]
    while array.ndim < 4:
        array = array[None]
    return array


# ---------------------------------------------------------------------------------------------
# Fixtures and goldens


def softmax_rows(rng, shape, mask=None, temperature=1.5):
    logits = rng.standard_normal(shape) * temperature
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    if mask is not None:
        weights = np.where(mask, weights, 0.0)
    return weights / weights.sum(axis=-1, keepdims=True)


def fixtures():
    """name -> float32 array, layers x heads x n x n."""
    rng = np.random.default_rng(20240605)
    made = {}
    made["dense"] = softmax_rows(rng, (3, 2, 6, 6))
    n = 7
    made["causal"] = softmax_rows(rng, (4, 3, n, n), np.tril(np.ones((n, n), bool)), 2.0)
    # A crop: rows sum to 0.4-0.7 (never renormalised before the formula), and a query row that
    # is all zero in layer 1 (a padded position), so a·F + (1-a)·I can have a zero row at a = 1.
    n = 5
    crop = softmax_rows(rng, (2, 2, n, n), np.tril(np.ones((n, n), bool)))
    crop = crop * rng.uniform(0.4, 0.7, size=(2, 2, n, 1))
    crop[1, :, 3, :] = 0.0
    made["crop"] = crop
    # Ties: multiples of 1/8, so discard must break ties between equal values by position.
    made["ties"] = np.array([[[[0.125, 0.5, 0.25, 0.125], [0.25, 0.25, 0.25, 0.25],
                               [0.125, 0.125, 0.625, 0.125], [0.5, 0.125, 0.25, 0.125]],
                              [[0.25, 0.25, 0.25, 0.25], [0.125, 0.125, 0.5, 0.25],
                               [0.125, 0.25, 0.5, 0.125], [0.125, 0.125, 0.125, 0.625]]]])
    # ViT-like: [CLS] and 9 patches, 10 x 10, sharp heads; 0.29 · 100 = 28.999... floors to 28.
    made["vit"] = softmax_rows(rng, (3, 4, 10, 10), temperature=3.0)
    # For the command line's error test only: a NaN at layer 0, head 1, query 2, key 3.
    nonfinite = softmax_rows(rng, (1, 2, 4, 4))
    nonfinite[0, 1, 2, 3] = np.nan
    made["nonfinite"] = nonfinite
    return {name: array.astype(np.float32) for name, array in made.items()}


CASES = [
    ("dense", {}, None), ("dense", {"fuse": "max"}, None), ("dense", {"fuse": "min"}, None),
    ("dense", {"residual_weight": 0.3}, None), ("dense", {"no_residual": True}, None),
    ("dense", {"start_layer": 1}, None), ("dense", {"end_layer": 1}, [5, 0]),
    ("dense", {"start_layer": 1, "end_layer": 1}, None), ("dense", {}, [2]),
    ("causal", {}, None), ("causal", {"discard": 0.5}, None), ("causal", {"fuse": "max"}, [6, 3]),
    ("crop", {}, None), ("crop", {"residual_weight": 1.0}, None), ("crop", {"no_residual": True}, None),
    ("ties", {"discard": 0.25}, None), ("ties", {"discard": 0.5, "no_residual": True}, None),
    ("vit", {"fuse": "max", "discard": 0.29}, [0]), ("vit", {"discard": 0.9}, None),
    ("vit", {"fuse": "min", "discard": 0.5, "residual_weight": 0.6}, [0, 9]),
    ("data:induction.npy", {}, None), ("data:induction.npy", {"fuse": "max", "discard": 0.8}, [40, 20]),
    ("data:copy_offset.npz", {"end_layer": 0}, [23]),
]

# Single Â_l: each step of the formula on its own.
LAYER_CASES = [
    ("ties", 0, {"discard": 0.25}), ("ties", 0, {"discard": 0.25, "no_residual": True}),
    ("ties", 0, {"fuse": "max", "discard": 0.5, "no_residual": True}),
    ("crop", 1, {}), ("crop", 1, {"residual_weight": 1.0}), ("crop", 1, {"residual_weight": 0.0}),
    ("vit", 2, {"discard": 0.29}), ("causal", 3, {"fuse": "min", "residual_weight": 0.25}),
]


def case_input(name, made):
    if name.startswith("data:"):
        return load_attention(DATA / name[5:])
    return made[name].astype(np.float64)


def golden(made):
    cases = []
    for name, options, rows in CASES:
        result = rollout(case_input(name, made), options, rows)
        cases.append({"file": name if name.startswith("data:") else f"{name}.npy",
                      "options": options, "rows": rows, "rollout": result.tolist()})
    layers = []
    for name, layer, options in LAYER_CASES:
        matrix = layer_matrices(case_input(name, made), {**options, "start_layer": layer,
                                                         "end_layer": layer})[0]
        layers.append({"file": f"{name}.npy", "layer": layer, "options": options,
                       "matrix": matrix.tolist()})
    return {"generator": "scripts/reference/rollout.py", "cases": cases, "layers": layers}


def write_fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    made = fixtures()
    for name, array in made.items():
        np.save(OUT / f"{name}.npy", array)
    result = golden(made)
    (OUT / "golden.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(made)} dumps, {len(result['cases'])} rollouts and {len(result['layers'])} "
          f"layer matrices to {OUT.relative_to(ROOT)}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Command line


def add_graph_arguments(parser):
    parser.add_argument("file")
    parser.add_argument("--fuse", default="mean", choices=["mean", "max", "min"])
    parser.add_argument("--residual-weight", type=float)
    parser.add_argument("--no-residual", action="store_true")
    parser.add_argument("--discard", type=float, default=0.0)
    parser.add_argument("--start-layer", type=int)
    parser.add_argument("--end-layer", type=int)
    parser.add_argument("--rows", type=lambda text: [int(x) for x in text.split(",")])
    parser.add_argument("--batch", type=int, default=0)


def graph_options(args):
    return {"fuse": args.fuse, "residual_weight": args.residual_weight,
            "no_residual": args.no_residual, "discard": args.discard,
            "start_layer": args.start_layer, "end_layer": args.end_layer}


def main():
    if len(sys.argv) == 1:
        write_fixtures()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_graph_arguments(parser)
    args = parser.parse_args()
    result = rollout(load_attention(args.file, args.batch), graph_options(args), args.rows)
    print(json.dumps({"rows": args.rows, "rollout": result.tolist()}))


if __name__ == "__main__":
    main()
