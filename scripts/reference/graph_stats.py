#!/usr/bin/python3
"""numpy reference for `attnviz graph --stats`, written from docs/graph.md, and the golden it
commits for the C++ tests (tests/fixtures/graph/golden.json).

    /usr/bin/python3 scripts/reference/graph_stats.py          # writes the golden
    /usr/bin/python3 scripts/reference/graph_stats.py FILE.npz # prints the head summaries

Per node and head: p = alpha of the incoming edges / their sum; entropy -sum p log p (nats);
uniform entropy log(in_degree); ratio entropy / log(in_degree) (in_degree >= 2); KL to uniform
log(in_degree) - entropy; the top edge; received = sum of alpha over the outgoing edges. Head
summaries: means over the nodes with in_degree >= 2, near_uniform = share with ratio >= 0.9.
"""

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "graph"
NEAR_UNIFORM = 0.9


def nodes_of(d):
    if "num_nodes" in d:
        return int(d["num_nodes"])
    if "y" in d:
        return len(d["y"])
    return int(d["edge_index"].max()) + 1


def node_stats(alpha, source, target, nodes, node, head):
    incoming = np.flatnonzero(target == node)
    a = alpha[incoming, head].astype(np.float64)
    degree, mass = len(incoming), float(a.sum())
    received = float(alpha[source == node, head].astype(np.float64).sum())
    out = {"node": node, "head": head, "in_degree": degree, "mass": mass, "received": received,
           "uniform_entropy": float(np.log(degree)) if degree else None}
    if mass <= 0:
        return dict(out, entropy=None, ratio=None, kl_to_uniform=None, top_edge=-1, top_weight=0.0)
    p = a / mass
    entropy = float(-(p[p > 0] * np.log(p[p > 0])).sum())
    top = int(np.argmax(p))  # the first maximum: the lowest edge index
    return dict(out, entropy=entropy,
                ratio=entropy / np.log(degree) if degree >= 2 else None,
                kl_to_uniform=float(np.log(degree) - entropy),
                top_edge=int(incoming[top]), top_weight=float(p[top]))


def summary(stats, head):
    rows = [s for s in stats if s["in_degree"] >= 2 and s["ratio"] is not None]
    mean = lambda key: float(np.mean([s[key] for s in rows]))  # noqa: E731
    return {"head": head, "nodes": len(rows), "mean_entropy": mean("entropy"),
            "mean_uniform_entropy": mean("uniform_entropy"), "mean_ratio": mean("ratio"),
            "mean_kl": mean("kl_to_uniform"),
            "near_uniform_share": float(np.mean([s["ratio"] >= NEAR_UNIFORM for s in rows]))}


def graph_stats(path):
    d = dict(np.load(path))
    source, target = d["edge_index"]
    alpha = d["alpha"].reshape(len(source), -1)
    nodes = nodes_of(d)
    heads = []
    all_nodes = []
    for h in range(alpha.shape[1]):
        stats = [node_stats(alpha, source, target, nodes, n, h) for n in range(nodes)]
        heads.append(summary(stats, h))
        all_nodes += stats
    return {"file": Path(path).name, "nodes": all_nodes, "heads": heads}


def main():
    if len(sys.argv) > 1:
        for path in sys.argv[1:]:
            for head in graph_stats(path)["heads"]:
                print(head)
        return
    golden = {"near_uniform": NEAR_UNIFORM,
              "cases": [graph_stats(OUT / name) for name in ("tiny.npz", "random.npz")]}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n")


if __name__ == "__main__":
    main()
