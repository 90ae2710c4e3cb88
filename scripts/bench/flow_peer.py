#!/usr/bin/python3
"""The peers of `attnviz flow` in scripts/bench/flow.sh: makes the benchmark dumps, times
scipy.sparse.csgraph.maximum_flow on the same graph, and checks attnviz against networkx.

    flow_peer.py make OUT.npy --layers 12 --heads 12 --tokens 30
    flow_peer.py time ATTNVIZ DUMP OUT.json [--repeats 5] [--jobs 0]
    flow_peer.py compare DUMP ATTNVIZ.json [--scipy-repeats 3] [--nx-pairs 30]

`time` runs `ATTNVIZ flow DUMP --raw --json -j JOBS` (keeping the last output in OUT.json) and
prints the medians of its wall time and of its CPU time (user + system of all its threads, from
wait4's rusage), in seconds.

The graph is scripts/reference/flow.py's: nodes (l, i), an edge (l + 1, i) -> (l, j) of capacity
Â_l[i, j] (mean of heads, (F + I) / rowsum). scipy's maximum_flow takes integer capacities only,
so it gets round(Â_l[i, j] · 2^30) as int32 (rows of Â sum to 1, so no flow can overflow);
each capacity is then off by at most 2^-31, a cut of k edges by at most k · 2^-31 (4e-7 for 900
edges), which bounds how far its values may differ from the exact ones. Its time is the loop of
maximum_flow calls over all pairs on a prebuilt CSR graph (building it is not counted): wall
time and CPU time of this process, the median of the repeats. Correctness is checked against
networkx's maximum_flow_value (preflow-push, on flow.py's graph) on a random sample of pairs.
Prints one JSON object.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
import flow as reference  # noqa: E402
import rollout  # noqa: E402

SCALE = 2**30


def make(args):
    """Softmax attention of random logits, each head with its own sharpness, like a trained
    model's mix of broad and peaked heads; float32, (layer, head, query, key)."""
    rng = np.random.default_rng(args.seed)
    shape = (args.layers, args.heads, args.tokens, args.tokens)
    sharpness = rng.uniform(0.5, 4.0, size=(args.layers, args.heads, 1, 1))
    logits = rng.standard_normal(shape) * sharpness
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    np.save(args.out, (weights / weights.sum(axis=-1, keepdims=True)).astype(np.float32))


def time_attnviz(args):
    walls, cpus = [], []
    for _ in range(args.repeats):
        with open(args.out, "wb") as out:
            start = time.perf_counter()
            child = subprocess.Popen([args.attnviz, "flow", args.dump, "--raw", "--json",
                                      "-j", str(args.jobs)], stdout=out)
            _, status, usage = os.wait4(child.pid, 0)
            walls.append(time.perf_counter() - start)
        if status != 0:
            raise SystemExit(f"attnviz flow failed with status {status}")
        cpus.append(usage.ru_utime + usage.ru_stime)
    print(f"{np.median(walls):.4f} {np.median(cpus):.4f}")


def scipy_graph(matrices):
    n, layers = matrices[0].shape[0], len(matrices)
    rows, cols, caps = [], [], []
    for l, A in enumerate(matrices):
        a, b = np.nonzero(A > 0)
        rows.append((l + 1) * n + a)
        cols.append(l * n + b)
        caps.append(np.rint(A[a, b] * SCALE))
    size = (layers + 1) * n
    caps = np.concatenate(caps).astype(np.int32)
    return sp.csr_matrix((caps, (np.concatenate(rows), np.concatenate(cols))), shape=(size, size))


def scipy_flows(graph, layers, n):
    """Every pair's flow, the wall time and the CPU time it took."""
    values = np.zeros((n, n))
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        for j in range(n):
            values[i, j] = maximum_flow(graph, layers * n + i, j).flow_value / SCALE
    return values, time.perf_counter() - wall, time.process_time() - cpu


def compare(args):
    attention = rollout.load_attention(args.dump)
    matrices = rollout.layer_matrices(attention, {})
    layers, n = len(matrices), matrices[0].shape[0]
    ours = np.array(json.loads(Path(args.attnviz_json).read_text())["flow"])
    report = {"layers": layers, "tokens": n, "pairs": n * n}
    if args.scipy_repeats > 0:
        graph = scipy_graph(matrices)
        walls, cpus = [], []
        for _ in range(args.scipy_repeats):
            values, wall, cpu = scipy_flows(graph, layers, n)
            walls.append(wall)
            cpus.append(cpu)
        report["scipy_wall_s"] = walls
        report["scipy_median_s"] = float(np.median(walls))
        report["scipy_median_cpu_s"] = float(np.median(cpus))
        report["scipy_max_abs_diff"] = float(np.abs(values - ours).max())
        report["scipy_diff_bound"] = float(graph.nnz / 2**31)
    rng = np.random.default_rng(args.seed)
    graph = reference.layered_graph(matrices)
    diffs, start = [], time.perf_counter()
    for _ in range(args.nx_pairs):
        i, j = (int(x) for x in rng.integers(n, size=2))
        diffs.append(abs(nx.maximum_flow_value(graph, (layers, i), (0, j)) - ours[i, j]))
    if args.nx_pairs:
        report["networkx_pairs_checked"] = args.nx_pairs
        report["networkx_max_abs_diff"] = float(max(diffs))
        report["networkx_s_per_pair"] = (time.perf_counter() - start) / args.nx_pairs
    print(json.dumps(report))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("make")
    made.add_argument("out")
    made.add_argument("--layers", type=int, default=12)
    made.add_argument("--heads", type=int, default=12)
    made.add_argument("--tokens", type=int, default=30)
    made.add_argument("--seed", type=int, default=2020)
    timed = commands.add_parser("time")
    timed.add_argument("attnviz")
    timed.add_argument("dump")
    timed.add_argument("out")
    timed.add_argument("--repeats", type=int, default=5)
    timed.add_argument("--jobs", type=int, default=0)
    check = commands.add_parser("compare")
    check.add_argument("dump")
    check.add_argument("attnviz_json")
    check.add_argument("--scipy-repeats", type=int, default=3)
    check.add_argument("--nx-pairs", type=int, default=30)
    check.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    {"make": make, "time": time_attnviz, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
