#!/usr/bin/python3
"""The page's size budget (docs/html.md): a 12 x 12 x 512² dump at the default 8 bits.

usage: size_budget_test.py ATTNVIZ WORKDIR [REAL_HEAD.npy]

Synthetic heads shaped like real attention (a first-token sink, a local band, noise) must give a
page under 10 MB; 144 copies of one real RoBERTa head (when ../shared/real is there) under 20 MB.
"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "bench"))
from html_peer import realistic_heads  # noqa: E402

ATTNVIZ, WORK = sys.argv[1], sys.argv[2]
REAL = sys.argv[3] if len(sys.argv) > 3 else ""
os.makedirs(WORK, exist_ok=True)
failed = False


def page_size(attention, name):
    np.save(f"{WORK}/{name}.npy", attention)
    subprocess.run([ATTNVIZ, "html", f"{WORK}/{name}.npy", "-o", f"{WORK}/{name}.html"], check=True)
    return os.path.getsize(f"{WORK}/{name}.html")


def check(size, budget, what):
    global failed
    ok = size < budget
    failed |= not ok
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {size / 1e6:.2f} MB, budget {budget / 1e6:.0f} MB")


check(page_size(realistic_heads(512, 144, 1).reshape(12, 12, 512, 512), "synthetic"), 10e6,
      "12 x 12 x 512² synthetic, 8 bits")
if os.path.exists(REAL):
    head = np.load(REAL).astype(np.float32)
    check(page_size(np.broadcast_to(head, (12, 12, 512, 512)).copy(), "real"), 20e6,
          "12 x 12 x 512², 144 copies of a real RoBERTa head, 8 bits")
sys.exit(1 if failed else 0)
