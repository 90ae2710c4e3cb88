#!/usr/bin/env bash
# Every single dump of ../shared/real (attention from real pretrained models) loads and draws as a
# valid PNG (the 40 dodrio-twitter inputs are dodrio_trimmed.sh's).
# Exits 77 (a skip CTest shows) when ../shared/real is absent, as in a fresh clone.
# Usage: real_dumps_test.sh ATTNVIZ REAL_DIR
set -euo pipefail
attnviz=$1 real=$2
[ -d "$real" ] || { echo "SKIP: $real is absent"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "real_dumps_test: $*" >&2; exit 1; }

for dump in "$real"/*.json "$real"/*.npy; do
  name=$(basename "$dump")
  "$attnviz" info "$dump" --json >"$work/$name.info.json" 2>"$work/err" || fail "info $name: $(cat "$work/err")"
  "$attnviz" heatmap "$dump" -o "$work/$name.png" 2>"$work/err" || fail "heatmap $name: $(cat "$work/err")"
  pngcheck -q "$work/$name.png" >/dev/null || fail "heatmap $name: not a valid PNG"
done

echo "real dumps ok: $(ls "$real"/*.json "$real"/*.npy | wc -l) dumps load and draw"
