#!/usr/bin/python3
"""Prints the table of scripts/bench/run.sh from its measurements.

    table.py LIMITS.json RESULTS.jsonl INPUTS_DIR

Each workload: the peer's median wall time and the target, then for every instruction set attnviz
was timed on (ISAS, best first; results labelled NAME@ISA) attnviz's median wall time and the
ratio, and, for the best set, CPU time, anonymous memory and the workload as a fraction of the
machine limit that bounds it (bytes of the dump per second against `cat` and against the tight
read loop; GEMM FLOP/s against OpenBLAS on both cores).
"""

import json
import os
import sys


def main():
    limits = json.load(open(sys.argv[1]))
    results = {}
    for line in open(sys.argv[2]):
        entry = json.loads(line)
        results[entry["label"]] = entry
    inputs = sys.argv[3]

    def size_gb(name):
        path = os.path.join(inputs, name)
        return os.path.getsize(path) / 1e9 if os.path.exists(path) else float("nan")

    read_all = limits["read_gbs_all"]
    cat = results.get("cat-stats")
    cat_gbs = size_gb("stats.npy") / cat["wall"] if cat else float("nan")
    # rollout of 24 layers of 1024^2: 23 products of 2 n^3 FLOP (plus fusing, which reads the dump).
    gemm_gflop = 23 * 2 * 1024**3 / 1e9

    rows = []

    isas = [isa for isa in os.environ.get("ISAS", "").split() if isa]

    def row(name, ours, peer, target, limit_text):
        timed = [results.get(f"{ours}@{isa}") for isa in isas]
        if not any(timed):
            return
        best = next(o for o in timed if o)
        p = results.get(peer) if peer else None
        per_isa = []
        for o in timed:
            if not o:
                per_isa.append("-")
                continue
            ratio = f" ({p['wall'] / o['wall']:.1f}x)" if p else ""
            per_isa.append(f"{o['wall']:.3f}{ratio}")
        rows.append((name, f"{p['wall']:.3f}" if p else "-", target, *per_isa,
                     f"{best['cpu']:.2f}", f"{best['anon_mb']:.0f}", limit_text(best)))

    gb = size_gb("stats.npy")
    row("stats 24x16x1024^2 f32 (1.6 GB)", "attnviz-stats", "numpy-stats", ">= 15x",
        lambda o: f"{gb / o['wall']:.2f} GB/s = {gb / o['wall'] / cat_gbs:.0%} of cat "
                  f"({cat_gbs:.2f} GB/s), {gb / o['wall'] / read_all:.0%} of read loop")
    row("rollout full matrix, same dump", "attnviz-rollout", "numpy-rollout", ">= 1x",
        lambda o: f"{gemm_gflop / o['wall']:.1f} GFLOP/s overall = "
                  f"{gemm_gflop / o['wall'] / limits['dgemm_gflops']:.0%} of DGEMM "
                  f"({limits['dgemm_gflops']:.0f}), SGEMM {limits['sgemm_gflops']:.0f}")
    row("rollout row 0, same dump", "attnviz-rollout-row0", "numpy-rollout", ">= 5x",
        lambda o: f"{gb / o['wall']:.2f} GB/s = {gb / o['wall'] / cat_gbs:.0%} of cat")
    row("JS distances, 144 heads of 128^2", "attnviz-js", "numpy-js", ">= 10x",
        lambda o: f"{144 * 143 / 2 * 128 * 128 / o['wall'] / 1e9:.2f} G pair-cells/s")
    long_gb = size_gb("long.npy")
    row("heatmap 16384^2 f32 (1 GB) -> PNG", "attnviz-heatmap-16384", None, "< 2 s",
        lambda o: f"{long_gb / o['wall']:.2f} GB/s = {long_gb / o['wall'] / read_all:.0%} "
                  f"of read loop")
    row("arrows, 4096 tokens", "attnviz-arrows-4096", None, "fast", lambda o: "")
    row("highlight, 4096 tokens", "attnviz-highlight-4096", None, "fast", lambda o: "")
    huge_cat = results.get("cat-huge")
    huge = results.get(f"attnviz-stats-huge@{isas[0]}") if isas else None
    if huge_cat and huge:
        ratio = huge_cat["wall"] / huge["wall"]
        rows.append(("stats on the float16 dump > RAM", f"cat {huge_cat['wall']:.1f}",
                     "anon < 256 MB", f"{huge['wall']:.1f}", *["-"] * (len(isas) - 1),
                     f"{huge['cpu']:.1f}", f"{huge['anon_mb']:.0f}", f"{ratio:.0%} of cat's speed"))

    header = ("workload", "peer s", "target", *[f"attnviz s @{isa} (ratio)" for isa in isas],
              "CPU s (best)", "anon MB", "against the limit (best)")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print()
    print(f"limits: read loop {limits['read_gbs_1']:.1f} GB/s on 1 core, {read_all:.1f} GB/s on "
          f"{limits['cores']}; SGEMM {limits['sgemm_gflops']:.0f} GFLOP/s, DGEMM "
          f"{limits['dgemm_gflops']:.0f} GFLOP/s; PNG encoding {limits['png_mbs_level2']:.0f} MB/s "
          f"(zlib level 2, attnviz's default); cat of the 1.6 GB dump {cat_gbs:.2f} GB/s")
    print(f"medians of whole-process wall time; load average {open('/proc/loadavg').read()[:14]}")
    print()
    for r in [header] + rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))


if __name__ == "__main__":
    main()
