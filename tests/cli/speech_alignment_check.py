#!/usr/bin/python3
"""Pixel check of `attnviz speech` on tests/fixtures/speech: the attention's columns and the
spectrogram's columns share one time axis.

    speech_alignment_check.py FIGURE.png

burst_cross.npy layer 1 head 0 gives each of its 5 tokens its own span of frames; "tone" (row 1)
attends to 0.60-1.00 s and "hum" (row 3) to 1.30-1.70 s, where burst.wav holds its two tones.
In the PNG:
- the heatmap is the first run of columns holding colour (viridis is never grey), its rows the
  run of rows holding colour there; along the middle of rows 1 and 3 the attended cells (green
  channel > 100) span one run of columns each;
- the spectrogram is the grey panel under it, between the last two dark rows of frame lines;
  its loud columns (any pixel darker than 100 inside the frame) span two runs.
The heatmap's runs must start and end where their frames do, within 1 px: 0.60 / 2.04 of its
width and so on (the time axis is 102 frames of 20 ms, cropped at the audio's end, 2.03 s). Each
edge of the spectrogram's runs must sit within one 20 ms frame of the heatmap's: the 25 ms
analysis window smears a tone's edge over about 10 ms each way.
"""

import sys

import numpy as np
from PIL import Image

BURSTS = [(0.60, 1.00), (1.30, 1.70)]
AXIS_SECONDS = 102 * 0.02


def runs(flags):
    """(first, last + 1) of each run of True."""
    out, start = [], None
    for i, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            out.append((start, i))
            start = None
    return out


def main(path):
    rgb = np.asarray(Image.open(path).convert("RGB")).astype(int)
    saturation = rgb.max(axis=2) - rgb.min(axis=2)
    coloured_columns = (saturation > 40).sum(axis=0) > 5
    left, right = runs(coloured_columns)[0]  # the heatmap; the colorbar is a later run
    coloured_rows = (saturation[:, left:right] > 40).sum(axis=1) > (right - left) // 2
    top, bottom = runs(coloured_rows)[0]
    width, row_height = right - left, (bottom - top) / 5
    fail = []
    strong = []
    for row in (1, 3):
        y = int(top + (row + 0.5) * row_height)
        found = runs(rgb[y, left:right, 1] > 100)
        if len(found) != 1:
            fail.append(f"heatmap row {row}: expected one run of attended columns, found {found}")
        strong += found[:1]
    for (start, end), (t0, t1) in zip(strong, BURSTS):
        for found, seconds in ((start, t0), (end, t1)):
            expected = seconds / AXIS_SECONDS * width
            if abs(found - expected) > 1.01:
                fail.append(f"heatmap edge at {found} px, expected {expected:.1f} px ({seconds} s)")
    # The spectrogram: below the heatmap, between the last two groups of dark frame rows.
    below = rgb[bottom:, left + 2 : right - 2]
    grey = below.max(axis=2) - below.min(axis=2) < 10
    frame_rows = (grey & (below.max(axis=2) < 190)).mean(axis=1) > 0.9
    groups = runs(frame_rows)
    panel_top, panel_bottom = groups[-2][1], groups[-1][0]
    inside = grey[panel_top + 1 : panel_bottom - 1] & (below[panel_top + 1 : panel_bottom - 1].max(axis=2) < 100)
    loud = runs(inside.any(axis=0))
    if len(loud) != 2:
        fail.append(f"spectrogram: expected 2 runs of loud columns, found {loud}")
    frame = 0.02 / AXIS_SECONDS * width
    for (h0, h1), (s0, s1) in zip(strong, loud):
        s0, s1 = s0 + 2, s1 + 2  # back to heatmap coordinates
        if abs(s0 - h0) > frame or abs(s1 - h1) > frame:
            fail.append(f"spectrogram run {s0}-{s1} px, heatmap run {h0}-{h1} px (tolerance {frame:.1f} px)")
    print(f"heatmap runs {strong}, spectrogram runs {[(a + 2, b + 2) for a, b in loud]}, width {width} px")
    for message in fail:
        print("FAIL:", message)
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
