#!/usr/bin/python3
"""networkx reference for `attnviz flow`, written from the definition in docs/analyses.md,
and the golden values it commits for the C++ tests.

    /usr/bin/python3 scripts/reference/flow.py
        writes tests/fixtures/analysis/flow/: a few small dumps (npy, float32) and golden.json,
        the flow of each under a few option sets.
    /usr/bin/python3 scripts/reference/flow.py FILE [rollout.py's options] [--raw]
        prints {"rows": ..., "flow": [[...]]} for one dump, as `attnviz flow --json` does.

The graph is built exactly as the definition reads: nodes (l, i) for l = 0..L, an edge from
(l + 1, i) to (l, j) with capacity Â_l[i, j] (rollout.py's layer_matrices) wherever it is
positive, and the flow from output token i to input token j is networkx's maximum flow from
(L, i) to (0, j) on that whole graph. Each value is computed twice, with preflow-push and with
Edmonds-Karp, and must agree to 1e-9; the minimum cut networkx finds must carry the same value.
"""

import argparse
import json
import sys
from pathlib import Path

import networkx as nx
import numpy as np
from networkx.algorithms.flow import edmonds_karp, preflow_push

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rollout  # noqa: E402  (the Â_l of the same options, and the dump reader)

ROOT = rollout.ROOT
OUT = ROOT / "tests" / "fixtures" / "analysis" / "flow"
AGREEMENT = 1e-9


def layered_graph(matrices):
    """matrices[l] is Â_l, joining layer l + 1 (rows) to layer l (columns)."""
    graph = nx.DiGraph()
    n = matrices[0].shape[0]
    graph.add_nodes_from((l, i) for l in range(len(matrices) + 1) for i in range(n))
    for l, A in enumerate(matrices):
        for a in range(n):
            for b in range(n):
                if A[a, b] > 0:
                    graph.add_edge((l + 1, a), (l, b), capacity=float(A[a, b]))
    return graph


def max_flow(graph, source, sink):
    value = nx.maximum_flow_value(graph, source, sink, flow_func=preflow_push)
    check = nx.maximum_flow_value(graph, source, sink, flow_func=edmonds_karp)
    cut, _ = nx.minimum_cut(graph, source, sink, flow_func=preflow_push)
    if abs(value - check) > AGREEMENT or abs(value - cut) > AGREEMENT:
        raise SystemExit(f"networkx disagrees with itself at {source} -> {sink}: "
                         f"preflow-push {value!r}, Edmonds-Karp {check!r}, cut {cut!r}")
    return value


def flow(attention, options, rows=None, raw=False):
    matrices = rollout.layer_matrices(attention, options)
    if any((A < 0).any() for A in matrices):
        raise SystemExit("negative capacity")
    layers, n = len(matrices), matrices[0].shape[0]
    graph = layered_graph(matrices)
    rows = list(range(n)) if rows is None else rows
    result = np.zeros((len(rows), n))
    for r, i in enumerate(rows):
        for j in range(n):
            result[r, j] = max_flow(graph, (layers, i), (0, j))
        total = result[r].sum()
        if not raw and total != 0:
            result[r] /= total
    return result


# ---------------------------------------------------------------------------------------------
# Fixtures and goldens


def fixtures():
    """name -> float32 array, layers x heads x n x n."""
    rng = np.random.default_rng(20240606)
    made = {}
    made["dense"] = rollout.softmax_rows(rng, (3, 2, 6, 6))
    n = 7
    made["causal"] = rollout.softmax_rows(rng, (4, 2, n, n), np.tril(np.ones((n, n), bool)), 2.0)
    # Sharp heads and no residual: the first blocking flow is rarely maximal, later phases run.
    made["sharp"] = rollout.softmax_rows(rng, (5, 1, 8, 8), temperature=4.0)
    # By hand: the first, downward-only phase sends 0.5 from output 0 to input 0 through
    # (2, 0) -> (1, 0) and gets stuck; the maximum is 1.0, rerouting (2, 0) over (1, 1).
    made["reroute"] = np.array([[[[0.5, 0.0], [0.5, 0.0]]],   # Â_0: (1, a) -> (0, b)
                                [[[0.5, 0.5], [0.5, 0.0]]],   # Â_1: (2, a) -> (1, b)
                                [[[0.5, 0.5], [0.0, 0.0]]]])  # Â_2: (3, a) -> (2, b)
    return {name: array.astype(np.float32) for name, array in made.items()}


CASES = [
    ("dense", {}, None, False), ("dense", {}, None, True), ("dense", {"fuse": "max"}, [4, 1], False),
    ("dense", {"residual_weight": 0.8, "start_layer": 1}, None, True),
    ("causal", {}, None, False), ("causal", {"discard": 0.6}, None, True),
    ("causal", {"no_residual": True}, None, True),
    ("sharp", {"no_residual": True}, None, True), ("sharp", {"no_residual": True}, None, False),
    ("sharp", {"residual_weight": 0.9}, None, True),
    ("reroute", {"no_residual": True}, None, True),
    ("data:induction.npy", {}, None, True), ("data:induction.npy", {"fuse": "max"}, [40, 0], False),
]


def case_input(name, made):
    if name.startswith("data:"):
        return rollout.load_attention(rollout.DATA / name[5:])
    return made[name].astype(np.float64)


def write_fixtures():
    OUT.mkdir(parents=True, exist_ok=True)
    made = fixtures()
    for name, array in made.items():
        np.save(OUT / f"{name}.npy", array)
    cases = []
    for name, options, rows, raw in CASES:
        result = flow(case_input(name, made), options, rows, raw)
        cases.append({"file": name if name.startswith("data:") else f"{name}.npy",
                      "options": options, "rows": rows, "raw": raw, "flow": result.tolist()})
    golden = {"generator": "scripts/reference/flow.py", "cases": cases}
    (OUT / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(made)} dumps and {len(cases)} flows to {OUT.relative_to(ROOT)}",
          file=sys.stderr)


def main():
    if len(sys.argv) == 1:
        write_fixtures()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    rollout.add_graph_arguments(parser)
    parser.add_argument("--raw", action="store_true")
    args = parser.parse_args()
    attention = rollout.load_attention(args.file, args.batch)
    result = flow(attention, rollout.graph_options(args), args.rows, args.raw)
    print(json.dumps({"rows": args.rows, "flow": result.tolist()}))


if __name__ == "__main__":
    main()
