"""The report's statistics table against numpy: report_stats_text.py REPORT.pdf DUMP.npy

Reads the report with pdftotext -layout and checks, for every head of a
(layer, head, query, key) dump without padding, the entropy (nats), confidence and first_token
columns against values computed here from their definitions (docs/analyses.md): the mean
over query rows of -sum p ln p, of max p, and of p[0].
"""
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("skip: numpy absent")
    sys.exit(77)

pdf, dump = sys.argv[1], sys.argv[2]
text = subprocess.run(["pdftotext", "-layout", pdf, "-"],
                      check=True, capture_output=True, text=True).stdout
lines = text.splitlines()


def words(line):
    """(start, end, word) of each word of a line."""
    found, at = [], 0
    for word in line.split():
        start = line.index(word, at)
        at = start + len(word)
        found.append((start, at, word))
    return found


def column_names(lines, bottom):
    """The header ending on line `bottom`: names broken after underscores stand in the lines
    above, each part over the column's next part (right- or left-aligned alike)."""
    names = []
    for start, end, word in words(lines[bottom]):
        name = word
        for above in (bottom - 1, bottom - 2):
            part = [w for s, e, w in words(lines[above]) if w.endswith("_") and s < end + 2 and e > start - 2]
            if not part:
                break
            name = part[0] + name
        names.append(name)
    return names


bottom = next(i for i, line in enumerate(lines) if line.split()[:2] == ["layer", "head"])
header = column_names(lines, bottom)
rows = {}
for line in lines:
    cells = line.split()
    if len(cells) == len(header) and cells[0].isdigit() and cells[1].isdigit():
        rows[(int(cells[0]), int(cells[1]))] = dict(zip(header, cells))

a = np.load(dump).astype(np.float64)
logs = np.log(np.where(a > 0, a, 1))
expected = {
    "entropy": -(a * logs).sum(-1).mean(-1),
    "confidence": a.max(-1).mean(-1),
    "first_token": a[..., 0].mean(-1),
}
layers, heads = a.shape[:2]
assert len(rows) == layers * heads, f"{len(rows)} head rows in the table, expected {layers * heads}"
for (layer, head), row in rows.items():
    for name, values in expected.items():
        want = f"{values[layer, head]:.3f}"
        assert row[name] == want, f"L{layer}H{head} {name}: table {row[name]}, numpy {want}"
print(f"ok: {len(rows)} heads, entropy, confidence and first_token match numpy")
