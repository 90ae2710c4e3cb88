#!/usr/bin/python3
"""numpy reference for attnviz's word timing (`attnviz align`), written from openai/whisper's
timing.py (find_alignment) and docs/analyses.md "Word timing", and the goldens it commits for
tests/analysis/alignment_test.cc.

    /usr/bin/python3 scripts/reference/word_timing.py   # writes tests/fixtures/analysis/word_timing/

Every stage is numpy on float64 (the heads as float32 values); only the DTW's accumulated costs are
float32, as Whisper's dtw_cpu stores them. The C++ must give the same path, so the same frames.
The tie cases use weights whose z-scores are exactly +-1, so their costs tie exactly.
"""

import json
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "analysis" / "word_timing"


def standardize(head):
    """Each frame (column) as z-scores over the tokens (rows); a constant column becomes 0."""
    mean = head.mean(axis=0, keepdims=True)
    std = head.std(axis=0, keepdims=True)  # ddof=0: torch's unbiased=False
    safe = np.where(std > 0, std, 1.0)
    return np.where(std > 0, (head - mean) / safe, 0.0)


def median_filter(x, width):
    """Running median along the frames, torch's reflect padding; short rows are left alone."""
    half = width // 2
    if x.shape[-1] <= half:
        return x
    padded = np.pad(x, ((0, 0), (half, half)), mode="reflect")
    return np.median(sliding_window_view(padded, width, axis=-1), axis=-1)


def dtw(x):
    """Whisper's dtw_cpu and backtrace: (token indices, frame indices) of the path."""
    n, m = x.shape
    cost = np.full((n + 1, m + 1), np.inf, dtype=np.float32)
    trace = -np.ones((n + 1, m + 1), dtype=np.int64)
    cost[0, 0] = 0
    for j in range(1, m + 1):
        for i in range(1, n + 1):
            c0, c1, c2 = cost[i - 1, j - 1], cost[i - 1, j], cost[i, j - 1]
            if c0 < c1 and c0 < c2:
                c, t = c0, 0
            elif c1 < c0 and c1 < c2:
                c, t = c1, 1
            else:
                c, t = c2, 2
            cost[i, j] = x[i - 1, j - 1] + np.float64(c)
            trace[i, j] = t
    trace[0, :] = 2
    trace[:, 0] = 1
    i, j, path = n, m, []
    while i > 0 or j > 0:
        path.append((i - 1, j - 1))
        t = trace[i, j]
        if t == 0:
            i, j = i - 1, j - 1
        elif t == 1:
            i -= 1
        else:
            j -= 1
    path = np.array(path[::-1])
    return path[:, 0], path[:, 1]


def align(heads, width):
    """(path, start frames, end frames): ends are the next token's start, the frame count last."""
    fused = np.mean([median_filter(standardize(h.astype(np.float64)), width) for h in heads], axis=0)
    tokens, frames = dtw(-fused)
    jumps = np.pad(np.diff(tokens), (1, 0), constant_values=1).astype(bool)
    starts = frames[jumps]
    ends = np.append(starts[1:], fused.shape[1])
    return np.stack([tokens, frames], axis=1), starts, ends


def head_scores(head):
    """monotonicity, peakedness, score as docs/analyses.md "Alignment heads" defines them; rows
    whose weights do not sum to a positive number take no part."""
    rows = head.astype(np.float64)
    sums = rows.sum(axis=1)
    rows = rows[sums > 0] / sums[sums > 0][:, None]
    n, m = rows.shape
    centres = rows @ np.arange(m)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    ordered = sum(1.0 if centres[a] < centres[b] else 0.5 if centres[a] == centres[b] else 0.0
                  for a, b in pairs)
    monotonicity = ordered / len(pairs) if pairs else 0.5
    if n == 0:
        peakedness = 0.0
    elif m > 1:
        terms = rows * np.log(np.where(rows > 0, rows, 1.0))
        peakedness = float(np.mean(1 + terms.sum(axis=1) / np.log(m)))
    else:
        peakedness = 1.0
    return monotonicity, peakedness, max(0.0, 2 * monotonicity - 1) * peakedness


def softmax_rows(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def diagonal_head(rng, tokens, frames, noise, sharpness=0.5):
    """Attention of token t peaked on a frame that grows with t, plus noise: an aligning head."""
    centres = (np.arange(tokens) + 0.5) * frames / tokens + rng.normal(0, 1, tokens)
    logits = -sharpness * (np.arange(frames)[None, :] - centres[:, None]) ** 2 / 4
    return softmax_rows(logits + noise * rng.normal(0, 1, (tokens, frames))).astype(np.float32)


def binary_columns(pattern_rows, frames, rng):
    """Columns each holding half zeros and half ones over an even token count: z-scores +-1."""
    tokens = len(pattern_rows)
    out = np.zeros((tokens, frames), dtype=np.float32)
    for j in range(frames):
        out[:, j] = pattern_rows[:, j % pattern_rows.shape[1]]
    return out


def cases():
    rng = np.random.default_rng(17)
    yield "random 2 heads 5x30", 7, [softmax_rows(rng.normal(0, 1, (5, 30))).astype(np.float32)
                                      for _ in range(2)]
    yield "random 1 head 8x60 width 3", 3, [rng.random((8, 60)).astype(np.float32)]
    yield "diagonal 3 heads 6x50", 7, [diagonal_head(rng, 6, 50, 0.5) for _ in range(3)]
    yield "diagonal 1 head 12x200 width 9", 9, [diagonal_head(rng, 12, 200, 1.0)]
    yield "more tokens than frames 9x5", 1, [rng.random((9, 5)).astype(np.float32)]
    yield "frames no longer than half the width", 7, [rng.random((4, 3)).astype(np.float32)]
    yield "one token one frame", 7, [np.array([[0.25]], dtype=np.float32)]
    yield "one token", 5, [rng.random((1, 12)).astype(np.float32)]
    constant = rng.random((5, 20)).astype(np.float32)
    constant[:, 4:9] = 0.125  # standard deviation 0: those frames become 0
    yield "constant frames", 7, [constant]
    same = np.array([[0], [1], [0], [1]], dtype=np.float32)
    yield "ties: every frame the same 0/1 column", 7, [binary_columns(same, 10, rng)]
    yield "ties: every frame the same, width 1", 1, [binary_columns(same, 7, rng)]
    checker = np.array([[0, 1], [1, 0]], dtype=np.float32)
    yield "ties: checkerboard", 1, [binary_columns(checker, 9, rng)]
    blocks = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0], [1, 0, 0, 1, 1, 1],
                       [0, 1, 1, 0, 1, 1]], dtype=np.float32)
    yield "ties: two heads of +-1, means of +-1 and 0", 3, [binary_columns(blocks, 12, rng),
                                                           binary_columns(blocks[::-1], 12, rng)]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    out = []
    for name, width, heads in cases():
        path, starts, ends = align(heads, width)
        scores = [dict(zip(("monotonicity", "peakedness", "score"), head_scores(h))) for h in heads]
        out.append({"name": name, "median_width": width,
                    "heads": [[[float(v) for v in row] for row in h] for h in heads],
                    "path": path.tolist(), "start_frames": starts.tolist(),
                    "end_frames": ends.tolist(), "scores": scores})
    (OUT / "golden.json").write_text(json.dumps({"cases": out}, indent=None) + "\n")
    print(f"wrote {OUT / 'golden.json'}: {len(out)} cases")


if __name__ == "__main__":
    main()
