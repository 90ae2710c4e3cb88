"""Every figure that shows a matrix hatches the causal upper triangle, as heatmap does: rollout,
diff, attribute (each --show) and grid draw it in the masked fill (232, 232, 232) crossed by
grey (128, 128, 128) lines, where before only heatmap and grid did.

Usage: masks_test.py ATTNVIZ CAUSAL.npy CAUSAL.grad.npy PADDED.npz OUT_DIR
PADDED.npz: a batch whose item 1 has 4 real tokens of 6; with --keep-padding its rollout and
its diff with a reweighted copy hatch the padded rows and columns (20 of 36 cells), as heatmap
does.
Hatching is neutral grey, which no colormap used here has: a causal 5 x 5 head's triangle (10 of
25 cells) makes a tenth or more of the figure's pixels grey (measured: 15-23 %), where a figure
without masks has only its text's anti-aliased edges (heatmap --mask none: 2.3 %).
"""
import subprocess
import sys

import numpy as np
from PIL import Image

attnviz, attention, gradient, padded, out = sys.argv[1:6]
MIN_GREY_SHARE = 0.08

# A second checkpoint for diff: the same causal rows, reweighted and renormalised.
a = np.load(attention)
rng = np.random.default_rng(0)
b = a * rng.uniform(0.5, 1.5, a.shape).astype(a.dtype)
b /= b.sum(axis=-1, keepdims=True)
other = f"{out}/masks_other.npy"
np.save(other, b.astype(a.dtype))

# ... and of the padded batch, its attention reweighted alike, tokens and mask kept.
stored = np.load(padded)
arrays = {key: stored[key] for key in stored.files}
weights = arrays["attention"] * rng.uniform(0.5, 1.5, arrays["attention"].shape)
arrays["attention"] = (weights / np.maximum(weights.sum(axis=-1, keepdims=True), 1e-30)).astype(
    stored["attention"].dtype)
other_padded = f"{out}/masks_other_padded.npz"
np.savez(other_padded, **arrays)

figures = {
    "heatmap": ["heatmap", attention],
    "rollout": ["rollout", attention],
    "rollout_kept_padding": ["rollout", padded, "--batch", "1", "--keep-padding"],
    "heatmap_kept_padding": ["heatmap", padded, "--batch", "1", "--keep-padding"],
    "diff": ["diff", attention, other],
    "diff_kept_padding": ["diff", padded, other_padded, "--batch", "1", "--keep-padding"],
    "grid": ["grid", attention],
    "attribute_signed": ["attribute", attention, "--grad", gradient, "--show", "signed"],
    "attribute_positive": ["attribute", attention, "--grad", gradient, "--show", "positive"],
    "attribute_mean": ["attribute", attention, "--grad", gradient, "--show", "mean",
                       "--layer", "0"],
    "attribute_rollout": ["attribute", attention, "--grad", gradient, "--show", "rollout"],
}


def grey_share(name, args):
    """The share of the figure's pixels that are neutral grey, as hatching is."""
    path = f"{out}/masks_{name}.png"
    subprocess.run([attnviz, *args, "-o", path], check=True, stdout=subprocess.DEVNULL)
    pixels = list(Image.open(path).convert("RGB").getdata())
    share = sum(1 for r, g, b in pixels if r == g == b and 120 <= r <= 235) / len(pixels)
    print(f"{name}: {share:.1%} of the pixels neutral grey")
    return share


failures = []
for name, args in figures.items():
    if grey_share(name, args) < MIN_GREY_SHARE:
        failures.append(f"{name}: expected a hatched triangle (at least {MIN_GREY_SHARE:.0%} grey)")
if grey_share("heatmap_mask_none", ["heatmap", attention, "--mask", "none"]) >= MIN_GREY_SHARE:
    failures.append("heatmap --mask none is as grey as a hatched figure: the measure cannot tell")
print("\n".join(failures) or "ok")
sys.exit(1 if failures else 0)
