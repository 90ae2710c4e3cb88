"""The report's PDF outline as a reader sees it: report_outline.py REPORT.pdf TITLE...

qpdf lists the outline (bookmarks); each entry must be one of the TITLEs, in their order, one per
title, its destination page must hold that heading (pdftotext), and the pages must not go back.
"""
import json
import subprocess
import sys

pdf, titles = sys.argv[1], sys.argv[2:]
outline = json.loads(subprocess.run(["qpdf", "--json", "--json-key=outlines", pdf], check=True,
                                    capture_output=True, text=True).stdout)["outlines"]
found = [entry["title"] for entry in outline]
assert found == titles, f"outline {found}, expected {titles}"
pages = [entry["destpageposfrom1"] for entry in outline]
assert pages == sorted(pages), f"outline pages {pages} go back"
for title, page in zip(titles, pages):
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), pdf, "-"], check=True,
                          capture_output=True, text=True).stdout
    assert title in text, f"page {page} does not show the heading {title!r}"
print(f"ok: {len(titles)} outline entries on pages {pages}")
