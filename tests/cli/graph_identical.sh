#!/usr/bin/env bash
# `attnviz graph` draws the same bytes twice in PNG, SVG and PDF (seeded Graphviz layout, no
# dates), and each file is what its extension says.
set -euo pipefail
attnviz=$1 dump=$2 out=$3
mkdir -p "$out"
for ext in png svg pdf; do
  "$attnviz" graph "$dump" --seed 4 -o "$out/graph_a.$ext"
  "$attnviz" graph "$dump" --seed 4 -o "$out/graph_b.$ext"
  cmp "$out/graph_a.$ext" "$out/graph_b.$ext"
done
head -c 8 "$out/graph_a.png" | od -An -c | grep -q 'P   N   G'
head -c 5 "$out/graph_a.pdf" | grep -q '%PDF-'
grep -q '<svg' "$out/graph_a.svg"
# Another seed moves the nodes: the seed is what fixes the layout.
"$attnviz" graph "$dump" --seed 5 -o "$out/graph_c.png"
! cmp -s "$out/graph_a.png" "$out/graph_c.png"
echo ok
