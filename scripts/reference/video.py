#!/usr/bin/python3
"""Fixtures and numpy-computed expectations for `attnviz video` (tests/cli/video_tests.cmake).

Writes tests/fixtures/video/: joint.npy (2 heads, CLS + 2 frames x 2 x 3 patches), spatial.npy
(TimeSformer's divided spatial attention: layer, batch = 3 frames, 2 heads, 1 + 2 x 2, 1 + 2 x 2),
temporal.npy (its temporal attention: layer, batch = 4 patch positions, 2 heads, 3, 3), frames/
(3 PNG frames of 24 x 16 px), two bad video files, and expected.json: what attnviz must report,
computed here with numpy from the same arrays.
"""
import json
import os

import numpy as np
from PIL import Image

OUT = "tests/fixtures/video"
rng = np.random.default_rng(18)


def softmax_rows(shape):
    x = rng.normal(0, 1.5, size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def joint():
    frames, rows, cols = 2, 2, 3
    a = softmax_rows((2, 1 + frames * rows * cols, 1 + frames * rows * cols))
    np.save(f"{OUT}/joint.npy", a)
    mean = a.astype(np.float64).mean(0)  # --fuse mean of both heads
    cls = mean[0]
    maps = cls[1:].reshape(frames, rows * cols)
    patch = 1 + 1 * rows * cols + 1 * cols + 2  # query t=1, y=1, x=2
    per_frame = mean[1:, 1:].reshape(frames, rows * cols, frames, rows * cols).sum(-1).mean(1)
    return {
        "cls_mass_per_frame": maps.sum(1).tolist(),
        "cls_weight": float(cls[0]),
        "cls_argmax": [int(m.argmax()) for m in maps],
        "patch_1_1_2_mass_per_frame": mean[patch, 1:].reshape(frames, -1).sum(1).tolist(),
        "frame_to_frame": per_frame.tolist(),
    }


def spatial():
    frames, rows, cols = 3, 2, 2
    a = softmax_rows((1, frames, 2, 1 + rows * cols, 1 + rows * cols))  # head 1 only below
    np.save(f"{OUT}/spatial.npy", a)
    head = a[0, :, 1].astype(np.float64)  # (frames, q, k)
    return {
        "head1_cls_maps": head[:, 0, 1:].tolist(),
        "head1_cls_mass": head[:, 0, 1:].sum(1).tolist(),
        "head1_patch_1_0_maps": head[:, 1 + 1 * cols + 0, 1:].tolist(),
    }


def temporal():
    frames, positions = 3, 4
    a = softmax_rows((1, positions, 2, frames, frames))
    np.save(f"{OUT}/temporal.npy", a)
    mean = a[0].astype(np.float64).mean(1)  # heads fused: (positions, frames, frames)
    return {"mean_over_positions": mean.mean(0).tolist(), "position_1_0": mean[2].tolist()}


def frames():
    os.makedirs(f"{OUT}/frames", exist_ok=True)
    for t in range(3):
        rgb = np.zeros((16, 24, 3), np.uint8)
        rgb[..., 0] = 60 * t
        rgb[..., 1] = np.arange(24)[None, :] * 10
        rgb[..., 2] = 200
        Image.fromarray(rgb, "RGB").save(f"{OUT}/frames/f{t}.png")
    with open(f"{OUT}/random_bytes.mp4", "wb") as f:
        f.write(rng.integers(0, 256, 3000, dtype=np.uint8).tobytes())
    # an MP4 'ftyp' box that promises more than the file holds
    with open(f"{OUT}/truncated.mp4", "wb") as f:
        f.write(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x10\x00moov")


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"joint": joint(), "spatial": spatial(), "temporal": temporal()}
    frames()
    with open(f"{OUT}/expected.json", "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
