"""attribute's figures follow the colour rule: signed maps on RdBu_r centred on 0, maps that are
never negative (positive, mean, rollout) on viridis from 0 to their largest value.

Usage: attribute_colors_test.py ATTNVIZ ATTENTION.npy GRADIENT.npy OUT_DIR
The colours are matplotlib's (viridis 0 = #440154, 1 = #fde725; RdBu_r 0 = #053061,
1 = #67001f): a map from 0 has cells of viridis(0) where its value is 0, which a centred scale
would draw in the middle of its colormap. Colours match within 1 per channel (rounding).
"""
import subprocess
import sys

from PIL import Image

attnviz, attention, gradient, out = sys.argv[1:5]
VIRIDIS_LOW, VIRIDIS_HIGH = (68, 1, 84), (253, 231, 37)
RDBU_R_LOW, RDBU_R_HIGH = (5, 48, 97), (103, 0, 31)


def colours(show):
    """The colours of the figure of layer 0 (mean draws one per layer)."""
    path = f"{out}/attribute_{show}.png"
    template = path.replace(".png", "_{layer}.png") if show == "mean" else path
    subprocess.run([attnviz, "attribute", attention, "--grad", gradient, "--show", show,
                    "-o", template], check=True, stdout=subprocess.DEVNULL)
    return set(Image.open(template.replace("{layer}", "0")).convert("RGB").getdata())


def has(seen, colour):
    return any(all(abs(a - b) <= 1 for a, b in zip(c, colour)) for c in seen)


failures = []
for show in ("rollout", "positive", "mean"):
    seen = colours(show)
    if not has(seen, VIRIDIS_LOW) or not has(seen, VIRIDIS_HIGH):
        failures.append(f"--show {show}: expected viridis from 0 (#440154) to the largest value (#fde725)")
    if has(seen, RDBU_R_LOW) or has(seen, RDBU_R_HIGH):
        failures.append(f"--show {show}: drawn on a diverging map")
seen = colours("signed")
if not has(seen, RDBU_R_LOW) and not has(seen, RDBU_R_HIGH):
    failures.append("--show signed: expected RdBu_r reaching an end at the largest |value|")
if has(seen, VIRIDIS_LOW):
    failures.append("--show signed: drawn on viridis")
print("\n".join(failures) or "ok")
sys.exit(1 if failures else 0)
