#!/usr/bin/env bash
# Runs the recipes of docs/cookbook.md as written there: the Makefile on data/ (figures valid,
# nothing rebuilt when nothing changed, a touched dump rebuilt) and the Python function that
# saves a dump in every format attnviz reads.
# Usage: cookbook_test.sh ATTNVIZ COOKBOOK_MD DATA_DIR
set -euo pipefail
attnviz=$1 cookbook=$2 data=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "cookbook_test: $*" >&2; exit 1; }

# The fenced block right after the marker comment MARKER.
block() {
  awk -v marker="<!-- cookbook:$1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$cookbook"
}

block makefile >"$work/Makefile"
[ -s "$work/Makefile" ] || fail "no Makefile block in $cookbook"
mkdir "$work/dumps"
cp "$data/induction.npy" "$data/induction.tokens.txt" "$work/dumps/"
run_make() { make -C "$work" --no-print-directory ATTNVIZ="$attnviz" "$@"; }

# 1. Everything builds, in parallel, and each figure is a valid PDF.
run_make -j2 >"$work/make.log" 2>&1 || { cat "$work/make.log"; fail "make failed"; }
for f in heads entropy rollout clusters head; do
  pdf="$work/figures/induction-$f.pdf"
  [ -s "$pdf" ] || fail "missing $pdf"
  qpdf --check "$pdf" >/dev/null || fail "qpdf rejects $pdf"
done
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d["heads"]) > 0' \
  "$work/figures/induction-stats.json" || fail "stats.json is not the stats JSON"

# 2. Nothing to do when nothing changed.
run_make -q || fail "a second make would rebuild something"

# 3. A touched dump rebuilds its figures, and only a changed dump does.
before=$(stat -c %Y.%y "$work/figures/induction-heads.pdf")
sleep 1.1
touch "$work/dumps/induction.npy"
run_make -q && fail "make -q says up to date after the dump changed"
run_make -j2 >/dev/null 2>&1 || fail "rebuild failed"
after=$(stat -c %Y.%y "$work/figures/induction-heads.pdf")
[ "$before" != "$after" ] || fail "induction-heads.pdf was not rebuilt"
run_make -q || fail "not up to date after the rebuild"

# 4. The check target writes JUnit XML whatever the verdict.
run_make check >/dev/null 2>&1 || true
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' \
  "$work/figures/induction-check.xml" || fail "check did not write well-formed JUnit XML"

# 5. The save function writes four dumps attnviz reads with their tokens, alike.
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  block save >"$work/save.py"
  cat >>"$work/save.py" <<'EOF'
import numpy as np
rng = np.random.default_rng(0)
logits = rng.normal(size=(2, 3, 5, 5))
attention = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
save_attention(attention, ["[CLS]", "caf\u00e9", "\u732b", "\n", "[SEP]"], "dumps/demo", "demo-model")
EOF
  (cd "$work" && /usr/bin/python3 save.py) || fail "the save function failed"
  for ext in npy npz json safetensors; do
    "$attnviz" info "$work/dumps/demo.$ext" --json >"$work/info.$ext.json" ||
      fail "attnviz cannot read demo.$ext"
    python3 - "$work/info.$ext.json" "$ext" <<'EOF' || fail "demo.$ext read wrongly"
import json, sys
info = json.load(open(sys.argv[1]))
assert info["shape"] == [2, 3, 5, 5], info["shape"]
assert info["query_tokens"] == 5 and info["key_tokens"] == 5, "tokens not found for " + sys.argv[2]
assert info["row_sum_min"] > 0.99999 and info["row_sum_max"] < 1.00001
EOF
  done
else
  echo "cookbook_test: numpy missing, save function not run" >&2
fi
echo "cookbook recipes ok"
