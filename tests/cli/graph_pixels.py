#!/usr/bin/python3
"""Pixel check of `attnviz graph`: two nodes joined both ways, 0 -> 1 with alpha 1 and 1 -> 0 with
alpha 0.1 (tests/fixtures/graph/two_edges.npz). Each edge bends to the right of its direction, so
the heavy edge's ink lies right of the chord from node 0 (blue) to node 1 (orange), the light
one's left of it. The heavy side must hold more ink (wider) and darker ink.

    graph_pixels.py FIGURE.png
"""

import sys

import numpy as np
from PIL import Image
from scipy import ndimage

image = np.asarray(Image.open(sys.argv[1]).convert("RGB")).astype(float)


def centre(rgb):
    """The leftmost dot of this colour: the node (the legend's dot is right of the graph)."""
    blobs, count = ndimage.label(np.abs(image - np.array(rgb)).sum(axis=2) < 30)
    assert count >= 1, f"node colour {rgb} not found"
    centres = ndimage.center_of_mass(np.ones(blobs.shape), blobs, range(1, count + 1))
    y, x = min(centres, key=lambda c: c[1])
    return np.array([x, y])


blue, orange = centre((31, 119, 180)), centre((255, 127, 14))
chord = orange - blue
length = np.hypot(*chord)
unit = chord / length
ys, xs = np.mgrid[0:image.shape[0], 0:image.shape[1]]
rel_x, rel_y = xs - blue[0], ys - blue[1]
along = rel_x * unit[0] + rel_y * unit[1]
# Right of the direction on a y-down page: (-dy, dx).
across = rel_x * -unit[1] + rel_y * unit[0]
grey = image.std(axis=2) < 6  # edge ink is grey; nodes and the page are not dark grey
darkness = 255 - image.mean(axis=2)
inside = (along > 0.25 * length) & (along < 0.75 * length) & (np.abs(across) < 0.3 * length)
ink = grey & (darkness > 20) & inside
right, left = ink & (across > 0), ink & (across < 0)
print(f"heavy side: {right.sum()} px, darkest {darkness[right].max():.0f}; "
      f"light side: {left.sum()} px, darkest {darkness[left].max() if left.any() else 0:.0f}")
assert right.sum() > 1.5 * left.sum(), "the heavy edge is not wider than the light one"
assert darkness[right].max() > darkness[left].max() + 40, "the heavy edge is not darker"
print("ok")
