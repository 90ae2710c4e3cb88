#!/usr/bin/python3
"""The inputs and the numpy peers of scripts/bench/run.sh, and the timer it measures every process
with.

    peers.py make-softmax OUT.npy --layers L --heads H --tokens N [--dtype float32|float16]
        softmax of random logits, each head with its own sharpness (broad and peaked heads mixed),
        written head by head into an .npy so memory stays small whatever the size. With
        --distinct D only D heads are generated and the file repeats them (a 30 GB dump in the
        time it takes to write it).
    peers.py stats DUMP        numpy per-head loop over an mmap computing attnviz's statistics
    peers.py rollout DUMP [--row0]  numpy + OpenBLAS chain, float64, full matrix (row 0 printed)
    peers.py js DUMP           Jensen-Shannon distances between all heads (Clark et al.), numpy
    peers.py time [--repeats R] [--label X] -- CMD...
        runs CMD R times; prints one JSON object: median wall and CPU seconds, and the peak
        resident anonymous memory (RssAnon sampled every 5 ms from /proc) and peak RSS.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np


def softmax_head(rng, n, sharpness, dtype):
    logits = rng.standard_normal((n, n), dtype=np.float32) * np.float32(sharpness)
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return logits.astype(dtype)


def make_softmax(args):
    rng = np.random.default_rng(args.seed)
    dtype = np.dtype(args.dtype)
    shape = (args.layers, args.heads, args.tokens, args.tokens)
    count = args.layers * args.heads
    distinct = min(count, args.distinct or count)
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    tmp = args.out + ".part"
    with open(tmp, "wb") as out:
        np.lib.format.write_array_header_1_0(out, header)
        cache = []
        for index in range(count):
            if index < distinct:
                head = softmax_head(rng, args.tokens, rng.uniform(0.5, 4.0), dtype)
                if distinct < count:
                    cache.append(head)
            else:
                head = cache[index % distinct]
            out.write(head.tobytes())
    os.replace(tmp, args.out)


def stats(args):
    """What a user writes: a loop over heads of the memory-mapped dump, numpy per head."""
    attention = np.load(args.dump, mmap_mode="r")
    layers, heads, n, _ = attention.shape
    distance = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]).astype(np.float32)
    results = []
    for l in range(layers):
        for h in range(heads):
            a = np.asarray(attention[l, h], dtype=np.float32)
            logs = np.log(a, out=np.zeros_like(a), where=a > 0)
            top = np.partition(a, n - args.topk, axis=1)[:, n - args.topk:]
            results.append({
                "entropy": float(-(a * logs).sum(axis=1).mean()),
                "confidence": float(a.max(axis=1).mean()),
                "topk": float(top.sum(axis=1).mean()),
                "distance": float((a * distance).sum(axis=1).mean()),
                "self": float(np.diagonal(a).mean()),
                "prev": float(np.diagonal(a, -1).mean()),
                "next": float(np.diagonal(a, 1).mean()),
                "first_token": float(a[:, 0].mean()),
                "row_sum_dev": float(np.abs(a.sum(axis=1) - 1).max()),
            })
    json.dump({"heads": results}, sys.stdout)


def rollout(args):
    attention = np.load(args.dump, mmap_mode="r")
    n = attention.shape[-1]
    eye = np.eye(n)
    result = None
    for l in range(attention.shape[0]):
        fused = attention[l].mean(axis=0, dtype=np.float64) + eye
        fused /= fused.sum(axis=1, keepdims=True)
        result = fused if result is None else fused @ result
    print(json.dumps(result[0].tolist() if args.row0 else float(result.sum())))


def js(args):
    attention = np.load(args.dump, mmap_mode="r")
    layers, heads, n, _ = attention.shape
    p = attention.reshape(layers * heads, n * n).astype(np.float64) * 0.999 + 0.001 / n
    self_terms = (p * np.log(p)).sum(axis=1)
    count = len(p)
    distances = np.zeros((count, count))
    for a in range(count - 1):
        m = 0.5 * (p[a] + p[a + 1:])
        mixed = (m * np.log(m)).sum(axis=1)
        row = (0.5 * (self_terms[a] + self_terms[a + 1:]) - mixed) / n
        distances[a, a + 1:] = row
        distances[a + 1:, a] = row
    print(json.dumps(float(distances.sum())))


def sample_memory(pid, peak, done):
    while not done.is_set():
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("RssAnon:"):
                        peak[0] = max(peak[0], int(line.split()[1]))
        except OSError:
            return
        time.sleep(0.005)


def warm(path):
    """Reads `path` through, so that the timed run finds it in the page cache. This machine's
    kernel (DAMON reclaim) evicts cold file pages within seconds: without this, whichever process
    runs later would read part of its input from disk."""
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 22):
            pass


def time_command(args):
    walls, cpus, anon, rss = [], [], [], []
    for _ in range(args.repeats):
        for path in args.warm:
            warm(path)
        peak, done = [0], threading.Event()
        start = time.perf_counter()
        child = subprocess.Popen(args.cmd, stdout=subprocess.DEVNULL)
        sampler = threading.Thread(target=sample_memory, args=(child.pid, peak, done))
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - start)
        done.set()
        sampler.join()
        if status != 0:
            raise SystemExit(f"peers.py time: {' '.join(args.cmd)} failed with status {status}")
        cpus.append(usage.ru_utime + usage.ru_stime)
        anon.append(peak[0] / 1024)
        rss.append(usage.ru_maxrss / 1024)
    print(json.dumps({"label": args.label, "wall": float(np.median(walls)), "walls": walls,
                      "cpu": float(np.median(cpus)), "anon_mb": max(anon), "rss_mb": max(rss)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("make-softmax")
    made.add_argument("out")
    made.add_argument("--layers", type=int, required=True)
    made.add_argument("--heads", type=int, required=True)
    made.add_argument("--tokens", type=int, required=True)
    made.add_argument("--dtype", default="float32", choices=["float32", "float16"])
    made.add_argument("--distinct", type=int, default=0)
    made.add_argument("--seed", type=int, default=6)
    for name in ("stats", "rollout", "js"):
        sub = commands.add_parser(name)
        sub.add_argument("dump")
        sub.add_argument("--topk", type=int, default=3)
        sub.add_argument("--row0", action="store_true")
    timed = commands.add_parser("time")
    timed.add_argument("--repeats", type=int, default=3)
    timed.add_argument("--label", default="")
    timed.add_argument("--warm", action="append", default=[],
                       help="read this file through before each run (untimed); repeatable")
    timed.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command == "time" and args.cmd[:1] == ["--"]:
        args.cmd = args.cmd[1:]
    {"make-softmax": make_softmax, "stats": stats, "rollout": rollout, "js": js,
     "time": time_command}[args.command](args)


if __name__ == "__main__":
    main()
