#!/usr/bin/python3
"""The sample clip's GIF (head 1, the head that tracks the dot) at --alpha 1 (pure colormap): in each frame the hottest patch, read back
from the pixels through viridis, is the patch holding the dot (data/video_truth.json) in at least
7 of 8 frames, the bound of the JSON test (tests/cli/video_tests.cmake).
Usage: video_gif_pixels.py ATTNVIZ OUT_DIR DATA_DIR"""
import json
import subprocess
import sys

import numpy as np
from matplotlib import colormaps
from PIL import Image, ImageSequence

attnviz, out, data = sys.argv[1:4]
gif = f"{out}/dot_alpha1.gif"
subprocess.run([attnviz, "video", f"{data}/video_attn.npz", "--frames", "8", "--grid", "4x4",
                "--head", "1", "--clip", f"{data}/video_frames", "--alpha", "1",
                "-o", gif], check=True)
truth = json.load(open(f"{data}/video_truth.json"))
viridis = (colormaps["viridis"](np.arange(256))[:, :3] * 255).round()
frames = [np.asarray(f.convert("RGB"), dtype=float) for f in ImageSequence.Iterator(Image.open(gif))]
assert len(frames) == 8, len(frames)
hits = 0
for t, frame in enumerate(frames):
    side = frame.shape[1] // 4  # 4 patches across; the progress bar is below the square image
    values = np.empty((4, 4))
    for y in range(4):
        for x in range(4):
            pixel = frame[y * side + side // 2, x * side + side // 2]
            values[y, x] = np.argmin(((viridis - pixel) ** 2).sum(1))
    hot = np.unravel_index(values.argmax(), values.shape)
    hits += list(hot) == truth["dot_patch_yx"][t]
    print(f"frame {t}: hottest patch {tuple(int(v) for v in hot)}, dot in {tuple(truth['dot_patch_yx'][t])}")
assert hits >= 7, f"the hottest patch holds the dot in {hits} of 8 frames"
print("ok")
