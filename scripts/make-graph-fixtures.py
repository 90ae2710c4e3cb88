#!/usr/bin/python3
"""Writes the graph attention fixtures of tests/fixtures/graph: one small GAT dump (5 nodes, 2
heads, self-loops) as npz, safetensors (written by hand: no safetensors module here) and a
torch.save dict, the same graph as a dense (heads, N, N) matrix with an adjacency, a larger random
graph for the statistics, and one broken dump per input error.

    /usr/bin/python3 scripts/make-graph-fixtures.py
"""

import json
import struct
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "graph"

# source -> target, as PyG's edge_index[0] -> edge_index[1], then a self-loop on every node.
TINY_EDGES = [(0, 1), (2, 1), (1, 2), (3, 2), (4, 3), (3, 4), (0, 4)] + [(n, n) for n in range(5)]


def softmax_by_target(scores, target, nodes):
    """alpha normalised over the incoming edges of each target, per head (PyG's softmax)."""
    alpha = np.zeros_like(scores)
    for t in range(nodes):
        rows = target == t
        if rows.any():
            e = np.exp(scores[rows] - scores[rows].max(axis=0))
            alpha[rows] = e / e.sum(axis=0)
    return alpha


def tiny():
    edge_index = np.array(TINY_EDGES, dtype=np.int64).T
    rng = np.random.default_rng(7)
    alpha = softmax_by_target(rng.normal(size=(edge_index.shape[1], 2)) * 1.5, edge_index[1], 5)
    return {"edge_index": edge_index, "alpha": alpha.astype(np.float32),
            "y": np.array([0, 1, 1, 2, 0], dtype=np.int64)}


def random_graph(nodes=40, heads=3, seed=3):
    """Degrees 0 to 7 (node 0 receives nothing, node 1 only its self-loop), one head near uniform."""
    rng = np.random.default_rng(seed)
    edges = [(1, 1)]
    for t in range(2, nodes):
        sources = rng.choice([s for s in range(nodes) if s != t], size=rng.integers(1, 7), replace=False)
        edges += [(int(s), t) for s in sources] + [(t, t)]
    edge_index = np.array(edges, dtype=np.int64).T
    scales = np.array([3.0, 1.0, 0.05])  # peaked, moderate, near uniform
    scores = rng.normal(size=(edge_index.shape[1], heads)) * scales
    alpha = softmax_by_target(scores, edge_index[1], nodes)
    return {"edge_index": edge_index, "alpha": alpha.astype(np.float32),
            "num_nodes": np.array(nodes, dtype=np.int64)}


def write_safetensors(path, arrays):
    dtypes = {np.dtype(np.int64): "I64", np.dtype(np.float32): "F32"}
    header, data = {}, b""
    for name, array in arrays.items():
        raw = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtypes[array.dtype], "shape": list(array.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def dense(arrays, nodes=5):
    """attention[h, i, j]: target i's attention on source j; adjacency[i, j] = 1 for edge j -> i."""
    heads = arrays["alpha"].shape[1]
    attention = np.zeros((heads, nodes, nodes), dtype=np.float32)
    adjacency = np.zeros((nodes, nodes), dtype=np.int8)
    for e, (s, t) in enumerate(arrays["edge_index"].T):
        attention[:, t, s] = arrays["alpha"][e]
        adjacency[t, s] = 1
    return {"attention": attention, "adjacency": adjacency}


def broken(arrays):
    good = {k: v for k, v in arrays.items()}
    cases = {
        "bad_shape": dict(good, edge_index=np.vstack([good["edge_index"], good["edge_index"][:1]])),
        "bad_rows": dict(good, alpha=good["alpha"][:-1]),
        "bad_negative": dict(good, edge_index=np.where(good["edge_index"] == 4, -1, good["edge_index"])),
        "bad_range": dict(good, edge_index=np.where(good["edge_index"] == 4, 7, good["edge_index"])),
        "bad_nan": dict(good, alpha=np.where(np.arange(good["alpha"].size).reshape(good["alpha"].shape) == 5,
                                             np.float32("nan"), good["alpha"]).astype(np.float32)),
    }
    for name, case in cases.items():
        np.savez(OUT / f"{name}.npz", **case)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    arrays = tiny()
    np.savez(OUT / "tiny.npz", **arrays)
    write_safetensors(OUT / "tiny.safetensors", arrays)
    torch.save({k: torch.from_numpy(v) for k, v in arrays.items()}, OUT / "tiny.pt")
    np.savez(OUT / "tiny_dense.npz", **dense(arrays))
    (OUT / "tiny_names.txt").write_text("".join(f"node {c}\n" for c in "ABCDE"))
    np.savez_compressed(OUT / "random.npz", **random_graph())
    broken(arrays)
    # Two nodes joined both ways, one heavy edge and one light: the pixel test tells them apart.
    np.savez(OUT / "two_edges.npz", edge_index=np.array([[0, 1], [1, 0]], dtype=np.int64),
             alpha=np.array([[1.0], [0.1]], dtype=np.float32), y=np.array([0, 1], dtype=np.int64))


if __name__ == "__main__":
    main()
