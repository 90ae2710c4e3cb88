"""Every figure that shows a matrix hatches the causal upper triangle, as heatmap does: rollout,
diff, attribute (each --show) and grid draw it in the masked fill (232, 232, 232) crossed by
grey lines, where before only heatmap did.

Usage: masks_test.py ATTNVIZ CAUSAL.npy CAUSAL.grad.npy OUT_DIR
A causal 41 x 41 head's triangle is 820 cells, several thousand pixels at the default size; the
masked fill appears nowhere else but in anti-aliased text edges, a few dozen pixels at most.
"""
import subprocess
import sys

import numpy as np
from PIL import Image

attnviz, attention, gradient, out = sys.argv[1:5]
MASKED_FILL = (232, 232, 232)
MIN_PIXELS = 1000

# A second checkpoint for diff: the same causal rows, reweighted and renormalised.
a = np.load(attention)
rng = np.random.default_rng(0)
b = a * rng.uniform(0.5, 1.5, a.shape).astype(a.dtype)
b /= b.sum(axis=-1, keepdims=True)
other = f"{out}/masks_other.npy"
np.save(other, b.astype(a.dtype))

figures = {
    "heatmap": ["heatmap", attention],
    "rollout": ["rollout", attention],
    "diff": ["diff", attention, other],
    "grid": ["grid", attention],
    "attribute_signed": ["attribute", attention, "--grad", gradient, "--show", "signed"],
    "attribute_positive": ["attribute", attention, "--grad", gradient, "--show", "positive"],
    "attribute_mean": ["attribute", attention, "--grad", gradient, "--show", "mean",
                       "--layer", "0"],
    "attribute_rollout": ["attribute", attention, "--grad", gradient, "--show", "rollout"],
}
failures = []
for name, args in figures.items():
    path = f"{out}/masks_{name}.png"
    subprocess.run([attnviz, *args, "-o", path], check=True, stdout=subprocess.DEVNULL)
    pixels = list(Image.open(path).convert("RGB").getdata())
    fill = sum(1 for p in pixels if p == MASKED_FILL)
    print(f"{name}: {fill} pixels in the masked fill")
    if fill < MIN_PIXELS:
        failures.append(f"{name}: {fill} pixels in the masked fill, expected a hatched triangle "
                        f"(at least {MIN_PIXELS})")
print("\n".join(failures) or "ok")
sys.exit(1 if failures else 0)
