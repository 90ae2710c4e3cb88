"""Layer x head maps read in print: `stats --plot` and `attribute --show importance` have cells of
0.5 in, 50 px at 100 dpi (they were just wide enough for their values, 32 px, in figures
2.3 in wide).

Usage: summary_size_test.py ATTNVIZ INDUCTION.npy CAUSAL.npy CAUSAL.grad.npy OUT_DIR
A cell is measured as the longest run of one colour along a pixel row: above and below its value
a cell is one colour edge to edge, and nothing else in the figure is as wide (the colorbar is
under 20 px; white and greys are not counted).
"""
import subprocess
import sys

from PIL import Image

attnviz, induction, causal, gradient, out = sys.argv[1:6]
figures = {
    "stats": [attnviz, "stats", induction, "--plot", "entropy"],
    "importance": [attnviz, "attribute", causal, "--grad", gradient, "--show", "importance"],
}
MIN_CELL_PX = 46  # 50 px less anti-aliased edges and the frame


def longest_run(image):
    width, height = image.size
    pixels = image.load()
    longest = 0
    for y in range(height):
        run, previous = 0, None
        for x in range(width):
            colour = pixels[x, y]
            neutral = colour[0] == colour[1] == colour[2]
            run = run + 1 if colour == previous and not neutral else 1
            previous = colour
            longest = max(longest, run)
    return longest


failures = []
for name, args in figures.items():
    path = f"{out}/summary_{name}.png"
    subprocess.run([*args, "-o", path], check=True, stdout=subprocess.DEVNULL)
    cell = longest_run(Image.open(path).convert("RGB"))
    print(f"{name}: cells {cell} px wide")
    if cell < MIN_CELL_PX:
        failures.append(f"{name}: cells {cell} px wide, expected 0.5 in (50 px at 100 dpi)")
print("\n".join(failures) or "ok")
sys.exit(1 if failures else 0)
