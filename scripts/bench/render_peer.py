#!/usr/bin/python3
"""The matplotlib side of scripts/bench/render.sh: makes the benchmark dumps, draws the same
figures as attnviz with matplotlib, and times whole processes.

    render_peer.py make DIR                      heads512.npy, grid128.npy, labels128.npy (+ tokens)
    render_peer.py draw CASE DIR OUT --like PNG  one process drawing CASE's figures with matplotlib
    render_peer.py time [--warm FILE]... REPEATS OUT.json -- CMD...
                                                 median wall and CPU seconds of CMD

CASE is `heads` (one PNG per head of heads512.npy, each with title and colorbar), `grid` (one PNG,
12 x 12 panels of grid128.npy, row and column labels, one colorbar) or `labels` (labels128.npy with
its 128 tokens on each axis and a colorbar). Each matplotlib figure is as many pixels as the
attnviz PNG given by --like (the first file of a template's output), so both encode the same
number of pixels.

The matplotlib script is what a competent user writes for speed: the Agg backend, one process
looping over the figures, imshow with nearest interpolation (no resampling filter), and, for the
144 heads, one figure reused with set_data and a new title instead of a new figure per head (the
faster of the two; `--fresh-figures` makes a figure per head, the common way, for comparison).
`time` runs CMD as a child and reads its rusage, so both sides are measured the same way: the
whole process, from exec (Python's start and imports included) to exit. Each --warm FILE is read
through (untimed) before every run: this machine's kernel evicts cold file pages within seconds,
and a run that reads its dump from disk measures the disk.
"""

import argparse
import json
import os
import statistics
import struct
import subprocess
import time
from pathlib import Path

import numpy as np

WORDS = ("the model reads each token and attends to earlier ones while the head copies "
         "what followed a previous occurrence of the current word so that repeated phrases "
         "become easy to predict from context alone").split()


def softmax_heads(rng, shape):
    """Attention of random logits with a sharpness and a pull toward the diagonal per head:
    broad, peaked and local heads, as in a trained model."""
    sharpness = rng.uniform(0.5, 4.0, size=shape[:-2] + (1, 1)).astype(np.float32)
    locality = rng.uniform(0.0, 0.2, size=shape[:-2] + (1, 1)).astype(np.float32)
    n = shape[-1]
    distance = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]).astype(np.float32)
    logits = rng.standard_normal(shape, dtype=np.float32) * sharpness - locality * distance
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (weights / weights.sum(axis=-1, keepdims=True)).astype(np.float32)


def make(args):
    out = Path(args.dir)
    rng = np.random.default_rng(2024)
    np.save(out / "heads512.npy", softmax_heads(rng, (12, 12, 512, 512)))
    np.save(out / "grid128.npy", softmax_heads(rng, (12, 12, 128, 128)))
    np.save(out / "labels128.npy", softmax_heads(rng, (128, 128)))
    tokens = [WORDS[i % len(WORDS)] for i in range(128)]
    (out / "labels128.tokens.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")


def png_size(path):
    with open(path, "rb") as png:
        header = png.read(24)
    return struct.unpack(">II", header[16:24])


def figure_like(plt, like, dpi=100):
    width, height = png_size(like)
    return plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)


def draw_heads(plt, args):
    attention = np.load(Path(args.dir) / "heads512.npy", mmap_mode="r")
    layers, heads = attention.shape[:2]
    if args.fresh_figures:
        for layer in range(layers):
            for head in range(heads):
                fig = figure_like(plt, args.like)
                ax = fig.add_subplot()
                image = ax.imshow(attention[layer, head], cmap="viridis", interpolation="nearest")
                ax.set_title(f"heads512 · layer {layer} · head {head}")
                fig.colorbar(image, ax=ax)
                fig.savefig(Path(args.out) / f"L{layer}_H{head}.png", dpi=100)
                plt.close(fig)
        return
    fig = figure_like(plt, args.like)
    ax = fig.add_subplot()
    image = ax.imshow(attention[0, 0], cmap="viridis", interpolation="nearest")
    title = ax.set_title("")
    fig.colorbar(image, ax=ax)
    for layer in range(layers):
        for head in range(heads):
            values = np.asarray(attention[layer, head])
            image.set_data(values)
            image.set_clim(0, values.max())
            title.set_text(f"heads512 · layer {layer} · head {head}")
            fig.savefig(Path(args.out) / f"L{layer}_H{head}.png", dpi=100)


def draw_grid(plt, args):
    attention = np.load(Path(args.dir) / "grid128.npy")
    layers, heads = attention.shape[:2]
    fig = figure_like(plt, args.like)
    axes = fig.subplots(layers, heads, squeeze=False)
    vmax = float(attention.max())
    for layer in range(layers):
        for head in range(heads):
            ax = axes[layer, head]
            image = ax.imshow(attention[layer, head], cmap="viridis", interpolation="nearest",
                              vmin=0, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            if layer == 0:
                ax.set_title(f"head {head}", fontsize=8)
            if head == 0:
                ax.set_ylabel(f"layer {layer}", fontsize=8)
    fig.suptitle("grid128 · all layers · all heads")
    fig.colorbar(image, ax=axes, fraction=0.02)
    fig.savefig(args.out, dpi=100)


def draw_labels(plt, args):
    attention = np.load(Path(args.dir) / "labels128.npy")
    tokens = (Path(args.dir) / "labels128.tokens.txt").read_text(encoding="utf-8").split("\n")[:-1]
    fig = figure_like(plt, args.like)
    ax = fig.add_subplot()
    image = ax.imshow(attention, cmap="viridis", interpolation="nearest")
    ticks = np.arange(len(tokens))
    ax.set_xticks(ticks, tokens, rotation=90, fontsize=6)
    ax.set_yticks(ticks, tokens, fontsize=6)
    ax.set_title("labels128")
    fig.colorbar(image, ax=ax)
    fig.savefig(args.out, dpi=100)


def draw(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    {"heads": draw_heads, "grid": draw_grid, "labels": draw_labels}[args.case](plt, args)


def warm(path):
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 22):
            pass


def time_command(args):
    walls, cpus = [], []
    for _ in range(args.repeats):
        for path in args.warm:
            warm(path)
        start = time.perf_counter()
        child = subprocess.Popen(args.argv, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if status != 0:
            raise SystemExit(f"render_peer.py: {args.argv[0]} failed with status {status}")
    Path(args.result).write_text(json.dumps(
        {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "walls": walls}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="action", required=True)
    made = commands.add_parser("make")
    made.add_argument("dir")
    drawn = commands.add_parser("draw")
    drawn.add_argument("case", choices=["heads", "grid", "labels"])
    drawn.add_argument("dir")
    drawn.add_argument("out")
    drawn.add_argument("--like", required=True)
    drawn.add_argument("--fresh-figures", action="store_true")
    timed = commands.add_parser("time")
    timed.add_argument("repeats", type=int)
    timed.add_argument("result")
    timed.add_argument("--warm", action="append", default=[])
    timed.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.action == "time" and args.argv[:1] == ["--"]:
        args.argv = args.argv[1:]
    {"make": make, "draw": draw, "time": time_command}[args.action](args)


if __name__ == "__main__":
    main()
