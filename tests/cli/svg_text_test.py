"""SVG labels as <text> (--svg-text text, the default) land where Cairo's glyph outlines
(--svg-text paths) were, for every figure type that writes SVG.

Usage: svg_text_test.py ATTNVIZ OVERLAY_FIXTURES OUT_DIR
For each figure both forms are written and checked: the text form is well-formed XML whose
<text> elements hold every token (XML-escaped: <s>, &, quotes, CJK) and the title, name DejaVu
Sans, and hold no glyph outlines; the paths form holds no <text>. Then both are rendered with
rsvg-convert at 2x, and so is the text form with its <text> elements taken out (the background):
the label ink of each form (what differs from the background) must lie within 1 px (half a
point at 2x) of the other's, pixel for pixel (at least 97% of it; labels moved by 1 pt score
about 87%), in about the same amount. A second run writes the same bytes.
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PIL import Image

attnviz, overlay_fixtures, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]) / "svg_text"
out.mkdir(parents=True, exist_ok=True)
SVG = "{http://www.w3.org/2000/svg}"
TOKENS = ["<s>", "fish & chips", '"quoted"', "it's", "日本語", "Ġthe", "▁end", "</s>"]
TITLE = "labels <as> text & more"
failures = []


def write_dump():
    rng = np.random.default_rng(7)
    weights = rng.random((2, 2, len(TOKENS), len(TOKENS)), dtype=np.float32)
    weights /= weights.sum(axis=-1, keepdims=True)
    np.save(out / "attn.npy", weights)
    (out / "tokens.txt").write_text("\n".join(TOKENS) + "\n", encoding="utf-8")


def draw(name, args, svg_text):
    path = out / f"{name}_{svg_text}.svg"
    subprocess.run([attnviz] + args + ["--svg-text", svg_text, "-o", str(path)], check=True,
                   stdout=subprocess.DEVNULL)
    return path


def texts(root):
    return ["".join(element.itertext()) for element in root.iter(SVG + "text")]


def check_text_form(name, path, expected):
    data = path.read_bytes().decode("utf-8")
    root = ET.fromstring(data)  # raises on anything not well-formed
    found = texts(root)
    for token in expected:
        if not any(token in text for text in found):
            failures.append(f"{name}: no <text> holds {token!r}; found {found[:12]}")
    families = {element.get("font-family") for element in root.iter(SVG + "text")}
    if not families or not all(f and f.split(", ")[0] == "DejaVu Sans" for f in families):
        failures.append(f"{name}: font families {families}, expected DejaVu Sans first")
    if "#glyph" in data or "fill-opacity:0.00392157" in data:
        failures.append(f"{name}: glyph outlines or text markers left in the text form")


def check_paths_form(name, path):
    data = path.read_text(encoding="utf-8")
    if "<text" in data or "#glyph" not in data:
        failures.append(f"{name}: --svg-text paths should hold glyph outlines and no <text>")


def raster(svg_path):
    png = svg_path.with_suffix(".png")
    subprocess.run(["rsvg-convert", "-z", "2", "-b", "white", "-o", str(png), str(svg_path)],
                   check=True)
    return np.asarray(Image.open(png).convert("L"), dtype=np.int16)


def dilate(mask):
    grown = mask.copy()
    grown[1:, :] |= mask[:-1, :]
    grown[:-1, :] |= mask[1:, :]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    return grown


def check_same_place(name, text_svg, paths_svg):
    background_svg = out / f"{name}_background.svg"
    stripped = re.sub(r"<text\b.*?</text>\n?", "", text_svg.read_text(encoding="utf-8"),
                      flags=re.S)
    background_svg.write_text(stripped, encoding="utf-8")
    background, as_text, as_paths = raster(background_svg), raster(text_svg), raster(paths_svg)
    if not (background.shape == as_text.shape == as_paths.shape):
        failures.append(f"{name}: page sizes differ {background.shape} {as_text.shape} "
                        f"{as_paths.shape}")
        return
    ink_text = np.abs(as_text - background) > 60
    ink_paths = np.abs(as_paths - background) > 60
    if ink_paths.sum() < 50:
        failures.append(f"{name}: only {ink_paths.sum()} pixels of label ink")
        return
    for what, ink, other in (("text", ink_text, ink_paths), ("paths", ink_paths, ink_text)):
        inside = (ink & dilate(other)).sum() / max(ink.sum(), 1)
        if inside < 0.97:
            failures.append(f"{name}: {inside:.1%} of the {what} form's label ink lies within "
                            f"1 px (half a point) of the other form's, expected at least 97%")
    ratio = ink_text.sum() / ink_paths.sum()
    if not 0.9 < ratio < 1.1:
        failures.append(f"{name}: the text form has {ratio:.2f} x the label ink of the paths form")


def check(name, args, expected):
    text_svg, paths_svg = draw(name, args, "text"), draw(name, args, "paths")
    check_text_form(name, text_svg, expected)
    check_paths_form(name, paths_svg)
    check_same_place(name, text_svg, paths_svg)
    again = draw(name + "_again", args, "text")
    if again.read_bytes() != text_svg.read_bytes():
        failures.append(f"{name}: a second run wrote other bytes")


write_dump()
dump, tokens = str(out / "attn.npy"), ["--tokens", str(out / "tokens.txt")]
check("heatmap", ["heatmap", dump] + tokens + ["--title", TITLE], TOKENS + [TITLE])
check("heatmap_values", ["heatmap", dump] + tokens + ["--annotate", "--title", TITLE], ["0."])
check("grid", ["grid", dump, "--title", TITLE], [TITLE, "layer"])
check("arrows", ["arrows", dump] + tokens + ["--title", TITLE], TOKENS + [TITLE])
check("highlight", ["highlight", dump] + tokens + ["--query", "0", "--title", TITLE], TOKENS[1:])
check("overlay", ["overlay", str(overlay_fixtures / "vit.npz"), "--image",
                  str(overlay_fixtures / "picture.png"), "--grid", "14x14", "--drop-cls",
                  "--panel", "--title", TITLE], [TITLE, "patches, 14 × 14"])
check("stats_plot", ["stats", dump, "--plot", "entropy", "--title", TITLE], [TITLE])
check("cluster", ["cluster", str(overlay_fixtures / "vit.npz")], ["L0H0", "L0H2"])
check("colormaps", ["colormaps"], ["viridis", "coolwarm_r"])

# Rotated labels stay rotated: long key tokens turn the heatmap's column labels.
heatmap = ET.parse(out / "heatmap_text.svg").getroot()
if not any("matrix(0 -1 1 0" in (t.get("transform") or "") for t in heatmap.iter(SVG + "text")):
    failures.append("heatmap: no <text> turned a quarter (matrix(0 -1 1 0 ...)) for the columns")

for failure in failures:
    print(failure)
sys.exit(1 if failures else 0)
